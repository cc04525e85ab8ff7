// Tables the kernel refuses to load because a built-in chain reaches a loop of jumps or gotos (the loop test is
// @chainsight/analyzer's refusedLoops: ip_tables.c mark_source_chains, ebtables.c check_chainloops). Such a table
// is never traversed: the trace reports the refusal, located at the rules that form the loop, instead of walking
// a loop that a goto (no stack push) would make endless.
import { loopPath, loopSteps, refusedLoops } from '@chainsight/analyzer';
import type { Diagnostic, Family, Table } from '@chainsight/grammar';

/** Where the kernel's check lives, for the message. */
function checker(family: Family): string {
  if (family === 'bridge') return 'ebtables.c check_chainloops';
  return `${family === 'ipv6' ? 'ip6_tables.c' : 'ip_tables.c'} mark_source_chains`;
}

/** One error per loop a built-in chain of `table` reaches; [] when the kernel would load the table. */
export function loopRefusals(table: Table, file: string): Diagnostic[] {
  return refusedLoops(table).map((loop) => {
    const [first, ...rest] = loop.edges;
    return {
      code: 'trace/chain-loop',
      severity: 'error' as const,
      file,
      span: first!.rule.target?.span ?? first!.rule.span,
      message: `the kernel refuses to load table ${table.name}: ${loop.kind} loop ${loopPath(loop)} (${loopSteps(loop, file).join(', ')}), reached from ${loop.hooks.join(', ')} (${checker(table.family)}; `
        + 'iptables-nft: "Too many links")',
      hint: 'break the loop (one of these rules should RETURN or go to another chain); nothing is traced through a table the kernel refuses',
      related: rest.map((e) => ({
        file, span: e.rule.target?.span ?? e.rule.span, message: `${e.from} ${e.goto ? 'goes to' : 'jumps to'} ${e.to} here`,
      })),
    };
  });
}
