// `chainsight trace`, driven through run(argv, io): the Docker host fixture (fixtures/docker-host), every output
// format, --expect, --batch, and the errors that exit 2.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const FILES = {
  'rules': readFileSync(path.join(root, 'fixtures', 'docker-host', 'iptables-save'), 'utf8'),
  'host.json': readFileSync(path.join(root, 'fixtures', 'docker-host', 'host.json'), 'utf8'),
  'host.iproute.json': readFileSync(path.join(root, 'fixtures', 'docker-host', 'host.iproute.json'), 'utf8'),
};
const PUBLISHED = ['--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'];
/** The docker-host rules are an iptables-nft save: trace says once that native nftables tables are not in them. */
const HOST_NOTE = /^note: rules is an iptables-nft save \(nf_tables backend\): .*\[host\/native-tables-unseen\]\n/;
const withoutHostNote = (err: string) => {
  expect(err).toMatch(HOST_NOTE);
  return err.replace(HOST_NOTE, '');
};

async function cli(argv: string[], files: Record<string, string> = FILES, stdin = '') {
  const io = memoryIo(files, stdin);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('chainsight trace', () => {
  it('prints the path by hook and table, the NAT and the verdict', async () => {
    const r = await cli(['trace', 'rules', 'host.json', ...PUBLISHED]);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('Packet: tcp 203.0.113.7:40000 → 198.51.100.10:8080 [SYN], NEW');
    expect(lines).toContain('  - enters from neighbour client on eth0');
    expect(lines).toContain('    nat       DOCKER       rule 2: -A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80  → ACCEPT  (rules:36)');
    expect(lines).toContain('  Verdict: forwarded out docker0 (bridge port veth1a2b3c4)');
    expect(lines).toContain('  NAT: DNAT to 172.17.0.2:80 (nat DOCKER rule 2, rules:36)');
    expect(lines).toContain('  MASQUERADE: no');
  });

  it('reads the host from iproute2 captures (ip -j addr/route/neigh, bridge -j fdb) as from a host context', async () => {
    const bySrc = ['--src', '203.0.113.7', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'];
    const captured = await cli(['trace', 'rules', 'host.iproute.json', ...bySrc]);
    const given = await cli(['trace', 'rules', 'host.json', ...bySrc]);
    expect(withoutHostNote(captured.err)).toBe('');
    expect(captured.code).toBe(0);
    // iproute2 knows no neighbour names: the capture's trace names the neighbour by its address.
    expect(captured.out).toBe(given.out.replace('neighbour client', 'neighbour 203.0.113.7'));
    expect(captured.out).toContain('  Verdict: forwarded out docker0 (bridge port veth1a2b3c4)');
  });

  it('adds the sysctls of a host context that holds only those to iproute2 captures', async () => {
    const files = { ...FILES, 'sysctl.json': '{ "sysctl": { "net.ipv4.ip_forward": 0 } }' };
    const r = await cli(['trace', 'rules', 'host.iproute.json', 'sysctl.json', '--src', '203.0.113.7', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'], files);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain('Verdict: forwarded');
  });

  it('decides -m set from `ipset save` output given beside the rules', async () => {
    const dir = path.join(root, 'fixtures', 'conformance', 'ipset');
    const files = Object.fromEntries(['iptables-save', 'ipset-save', 'host.json'].map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
    const args = ['--from', 'bad', '--dst', '10.1.0.20', '--proto', 'tcp', '--dport', '22'];
    const decided = await cli(['trace', 'iptables-save', 'ipset-save', 'host.json', ...args, '--expect', 'DROP', '--format', 'json'], files);
    expect(decided.code).toBe(0);
    const json = JSON.parse(decided.out) as { outcomes: { assumptions: unknown[] }[] };
    expect(json.outcomes).toHaveLength(1);
    expect(json.outcomes[0]!.assumptions).toEqual([]);
    // Without the sets the same packet forks on the set's contents, and --expect DROP fails.
    const blind = await cli(['trace', 'iptables-save', 'host.json', ...args, '--expect', 'DROP'], files);
    expect(blind.code).toBe(1);
  });

  it('reads the rules from standard input (-) like from a file', async () => {
    const viaStdin = await cli(['trace', '-', 'host.json', ...PUBLISHED], FILES, FILES.rules);
    const viaFile = await cli(['trace', 'rules', 'host.json', ...PUBLISHED]);
    // Only the file name differs: `<stdin>` for `rules`.
    expect(viaStdin.out.replaceAll('<stdin>', 'rules')).toBe(viaFile.out);
    expect(viaStdin.out).toContain('  NAT: DNAT to 172.17.0.2:80');
  });

  it('answers the MASQUERADE question for a container going out', async () => {
    const r = await cli(['trace', 'rules', 'host.json', '--from', 'web', '--dst', '203.0.113.50']);
    expect(r.out).toContain('  MASQUERADE: yes (nat POSTROUTING rule 1, rules:33) → source 198.51.100.10');
  });

  it('--bound-src: a broadcast from the bridge\'s address leaves by the bridge, with a copy looped back in on it', async () => {
    const bcast = ['--local', '--src', '172.17.0.1', '--dst', '255.255.255.255', '--proto', 'udp', '--sport', '67', '--dport', '68'];
    const bound = await cli(['trace', 'rules', 'host.json', ...bcast, '--bound-src']);
    expect(bound.code).toBe(0);
    expect(bound.out).toContain('  - broadcast 255.255.255.255 leaves by docker0: the device that owns the bound source 172.17.0.1 (__ip_dev_find(), --bound-src)');
    expect(bound.out).toContain('Outcome 1 of 3 (p=1): delivered to a local process on this host (255.255.255.255)');
    expect(bound.out).toMatch(/Outcome 2 of 3 \(p=1\): sent by this host out docker0 \(bridge port veth1a2b3c4\)/);
    // not bound: the route decides (the default route's device), and the source is MASQUERADEd there
    const unbound = await cli(['trace', 'rules', 'host.json', ...bcast]);
    expect(unbound.out).toContain('  - broadcast 255.255.255.255 leaves by eth0: the route to 255.255.255.255 (default route, without its gateway 198.51.100.1: broadcast is sent on-link); the source is chosen by the route (--bound-src: the socket is bound to --src)');
  });

  it('--format json follows schema chainsight.trace/1', async () => {
    const r = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, '--format', 'json']);
    const j = JSON.parse(r.out);
    expect(Object.keys(j)).toEqual(['schema', 'packet', 'inferred', 'backend', 'truncated', 'outcomes']);
    expect(j.schema).toBe('chainsight.trace/1');
    const o = j.outcomes[0];
    expect([o.probability, o.verdict, o.masquerade, o.egress]).toEqual([1, 'forwarded', false, { dev: 'docker0', port: 'veth1a2b3c4', local: false }]);
    expect(o.nat).toEqual([{ type: 'DNAT', table: 'nat', chain: 'DOCKER', rule: 2, file: 'rules', line: 36, to: '172.17.0.2:80', by_this_packet: true }]);
    expect(o.steps[1]).toMatchObject({ hook: 'PREROUTING', table: 'nat', chain: 'DOCKER', rule: 2, type: 'rule', trace: 'rule:2', target: 'DNAT', file: 'rules', line: 36 });
    expect(o.packet).toMatchObject({ dst: '172.17.0.2', dport: 80 });
  });

  it('--format kernel prints the legacy TRACE lines (all of them with --trace-all)', async () => {
    const r = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, '--format', 'kernel', '--trace-all']);
    expect(r.out.split('\n').map((l) => l.split(' ')[1])).toEqual([
      'nat:PREROUTING:rule:1', 'nat:DOCKER:rule:2', 'filter:FORWARD:rule:1', 'filter:DOCKER-USER:return:1', 'filter:FORWARD:rule:2',
      'filter:DOCKER-ISOLATION-STAGE-1:return:2', 'filter:FORWARD:rule:4', 'filter:DOCKER:rule:1', 'nat:POSTROUTING:policy:3', undefined,
    ]);
    const quiet = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, '--format', 'kernel']);
    expect(quiet.out).toMatch(/^# no kernel log lines: no TRACE rule matched/);
  });

  it.each([
    [['--expect', 'forwarded'], 0, ''],
    [['--expect', 'ACCEPT'], 0, ''],
    [['--expect', 'DROP'], 1, 'expectation failed: --expect DROP\n  outcome 1: forwarded out docker0 (bridge port veth1a2b3c4)\n'],
    [['--expect', 'masquerade'], 1, 'expectation failed: --expect masquerade\n  outcome 1: MASQUERADE: no\n'],
  ])('%s exits %i', async (extra, code, err) => {
    const r = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, ...extra]);
    expect([r.code, withoutHostNote(r.err)]).toEqual([code, err]);
  });

  it('--batch traces one packet per line', async () => {
    const batch = [
      '{"id": "published", "from": "client", "dst": "198.51.100.10", "proto": "tcp", "dport": 8080}',
      '# comment lines and blank lines are skipped',
      '',
      '{"from": "web", "dst": "203.0.113.50", "proto": "udp", "dport": 53}',
    ].join('\n');
    const r = await cli(['trace', 'rules', 'host.json', '--batch', 'p.jsonl'], { ...FILES, 'p.jsonl': batch });
    expect(r.code).toBe(0);
    expect(r.out).toBe([
      'p.jsonl:1 (published): forwarded out docker0 (bridge port veth1a2b3c4) [DNAT 172.17.0.2:80]',
      'p.jsonl:4: forwarded out eth0 [MASQUERADE 198.51.100.10:40000]',
      '',
    ].join('\n'));
    const json = await cli(['trace', 'rules', 'host.json', '--batch', 'p.jsonl', '--format', 'json', '--expect', 'masquerade'], { ...FILES, 'p.jsonl': batch });
    expect(json.code).toBe(1);
    expect(json.out.trim().split('\n').map((l) => { const j = JSON.parse(l); return [j.line, j.id, j.expect_ok, j.schema]; })).toEqual([[1, 'published', false, 'chainsight.trace/1'], [4, null, true, 'chainsight.trace/1']]);
  });

  it('--then traces the packets after the first against the connection they left (text and json)', async () => {
    const then = ['--then', 'reply', '--then', 'request', '--then', 'reply:FIN,ACK'];
    const r = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, ...then]);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.startsWith('packet ') || l.startsWith('Packet:'))).toEqual([
      'packet 1 of 4: the first packet',
      'Packet: tcp 203.0.113.7:40000 → 198.51.100.10:8080 [SYN], NEW',
      'packet 2 of 4: a reply',
      'Packet: tcp 172.17.0.2:80 → 203.0.113.7:40000 [SYN,ACK], ESTABLISHED',
      'packet 3 of 4: the client again',
      'Packet: tcp 203.0.113.7:40000 → 198.51.100.10:8080 [ACK], ESTABLISHED',
      'packet 4 of 4: a reply (FIN,ACK)',
      'Packet: tcp 172.17.0.2:80 → 203.0.113.7:40000 [ACK,FIN], ESTABLISHED',
    ]);
    const json = await cli(['trace', 'rules', 'host.json', ...PUBLISHED, ...then, '--format', 'json', '--expect', 'forwarded']);
    const j = JSON.parse(json.out) as { conversation: { index: number; is: string; outcomes: { verdict: string }[] }[] };
    expect([json.code, j.conversation.map((p) => [p.index, p.is, p.outcomes[0]!.verdict])]).toEqual([0, [
      [1, 'the first packet', 'forwarded'], [2, 'a reply', 'forwarded'], [3, 'the client again', 'forwarded'], [4, 'a reply (FIN,ACK)', 'forwarded'],
    ]]);
  });

  it.each([
    [['trace', 'rules', 'host.json', '--dst', '1.2.3.4', '--proto', 'tcp'], 'error: a tcp packet needs --dport\n'],
    [['trace', 'rules', 'host.json', '--from', 'nobody', '--dst', '1.2.3.4'], "error: --from 'nobody' is not a neighbour of the host context (known: web, worker, gateway, client)\n"],
    [['trace', 'host.json', '--dst', '1.2.3.4'], 'error: no iptables or ebtables snapshot among the files: give at least one ruleset\n'],
    [['trace', 'rules', '--dst', '1.2.3.4', '--assume', 'limit'], "error: --assume takes KEY=true|false (got 'limit')\nRun 'chainsight trace --help' for usage.\n"],
    [['trace', 'rules', '--dst', '1.2.3.4', '--format', 'yaml'], "error: --format must be one of text, json, kernel, html (got 'yaml')\nRun 'chainsight trace --help' for usage.\n"],
    [['trace', 'rules', '--dst', '1.2.3.4', '--then', 'later'], "error: --then takes request[:FLAGS] | reply[:FLAGS] | error[:TYPE] (got 'later')\nRun 'chainsight trace --help' for usage.\n"],
    [['trace', 'rules', '--dst', '1.2.3.4', '--reply', '--then', 'reply'], "error: --then starts from the connection's first packet: give no --reply or --state with it\nRun 'chainsight trace --help' for usage.\n"],
  ])('%j exits 2', async (argv, err) => {
    const r = await cli(argv);
    expect([r.code, r.err]).toEqual([2, err]);
  });

  it('reports a broken host context at its line and column', async () => {
    const r = await cli(['trace', 'rules', 'bad.json', '--dst', '1.2.3.4', '--local'], { ...FILES, 'bad.json': '{\n  "routes": [ { "dst": "default" } ]\n}\n' });
    expect(r.code).toBe(2);
    expect(r.err.split('\n')[0]).toBe('bad.json:2:15: error route to default needs "via" or "dev" [trace/host-context-missing]');
  });

  it('--help documents the options', async () => {
    const r = await cli(['trace', '--help']);
    expect([r.code, r.out.split('\n')[0]]).toEqual([0, 'Usage: chainsight trace [options] FILE... [packet options]']);
  });
});

describe('chainsight trace without host facts', () => {
  const rules = FILES.rules;
  const split = rules.indexOf('# Generated', 10);
  const PER_TABLE = { 'filter.save': rules.slice(0, split), 'nat.save': rules.slice(split) };
  const OUT = ['--in', 'docker0', '--src', '172.17.0.2', '--dst', '10.28.61.30'];
  const CASES: { name: string; argv: string[]; files?: Record<string, string>; code: number; out?: string[]; err?: string }[] = [
    {
      name: 'a container going out: MASQUERADE yes, to an address the rules cannot name; the locality fork is labelled',
      argv: ['trace', 'rules', ...OUT], code: 0,
      out: ['Outcome 1 of 2 (p=1): forwarded out an interface other than docker0 (no host facts; --out IFACE pins it)', '  assumes 10.28.61.30 is not an address of this host', '  MASQUERADE: yes (nat POSTROUTING rule 1, rules:33) → source the address of OUT (unknown without host facts)', '  - net.ipv4.ip_forward = 1 assumed (no host facts): the host forwards'],
    },
    {
      name: '--expect masquerade fails only for the outcome that assumes the destination is the host\'s, and says so',
      argv: ['trace', 'rules', ...OUT, '--expect', 'masquerade'], code: 1,
      err: '  outcome 2: MASQUERADE: no (assumes 10.28.61.30 is an address of this host)',
    },
    { name: '--local-addr gives the host\'s addresses: --expect masquerade holds', argv: ['trace', 'rules', ...OUT, '--local-addr', '198.51.100.10', '--expect', 'masquerade'], code: 0 },
    {
      name: 'per-table files are one ruleset: no warning, each rule cited in its own file',
      argv: ['trace', 'nat.save', 'filter.save', ...OUT, '--local-addr', '198.51.100.10'], files: PER_TABLE, code: 0,
      out: ['  MASQUERADE: yes (nat POSTROUTING rule 1, nat.save:10) → source the address of OUT (unknown without host facts)', '    filter    FORWARD      rule 5: -A FORWARD -i docker0 ! -o docker0 -j ACCEPT  → ACCEPT  (filter.save:14)'],
    },
    { name: '--local-addr with a host context is a usage error', argv: ['trace', 'rules', 'host.json', ...OUT, '--local-addr', '198.51.100.10'], code: 2, err: '--local-addr is for traces without host facts' },
    { name: '--local-addr takes an address', argv: ['trace', 'rules', ...OUT, '--local-addr', '10.0.0.0/8'], code: 2, err: '--local-addr needs an IP address (got \'10.0.0.0/8\')' },
    {
      name: 'a local packet is sent, not forwarded',
      argv: ['trace', 'rules', '--local', '--src', '198.51.100.10', '--dst', '203.0.113.7', '--out', 'eth0'], code: 0,
      out: ['  Verdict: sent by this host out eth0'],
    },
    {
      name: 'an IPv6 packet with IPv4 rules only says that no ip6tables rules were given',
      argv: ['trace', 'rules', '--in', 'eth0', '--src', '2001:db8::1', '--dst', '2001:db8::2', '--local-addr', '2001:db8::2'], code: 0,
      out: ['  - no ip6tables rules were given: the IPv6 packet meets no rule, as if every IPv6 chain were empty with policy ACCEPT'],
    },
  ];
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, c) => {
    const r = await cli(c.argv, { ...FILES, ...(c.files ?? {}) });
    expect(r.code, r.err + r.out).toBe(c.code);
    const lines = r.out.split('\n');
    for (const l of c.out ?? []) expect(lines, r.out).toContain(l);
    if (c.err !== undefined) expect(r.err).toContain(c.err);
    if (c.files) expect(r.err).not.toContain('warning');
  });
});
