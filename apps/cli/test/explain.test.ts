// `chainsight explain`, driven through run(argv, io) on the kernel captures of fixtures/explain.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';
import { repoRoot } from '../../../test-support/shared';

const read = (f: string) => readFileSync(path.join(repoRoot, f), 'utf8');
const FILES = {
  'trace.log': read('fixtures/explain/docker-host.legacy.syslog.txt'),
  'xt.log': read('fixtures/explain/docker-host.xtables-monitor.txt'),
  'host.rules': read('fixtures/explain/docker-host.legacy.iptables-save'),
  'nft.rules': read('fixtures/explain/docker-host.nft.iptables-save'),
  'host.json': read('fixtures/docker-host/host.json'),
  'edited.rules': read('fixtures/explain/docker-host.legacy.iptables-save').replace('-A FORWARD -i docker0 -o docker0 -j ACCEPT\n', ''),
  'no-nat.rules': read('fixtures/explain/docker-host.legacy.iptables-save').replace(/\*nat[\s\S]*?COMMIT\n/, ''),
  'empty.log': 'Nov 24 10:00:01 docker-host systemd[1]: Started Session 3 of user root.\n',
};

async function cli(argv: string[], stdin = '') {
  const io = memoryIo(FILES, stdin);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('chainsight explain', () => {
  it('annotates each line with the rule, its file:line and the kernel numbering, then summarises the packet', async () => {
    const r = await cli(['explain', 'trace.log', '--rules', 'host.rules']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain('trace.log: legacy TRACE (kernel log), 102 trace lines, 14 packets');
    expect(r.out).toContain('→ filter INPUT rule 4  host.rules:42  -A INPUT -j ACCEPT');
    expect(r.out).toContain('policy:4 is rule 4, an unconditional -j ACCEPT: ip_tables.c labels such a rule "policy" like a chain end (INPUT has 4 rules; its real policy would be policy:5)');
    expect(r.out).toContain('  path     PREROUTING  raw: PREROUTING policy ACCEPT\n           INPUT       filter: INPUT#2 → HOST-IN#2 → HOST-IN end RETURN → INPUT#4 ACCEPT');
    expect(r.out).toContain('  verdict  DROP by filter UDP-IN rule 2 at INPUT');
    expect(r.out).toContain('  NAT      DNAT to 172.17.0.2:80 by nat DOCKER rule 2 at PREROUTING host.rules:25');
    expect(r.out).toContain('102 lines tied to a rule or chain end, 0 not, 0 told apart from identical rules by order only');
  });

  it('reads rules given after LOG and the log from stdin', async () => {
    const a = await cli(['explain', 'xt.log', 'nft.rules']);
    const b = await cli(['explain', '-', '--rules', 'nft.rules'], FILES['xt.log']);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(b.out.replace('<stdin>', 'xt.log')).toBe(a.out);
  });

  it('--format json: the explanation with schema chainsight.explain/1', async () => {
    const r = await cli(['explain', 'xt.log', '--rules', 'nft.rules', '--format', 'json']);
    const j = JSON.parse(r.out);
    expect(j.schema).toBe('chainsight.explain/1');
    expect(j.formats).toEqual(['xtables-monitor']);
    expect(j.snapshots).toEqual([{ file: 'nft.rules', family: 'ipv4', format: 'iptables-save', tables: ['raw', 'filter', 'nat'] }]);
    expect(j.packets).toHaveLength(15);
    const jump = j.packets[0].lines.find((l: { line: { kind: string; text: string } }) => l.line.kind === 'xtables' && l.line.text.includes('JUMP:DOCKER-USER'));
    expect(jump.mapping).toMatchObject({ kind: 'rule', method: 'rule-text', rule: { table: 'filter', chain: 'FORWARD', index: 1, file: 'nft.rules', line: 28, text: '-A FORWARD -j DOCKER-USER' } });
    expect(j.packets[2].traceIds).toHaveLength(2);
    expect(j.packets[2].verdict.verdict).toBe('ACCEPT');
    expect(j.packets[2].nat[0]).toMatchObject({ type: 'MASQUERADE', hook: 'POSTROUTING', rule: { index: 1 } });
  });

  it('--compare runs the simulator on every packet', async () => {
    const r = await cli(['explain', 'trace.log', '--rules', 'host.rules', '--compare', '--host', 'host.json']);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('  compare  the simulation takes the same 12 steps');
    expect(r.out).toContain('compare: 14 packets simulated exactly as traced, 0 parting');
    const j = JSON.parse((await cli(['explain', 'trace.log', '--rules', 'host.rules', '--compare', '--host', 'host.json', '--format', 'json'])).out);
    expect(j.packets[0].compare).toMatchObject({ agreeing: 12, diverge: null, verdictDiffers: false, error: null });
  });

  it.each([
    ['every line tied to the snapshot', ['explain', 'trace.log', '--rules', 'host.rules'], 0],
    ['--compare: the simulation of an edited ruleset parts from the kernel', ['explain', 'trace.log', '--rules', 'edited.rules', '--compare', '--host', 'host.json'], 1],
    ['lines of a table the snapshot lacks', ['explain', 'trace.log', '--rules', 'no-nat.rules'], 1],
    ['no --rules', ['explain', 'trace.log'], 2],
    ['no trace line in the log', ['explain', 'empty.log', '--rules', 'host.rules'], 2],
    ['a missing file', ['explain', 'missing.log', '--rules', 'host.rules'], 2],
    ['--format yaml', ['explain', 'trace.log', '--rules', 'host.rules', '--format', 'yaml'], 2],
    ['--host without --compare', ['explain', 'trace.log', '--rules', 'host.rules', '--host', 'host.json'], 2],
    ['log and rules both from stdin', ['explain', '-', '--rules', '-'], 2],
    ['no argument', ['explain'], 2],
    ['--help', ['explain', '--help'], 0],
  ])('%s → exit %i', async (_name, argv, code) => {
    expect((await cli(argv)).code).toBe(code);
  });

  it('says where the kernel and the simulation of an edited ruleset part', async () => {
    // FORWARD rule 6 is gone from the snapshot: the line that printed it no longer fits, and the simulated bridged
    // echo request meets the FORWARD policy instead.
    const d = await cli(['explain', 'trace.log', '--rules', 'edited.rules', '--compare', '--host', 'host.json']);
    expect(d.out).toContain('kernel and simulation part at step');
    expect(d.out).toContain('warning: trace.log:11:');
  });

  it('warns about lines it cannot tie to the snapshot', async () => {
    const r = await cli(['explain', 'trace.log', '--rules', 'no-nat.rules']);
    expect(r.out).toContain('? table ip nat is not in the snapshots [explain/table-not-in-snapshot]');
    expect(r.out).toMatch(/warning: trace\.log:2: table ip nat is not in the snapshots \[explain\/table-not-in-snapshot\]/);
  });

  it('prints the example of docs/explain.md exactly', async () => {
    const doc = read('docs/explain.md');
    const log = /```log\n([\s\S]*?)```/.exec(doc)![1]!;
    const expected = /```text\n([\s\S]*?)```/.exec(doc)![1]!;
    const io = memoryIo({ 'kern.log': log, 'host.rules': FILES['host.rules'] });
    expect(await run(['explain', 'kern.log', '--rules', 'host.rules'], io)).toBe(0);
    expect(io.out).toBe(expected);
  });
});
