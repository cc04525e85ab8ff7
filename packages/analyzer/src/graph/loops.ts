// Chain loops as the kernel sees them: every `-j CHAIN` and `-g CHAIN` is an edge, whatever its matches. The
// kernel refuses a table in which a loop can be reached from a built-in chain: ip_tables.c / ip6_tables.c
// mark_source_chains() walks every jump and goto from each hook entry and fails (-ELOOP) on an entry it is
// already walking; ebtables.c check_chainloops() does the same for ebtables user chains; nf_tables_check_loops()
// refuses the jump or goto that would close one (iptables-nft: "Too many links"). A loop that no built-in chain
// reaches is accepted. This is the one loop test of the project: lint (no-chain-loop), the chain graph and the
// trace compiler all read it, so a goto loop and a jump loop are the same thing everywhere.
import type { Table } from '@chainsight/grammar';
import { buildTableGraph } from './build';
import type { ChainEdge, Cycle, TableGraph } from './types';

export interface ChainLoop extends Cycle {
  /** The built-in chains that reach the loop (in declaration order); empty when none does (the kernel accepts it). */
  hooks: string[];
  /** 'jump' or 'goto' when every edge is one kind, else 'jump/goto'. */
  kind: 'jump' | 'goto' | 'jump/goto';
}

/** The loops of a table's chain graph (one per strongly connected component), with the hooks reaching each. */
export function loopsOf(graph: TableGraph): ChainLoop[] {
  return graph.cycles.map((c) => ({ ...c, hooks: graph.nodes.get(c.chains[0]!)?.hooks ?? [], kind: loopKind(c.edges) }));
}

/** The loops of one table that make the kernel refuse it: those a built-in chain reaches. */
export function refusedLoops(table: Table): ChainLoop[] {
  return loopsOf(buildTableGraph(table)).filter((l) => l.hooks.length > 0);
}

export function loopKind(edges: readonly ChainEdge[]): ChainLoop['kind'] {
  const gotos = edges.filter((e) => e.goto).length;
  return gotos === 0 ? 'jump' : gotos === edges.length ? 'goto' : 'jump/goto';
}

/** `A → B → A`: the chains of the loop, back to the first. */
export function loopPath(loop: Cycle): string {
  return [...loop.chains, loop.chains[0]].join(' → ');
}

/** One step per edge, citing the rule: `A goes to B (file:7)`. `file` names the file the table came from. */
export function loopSteps(loop: Cycle, file: string): string[] {
  return loop.edges.map((e) => `${e.from} ${e.goto ? 'goes to' : 'jumps to'} ${e.to} (${file}:${e.rule.span.start.line})`);
}
