// `chainsight diff OLD NEW`, driven through run(argv, io) without a process. Exit codes like diff(1).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const fixtures = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../fixtures/diff');
const read = (p: string) => readFileSync(resolve(fixtures, p), 'utf8');
const KP = 'kube-proxy/TestEndpointSliceWithTerminatingEndpointsTrafficPolicyCluster--';
const FILES: Record<string, string> = {
  'before.rules': read('host/before.rules'),
  'after.rules': read('host/after.rules'),
  'kp-before': read(KP + 'ready-endpoints-exist.iptables-save'),
  'kp-after': read(KP + 'only-terminating-endpoints.iptables-save'),
  'bad.rules': '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.300 -j DROP\nCOMMIT\n',
};

async function cli(argv: string[], stdin = '', env: Record<string, string> = {}) {
  const io = memoryIo(FILES, stdin, env);
  const code = await run(['diff', ...argv], io);
  return { code, out: io.out, err: io.err };
}

describe('chainsight diff', () => {
  it.each([
    [['before.rules', 'before.rules'], 0],
    [['before.rules', 'after.rules'], 1],
    [['--stat', 'before.rules', 'after.rules'], 1],
    [['--format', 'json', 'before.rules', 'after.rules'], 1],
    [['--table', 'nat', 'before.rules', 'after.rules'], 0],
    [['--chain', 'SSH', 'before.rules', 'after.rules'], 1],
    [['--help'], 0],
    [[], 2],
    [['before.rules'], 2],
    [['before.rules', 'after.rules', 'third'], 2],
    [['-', '-'], 2],
    [['before.rules', 'missing.rules'], 2],
    [['--format', 'yaml', 'before.rules', 'after.rules'], 2],
    [['--counters', '--ignore-counters', 'before.rules', 'after.rules'], 2],
    [['bad.rules', 'before.rules'], 2],
  ])('%j exits %i', async (argv, expected) => {
    expect((await cli(argv)).code).toBe(expected);
  });

  it('prints a unified-diff-like listing with file:line on both sides', async () => {
    const r = await cli(['before.rules', 'after.rules']);
    expect(r.out).toContain('--- before.rules\n+++ after.rules\n*filter\n');
    expect(r.out).toContain('↕before.rules:19 → after.rules:15  -A INPUT -s 203.0.113.0/24 -j DROP');
    expect(r.out).toContain('~before.rules:9 → after.rules:4  policy ACCEPT → DROP');
    expect(r.out).toContain('+after.rules:22  -A SSH -s 192.0.2.7 -j ACCEPT');
    // Both are iptables-nft saves: one note that native nftables tables are not in them, and nothing else.
    expect(r.err).toMatch(/^note: before\.rules, after\.rules are iptables-nft saves \(nf_tables backend\): [^\n]*\[host\/native-tables-unseen\]\n$/);
  });

  it('reads one side from stdin', async () => {
    const r = await cli(['-', 'after.rules'], FILES['before.rules']!);
    expect(r.code).toBe(1);
    expect(r.out).toContain('--- <stdin>\n+++ after.rules');
  });

  it('--stat', async () => {
    const r = await cli(['--stat', 'before.rules', 'after.rules']);
    expect(r.out).toContain('filter  1 chain added, 1 chain removed, 1 policy changed, 2 rules added, 1 rule modified, 2 rules moved');
  });

  it('--format json: the versioned change model, counters as strings', async () => {
    const r = await cli(['--format', 'json', '--counters', 'before.rules', 'after.rules']);
    const json = JSON.parse(r.out);
    expect(json.schema).toBe('chainsight.diff/1');
    expect(json.identical).toBe(false);
    expect(json.before).toEqual({ file: 'before.rules', format: 'iptables-save', family: 'ipv4', backend: 'nft' });
    const counters = json.changes.find((c: { kind: string; chain: string }) => c.kind === 'counters-changed' && c.chain === 'INPUT');
    expect(counters.from).toEqual({ packets: '120', bytes: '9000' });
    const modified = json.changes.find((c: { kind: string }) => c.kind === 'rule-modified');
    expect(modified.options).toEqual([{ option: '-m limit --limit', before: null, after: '10/sec' }]);
    expect(modified.before.span.start).toEqual({ line: 21, column: 1, offset: expect.any(Number) });
  });

  it('--table, --chain and --ignore-chains narrow the comparison', async () => {
    expect((await cli(['--table', 'raw', 'before.rules', 'after.rules'])).out).toContain('table raw only in before.rules');
    const ssh = await cli(['--chain', 'SSH', 'before.rules', 'after.rules']);
    expect(ssh.out).not.toContain('@@ INPUT');
    expect(ssh.out).toContain('@@ SSH');
    const ignored = await cli(['--ignore-chains', 'OLD-*,WEB', '--table', 'filter', 'before.rules', 'after.rules']);
    expect(ignored.out).toContain('@@ INPUT');
    expect(ignored.out).not.toContain('chains only in');
    expect(ignored.out).not.toContain('*raw');
  });

  it('kube-proxy: endpoint changes read as a service line, the raw changes folded (and listed with --verbose)', async () => {
    const r = await cli(['kp-before', 'kp-after']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('service ns1/svc1: endpoints 10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80 → 10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80');
    expect(r.out).toContain('6 raw changes folded');
    expect(r.out).not.toContain('KUBE-SEP-3JOIVZTXZZRGORX4');
    expect((await cli(['--verbose', 'kp-before', 'kp-after'])).out).toContain('KUBE-SEP-3JOIVZTXZZRGORX4');
  });

  it('reports parse errors with their location, still prints the diff, and exits 2', async () => {
    const r = await cli(['bad.rules', 'before.rules']);
    expect(r.err).toContain('bad.rules:3:');
    expect(r.out).toContain('--- bad.rules');
  });

  it('colours only when asked', async () => {
    expect((await cli(['before.rules', 'after.rules'])).out).not.toContain('\x1b[');
    expect((await cli(['before.rules', 'after.rules'], '', { FORCE_COLOR: '1' })).out).toContain('\x1b[31m-before.rules:21');
  });
});
