// Builds the chain graph of every table: nodes, jump/goto edges, which built-in chains reach each chain,
// depth, loops, undefined targets and unreferenced chains. Linear in rules + chains; no recursion (a crafted
// file may nest chains thousands deep).
import type { Snapshot, Table } from '@chainsight/grammar';
import { findCycles } from './cycles';
import type { ChainEdge, ChainGraph, ChainNode, TableGraph } from './types';

export function buildChainGraph(snapshot: Snapshot): ChainGraph {
  return { snapshot, family: snapshot.family, tables: snapshot.tables.map(buildTableGraph) };
}

export function findTableGraph(graph: ChainGraph, table: string): TableGraph | undefined {
  return graph.tables.find((t) => t.name === table);
}

export function buildTableGraph(table: Table): TableGraph {
  const nodes = new Map<string, ChainNode>();
  for (const chain of table.chains) {
    nodes.set(chain.name, {
      name: chain.name, chain, builtin: chain.builtin, policy: chain.policy, ruleCount: chain.rules.length,
      out: [], in: [], hooks: [], depth: null, via: null,
    });
  }
  const edges: ChainEdge[] = [];
  const undefinedTargets: ChainEdge[] = [];
  for (const chain of table.chains) {
    const from = nodes.get(chain.name)!;
    for (const rule of chain.rules) {
      const t = rule.target;
      if (!t || t.type !== 'chain') continue;
      const to = nodes.get(t.name);
      const edge: ChainEdge = { from: chain.name, to: t.name, rule, goto: t.goto, defined: !!to };
      edges.push(edge);
      from.out.push(edge);
      if (to) to.in.push(edge);
      else undefinedTargets.push(edge);
    }
  }
  markReach(table, nodes);
  const cycles = findCycles(table, nodes);
  const unreferenced = [...nodes.values()].filter((n) => !n.builtin && !n.in.some((e) => e.from !== n.name));
  return {
    table, name: table.name, family: table.family, nodes, edges, undefinedTargets, unreferenced, cycles,
    maxDepth: longestNesting(nodes),
  };
}

/** Breadth-first from every built-in chain: hooks, shortest depth and the edge each chain is first reached by. */
function markReach(table: Table, nodes: Map<string, ChainNode>): void {
  const roots = table.chains.filter((c) => c.builtin).map((c) => nodes.get(c.name)!);
  // Shortest depth: one multi-source BFS.
  let frontier = roots;
  for (const r of roots) r.depth = 0;
  for (let d = 1; frontier.length; d++) {
    const next: ChainNode[] = [];
    for (const n of frontier) {
      for (const e of n.out) {
        const to = nodes.get(e.to);
        if (!to || to.depth !== null) continue;
        to.depth = d;
        to.via = e;
        next.push(to);
      }
    }
    frontier = next;
  }
  // Hooks: one BFS per built-in chain (at most five per table).
  for (const root of roots) {
    const seen = new Set<ChainNode>([root]);
    const queue = [root];
    for (let i = 0; i < queue.length; i++) {
      const n = queue[i]!;
      n.hooks.push(root.name);
      for (const e of n.out) {
        const to = nodes.get(e.to);
        if (to && !seen.has(to)) { seen.add(to); queue.push(to); }
      }
    }
  }
}

/**
 * Longest chain of nested jumps starting at a built-in chain, ignoring the edges that close loops: the
 * nesting the kernel's jump stack has to hold (iptables-nft: nf_tables rejects more than NFT_JUMP_STACK_SIZE).
 */
function longestNesting(nodes: Map<string, ChainNode>): number {
  const height = new Map<ChainNode, number>();
  const state = new Map<ChainNode, 1 | 2>(); // 1 on the stack, 2 done
  let best = 0;
  for (const root of nodes.values()) {
    if (!root.builtin) continue;
    const stack: { node: ChainNode; i: number }[] = [{ node: root, i: 0 }];
    state.set(root, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      if (top.i < top.node.out.length) {
        const to = nodes.get(top.node.out[top.i++]!.to);
        if (to && !state.has(to)) { state.set(to, 1); stack.push({ node: to, i: 0 }); }
        continue;
      }
      let h = 0;
      for (const e of top.node.out) {
        const to = nodes.get(e.to);
        if (to && state.get(to) === 2) h = Math.max(h, height.get(to)! + 1);
      }
      height.set(top.node, h);
      state.set(top.node, 2);
      stack.pop();
    }
    best = Math.max(best, height.get(root) ?? 0);
  }
  return best;
}
