// Builds the chain graph of every table: nodes, jump/goto edges, which built-in chains reach each chain,
// depth, loops, undefined targets and unreferenced chains. Linear in rules + chains, on integer-indexed
// adjacency arrays (a kube-proxy snapshot has ~45k chains and ~100k jumps); no recursion (a crafted file may
// nest chains thousands deep).
import type { Snapshot, Table } from '@chainsight/grammar';
import { findCycles, type Adjacency } from './cycles';
import type { ChainEdge, ChainGraph, ChainNode, TableGraph } from './types';

export function buildChainGraph(snapshot: Snapshot): ChainGraph {
  return { snapshot, family: snapshot.family, tables: snapshot.tables.map(buildTableGraph) };
}

export function findTableGraph(graph: ChainGraph, table: string): TableGraph | undefined {
  return graph.tables.find((t) => t.name === table);
}

export function buildTableGraph(table: Table): TableGraph {
  const chains = table.chains;
  const n = chains.length;
  const index = new Map<string, number>();
  chains.forEach((c, i) => index.set(c.name, i));
  const nodes: ChainNode[] = chains.map((chain) => ({
    name: chain.name, chain, builtin: chain.builtin, policy: chain.policy, ruleCount: chain.rules.length,
    out: [], in: [], hooks: NO_HOOKS, depth: null, via: null,
  }));
  const edges: ChainEdge[] = [];
  const undefinedTargets: ChainEdge[] = [];
  const targets: number[] = [];
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    start[i] = targets.length;
    for (const rule of chains[i]!.rules) {
      const t = rule.target;
      if (!t || t.type !== 'chain') continue;
      const to = index.get(t.name);
      const edge: ChainEdge = { from: chains[i]!.name, to: t.name, rule, goto: t.goto, defined: to !== undefined };
      edges.push(edge);
      nodes[i]!.out.push(edge);
      if (to === undefined) undefinedTargets.push(edge);
      else {
        nodes[to]!.in.push(edge);
        targets.push(to);
      }
    }
  }
  start[n] = targets.length;
  const adj: Adjacency = { start, targets: Int32Array.from(targets) };
  markReach(chains.map((c) => c.builtin), nodes, adj);
  const cycles = findCycles(nodes, adj);
  const unreferenced = nodes.filter((node) => !node.builtin && !node.in.some((e) => e.from !== node.name));
  return {
    table, name: table.name, family: table.family, nodes: new Map(nodes.map((node) => [node.name, node])), edges, undefinedTargets,
    unreferenced, cycles, maxDepth: longestNesting(nodes, adj),
  };
}

const NO_HOOKS: string[] = [];

/** Shortest depth and first edge from any built-in chain (one BFS), and the set of built-in chains reaching each node. */
function markReach(builtin: boolean[], nodes: ChainNode[], adj: Adjacency): void {
  const n = nodes.length;
  const roots: number[] = [];
  for (let i = 0; i < n; i++) if (builtin[i]) roots.push(i);
  const depth = new Int32Array(n).fill(-1);
  const queue = new Int32Array(Math.max(n, 1));
  let head = 0;
  let tail = 0;
  for (const r of roots) { depth[r] = 0; queue[tail++] = r; }
  while (head < tail) {
    const v = queue[head++]!;
    let k = adj.start[v]!;
    for (const e of nodes[v]!.out) {
      if (!e.defined) continue;
      const w = adj.targets[k++]!;
      if (depth[w] !== -1) continue;
      depth[w] = depth[v]! + 1;
      nodes[w]!.via = e;
      queue[tail++] = w;
    }
  }
  for (let i = 0; i < n; i++) if (depth[i]! >= 0) nodes[i]!.depth = depth[i]!;
  // Hooks: one BFS per built-in chain (at most five per table), as a bit mask per node.
  const mask = new Int32Array(n);
  roots.forEach((r, bit) => {
    const seen = new Uint8Array(n);
    seen[r] = 1;
    head = 0;
    tail = 0;
    queue[tail++] = r;
    while (head < tail) {
      const v = queue[head++]!;
      mask[v]! |= 1 << bit;
      for (let k = adj.start[v]!; k < adj.start[v + 1]!; k++) {
        const w = adj.targets[k]!;
        if (!seen[w]) { seen[w] = 1; queue[tail++] = w; }
      }
    }
  });
  // Nodes with the same mask share one (frozen) array.
  const byMask = new Map<number, string[]>();
  for (let i = 0; i < n; i++) {
    const m = mask[i]!;
    if (!m) continue;
    let hooks = byMask.get(m);
    if (!hooks) byMask.set(m, (hooks = Object.freeze(roots.filter((_, bit) => m & (1 << bit)).map((r) => nodes[r]!.name)) as string[]));
    nodes[i]!.hooks = hooks;
  }
}

/**
 * Longest chain of nested jumps starting at a built-in chain, ignoring the edges that close loops: the
 * nesting the kernel's jump stack has to hold (iptables-nft: nf_tables refuses more than NFT_JUMP_STACK_SIZE).
 */
function longestNesting(nodes: ChainNode[], adj: Adjacency): number {
  const n = nodes.length;
  const height = new Int32Array(n);
  const state = new Uint8Array(n); // 1 on the stack, 2 done
  const stackNode = new Int32Array(n);
  const stackEdge = new Int32Array(n);
  let best = 0;
  for (let root = 0; root < n; root++) {
    if (!nodes[root]!.builtin || state[root]) continue;
    let sp = 0;
    stackNode[0] = root;
    stackEdge[0] = adj.start[root]!;
    state[root] = 1;
    while (sp >= 0) {
      const v = stackNode[sp]!;
      const k = stackEdge[sp]!;
      if (k < adj.start[v + 1]!) {
        stackEdge[sp] = k + 1;
        const w = adj.targets[k]!;
        if (!state[w]) { state[w] = 1; sp++; stackNode[sp] = w; stackEdge[sp] = adj.start[w]!; }
        continue;
      }
      let h = 0;
      for (let j = adj.start[v]!; j < adj.start[v + 1]!; j++) {
        const w = adj.targets[j]!;
        if (state[w] === 2 && height[w]! + 1 > h) h = height[w]! + 1;
      }
      height[v] = h;
      state[v] = 2;
      sp--;
    }
    if (height[root]! > best) best = height[root]!;
  }
  return best;
}
