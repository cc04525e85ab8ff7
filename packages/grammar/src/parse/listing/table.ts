// `iptables -L` does not name the table it lists. It does print every built-in chain of the table with its
// policy (iptables(8): "-L … all chains in the selected table"), and the kernel accepts some targets in one
// table only (their checkentry): together these usually leave one candidate.
import type { Family } from '../../ir/nodes';
import { BUILTIN_CHAINS, findTargetSpec } from '../../registry';
import { inferListingTable } from '../index';

export interface TableEvidence {
  /** Chains printed with `(policy …)`: the built-in chains. */
  builtins: readonly string[];
  /** Target names of the rules. */
  targets: readonly string[];
}

/** Preference among tables with the same built-in chains: `iptables -L` lists filter unless told otherwise. */
const PREFERENCE = ['filter', 'nat', 'mangle', 'raw', 'security'];

export function inferTable(evidence: TableEvidence, family: Family): { table: string; reason: string } {
  const all = BUILTIN_CHAINS.ip;
  const seen = new Set(evidence.builtins);
  let candidates = PREFERENCE.filter((t) => [...seen].every((c) => all[t]!.includes(c)));
  const exact = candidates.filter((t) => all[t]!.length === seen.size);
  const reasons: string[] = [];
  if (seen.size) {
    if (exact.length) candidates = exact;
    reasons.push(`built-in chains ${[...seen].join(', ')}`);
  }
  for (const name of new Set(evidence.targets)) {
    const tables = findTargetSpec(family, name)?.tables;
    if (!tables) continue;
    const narrowed = candidates.filter((t) => tables.includes(t));
    if (narrowed.length && narrowed.length < candidates.length) {
      candidates = narrowed;
      reasons.push(`target ${name} (only in ${tables.join('/')})`);
    }
  }
  if (!candidates.length) return { table: 'filter', reason: 'no table has these built-in chains; read as filter' };
  let table = candidates[0]!;
  if (candidates.length > 1) {
    // The same guess `iptables -S` listings get, from a pseudo -S text of the chains and targets.
    const pseudo = [...evidence.builtins.map((c) => `-P ${c} ACCEPT`), ...evidence.targets.map((t) => `-A X -j ${t}`)].join('\n');
    const guess = inferListingTable(pseudo, family);
    if (candidates.includes(guess)) table = guess;
  }
  return { table, reason: reasons.length ? reasons.join(', ') : 'nothing names another table' };
}
