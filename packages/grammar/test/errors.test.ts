// Bad input: every problem is a diagnostic with a stable code and an exact location, and the rest of the file
// still parses. Never a crash, never a hang.
import { describe, expect, it } from 'vitest';
import { parseSnapshot, ruleCount, codeFrame } from '@chainsight/grammar';

const at = (text: string) => {
  const r = parseSnapshot(text, { fileName: 'bad.rules', format: 'iptables-save' });
  return { r, d: r.diagnostics.filter((x) => x.severity !== 'info').map((x) => `${x.severity} ${x.code} ${x.span.start.line}:${x.span.start.column}`) };
};

describe('bad input', () => {
  it.each([
    ['missing COMMIT', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n', ['error parse/missing-commit 1:1']],
    ['a rule before any table', '-A INPUT -j ACCEPT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', ['error parse/outside-table 1:1']],
    ['a rule for an undeclared chain', '*filter\n:INPUT ACCEPT [0:0]\n-A NOPE -j ACCEPT\nCOMMIT\n', ['error parse/undeclared-chain 3:4']],
    ['a jump to a chain that does not exist', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOPE\nCOMMIT\n', ['warning parse/undefined-target 3:10']],
    ['an option missing its value', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s\nCOMMIT\n', ['error parse/missing-value 3:10']],
    ['a bad address', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.300 -j DROP\nCOMMIT\n', ['error parse/bad-value 3:13']],
    ['an unterminated quote', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "oops -j DROP\nCOMMIT\n', ['error parse/unterminated-quote 3:31']],
    ['an unquoted comment with spaces', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment a b -j DROP\nCOMMIT\n', ['error parse/unexpected-argument 3:33']],
    ['a line that is nothing', '*filter\n:INPUT ACCEPT [0:0]\nhello world\nCOMMIT\n', ['error parse/unexpected-line 3:1']],
    ['a NUL byte', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT\0-j DROP\nCOMMIT\n', ['error parse/nul-byte 3:9']],
    ['a policy on a user chain', '*filter\n:X DROP [0:0]\nCOMMIT\n', ['error parse/bad-policy 2:1']],
    ['a bad built-in policy', '*filter\n:INPUT REJECT [0:0]\nCOMMIT\n', ['error parse/bad-policy 2:1']],
    ['a chain declared twice', '*filter\n:X - [0:0]\n:X - [0:0]\nCOMMIT\n', ['error parse/duplicate-chain 3:1']],
    ['two targets', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT -j DROP\nCOMMIT\n', ['error parse/repeated-target 3:23']],
    ['! at the end', '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT !\nCOMMIT\n', ['error parse/dangling-negation 3:20']],
  ])('%s', (_name, text, expected) => {
    const { d } = at(text);
    expect(d).toEqual(expected);
  });

  it('goes on after a bad line: every good rule is still there', () => {
    const { r } = at('*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 999.1.1.1 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -j NOPE --x\nCOMMIT\n');
    expect(ruleCount(r.snapshot)).toBe(3);
    expect(r.snapshot.tables[0]!.chains[0]!.rules[1]!.target!.name).toBe('ACCEPT');
  });

  it('chains named like Object.prototype members work', () => {
    const { r, d } = at('*filter\n:INPUT ACCEPT [0:0]\n:__proto__ - [0:0]\n:constructor - [0:0]\n-A INPUT -j __proto__\n-A __proto__ -j constructor\n-A constructor -j ACCEPT\nCOMMIT\n');
    expect(d).toEqual([]);
    expect(r.snapshot.tables[0]!.chains.map((c) => [c.name, c.rules.length])).toEqual([['INPUT', 1], ['__proto__', 1], ['constructor', 1]]);
  });

  it('a 10 MB line is reported, not parsed, and the file goes on', () => {
    const long = '-A INPUT ' + '-s 1.2.3.4 '.repeat(1_000_000);
    const { r, d } = at(`*filter\n:INPUT ACCEPT [0:0]\n${long}\n-A INPUT -j ACCEPT\nCOMMIT\n`);
    expect(d).toEqual(['error parse/line-too-long 3:1']);
    expect(ruleCount(r.snapshot)).toBe(1);
  });

  it('a code frame points at the problem', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.300 -j DROP\nCOMMIT\n';
    const { r } = at(text);
    expect(codeFrame(text, r.diagnostics[0]!)).toBe('3 | -A INPUT -s 10.0.0.300 -j DROP\n  |             ^^^^^^^^^^');
  });
});

describe('pasted text', () => {
  it('parses the copied-from-a-web-page form with warnings', () => {
    const text = '# iptables-save\r\n*filter\r\n\r\n: INPUT ACCEPT [0:0]   \r\n-A INPUT -j ACCEPT  \r\nCOMMIT\r\n';
    const r = parseSnapshot(text, { fileName: 'pasted' });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['parse/crlf', 'parse/space-after-colon']);
    expect(ruleCount(r.snapshot)).toBe(1);
  });
});

describe('an nftables ruleset where iptables-save is expected', () => {
  const LISTING = 'table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tct state established,related accept\n\t}\n}\ntable ip nat {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t\toifname "eth0" masquerade\n\t}\n}\n';
  const JSON_LINE = '{"nftables": [{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}}, {"table": {"family": "inet", "name": "filter", "handle": 1}}]}\n';
  const TEXT = "this is an nftables ruleset (the output of 'nft list ruleset'), not iptables-save format: chainsight does not read nftables rulesets";
  const JSON = "this is an nftables ruleset (the output of 'nft -j list ruleset'), not iptables-save format: chainsight does not read nftables rulesets";

  it.each([
    ['nft list ruleset', LISTING, TEXT, '1:1', 'table inet filter {'],
    ['a listing after the warning nft prints for iptables-nft tables', '# Warning: table ip filter is managed by iptables-nft, do not touch!\n\ntable ip filter {\n\tchain INPUT {\n\t}\n}\n', TEXT, '3:1', 'table ip filter {'],
    ['nft -a list ruleset (handles)', 'table bridge br { # handle 4\n}\n', TEXT, '1:1', 'table bridge br {'],
    ['CRLF line ends and an indented first table', '\r\n  table netdev ingress {\r\n}\r\n', TEXT, '2:3', 'table netdev ingress {'],
    ['a byte order mark first', '\uFEFFtable arp a {\n}\n', TEXT, '1:1', 'table arp a {'],
    ['nft -j list ruleset', JSON_LINE, JSON, '1:1', '{"nftables":'],
    ['nft -j list ruleset | jq', '{\n  "nftables": [\n    {"metainfo": {}}\n  ]\n}\n', JSON, '1:1', '{'],
  ])('%s: one located error', (_name, text, message, at, marked) => {
    const r = parseSnapshot(text, { fileName: 'ruleset.nft', format: 'iptables-save' });
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message}`)).toEqual([`error parse/nftables-ruleset ${at} ${message}`]);
    const d = r.diagnostics[0]!;
    expect(text.slice(d.span.start.offset, d.span.end.offset)).toBe(marked);
    expect(r.snapshot.tables).toEqual([]);
  });

  it('is detected without --input-format too, and says so', () => {
    const r = parseSnapshot(LISTING, { fileName: 'ruleset.nft' });
    expect(r.detected.reason).toBe("an nftables ruleset ('nft list ruleset')");
    expect(r.diagnostics.map((d) => d.code)).toEqual(['parse/nftables-ruleset']);
  });

  it('is located in the file when the text is a section of a larger file', () => {
    const r = parseSnapshot('\ntable ip6 t {\n}\n', { fileName: 'capture', origin: { line: 41, offset: 1000 } });
    expect(r.diagnostics.map((d) => [d.span.start.line, d.span.start.column, d.span.start.offset])).toEqual([[42, 1, 1001]]);
  });

  it.each([
    ['a table word of an unknown family', 'table foo bar {\n}\n'],
    ['an iptables-save whose chain is named table', '*filter\n:table - [0:0]\n-A table -j ACCEPT\nCOMMIT\n'],
    ['a JSON object that is not nft output', '{"rules": []}\n'],
  ])('%s is not taken for nftables', (_name, text) => {
    const r = parseSnapshot(text, { fileName: 'x', format: 'iptables-save' });
    expect(r.diagnostics.map((d) => d.code)).not.toContain('parse/nftables-ruleset');
  });
});
