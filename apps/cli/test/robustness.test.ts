// Hostile input at the command line: names that are Object.prototype members, control characters in rules,
// inputs too large or empty, packet values the header cannot carry, host facts nested or looped. Every case
// ends in a located message and exit 2 (or a warning), never a stack trace, a hang or a silently changed value.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo, processIo, type CliIo } from '../src/io';
import { registerCommand, run } from '../src/run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DOCKER = {
  rules: readFileSync(path.join(root, 'fixtures', 'docker-host', 'iptables-save'), 'utf8'),
  'host.json': readFileSync(path.join(root, 'fixtures', 'docker-host', 'host.json'), 'utf8'),
};
const PUBLISHED = ['--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'];
/** The docker-host rules are an iptables-nft save: trace first says once that native nftables tables are not in them. */
const HOST_NOTE = /^note: rules is an iptables-nft save \(nf_tables backend\): .*\[host\/native-tables-unseen\]\n/;
const withoutHostNote = (err: string) => {
  expect(err).toMatch(HOST_NOTE);
  return err.replace(HOST_NOTE, '');
};

async function cli(argv: string[], files: Record<string, string> = {}, stdin = '', env: Record<string, string> = {}) {
  const io = memoryIo(files, stdin, env);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

/** Control characters a terminal acts on (C0 but tab and newline, DEL, C1). */
const RAW_CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

describe('names from argv are never Object.prototype members', () => {
  it.each(['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'])('chainsight %s is an unknown command', async (name) => {
    const r = await cli([name]);
    expect([r.code, r.err.split('\n')[0]]).toEqual([2, `error: unknown command '${name}'`]);
  });

  it.each(['--constructor', '--__proto__', '--toString'])('parse %s is an unknown option', async (option) => {
    const r = await cli(['parse', option, 'f'], { f: '*filter\nCOMMIT\n' });
    expect([r.code, r.err.split('\n')[0]]).toEqual([2, `error: unknown option '${option}'`]);
  });

  it('a file named like an Object.prototype member is just missing', async () => {
    const r = await cli(['parse', 'constructor']);
    expect([r.code, r.err]).toEqual([2, 'error: constructor: no such file\n']);
  });
});

describe('control characters from the input are shown escaped', () => {
  // A comment that would retitle the terminal and clear the screen, and a rule with a finding to quote it.
  const EVIL = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "a\x1b]0;pwned\x07\x1b[2Jb" -j DROPX\nCOMMIT\n';
  const SHOWN = 'a\\x1b]0;pwned\\x07\\x1b[2Jb';

  it('in code frames, with the caret under the escaped text', async () => {
    const r = await cli(['parse', 'evil.rules'], { 'evil.rules': EVIL });
    expect(r.err).not.toMatch(RAW_CONTROL);
    const lines = r.err.split('\n');
    const frame = lines.findIndex((l) => l.includes(SHOWN));
    expect(lines[frame]).toBe(`  3 | -A INPUT -m comment --comment "${SHOWN}" -j DROPX`);
    expect(lines[frame + 1]).toBe(`    | ${' '.repeat(lines[frame]!.indexOf('-j DROPX') - 6)}^^^^^^^^`);
  });

  it.each([
    ['parse text', ['parse', 'evil.rules']],
    ['fmt on a terminal', ['fmt', 'evil.rules']],
    ['lint text', ['lint', 'evil.rules']],
    ['diff text', ['diff', '--verbose', 'clean.rules', 'evil.rules']],
    ['trace text', ['trace', 'evil.rules', '--src', '127.0.0.1', '--dst', '127.0.0.1', '--in', 'lo']],
    ['trace --format kernel (an interface name from argv)', ['trace', 'evil.rules', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--in', 'e\x1bth0', '--trace-all', '--format', 'kernel']],
    ['explain text', ['explain', 'trace.log', '--rules', 'evil.rules']],
    ['an error quoting argv', ['trace', 'evil.rules', '--dst', '\x1b[2J']],
  ])('%s', async (_what, argv) => {
    const files = {
      'evil.rules': EVIL,
      'clean.rules': '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROPX\nCOMMIT\n',
      'trace.log': 'kernel: TRACE: filter:INPUT:rule:1 IN=eth0\x1b[2J OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=60 PROTO=TCP SPT=1 DPT=2\n',
    };
    // A terminal (fmt escapes there too) without colour, so that any escape sequence left is the input's.
    const io = memoryIo(files, '', { NO_COLOR: '1' });
    io.isTTY = true;
    await run(argv, io);
    expect(io.out + io.err).not.toMatch(RAW_CONTROL);
    expect(io.out + io.err).toMatch(/\\x1b/);
  });

  it('colour stays: only chainsight\'s own escape sequences reach the terminal', async () => {
    const r = await cli(['parse', 'evil.rules'], { 'evil.rules': EVIL + '-A BOGUS\n' }, '', { FORCE_COLOR: '1' });
    expect(r.err).toContain('\x1b[31merror\x1b[39m');
    expect(r.err).toContain(SHOWN);
    expect(r.err.replace(/\x1b\[\d+m/g, '')).not.toMatch(RAW_CONTROL);
    expect(r.err).not.toContain('\x1b]0;');
  });

  it('fmt into a file or pipe writes the rules byte for byte (they must read back the same)', async () => {
    const r = await cli(['fmt', 'evil.rules'], { 'evil.rules': EVIL });
    expect(r.out).toContain('--comment "a\x1b]0;pwned\x07\x1b[2Jb"');
  });

  it('JSON escapes DEL, C1 and bidi controls too (JSON.stringify leaves them raw), and reads back the same', async () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "x\x7f\x85\u202e\x1b" -j ACCEPT\nCOMMIT\n';
    const r = await cli(['parse', '--format', 'json', 'f'], { f: text });
    expect(r.out).not.toMatch(/[\x7f-\x9f\u202e]/);
    expect(r.out).toContain('x\\u007f\\u0085\\u202e\\u001b');
    expect(JSON.stringify(JSON.parse(r.out))).toContain('x\x7f\x85\u202e\\u001b');
  });

  it.each([
    ['lint --format json', ['lint', '--format', 'json', 'f']],
    ['lint --format sarif', ['lint', '--format', 'sarif', 'f']],
    ['diff --format json', ['diff', '--format', 'json', 'g', 'f']],
  ])('%s stays valid JSON with those characters', async (_what, argv) => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -m comment --comment "x\x85\u202e" -j NOPE\nCOMMIT\n';
    const r = await cli(argv, { f: text, g: '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n' });
    expect(r.out).not.toMatch(/[\x7f-\x9f\u202e]/);
    const json: unknown = JSON.parse(r.out);
    if (argv[0] === 'diff') expect(JSON.stringify(json)).toContain('x\x85\u202e');
  });
});

describe('input size', () => {
  it.each([
    ['a file', ['parse', 'big.rules'], 'big.rules'],
    ['stdin', ['parse', '-'], '<stdin>'],
  ])('%s over CHAINSIGHT_MAX_INPUT is refused, naming it', async (_what, argv, name) => {
    const big = '# x\n'.repeat(600);
    const r = await cli(argv, { 'big.rules': big }, big, { CHAINSIGHT_MAX_INPUT: '2K' });
    expect([r.code, r.err]).toEqual([2, `error: ${name}: larger than the input limit of 2 KiB (CHAINSIGHT_MAX_INPUT=SIZE raises it, e.g. 1G)\n`]);
  });

  it('a bad CHAINSIGHT_MAX_INPUT is an error', async () => {
    const r = await cli(['parse', 'f'], { f: '' }, '', { CHAINSIGHT_MAX_INPUT: 'lots' });
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: f: CHAINSIGHT_MAX_INPUT must be a size from 1 to .* like 64K, 512M or 1G \(got 'lots'\)\n$/);
  });

  // Real files: a character device without end, a directory, an empty device.
  function fileIo(env: Record<string, string>): CliIo & { out: string; err: string } {
    const io = { ...processIo(env), out: '', err: '', isTTY: false };
    io.stdout = (t) => void (io.out += t);
    io.stderr = (t) => void (io.err += t);
    return io;
  }

  it.each([
    ['/dev/zero (endless) stops at the limit', '/dev/zero', { CHAINSIGHT_MAX_INPUT: '1M' }, 2, 'error: /dev/zero: larger than the input limit of 1 MiB (CHAINSIGHT_MAX_INPUT=SIZE raises it, e.g. 1G)\n'],
    ['a directory', '/', {}, 2, 'error: /: is a directory\n'],
    ['/dev/null is an empty file', '/dev/null', {}, 0, '/dev/null:1:1: warning the file is empty: no tables, chains or rules were read (an empty ruleset accepts every packet) [input/empty]\n  1 | \n    | ^\n'],
  ])('%s', async (_what, file, env, code, err) => {
    const io = fileIo(env);
    expect(await run(['parse', '--quiet', file], io)).toBe(code);
    expect(io.err).toBe(err);
  });

  it('a regular file over the limit is refused before it is read', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chainsight-'));
    try {
      const f = path.join(dir, 'big.rules');
      writeFileSync(f, Buffer.alloc(4096, 0x23));
      const io = fileIo({ CHAINSIGHT_MAX_INPUT: '4095' });
      expect(await run(['parse', f], io)).toBe(2);
      expect(io.err).toBe(`error: ${f}: larger than the input limit of 4095 bytes (CHAINSIGHT_MAX_INPUT=SIZE raises it, e.g. 1G)\n`);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });
});

describe('an input without rules is a warning, located to the file', () => {
  it.each([
    ['an empty file', '', 'the file is empty'],
    ['blank lines', '\n  \n', 'the file is empty'],
    ['comments only', '# Generated by iptables-save\n# Completed\n', 'the file holds only comments'],
  ])('%s', async (_what, text, what) => {
    const r = await cli(['parse', '--quiet', 'e.rules'], { 'e.rules': text });
    expect(r.code).toBe(0);
    expect(r.err.split('\n')[0]).toBe(`e.rules:1:1: warning ${what}: no tables, chains or rules were read (an empty ruleset accepts every packet) [input/empty]`);
  });

  it('trace shows it (where it shows only errors otherwise), and in JSON it is among the diagnostics', async () => {
    const r = await cli(['trace', 'e.rules', '--src', '10.0.0.9', '--dst', '10.0.0.1', '--in', 'eth0'], { 'e.rules': '' });
    expect(r.err).toContain('e.rules:1:1: warning the file is empty');
    const json = JSON.parse((await cli(['parse', '--format', 'json', 'e.rules'], { 'e.rules': '' })).out) as { files: { diagnostics: { code: string }[] }[] };
    expect(json.files[0]!.diagnostics.map((d) => d.code)).toEqual(['input/empty']);
  });

  it('an empty --batch file', async () => {
    const r = await cli(['trace', 'rules', 'host.json', '--batch', 'p.jsonl'], { ...DOCKER, 'p.jsonl': '' });
    expect([r.code, withoutHostNote(r.err)]).toEqual([0, 'p.jsonl:1:1: warning the file is empty: no tables, chains or rules were read (an empty ruleset accepts every packet) [input/empty]\n']);
  });
});

describe('packet options: one check for the command line and --batch', () => {
  it.each([
    [['--dport', '70000'], "--dport must be a port number from 0 to 65535 (got '70000')"],
    [['--dport', '99999999999999999999999'], "--dport must be a port number from 0 to 65535 (got '99999999999999999999999')"],
    [['--sport', '-1'], "--sport must be a port number from 0 to 65535 (got '-1')"],
    [['--proto', '300'], "--proto must be a protocol number from 0 to 255 or a name (got '300')"],
    [['--proto', 'bogus'], "--proto is not a protocol chainsight knows: a name from /etc/protocols or a number from 0 to 255 (got 'bogus')"],
    [['--mark', '0x1ffffffff'], "--mark must be a 32-bit mark from 0 to 0xffffffff (got '0x1ffffffff')"],
    [['--mark', '-1'], "--mark must be a 32-bit mark from 0 to 0xffffffff (got '-1')"],
    [['--ttl', '300'], "--ttl must be a TTL (hop limit) from 0 to 255 (got '300')"],
    [['--tos', '999'], "--tos must be a TOS byte from 0 to 255 (got '999')"],
    [['--length', '999999'], "--length must be an IP packet length from 0 to 65535 (IPv6: 65575) (got '999999')"],
    [['--uid', '4294967295'], "--uid must be a user id from 0 to 4294967294 (got '4294967295')"],
    [['--icmp-type', '3/999'], "--icmp-type must have a type and a code from 0 to 255 (got '3/999')"],
    [['--icmp-type', 'bogus'], "--icmp-type is not an ICMP type: a number, TYPE/CODE or a name like echo-request (got 'bogus')"],
    [['--tcp-flags', 'SYN,BOGUS'], "--tcp-flags must be TCP flags separated by commas (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NONE) (got 'SYN,BOGUS')"],
    [['--src-mac', 'zz:zz'], "--src-mac must be a MAC address like 02:42:ac:11:00:02 (got 'zz:zz')"],
    [['--dst-mac', '1:2:3'], "--dst-mac must be a MAC address like 02:42:ac:11:00:02 (got '1:2:3')"],
    [['--src', '10.0.0.256'], "--src must be an IPv4 or IPv6 address (got '10.0.0.256')"],
    [['--in', 'a-very-long-interface-name'], "--in must be an interface name of 1 to 15 bytes (got 'a-very-long-interface-name')"],
    [['--out', 'eth0/1'], "--out must be an interface name (no '/', ':' or spaces, not '.' or '..') (got 'eth0/1')"],
    [['--state', 'SLEEPY'], "--state must be one of NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED (got 'SLEEPY')"],
    [['--then', 'reply:BOGUS'], "--then reply:BOGUS: the TCP flags must be TCP flags separated by commas (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NONE) (got 'BOGUS')"],
    [['--then', 'error:3/999'], '--then error:3/999: the ICMP type must have a type and a code from 0 to 255 (got \'3/999\')'],
  ])('%j exits 2', async (extra, message) => {
    const argv = ['trace', 'rules', 'host.json', ...PUBLISHED.filter((a, i, all) => !extra.includes(a) && !extra.includes(all[i - 1]!)), ...extra];
    const r = await cli(argv, DOCKER);
    expect([r.code, r.err]).toEqual([2, `error: ${message}\nRun 'chainsight trace --help' for usage.\n`]);
  });

  it.each([
    [{ proto: 'tcp', dport: 22 }, '--length 10 is not an IPv4 packet length (20 to 65535)', ['--length', '10']],
    [{}, '--icmp-type port-unreachable has code 3, --icmp-code says 1', ['--proto', 'icmp', '--icmp-type', 'port-unreachable', '--icmp-code', '1']],
    [{}, "--icmp-type/--icmp-code need an icmp or icmpv6 packet, not 'udp'", ['--proto', 'udp', '--dport', '53', '--icmp-type', '8']],
  ])('contradictions the packet shows: %j %s', async (_spec, message, extra) => {
    const r = await cli(['trace', 'rules', 'host.json', '--from', 'client', '--dst', '198.51.100.10', ...(extra.includes('--proto') ? [] : ['--proto', 'tcp', '--dport', '22']), ...extra], DOCKER);
    expect([r.code, r.err]).toEqual([2, `error: ${message}\n`]);
  });

  it('accepts the largest values the header carries', async () => {
    const r = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, '--mark', '0xffffffff', '--ttl', '255', '--tos', '255', '--length', '65535', '--sport', '65535', '--src-mac', '52:54:00:aa:bb:cc'], DOCKER);
    expect([r.code, withoutHostNote(r.err)]).toEqual([0, '']);
    expect(r.out).toContain('Verdict: forwarded');
  });

  it('--batch refuses what the command line refuses, at the line and column of the value', async () => {
    const batch = [
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080, "mark": -1}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080, "ttl": 999}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080, "srcMac": "zz"}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 99999999999999999999999}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080, "dport": 80}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080, "src-mac": "52:54:00:aa:bb:cc", "srcMac": "52:54:00:aa:bb:cc"}',
      '{"from": "client", "constructor": 1}',
      '{"from": "client", "__proto__": {"dst": "1.2.3.4"}}',
      '{"from": "client", "dst": [[[[1]]]]}',
      '{"from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080, "reply": "yes"}',
      '{"from": "client" "dst": 1}',
      '[1]',
    ].join('\n');
    const r = await cli(['trace', 'rules', 'host.json', '--batch', 'p.jsonl'], { ...DOCKER, 'p.jsonl': batch });
    expect(r.code).toBe(2);
    expect(r.out).toBe('p.jsonl:1: forwarded out docker0 (bridge port veth1a2b3c4) [DNAT 172.17.0.2:80]\n');
    expect(withoutHostNote(r.err).split('\n')).toEqual([
      "error: p.jsonl:2:83: 'mark' must be a 32-bit mark from 0 to 0xffffffff (got -1)",
      "error: p.jsonl:3:82: 'ttl' must be a TTL (hop limit) from 0 to 255 (got 999)",
      "error: p.jsonl:4:85: 'srcMac' must be a MAC address like 02:42:ac:11:00:02 (got 'zz')",
      "error: p.jsonl:5:69: 'dport' must be a port number from 0 to 65535 (got 1e+23)",
      "error: p.jsonl:6:75: 'dport' is given twice",
      "error: p.jsonl:7:107: 'srcMac' is given twice (also as 'src-mac')",
      "error: p.jsonl:8:20: unknown field 'constructor'",
      "error: p.jsonl:9:20: unknown field '__proto__'",
      'error: p.jsonl:10:27: \'dst\' must be a string (got [[[[1]]]])',
      'error: p.jsonl:11:84: \'reply\' must be true or false (got \'yes\')',
      "error: p.jsonl:12:19: not JSON: expected ',' or '}'",
      'error: p.jsonl:13:1: each line must be a JSON object',
      '',
    ]);
  });
});

describe('host facts', () => {
  const TRACE = ['--dst', '10.0.0.2', '--local'];
  const RULES = { rules: '*filter\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' };

  it('JSON nested 5,000 deep is a located error, not a stack overflow', async () => {
    const deep = '{"interfaces": ' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const r = await cli(['trace', 'rules', 'host.json', ...TRACE], { ...RULES, 'host.json': deep });
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('host.json:1:115: error host context is not valid JSON: nested deeper than 100 levels [trace/host-context-syntax]');
    const captured = await cli(['trace', 'rules', 'ip.json', ...TRACE], { ...RULES, 'ip.json': '[{"ifname": "x", "a": ' + '['.repeat(5000) + ']'.repeat(5000) + '}]' });
    expect(captured.code).toBe(2);
    expect(captured.err.split('\n')[0]).toBe('ip.json:1:121: error not valid JSON: nested deeper than 100 levels [trace/iproute-syntax]');
  });

  it('"interfaces must be an array" is said once', async () => {
    const r = await cli(['trace', 'rules', 'host.json', ...TRACE], { ...RULES, 'host.json': '{"interfaces": 5}' });
    expect(r.code).toBe(2);
    expect(r.err.match(/interfaces must be an array/g)).toHaveLength(1);
  });

  it.each([
    ['a bridge that is its own master', [{ name: 'br0', type: 'bridge', master: 'br0' }], "interface 'br0' is its own master: the kernel refuses this (br_add_if(): a bridge cannot be a port of a bridge); its master is ignored"],
    ['two bridges mastering each other', [{ name: 'br0', type: 'bridge', master: 'br1' }, { name: 'br1', type: 'bridge', master: 'br0' }],
      "interfaces 'br0' → 'br1' → 'br0' are masters of each other: the kernel refuses this (br_add_if(): a bridge cannot be a port of a bridge); their masters are ignored"],
  ])('%s: a located warning, and the trace ends', async (_what, interfaces, message) => {
    const host = JSON.stringify({ interfaces: [{ name: 'eth0', addresses: ['10.0.0.1/24'] }, ...interfaces] });
    const r = await cli(['trace', 'rules', 'host.json', '--src', '10.0.0.9', '--dst', '10.0.0.1', '--in', 'eth0'], { ...RULES, 'host.json': host });
    const column = host.indexOf('"master"') + 10;
    expect(r.err.split('\n')[0]).toBe(`host.json:1:${column}: warning ${message} [trace/host-context-master-loop]`);
    expect(r.code).toBe(0);
    const captured = JSON.stringify(interfaces.map((i) => ({ ifname: i.name, link_type: 'ether', master: i.master, addr_info: [] })));
    const c = await cli(['trace', 'rules', 'ip.json', '--src', '10.0.0.9', '--dst', '10.0.0.1', '--in', 'eth0'], { ...RULES, 'ip.json': captured });
    expect(c.err.split('\n')[0]).toBe(`ip.json:1:${captured.indexOf('"master"') + 10}: warning ${message} [trace/iproute-master-loop]`);
  });
});

// The built bin: what a shell pipeline sees when the reader goes away early.
const BIN = path.join(root, 'apps', 'cli', 'bin', 'chainsight.js');
describe('output into a closed pipe (`chainsight fmt big.save | head -1`)', () => {
  it.each([
    ['fmt', ['fmt']],
    ['parse --format json', ['parse', '--format', 'json']],
    ['lint --format json', ['lint', '--format', 'json']],
  ])('%s stops quietly with 141 (as cat killed by SIGPIPE), no stack trace', async (_what, argv) => {
    expect(existsSync(path.join(root, 'apps', 'cli', 'dist', 'index.js')), 'build the CLI first (turbo run build)').toBe(true);
    const dir = mkdtempSync(path.join(tmpdir(), 'chainsight-'));
    try {
      const f = path.join(dir, 'big.rules');
      // The same rule 20,000 times: every command has much to say (lint: a duplicate per rule).
      const rules = '-A INPUT -s 10.0.0.1 -m comment --comment "the same rule" -j DROP\n'.repeat(20000);
      writeFileSync(f, `*filter\n:INPUT ACCEPT [0:0]\n${rules}COMMIT\n`);
      const child = spawn(process.execPath, [BIN, ...argv, f], { stdio: ['ignore', 'pipe', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      // The reader takes the first chunk and closes its end, as head -1 does.
      child.stdout.once('data', () => child.stdout.destroy());
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      expect([code, err]).toEqual([141, '']);
    } finally {
      rmSync(dir, { recursive: true });
    }
  }, 30000);
});

describe('standard input of the built bin', () => {
  it('is read up to CHAINSIGHT_MAX_INPUT and no further', async () => {
    expect(existsSync(path.join(root, 'apps', 'cli', 'dist', 'index.js')), 'build the CLI first (turbo run build)').toBe(true);
    const child = spawn(process.execPath, [BIN, 'parse', '-'], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, CHAINSIGHT_MAX_INPUT: '1K' } });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdin.on('error', () => {}); // the reader may stop before all is written
    child.stdin.end('# comment\n'.repeat(1000));
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect([code, err]).toEqual([2, 'error: <stdin>: larger than the input limit of 1 KiB (CHAINSIGHT_MAX_INPUT=SIZE raises it, e.g. 1G)\n']);
  }, 30000);
});

describe('an output larger than one string can hold', () => {
  it('is an error naming what to narrow, not an internal error with a stack', async () => {
    // What JSON.stringify throws past V8's string limit (trace --max-outcomes 100000 --format json did this).
    registerCommand('too-big', async () => ({ command: { name: 'too-big', run: async () => { throw new RangeError('Invalid string length'); } } }));
    const io = memoryIo({});
    expect(await run(['too-big'], io)).toBe(2);
    expect(io.err).toContain('the output is larger than one string can hold');
    expect(io.err).not.toContain('internal error');
    expect(io.err).not.toMatch(/\n\s+at /);
  });
});
