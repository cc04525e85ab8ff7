// `chainsight graph`: DOT (rendered by Graphviz's dot to prove it is valid), Mermaid, JSON, --table, collapsing.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const DOCKER = readFileSync(new URL('../../../fixtures/docker-host/iptables-save', import.meta.url), 'utf8');

/** A kube-proxy-like nat table: KUBE-SERVICES → n KUBE-SVC-* → 2n KUBE-SEP-*, plus a loop and an undefined target. */
function kubeLike(n: number): string {
  const hash = (p: string, i: number) => `${p}${String(i).padStart(4, '0')}ABCDEFGHIJKL`;
  const chains = [':PREROUTING ACCEPT [0:0]', ':KUBE-SERVICES - [0:0]', ':KUBE-MARK-MASQ - [0:0]', ':LOOP-A - [0:0]', ':LOOP-B - [0:0]'];
  const rules = ['-A PREROUTING -j KUBE-SERVICES', '-A PREROUTING -j LOOP-A', '-A LOOP-A -j LOOP-B', '-A LOOP-B -g LOOP-A', '-A KUBE-SERVICES -j KUBE-NOPE'];
  for (let i = 0; i < n; i++) {
    chains.push(`:${hash('KUBE-SVC-', i)} - [0:0]`, `:${hash('KUBE-SEP-', 2 * i)} - [0:0]`, `:${hash('KUBE-SEP-', 2 * i + 1)} - [0:0]`);
    rules.push(`-A KUBE-SERVICES -d 10.96.0.${i + 1}/32 -p tcp -m tcp --dport 80 -j ${hash('KUBE-SVC-', i)}`);
    rules.push(`-A ${hash('KUBE-SVC-', i)} -m statistic --mode random --probability 0.5 -j ${hash('KUBE-SEP-', 2 * i)}`);
    rules.push(`-A ${hash('KUBE-SVC-', i)} -j ${hash('KUBE-SEP-', 2 * i + 1)}`);
    for (const k of [2 * i, 2 * i + 1]) {
      rules.push(`-A ${hash('KUBE-SEP-', k)} -s 10.244.0.${k}/32 -j KUBE-MARK-MASQ`);
      rules.push(`-A ${hash('KUBE-SEP-', k)} -p tcp -m tcp -j DNAT --to-destination 10.244.0.${k}:8080`);
    }
  }
  rules.push('-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000');
  return `*nat\n${chains.join('\n')}\n${rules.join('\n')}\nCOMMIT\n`;
}

async function cli(argv: string[], files: Record<string, string>) {
  const io = memoryIo(files);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

const hasDot = spawnSync('dot', ['-V']).status === 0;
const ci = process.env.CI === 'true';
if (!hasDot && !ci) console.warn("\n!! graph.test.ts: Graphviz 'dot' not found (apt-get install graphviz): render checks skipped\n");

describe('chainsight graph', () => {
  it('draws every table of the Docker host as DOT clusters with policies, counts and edge labels', async () => {
    const r = await cli(['graph', 'host'], { host: DOCKER });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^digraph chainsight \{/);
    for (const expected of [
      'subgraph "cluster_filter"', 'subgraph "cluster_nat"',
      '"filter/chain:FORWARD" [label="FORWARD\\npolicy DROP · 6 rules", style="rounded,bold"];',
      '"filter/chain:DOCKER-USER" [label="DOCKER-USER\\n1 rule"];',
      '"filter/chain:FORWARD" -> "filter/chain:DOCKER" [label="#4 -o docker0"];',
      '"nat/chain:PREROUTING" -> "nat/chain:DOCKER" [label="#1 -m addrtype --dst-type LOCAL"];',
    ]) expect(r.out).toContain(expected);
  });

  it.runIf(hasDot || ci)("Graphviz's dot renders the output (collapsed and expanded)", async () => {
    for (const argv of [['graph', 'host'], ['graph', 'kube'], ['graph', '--expand', 'kube']]) {
      const r = await cli(argv, { host: DOCKER, kube: kubeLike(30) });
      const dot = spawnSync('dot', ['-Tsvg'], { input: r.out, encoding: 'utf8' });
      expect(dot.error, 'dot must be installed (apt-get install graphviz)').toBeUndefined();
      expect(dot.stderr).toBe('');
      expect(dot.status).toBe(0);
      expect(dot.stdout).toContain('<svg');
    }
  });

  it('collapses chains that share a prefix, unless --expand', async () => {
    const collapsed = await cli(['graph', 'kube'], { kube: kubeLike(30) });
    expect(collapsed.out).toContain('"nat/group:KUBE-SEP-" [label="KUBE-SEP-*\\n60 chains · 120 rules", shape=folder];');
    expect(collapsed.out).toContain('"nat/group:KUBE-SVC-" -> "nat/group:KUBE-SEP-" [label="60 jumps"];');
    expect(collapsed.out).not.toContain('KUBE-SEP-0007ABCDEFGHIJKL');
    const expanded = await cli(['graph', '--expand', 'kube'], { kube: kubeLike(30) });
    expect(expanded.out).toContain('"nat/chain:KUBE-SEP-0007ABCDEFGHIJKL" [label="KUBE-SEP-0007ABCDEFGHIJKL\\n2 rules"];');
  });

  it('marks loops and undefined targets in red, gotos dashed', async () => {
    const r = await cli(['graph', 'kube'], { kube: kubeLike(30) });
    expect(r.out).toContain('"nat/chain:LOOP-B" -> "nat/chain:LOOP-A" [label="#1", style=dashed, color=red];');
    expect(r.out).toContain('"nat/undefined:KUBE-NOPE" [label="KUBE-NOPE\\nundefined chain", style=dashed, color=red, fontcolor=red];');
  });

  it('--table draws one table; an unknown table is a usage error', async () => {
    const r = await cli(['graph', '--table', 'nat', 'host'], { host: DOCKER });
    expect(r.out).toContain('cluster_nat');
    expect(r.out).not.toContain('cluster_filter');
    const bad = await cli(['graph', '--table', 'mangle', 'host'], { host: DOCKER });
    expect(bad.code).toBe(2);
    expect(bad.err).toContain("host has no table 'mangle' (tables: filter, nat)");
  });

  it('mermaid: a flowchart with one subgraph per table', async () => {
    const r = await cli(['graph', '--format', 'mermaid', 'host'], { host: DOCKER });
    const lines = r.out.split('\n');
    expect(lines[0]).toBe('flowchart LR');
    expect(lines.filter((l) => l.trim().startsWith('subgraph')).map((l) => l.replace(/t\d+/, 'tN'))).toEqual(['  subgraph tN["table filter"]', '  subgraph tN["table nat"]']);
    expect(r.out).toContain('(["FORWARD<br/>policy DROP · 6 rules"])');
    expect(r.out).toMatch(/n\d+ -->\|"#35;4 -o docker0"\| n\d+/);
  });

  it('json: nodes, edges with their rules, loops, undefined targets, unreachable chains', async () => {
    const r = await cli(['graph', '--format', 'json', 'kube'], { kube: kubeLike(5) });
    const j = JSON.parse(r.out) as { tables: { name: string; collapsed: boolean; loops: { chains: string[] }[]; undefinedTargets: { target: string; rule: { chain: string; index: number; line: number } }[]; nodes: { id: string }[]; edges: { from: string; to: string; count: number }[] }[] };
    const nat = j.tables[0]!;
    expect(nat.name).toBe('nat');
    expect(nat.collapsed).toBe(false);
    expect(nat.loops).toEqual([{ chains: ['LOOP-A', 'LOOP-B'], rules: [{ chain: 'LOOP-A', index: 1, line: 24 }, { chain: 'LOOP-B', index: 1, line: 25 }] }]);
    expect(nat.undefinedTargets).toEqual([{ target: 'KUBE-NOPE', rule: { chain: 'KUBE-SERVICES', index: 1, line: 26 } }]);
    expect(nat.edges.find((e) => e.from === 'chain:PREROUTING' && e.to === 'chain:KUBE-SERVICES')?.count).toBe(1);
  });

  it.each([
    [['graph'], 2],
    [['graph', 'a', 'b'], 2],
    [['graph', '--format', 'png', 'host'], 2],
    [['graph', '--help'], 0],
  ])('%j exits %i', async (argv, code) => {
    expect((await cli(argv, { host: DOCKER, a: DOCKER, b: DOCKER })).code).toBe(code);
  });
});
