// buildChainGraph: per table, chains as nodes, jumps and gotos as edges with their rule, the built-in chains
// (hooks) reaching each chain, depth, loops, undefined targets, unreferenced chains; and the collapsed view.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { buildChainGraph, collapseGraph, findTableGraph, jumpPath } from '@chainsight/analyzer';
import { namePrefix } from '../src/graph/collapse';

const TEXT = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:SERVICES - [0:0]
:SVC-A - [0:0]
:SEP-1 - [0:0]
:MARK-MASQ - [0:0]
:ORPHAN - [0:0]
:__proto__ - [0:0]
-A PREROUTING -j SERVICES
-A OUTPUT -j SERVICES
-A SERVICES -d 10.96.0.1/32 -j SVC-A
-A SVC-A -g SEP-1
-A SEP-1 -j MARK-MASQ
-A SEP-1 -j NOWHERE
-A ORPHAN -j __proto__
-A __proto__ -j ORPHAN
-A POSTROUTING -j MARK-MASQ
COMMIT
`;
const graph = buildChainGraph(parseSnapshot(TEXT, { fileName: 'g', family: 'ipv4' }).snapshot);
const nat = findTableGraph(graph, 'nat')!;

describe('buildChainGraph', () => {
  it.each([
    // chain, hooks, depth, reached via (chain of the edge), in-degree, out-degree
    ['PREROUTING', ['PREROUTING'], 0, null, 0, 1],
    ['INPUT', ['INPUT'], 0, null, 0, 0],
    ['SERVICES', ['PREROUTING', 'OUTPUT'], 1, 'PREROUTING', 2, 1],
    ['SVC-A', ['PREROUTING', 'OUTPUT'], 2, 'SERVICES', 1, 1],
    ['SEP-1', ['PREROUTING', 'OUTPUT'], 3, 'SVC-A', 1, 2],
    ['MARK-MASQ', ['PREROUTING', 'OUTPUT', 'POSTROUTING'], 1, 'POSTROUTING', 2, 0],
    ['ORPHAN', [], null, null, 1, 1],
    ['__proto__', [], null, null, 1, 1],
  ] as const)('%s: hooks %j, depth %s, via %s, in %i, out %i', (name, hooks, depth, via, inDegree, outDegree) => {
    const node = nat.nodes.get(name)!;
    expect(node.hooks).toEqual(hooks);
    expect(node.depth).toBe(depth);
    expect(node.via?.from ?? null).toBe(via);
    expect(node.in.length).toBe(inDegree);
    expect(node.out.length).toBe(outDegree);
  });

  it('keeps the rule and the kind of each edge', () => {
    expect(nat.edges.map((e) => `${e.from}${e.goto ? ' -g ' : ' -j '}${e.to}@${e.rule.index}${e.defined ? '' : ' (undefined)'}`)).toEqual([
      'PREROUTING -j SERVICES@1', 'OUTPUT -j SERVICES@1', 'POSTROUTING -j MARK-MASQ@1', 'SERVICES -j SVC-A@1',
      'SVC-A -g SEP-1@1', 'SEP-1 -j MARK-MASQ@1', 'SEP-1 -j NOWHERE@2 (undefined)', 'ORPHAN -j __proto__@1', '__proto__ -j ORPHAN@1',
    ]);
  });

  it('finds undefined targets, unreferenced chains, loops and the deepest nesting', () => {
    expect(nat.undefinedTargets.map((e) => e.to)).toEqual(['NOWHERE']);
    expect(nat.unreferenced.map((n) => n.name)).toEqual([]);
    expect(nat.cycles.map((c) => ({ chains: c.chains, rules: c.edges.map((e) => e.rule.span.start.line) }))).toEqual([
      { chains: ['ORPHAN', '__proto__'], rules: [18, 19] },
    ]);
    expect(nat.maxDepth).toBe(4);
  });

  it('a chain that only jumps to itself is unreferenced', () => {
    const g = buildChainGraph(parseSnapshot('*filter\n:INPUT ACCEPT [0:0]\n:SELF - [0:0]\n-A SELF -j SELF\nCOMMIT\n', { fileName: 's', family: 'ipv4' }).snapshot);
    expect(g.tables[0]!.unreferenced.map((n) => n.name)).toEqual(['SELF']);
    expect(g.tables[0]!.cycles[0]!.chains).toEqual(['SELF']);
  });

  it('handles nesting thousands deep without recursion', () => {
    const n = 5000;
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ...Array.from({ length: n }, (_, i) => `:C${i} - [0:0]`), '-A INPUT -j C0'];
    for (let i = 0; i < n - 1; i++) lines.push(`-A C${i} -j C${i + 1}`);
    lines.push(`-A C${n - 1} -j C0`, 'COMMIT', '');
    const g = buildChainGraph(parseSnapshot(lines.join('\n'), { fileName: 'deep', family: 'ipv4' }).snapshot).tables[0]!;
    expect(g.nodes.get(`C${n - 1}`)!.depth).toBe(n);
    expect(g.cycles[0]!.chains.length).toBe(n);
    expect(g.maxDepth).toBe(n);
  });

  it('jumpPath follows jumps from a built-in chain', () => {
    expect(jumpPath(nat, 'OUTPUT', 'SEP-1')!.map((e) => `${e.from}>${e.to}`)).toEqual(['OUTPUT>SERVICES', 'SERVICES>SVC-A', 'SVC-A>SEP-1']);
    expect(jumpPath(nat, 'INPUT', 'SEP-1')).toBeNull();
  });
});

describe('collapseGraph', () => {
  it.each([
    ['KUBE-SEP-ABCDEF', 'KUBE-SEP-'],
    ['filter_1013', 'filter_'],
    ['DOCKER', null],
    ['-X', null],
    ['TRAILING-', null],
  ])('namePrefix(%s) = %s', (name, prefix) => expect(namePrefix(name)).toBe(prefix));

  it('groups chains that share a prefix when the table is large, keeps built-in chains', () => {
    const many = Array.from({ length: 50 }, (_, i) => `G-${i}`);
    const text = ['*filter', ':INPUT ACCEPT [0:0]', ...many.map((c) => `:${c} - [0:0]`), ...many.map((c) => `-A INPUT -j ${c}`), 'COMMIT', ''].join('\n');
    const t = buildChainGraph(parseSnapshot(text, { fileName: 'c', family: 'ipv4' }).snapshot).tables[0]!;
    const view = collapseGraph(t);
    expect(view.collapsed).toBe(true);
    expect(view.nodes.map((n) => [n.id, n.chains, n.rules])).toEqual([['chain:INPUT', 1, 50], ['group:G-', 50, 0]]);
    expect(view.edges.map((e) => [e.from, e.to, e.count])).toEqual([['chain:INPUT', 'group:G-', 50]]);
    expect(collapseGraph(t, { expand: true }).nodes.length).toBe(51);
  });
});
