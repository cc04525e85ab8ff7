// Which built-in chains (kernel hooks) reach each chain of a table through -j / -g edges.
// Kept here until @chainsight/analyzer's chain graph exists; then this file should go and diff should ask the
// analyzer. Only reachability is needed: a chain is reached from a built-in chain when some path of jumps or
// gotos leads there (ip_tables.c ipt_do_table follows both; -g only changes where RETURN goes back to).
import { builtinChains, chainMap, type Family, type Table } from '@chainsight/grammar';

/** chain name → built-in chains that reach it, in hook order (a built-in chain reaches itself). */
export type ReachMap = Map<string, readonly string[]>;

/** Built-in chains of a table in kernel hook order, then any other chain the input marked built-in. */
export function hookOrder(table: Table, family: Family): string[] {
  const known = builtinChains(family, table.name) ?? [];
  const present = table.chains.filter((c) => c.builtin).map((c) => c.name);
  return [...known.filter((n) => present.includes(n)), ...present.filter((n) => !known.includes(n))];
}

/** Callees of each chain: the user chains its rules jump or go to (targets that name a chain of the table). */
export function chainEdges(table: Table): Map<string, Set<string>> {
  const chains = chainMap(table);
  const edges = new Map<string, Set<string>>();
  for (const c of table.chains) {
    const out = new Set<string>();
    for (const r of c.rules) {
      const t = r.target;
      if (t && t.name !== c.name && chains.has(t.name) && !chains.get(t.name)!.builtin) out.add(t.name);
    }
    edges.set(c.name, out);
  }
  return edges;
}

export function builtinReach(table: Table, family: Family): ReachMap {
  const edges = chainEdges(table);
  const reach = new Map<string, string[]>();
  for (const c of table.chains) reach.set(c.name, []);
  for (const hook of hookOrder(table, family)) {
    const seen = new Set<string>([hook]);
    const stack = [hook];
    while (stack.length) {
      const name = stack.pop()!;
      reach.get(name)?.push(hook);
      for (const next of edges.get(name) ?? []) {
        if (!seen.has(next)) { seen.add(next); stack.push(next); }
      }
    }
  }
  return reach;
}
