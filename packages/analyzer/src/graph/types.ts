// The chain graph's data shapes: per table, chains as nodes and jumps/gotos as edges carrying the rule that
// makes them. Built by `build.ts`; drawn by `render-dot.ts` / `render-mermaid.ts`; read by the lint rules.
import type { Chain, Family, Rule, Snapshot, Table } from '@chainsight/grammar';

/** A `-j CHAIN` or `-g CHAIN` rule, from the chain holding the rule to the chain it names. */
export interface ChainEdge {
  from: string;
  to: string;
  rule: Rule;
  /** `-g`: the called chain returns to the caller's caller (ip_tables.c, ipt_do_table: no stack push). */
  goto: boolean;
  /** False when `to` is not a chain of the table (an undefined target). */
  defined: boolean;
}

export interface ChainNode {
  name: string;
  chain: Chain;
  builtin: boolean;
  /** Built-in chains: ACCEPT/DROP; ebtables user chains: ACCEPT/DROP/RETURN; iptables user chains: null. */
  policy: string | null;
  ruleCount: number;
  /** Jumps and gotos made by this chain's rules, in rule order (undefined targets included). */
  out: ChainEdge[];
  /** Jumps and gotos to this chain, in table order. */
  in: ChainEdge[];
  /**
   * The built-in chains from which this chain is reached (directly or through other chains), in the table's
   * declaration order. A built-in chain is attached to the netfilter hook of the same name, so these are also
   * the hooks whose packets can traverse the chain (the kernel's `comefrom` mask, ip_tables.c mark_source_chains).
   */
  hooks: string[];
  /** Fewest jumps from a built-in chain (0 for a built-in chain), or null when no built-in chain reaches it. */
  depth: number | null;
  /** The edge through which the chain is first reached on a shortest path from a built-in chain. */
  via: ChainEdge | null;
}

/** A loop of jumps and/or gotos: `edges[i]` goes from `chains[i]` to `chains[(i + 1) % n]`. */
export interface Cycle {
  chains: string[];
  edges: ChainEdge[];
  /** Every chain of the strongly connected component the loop was found in (other loops may share it). */
  component: string[];
}

export interface TableGraph {
  table: Table;
  name: string;
  family: Family;
  /** Every chain of the table, in declaration order (a Map: chain names like `__proto__` are legal). */
  nodes: Map<string, ChainNode>;
  /** Every jump and goto, in table order. */
  edges: ChainEdge[];
  /** Edges whose target chain does not exist. */
  undefinedTargets: ChainEdge[];
  /** User chains that no other chain jumps to (a chain that only jumps to itself counts as unreferenced). */
  unreferenced: ChainNode[];
  /** One loop per strongly connected component that has one. */
  cycles: Cycle[];
  /** Longest chain of nested jumps from a built-in chain, loops excluded (0: no jumps). */
  maxDepth: number;
}

export interface ChainGraph {
  snapshot: Snapshot;
  family: Family;
  tables: TableGraph[];
}
