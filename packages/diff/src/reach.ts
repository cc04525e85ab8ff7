// Which built-in chains (kernel hooks) reach each chain of a table through -j / -g edges.
// Kept here until @chainsight/analyzer's chain graph exists; then this file should go and diff should ask the
// analyzer. Only reachability is needed: a chain is reached from a built-in chain when some path of jumps or
// gotos leads there (ip_tables.c ipt_do_table follows both; -g only changes where RETURN goes back to).
import { builtinChains, type Family, type Table } from '@chainsight/grammar';

/** Built-in chains that reach a chain, in hook order (a built-in chain reaches itself). */
export interface ReachMap {
  /** The table's built-in chains in hook order. */
  hooks: readonly string[];
  /** [] for a chain no built-in chain reaches; undefined for a name that is not a chain of the table. */
  get(chain: string): readonly string[] | undefined;
}

/** Built-in chains of a table in kernel hook order, then any other chain the input marked built-in. */
export function hookOrder(table: Table, family: Family): string[] {
  const known = builtinChains(family, table.name) ?? [];
  const present: string[] = [];
  for (const c of table.chains) if (c.builtin) present.push(c.name);
  return [...known.filter((n) => present.includes(n)), ...present.filter((n) => !known.includes(n))];
}

/**
 * One traversal per hook over chain indexes; each chain keeps a bitmask of the hooks that reach it, and the
 * lists are shared per distinct mask (a kube-proxy nat table has tens of thousands of chains and a few masks).
 */
export function builtinReach(table: Table, family: Family): ReachMap {
  const index = new Map<string, number>();
  table.chains.forEach((c, i) => index.set(c.name, i));
  const edges: number[][] = table.chains.map((c) => {
    const out: number[] = [];
    for (const r of c.rules) {
      const t = r.target ? index.get(r.target.name) : undefined;
      if (t !== undefined && !table.chains[t]!.builtin) out.push(t);
    }
    return out;
  });
  const hooks = hookOrder(table, family);
  const masks = new Uint32Array(table.chains.length);
  hooks.forEach((hook, bit) => {
    const start = index.get(hook)!;
    const flag = 1 << bit;
    const stack = [start];
    masks[start]! |= flag;
    while (stack.length) {
      for (const next of edges[stack.pop()!]!) {
        if (masks[next]! & flag) continue;
        masks[next]! |= flag;
        stack.push(next);
      }
    }
  });
  const lists = new Map<number, readonly string[]>();
  const listOf = (mask: number) => {
    let l = lists.get(mask);
    if (!l) lists.set(mask, (l = hooks.filter((_, bit) => mask & (1 << bit))));
    return l;
  };
  return {
    hooks,
    get: (chain) => {
      const i = index.get(chain);
      return i === undefined ? undefined : listOf(masks[i]!);
    },
  };
}
