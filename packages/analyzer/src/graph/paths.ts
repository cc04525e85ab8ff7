// Paths through the chain graph, for related locations ("reached from POSTROUTING through this jump").
import type { ChainEdge, TableGraph } from './types';

/** The shortest chain of jumps from `from` to `to` (empty when they are the same chain), or null. */
export function jumpPath(graph: TableGraph, from: string, to: string): ChainEdge[] | null {
  if (from === to) return [];
  const prev = new Map<string, ChainEdge>();
  const queue = [from];
  const seen = new Set([from]);
  for (let i = 0; i < queue.length; i++) {
    const n = graph.nodes.get(queue[i]!);
    if (!n) continue;
    for (const e of n.out) {
      if (!e.defined || seen.has(e.to)) continue;
      seen.add(e.to);
      prev.set(e.to, e);
      if (e.to === to) {
        const path: ChainEdge[] = [];
        for (let at: string = to; at !== from; at = prev.get(at)!.from) path.unshift(prev.get(at)!);
        return path;
      }
      queue.push(e.to);
    }
  }
  return null;
}
