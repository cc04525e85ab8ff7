// Input a hostile user would write: every case gets a located diagnostic with a stable code, the rest of the file
// is kept, nothing is silently changed, and what the printer writes reads back to the same meaning.
import { describe, expect, it } from 'vitest';
import { parseSnapshot, printSnapshot, ruleCount, type InputFormat, type ParseOptions } from '@chainsight/grammar';
import { meaning } from './model';

const save = (body: string, table = 'filter', chains = ':INPUT ACCEPT [0:0]') => `*${table}\n${chains}\n${body}\nCOMMIT\n`;

function read(text: string, options: ParseOptions = {}) {
  const r = parseSnapshot(text, { fileName: 'hostile', format: 'iptables-save', ...options });
  const d = r.diagnostics.filter((x) => x.severity !== 'info').map((x) => `${x.severity} ${x.code} ${x.span.start.line}:${x.span.start.column}`);
  return { r, d };
}

/** The printed snapshot reads back without a new diagnostic code and with the same meaning. */
function expectReadsBack(r: ReturnType<typeof parseSnapshot>) {
  const printed = printSnapshot(r.snapshot);
  const format: InputFormat = r.snapshot.family === 'bridge' ? 'ebtables-save' : 'iptables-save';
  const again = parseSnapshot(printed, { fileName: 'printed', format, family: r.snapshot.family });
  expect(again.diagnostics.map((x) => x.code)).not.toContain('parse/internal');
  expect(meaning(again.snapshot)).toEqual(meaning(r.snapshot));
  return again;
}

describe('tables named after Object.prototype members', () => {
  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'])('*%s: one located error, the file kept', (name) => {
    const { r, d } = read(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n*${name}\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\nCOMMIT\n`);
    expect(d).toEqual(['error parse/unknown-table 5:1']);
    expect(r.snapshot.tables.map((t) => [t.name, t.chains.map((c) => `${c.name}:${c.policy}:${c.rules.length}`)])).toEqual([
      ['filter', ['INPUT:ACCEPT:1']], [name, ['INPUT:ACCEPT:1']],
    ]);
    expectReadsBack(r);
  });

  it.each([
    ['-t in a script', 'iptables -A INPUT -j ACCEPT\niptables -t __proto__ -A INPUT -j DROP\n', { format: 'commands' as const }, ['error parse/unknown-table 2:13'], 2],
    ['--table on a listing', 'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\n',
      { format: 'iptables-L' as const, table: 'constructor' }, ['error parse/unknown-table 1:1'], 1],
    ['-t above a listing', '# iptables -t toString -L -n\nChain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\n',
      { format: 'iptables-L' as const }, ['error parse/unknown-table 1:1'], 1],
    ['Bridge table: __proto__', 'Bridge table: __proto__\n\nBridge chain: INPUT, entries: 1, policy: ACCEPT\n-j ACCEPT\n',
      { format: 'ebtables-L' as const }, ['error parse/unknown-table 1:1'], 1],
  ])('%s', (_name, text, options, expected, rules) => {
    const { r, d } = read(text, options);
    expect(d).toEqual(expected);
    expect(ruleCount(r.snapshot)).toBe(rules);
  });

  it.each([
    ['a command word', 'iptables __proto__ INPUT -j DROP\n', ['error parse/missing-command 1:1']],
    ['a rate unit', 'iptables -A INPUT -m limit --limit 3/constructor -j DROP\n', ['error parse/bad-value 1:36']],
    ['a MAC alias', 'ebtables -A INPUT -s toString -j DROP\n', ['error parse/bad-value 1:22']],
  ])('%s from the input is never an object key', (_name, text, expected) => {
    const { d } = read(text, { format: 'commands', family: text.startsWith('eb') ? 'bridge' : 'ipv4' });
    expect(d).toEqual(expected);
  });

  it('listing names (targets, hosts, log levels) named like Object.prototype members', () => {
    const text = 'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\nconstructor  all  --  toString             anywhere             LOG level constructor\n';
    const { r } = read(text, { format: 'iptables-L' });
    expect(r.diagnostics.map((x) => x.code)).not.toContain('parse/internal');
    expect(ruleCount(r.snapshot)).toBe(1);
  });
});

describe('policies the tools refuse', () => {
  it.each([
    ['save: a made-up policy', save('', 'filter', ':INPUT ACCEPT [0:0]\n:FORWARD BOGUS [0:0]'), 'iptables-save', ['error parse/bad-policy 3:1'], ['INPUT:ACCEPT', 'FORWARD:ACCEPT']],
    ['save: RETURN on a built-in chain', save('', 'filter', ':INPUT RETURN [0:0]'), 'iptables-save', ['error parse/bad-policy 2:1'], ['INPUT:ACCEPT']],
    ['save: a policy on a user chain', save('', 'filter', ':X DROP [0:0]'), 'iptables-save', ['error parse/bad-policy 2:1'], ['X:null']],
    ['-S: -P FORWARD BOGUS', '-P INPUT DROP\n-P FORWARD BOGUS\n', 'iptables-S', ['error parse/bad-policy 2:12'], ['INPUT:DROP', 'FORWARD:ACCEPT', 'OUTPUT:ACCEPT']],
    ['-S: -P INPUT RETURN', '-P INPUT RETURN\n', 'iptables-S', ['error parse/bad-policy 1:10'], ['INPUT:ACCEPT', 'FORWARD:ACCEPT', 'OUTPUT:ACCEPT']],
    ['script: -P OUTPUT QUEUE keeps DROP', 'iptables -P OUTPUT DROP\niptables -P OUTPUT QUEUE\n', 'commands', ['error parse/bad-policy 2:20'], ['INPUT:ACCEPT', 'FORWARD:ACCEPT', 'OUTPUT:DROP']],
    ['script: -P on a user chain', 'iptables -N X\niptables -P X DROP\n', 'commands', ['error parse/bad-policy 2:13'], ['INPUT:ACCEPT', 'FORWARD:ACCEPT', 'OUTPUT:ACCEPT', 'X:null']],
    ['script: -P on no chain creates none', 'iptables -P NOPE DROP\n', 'commands', ['error parse/bad-policy 1:13'], ['INPUT:ACCEPT', 'FORWARD:ACCEPT', 'OUTPUT:ACCEPT']],
    ['ebtables-save: RETURN on a built-in chain', '*filter\n:INPUT RETURN\n:X RETURN\n', 'ebtables-save', ['error parse/bad-policy 2:1'], ['INPUT:ACCEPT', 'X:RETURN']],
    ['ebtables-save: a made-up policy', '*filter\n:INPUT ACCEPT\n:X BOGUS\n', 'ebtables-save', ['error parse/bad-policy 3:1'], ['INPUT:ACCEPT', 'X:ACCEPT']],
    ['ebtables -L: a made-up policy', 'Bridge table: filter\n\nBridge chain: INPUT, entries: 0, policy: BOGUS\n', 'ebtables-L', ['error parse/bad-policy 3:1'], ['INPUT:ACCEPT']],
    ['iptables -L: a made-up policy', 'Chain INPUT (policy BOGUS)\ntarget     prot opt source               destination\n', 'iptables-L', ['error parse/bad-policy 1:1'], ['INPUT:ACCEPT']],
  ] as const)('%s', (_name, text, format, expected, chains) => {
    const { r, d } = read(text, { format, family: format.startsWith('ebtables') ? 'bridge' : 'ipv4' });
    expect(d).toEqual(expected);
    expect(r.snapshot.tables[0]!.chains.map((c) => `${c.name}:${c.policy}`)).toEqual(chains);
    // The printer never writes a policy its own parser refuses.
    const again = expectReadsBack(r);
    expect(again.diagnostics.map((x) => x.code)).not.toContain('parse/bad-policy');
  });
});

describe('chain commands iptables refuses', () => {
  it.each([
    ['-E onto an existing chain', 'iptables -N A\niptables -N B\niptables -E A B\n', ['error parse/chain-exists 3:15'], ['A', 'B']],
    ['-E onto a built-in name', 'iptables -N B\niptables -E B INPUT\n', ['error parse/chain-exists 2:15'], ['B']],
    ['-E onto a verdict', 'iptables -N B\niptables -E B DROP\n', ['error parse/chain-exists 2:15'], ['B']],
    ['-E of a built-in chain', 'iptables -E OUTPUT Y\n', ['error parse/builtin-chain 1:1'], []],
    ['-N of an existing chain', 'iptables -N A\niptables -N A\n', ['error parse/chain-exists 2:13'], ['A']],
    ['-N of a built-in name', 'iptables -N INPUT\n', ['error parse/chain-exists 1:13'], []],
    ['-N of a 29-character name', 'iptables -N ABCDEFGHIJKLMNOPQRSTUVWXYZ012\n', ['error parse/chain-name-too-long 1:1'], ['ABCDEFGHIJKLMNOPQRSTUVWXYZ012']],
    ['-N of a 28-character name is fine', 'iptables -N ABCDEFGHIJKLMNOPQRSTUVWXYZ01\n', [], ['ABCDEFGHIJKLMNOPQRSTUVWXYZ01']],
    ['-N of 10 three-byte characters', 'iptables -N 日本語日本語日本語日\n', ['error parse/chain-name-too-long 1:1'], ['日本語日本語日本語日']],
    ['-N of a name starting with !', 'iptables -N !X\n', ['error parse/bad-chain-name 1:1'], ['!X']],
    ['-A \\ X: a chain name with a space', 'iptables -A \\ X -j DROP\n', ['error parse/bad-chain-name 1:13'], [' X']],
    ['-E to a name too long', 'iptables -N A\niptables -E A ABCDEFGHIJKLMNOPQRSTUVWXYZ012\n', ['error parse/chain-name-too-long 2:15'], ['ABCDEFGHIJKLMNOPQRSTUVWXYZ012']],
  ])('%s', (_name, text, expected, userChains) => {
    const { r, d } = read(text, { format: 'commands', family: 'ipv4' });
    expect(d).toEqual(expected);
    expect(r.snapshot.tables[0]!.chains.filter((c) => !c.builtin).map((c) => c.name)).toEqual(userChains);
    expect(r.snapshot.tables[0]!.chains.filter((c) => c.builtin).map((c) => c.name)).toEqual(['INPUT', 'FORWARD', 'OUTPUT']);
  });

  it('a save file chain named over 28 characters', () => {
    expect(read(save('', 'filter', ':INPUT ACCEPT [0:0]\n:ABCDEFGHIJKLMNOPQRSTUVWXYZ012 - [0:0]')).d).toEqual(['error parse/chain-name-too-long 3:1']);
  });
});

describe('values: exactly what iptables reads, else a located error', () => {
  // Each row: the rule's arguments, then the expected diagnostics (line 3 is the rule).
  it.each([
    ['--set-mark with a third part', '-j MARK --set-mark 0x1/0x2/junk', ['error parse/bad-value 3:34']],
    ['--set-xmark with a third part', '-j MARK --set-xmark 0x1/0x1/0x1', ['error parse/bad-value 3:35']],
    ['--and-mark takes no mask', '-j MARK --and-mark 1/2', ['error parse/bad-value 3:34']],
    ['--mark with a third part', '-m mark --mark 1/2/3', ['error parse/bad-value 3:30']],
    ['--mark above 32 bits', '-m mark --mark 0x1ffffffff', ['error parse/bad-value 3:30']],
    ['--mark negative', '-m mark --mark -1', ['error parse/bad-value 3:30']],
    ['--src-range with a third address', '-m iprange --src-range 1.2.3.4-1.2.3.5-1.2.3.6', ['error parse/bad-value 3:38']],
    ['--src-range reversed never matches', '-m iprange --src-range 1.2.3.5-1.2.3.4', ['warning parse/value-note 3:38']],
    ['-s with a leading zero', '-s 010.0.0.1', ['error parse/bad-value 3:18']],
    ['-s with a leading-zero prefix', '-s 10.0.0.0/08', ['error parse/bad-value 3:18']],
    ['--tos with a third part', '-m tos --tos 0x10/0x3f/1', ['error parse/bad-value 3:28']],
    ['--tos above 8 bits', '-m tos --tos 999', ['error parse/bad-value 3:28']],
    ['--tos by name', '-m tos --tos Minimize-Delay', []],
    ['--length with a third part', '-m length --length 10:20:30', ['error parse/bad-value 3:34']],
    ['--length above 16 bits', '-m length --length 999999', ['error parse/bad-value 3:34']],
    ['--length reversed', '-m length --length 20:10', ['error parse/bad-value 3:34']],
    ['--log-level 99', '-j LOG --log-level 99', ['error parse/bad-value 3:34']],
    ['--log-level by name', '-j LOG --log-level warning', []],
    ['--log-level name case matters', '-j LOG --log-level Warning', ['error parse/bad-value 3:34']],
    ['--dport 70000', '-p tcp --dport 70000', ['error parse/bad-value 3:30']],
    ['--dport of twenty digits', '-p tcp --dport 99999999999999999999999', ['error parse/bad-value 3:30']],
    ['--dport 08: not octal', '-p tcp --dport 08', ['error parse/bad-value 3:30']],
    ['--dport 0x16: hexadecimal as strtoul', '-p tcp --dport 0x16', []],
    ['--dport with a third part', '-p tcp --dport 1:2:3', ['error parse/bad-value 3:30']],
    ['multiport range reversed', '-p tcp -m multiport --dports 90:80', ['error parse/bad-value 3:44']],
    ['-p 300', '-p 300', ['error parse/bad-value 3:18']],
    ['--limit 0/sec', '-m limit --limit 0/sec', ['error parse/bad-value 3:32']],
    ['--limit 3/mi: a prefix of minute', '-m limit --limit 3/mi', []],
    ['--ttl-eq 300', '-m ttl --ttl-eq 300', ['error parse/bad-value 3:31']],
  ])('%s', (_name, args, expected) => {
    const { r, d } = read(save(`-A PREROUTING ${args}`, 'mangle', ':PREROUTING ACCEPT [0:0]'));
    expect(d).toEqual(expected);
    expect(ruleCount(r.snapshot)).toBe(1);
    expectReadsBack(r);
  });

  it.each([
    ['--to-ports reversed', '-p tcp -j REDIRECT --to-ports 80-70', ['error parse/bad-value 3:45']],
    ['--to-ports with a third part', '-p tcp -j REDIRECT --to-ports 80-90-100', ['error parse/bad-value 3:45']],
    ['--to-destination with a third port', '-p tcp -j DNAT --to-destination 1.2.3.4:80-90-100', ['error parse/bad-value 3:47']],
    ['--to-destination with a third address', '-j DNAT --to-destination 1.2.3.4-1.2.3.5-1.2.3.6', ['error parse/bad-value 3:40']],
    ['--to-destination with a reversed port range', '-p tcp -j DNAT --to-destination 1.2.3.4:90-80', ['error parse/bad-value 3:47']],
  ])('%s', (_name, args, expected) => {
    const { r, d } = read(save(`-A PREROUTING ${args}`, 'nat', ':PREROUTING ACCEPT [0:0]'));
    expect(d).toEqual(expected);
    expectReadsBack(r);
  });

  it.each([
    ['ebtables reads --ip-src parts in decimal: 010 is 10', '-p IPv4 --ip-src 010.0.0.1 -j ACCEPT', [], '--ip-src 10.0.0.1'],
    ['ebtables refuses a reversed port range', '-p IPv4 --ip-proto tcp --ip-dport 90:80 -j ACCEPT', ['error parse/bad-value 2:46'], '--ip-dport 90:80'],
  ])('%s', (_name, rule, expected, printed) => {
    const { r, d } = read(`*filter\n-A FORWARD ${rule}\n`, { format: 'ebtables-save', family: 'bridge' });
    expect(d).toEqual(expected);
    expect(printSnapshot(r.snapshot)).toContain(printed);
    expectReadsBack(r);
  });

  it('a value that did not parse prints under the option it was written with', () => {
    const { r } = read(save('-A PREROUTING -j MARK --and-mark 1/2', 'mangle', ':PREROUTING ACCEPT [0:0]'));
    expect(printSnapshot(r.snapshot)).toContain('-j MARK --and-mark 1/2');
  });
});

describe('text', () => {
  it('invalid UTF-8 (U+FFFD after decoding) is a located warning', () => {
    const { r, d } = read(save('-A INPUT -m comment --comment "a\uFFFDb\uFFFD" -j ACCEPT'));
    expect(d).toEqual(['warning parse/invalid-utf8 3:33']);
    expect(r.diagnostics[0]!.message).toContain('2 characters');
  });

  it('a byte order mark is noted and no part of the first word', () => {
    const { r } = read('\uFEFF' + save('-A INPUT -j ACCEPT'));
    expect(r.diagnostics.map((x) => `${x.code} ${x.span.start.line}:${x.span.start.column}`)).toEqual(['parse/bom 1:1']);
    expect(r.snapshot.tables.map((t) => t.name)).toEqual(['filter']);
    expect(r.diagnostics.some((x) => x.message.includes('\uFEFF'))).toBe(false);
  });

  it('a byte order mark before a listing', () => {
    const r = parseSnapshot('\uFEFFChain INPUT (policy DROP)\ntarget     prot opt source               destination\n', { fileName: 'l' });
    expect(r.detected.format).toBe('iptables-L');
    expect(r.snapshot.tables[0]!.chains[0]!.policy).toBe('DROP');
  });

  it.each([
    ['-j 日本語 is a target name like any other', '-A INPUT -j 日本語', ['warning parse/undefined-target 3:10'], '日本語'],
    ['an emoji starts a word too', '-A INPUT -j 😀x', ['warning parse/undefined-target 3:10'], '😀x'],
    ['control characters: one error for the run, in code points', '-A INPUT -j \u0001\u0002x', ['error parse/lex 3:13', 'warning parse/undefined-target 3:10'], 'x'],
  ])('%s', (_name, rule, expected, target) => {
    const { r, d } = read(save(rule));
    expect(d).toEqual(expected);
    expect(r.snapshot.tables[0]!.chains[0]!.rules[0]!.target!.name).toBe(target);
  });

  it('a lexer error names code points, not UTF-16 halves', () => {
    const { r } = read(save('-A INPUT -j ACCEPT \u0001\u0002'));
    expect(r.diagnostics[0]!.message).toContain('U+0001 U+0002');
  });

  it('a script word the shell lexer cannot read is reported, not dropped', () => {
    const { d } = read('iptables -A INPUT -j \u0001X\n', { format: 'commands', family: 'ipv4' });
    expect(d).toContain('error parse/lex 1:22');
  });
});

describe('printed text reads back', () => {
  it('listing text that starts with - stays a value', () => {
    const text = 'Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            --x\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0            -j DROP\n';
    const { r } = read(text, { format: 'iptables-L' });
    expect(printSnapshot(r.snapshot)).toContain('--text "--x"');
    expectReadsBack(r);
  });

  it('a comment that is a bare ! or starts with - stays a value', () => {
    const { r, d } = read(save('-A INPUT -m comment --comment "-x" -j ACCEPT\n-A INPUT -m comment --comment "!" -j ACCEPT'));
    expect(d).toEqual([]);
    expectReadsBack(r);
  });
});
