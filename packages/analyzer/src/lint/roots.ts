// Chains that count as reached although no built-in chain of the snapshot jumps to them: chains other software
// jumps to by name (config `allowChains`, and optionally the managed chains of managed-chains.ts), and every
// chain reached from those.
import type { TableGraph } from '../graph/types';
import type { LintSettings } from './define';
import { chainOwner } from './managed-chains';

const cache = new WeakMap<TableGraph, WeakMap<LintSettings, Map<boolean, Set<string>>>>();

export function externallyReached(graph: TableGraph, settings: LintSettings, includeManaged: boolean): Set<string> {
  let bySettings = cache.get(graph);
  if (!bySettings) cache.set(graph, (bySettings = new WeakMap()));
  let byFlag = bySettings.get(settings);
  if (!byFlag) bySettings.set(settings, (byFlag = new Map()));
  const hit = byFlag.get(includeManaged);
  if (hit) return hit;
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const n of graph.nodes.values()) {
    if (n.builtin || n.hooks.length) continue;
    if (settings.isAllowedChain(n.name) || (includeManaged && chainOwner(n.name))) { seen.add(n.name); queue.push(n.name); }
  }
  for (let i = 0; i < queue.length; i++) {
    for (const e of graph.nodes.get(queue[i]!)!.out) {
      if (e.defined && !seen.has(e.to)) { seen.add(e.to); queue.push(e.to); }
    }
  }
  byFlag.set(includeManaged, seen);
  return seen;
}
