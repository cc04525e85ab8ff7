// Jump loops: Tarjan's strongly connected components (iterative, on the integer adjacency of build.ts), then
// one concrete loop per component found by a breadth-first search back to its first chain. The kernel refuses
// a loop reachable from a hook (ip_tables.c mark_source_chains: -ELOOP; nf_tables_check_loops when a jump is
// added) — observed: `RULE_APPEND failed (Too many links)`; an unreachable loop is accepted by both backends.
import type { ChainEdge, ChainNode, Cycle } from './types';

/** Defined jumps as compressed rows: the targets of node i are targets[start[i] .. start[i+1]). */
export interface Adjacency {
  start: Int32Array;
  targets: Int32Array;
}

export function findCycles(nodes: ChainNode[], adj: Adjacency): Cycle[] {
  const n = nodes.length;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack = new Int32Array(n);
  let sp = 0;
  const workNode = new Int32Array(n);
  const workEdge = new Int32Array(n);
  const cycles: { first: number; cycle: Cycle }[] = [];
  let counter = 0;
  for (let s = 0; s < n; s++) {
    if (index[s] !== -1) continue;
    let wp = 0;
    workNode[0] = s;
    workEdge[0] = adj.start[s]!;
    index[s] = low[s] = counter++;
    stack[sp++] = s;
    onStack[s] = 1;
    while (wp >= 0) {
      const v = workNode[wp]!;
      const k = workEdge[wp]!;
      if (k < adj.start[v + 1]!) {
        workEdge[wp] = k + 1;
        const w = adj.targets[k]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          wp++;
          workNode[wp] = w;
          workEdge[wp] = adj.start[w]!;
        } else if (onStack[w] && index[w]! < low[v]!) low[v] = index[w]!;
        continue;
      }
      wp--;
      if (wp >= 0) {
        const parent = workNode[wp]!;
        if (low[v]! < low[parent]!) low[parent] = low[v]!;
      }
      if (low[v] === index[v]) {
        const component: number[] = [];
        let w: number;
        do { w = stack[--sp]!; onStack[w] = 0; component.push(w); } while (w !== v);
        const loop = loopIn(component, nodes, adj);
        if (loop) cycles.push(loop);
      }
    }
  }
  // Report loops in the order their first chain is declared (component members are declaration indices).
  return cycles.sort((a, b) => a.first - b.first).map(({ cycle }) => cycle);
}

function loopIn(component: number[], nodes: ChainNode[], adj: Adjacency): { first: number; cycle: Cycle } | null {
  const ordered = [...component].sort((a, b) => a - b);
  const start = ordered[0]!;
  if (component.length === 1) {
    const only = nodes[start]!;
    const self = only.out.find((e) => e.to === only.name);
    return self ? { first: start, cycle: { chains: [only.name], edges: [self], component: [only.name] } } : null;
  }
  const members = new Set(component);
  // Breadth-first from `start` inside the component, back to `start`.
  const prev = new Map<number, { from: number; edge: ChainEdge }>();
  const queue = [start];
  let closing: { from: number; edge: ChainEdge } | null = null;
  for (let i = 0; i < queue.length && !closing; i++) {
    const v = queue[i]!;
    let k = adj.start[v]!;
    for (const e of nodes[v]!.out) {
      if (!e.defined) continue;
      const w = adj.targets[k++]!;
      if (!members.has(w)) continue;
      if (w === start) { closing = { from: v, edge: e }; break; }
      if (!prev.has(w)) { prev.set(w, { from: v, edge: e }); queue.push(w); }
    }
  }
  const edges: ChainEdge[] = [closing!.edge];
  for (let at = closing!.from; at !== start; at = prev.get(at)!.from) edges.unshift(prev.get(at)!.edge);
  return { first: start, cycle: { chains: edges.map((e) => e.from), edges, component: ordered.map((i) => nodes[i]!.name) } };
}
