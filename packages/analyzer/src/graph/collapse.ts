// A drawable view of a table's chain graph: chains that share a name prefix (`KUBE-SEP-*`, thousands in a
// kube-proxy snapshot) become one node with counts, and parallel edges become one edge with a count. Built-in
// chains are never grouped. Used by the dot, mermaid and json renderers.
import { printRuleArgs, type Rule } from '@chainsight/grammar';
import type { TableGraph } from './types';

export interface CollapseOptions {
  /** Draw every chain (no grouping). */
  expand?: boolean;
  /** Group only when the table has more chains than this (default 40). */
  maxChains?: number;
  /** Smallest group worth a node (default 4). */
  minGroup?: number;
}

export interface CollapsedNode {
  /** Unique within the table. */
  id: string;
  kind: 'builtin' | 'chain' | 'group' | 'undefined';
  /** Chain name, or `PREFIX*` for a group. */
  name: string;
  policy: string | null;
  /** Chains in the node (1 unless a group). */
  chains: number;
  rules: number;
  /** Hooks (built-in chains) reaching any chain of the node. */
  hooks: string[];
  /** Part of a loop of jumps or gotos. */
  inLoop: boolean;
}

export interface CollapsedEdge {
  from: string;
  to: string;
  /** Jumps and gotos folded into this edge. */
  count: number;
  /** Every folded rule is a goto. */
  goto: boolean;
  /** The rules, in table order (one when count is 1). */
  rules: Rule[];
  /** Part of a loop of jumps or gotos. */
  inLoop: boolean;
}

export interface CollapsedGraph {
  table: string;
  nodes: CollapsedNode[];
  edges: CollapsedEdge[];
  /** Whether any chains were grouped. */
  collapsed: boolean;
}

/** `KUBE-SEP-ABC123` → `KUBE-SEP-`; `filter_1013` → `filter_`; null when the name has no separator. */
export function namePrefix(name: string): string | null {
  const i = Math.max(name.lastIndexOf('-'), name.lastIndexOf('_'));
  return i > 0 && i < name.length - 1 ? name.slice(0, i + 1) : null;
}

export function collapseGraph(graph: TableGraph, options: CollapseOptions = {}): CollapsedGraph {
  const maxChains = options.maxChains ?? 40;
  const minGroup = options.minGroup ?? 4;
  const group = new Map<string, string>(); // chain name → group prefix
  if (!options.expand && graph.nodes.size > maxChains) {
    const members = new Map<string, string[]>();
    for (const n of graph.nodes.values()) {
      if (n.builtin) continue;
      const p = namePrefix(n.name);
      if (p === null) continue;
      const list = members.get(p);
      if (list) list.push(n.name);
      else members.set(p, [n.name]);
    }
    for (const [p, names] of members) if (names.length >= minGroup) for (const n of names) group.set(n, p);
  }
  const loopChains = new Set(graph.cycles.flatMap((c) => c.component));
  const loopRules = new Set(graph.cycles.flatMap((c) => c.edges.map((e) => e.rule)));
  const nodes = new Map<string, CollapsedNode>();
  const idOf = (chain: string) => {
    const g = group.get(chain);
    return g !== undefined ? `group:${g}` : `chain:${chain}`;
  };
  for (const n of graph.nodes.values()) {
    const id = idOf(n.name);
    const existing = nodes.get(id);
    if (existing) {
      existing.chains++;
      existing.rules += n.ruleCount;
      for (const h of n.hooks) if (!existing.hooks.includes(h)) existing.hooks.push(h);
      existing.inLoop ||= loopChains.has(n.name);
      continue;
    }
    const g = group.get(n.name);
    nodes.set(id, {
      id,
      kind: g !== undefined ? 'group' : n.builtin ? 'builtin' : 'chain',
      name: g !== undefined ? `${g}*` : n.name,
      policy: g !== undefined ? null : n.policy,
      chains: 1,
      rules: n.ruleCount,
      hooks: [...n.hooks],
      inLoop: loopChains.has(n.name),
    });
  }
  for (const e of graph.undefinedTargets) {
    const id = `undefined:${e.to}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'undefined', name: e.to, policy: null, chains: 0, rules: 0, hooks: [], inLoop: false });
  }
  const edges = new Map<string, CollapsedEdge>();
  for (const e of graph.edges) {
    const from = idOf(e.from);
    const to = e.defined ? idOf(e.to) : `undefined:${e.to}`;
    const key = `${from}\u0000${to}`;
    const inLoop = loopRules.has(e.rule);
    const existing = edges.get(key);
    if (existing) {
      existing.count++;
      existing.goto &&= e.goto;
      existing.rules.push(e.rule);
      existing.inLoop ||= inLoop;
    } else edges.set(key, { from, to, count: 1, goto: e.goto, rules: [e.rule], inLoop });
  }
  return { table: graph.name, nodes: [...nodes.values()], edges: [...edges.values()], collapsed: group.size > 0 };
}

/**
 * A short label for a collapsed edge: the conditions of the jumping rule (comments left out; the comment
 * itself when the rule has no other condition), or how many rules jump.
 */
export function edgeLabel(e: CollapsedEdge, maxLength = 48): string {
  if (e.count > 1) return `${e.count} ${e.goto ? 'gotos' : 'jumps'}`;
  const r = e.rules[0]!;
  const args = printRuleArgs({ ...r, matches: r.matches.filter((m) => m.module !== 'comment'), target: null }).replace(/ ?-j CONTINUE$/, '');
  const what = args || (r.comment ? JSON.stringify(r.comment) : '');
  const text = `#${r.index}${what ? ` ${what}` : ''}`;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

/** A node label's lines: name, then policy and counts. */
export function nodeLines(n: CollapsedNode): string[] {
  const rules = `${n.rules} rule${n.rules === 1 ? '' : 's'}`;
  switch (n.kind) {
    case 'builtin': return [n.name, `policy ${n.policy ?? 'ACCEPT'} · ${rules}`];
    case 'chain': return [n.name, n.policy ? `policy ${n.policy} · ${rules}` : rules];
    case 'group': return [n.name, `${n.chains} chains · ${rules}`];
    case 'undefined': return [n.name, 'undefined chain'];
  }
}
