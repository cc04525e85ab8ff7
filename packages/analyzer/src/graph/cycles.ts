// Jump loops: Tarjan's strongly connected components (iterative), then one concrete loop per component found
// by a breadth-first search back to its first chain. The kernel refuses any loop it can reach from a hook
// (ip_tables.c mark_source_chains: "loop" → -ELOOP); nf_tables refuses every loop at rule insertion
// (nf_tables_check_loops), reachable or not — observed: `RULE_APPEND failed (Too many links)`.
import type { Table } from '@chainsight/grammar';
import type { ChainEdge, ChainNode, Cycle } from './types';

export function findCycles(table: Table, nodes: Map<string, ChainNode>): Cycle[] {
  const order = table.chains.map((c) => nodes.get(c.name)!);
  const index = new Map<ChainNode, number>();
  const low = new Map<ChainNode, number>();
  const onStack = new Set<ChainNode>();
  const stack: ChainNode[] = [];
  const cycles: Cycle[] = [];
  const pos = new Map(order.map((n, i) => [n, i]));
  let counter = 0;
  for (const start of order) {
    if (index.has(start)) continue;
    const work: { node: ChainNode; i: number }[] = [{ node: start, i: 0 }];
    index.set(start, counter); low.set(start, counter); counter++;
    stack.push(start); onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1]!;
      const v = top.node;
      if (top.i < v.out.length) {
        const w = nodes.get(v.out[top.i++]!.to);
        if (!w) continue;
        if (!index.has(w)) {
          index.set(w, counter); low.set(w, counter); counter++;
          stack.push(w); onStack.add(w);
          work.push({ node: w, i: 0 });
        } else if (onStack.has(w)) {
          low.set(v, Math.min(low.get(v)!, index.get(w)!));
        }
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const component: ChainNode[] = [];
        let w: ChainNode;
        do { w = stack.pop()!; onStack.delete(w); component.push(w); } while (w !== v);
        const loop = loopIn(component, nodes, pos);
        if (loop) cycles.push(loop);
      }
    }
  }
  // Report loops in the order their first chain is declared.
  return cycles.sort((a, b) => pos.get(nodes.get(a.chains[0]!)!)! - pos.get(nodes.get(b.chains[0]!)!)!);
}

function loopIn(component: ChainNode[], nodes: Map<string, ChainNode>, pos: Map<ChainNode, number>): Cycle | null {
  const members = new Set(component);
  if (component.length === 1) {
    const only = component[0]!;
    const self = only.out.find((e) => e.to === only.name);
    return self ? { chains: [only.name], edges: [self], component: [only.name] } : null;
  }
  const ordered = [...component].sort((a, b) => pos.get(a)! - pos.get(b)!);
  const start = ordered[0]!;
  const prev = new Map<ChainNode, ChainEdge>();
  const queue: ChainNode[] = [start];
  let closing: ChainEdge | null = null;
  for (let i = 0; i < queue.length && !closing; i++) {
    const n = queue[i]!;
    for (const e of n.out) {
      const to = nodes.get(e.to);
      if (!to || !members.has(to)) continue;
      if (to === start) { closing = e; break; }
      if (!prev.has(to)) { prev.set(to, e); queue.push(to); }
    }
  }
  const edges: ChainEdge[] = [closing!];
  for (let at = nodes.get(closing!.from)!; at !== start; at = nodes.get(prev.get(at)!.from)!) edges.unshift(prev.get(at)!);
  return { chains: edges.map((e) => e.from), edges, component: ordered.map((n) => n.name) };
}
