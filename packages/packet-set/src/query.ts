// "Which packets …?" within one table: the packets that reach a rule or are matched by it, that a built-in
// chain ends with a verdict, that MASQUERADE takes, that a DNAT sends to an address. The answer is a set (shown
// as regions by regions.ts), computed by the same walk as every reach set, from the entries of the hooks asked
// about, each narrowed by the caller's constraint (a match set: "-i docker0 -p tcp").
//
// Scope: one table, each built-in chain from its own hook's entry. What happens before the table (NAT rewriting,
// routing, other tables) is not followed; the answer says so.
import { FALSE, TRUE } from '@chainsight/bdd';
import { builtinChains, type Rule, type Snapshot, type Table } from '@chainsight/grammar';
import { deviceAlphabet, oracleCapacity, ruleOracleCapacity } from './analyze';
import { hookEntry } from './entry';
import { ruleMatchSet } from './matches/index';
import { Oracles, type Unknown } from './oracles';
import { PacketSpace } from './space';
import { walkTable } from './walk';

export type QueryGoal =
  /** The packets the rule matches (its target acts on them), or with `reach`, the packets that arrive at it. */
  | { kind: 'rule'; chain: string; index: number; reach: boolean }
  /** The packets a built-in chain of the table ends with this verdict (ACCEPT, DROP, REJECT, `policy DROP`, …). */
  | { kind: 'verdict'; verdict: string }
  /** The packets a MASQUERADE rule takes. */
  | { kind: 'masquerade' }
  /** The packets a DNAT rule sends to this address (its --to-destination range holds it). */
  | { kind: 'dnat'; to: bigint };

export interface QueryInput {
  snapshot: Snapshot;
  table: string;
  /** Built-in chains (hooks) to enter from; default every built-in chain of the table. */
  hooks?: string[];
  goal: QueryGoal;
  /** A rule whose matches narrow the packets entering (its target is ignored); null for none. */
  constraint: Rule | null;
  /** Device names the constraint uses beyond the ruleset's own (so they are classes of their own). */
  devices?: string[];
  budget?: number;
}

export interface QueryAnswer {
  space: PacketSpace;
  /** The packets the hooks asked about can be at all (their entries): what the regions need not repeat. */
  care: number;
  /** The answer's set (over all encodings; see PacketSpace.valid). */
  set: number;
  /** The rules whose hit sets make the answer (the goal's rule, the MASQUERADE or DNAT rules). */
  rules: Rule[];
  hooks: string[];
  /** The unknown matches the answer's rules depend on, by oracle index. */
  unknowns: Unknown[];
  oracles: Oracles;
  /** What the answer does not follow. */
  scope: string[];
}

export class QueryError extends Error {}

export function querySnapshot(input: QueryInput): QueryAnswer {
  const { snapshot, goal } = input;
  if (snapshot.family === 'bridge') throw new QueryError('ebtables rulesets are not yet analysed as packet sets');
  const table = snapshot.tables.find((t) => t.name === input.table);
  if (!table) throw new QueryError(`${snapshot.fileName} has no table ${input.table} (it has ${snapshot.tables.map((t) => t.name).join(', ') || 'no tables'})`);
  const builtins = (builtinChains(snapshot.family, table.name) ?? []).filter((h) => table.chains.some((c) => c.name === h && c.builtin));
  const hooks = input.hooks ?? builtins;
  for (const h of hooks) if (!builtins.includes(h)) throw new QueryError(`table ${table.name} of ${snapshot.fileName} has no built-in chain ${h} (it has ${builtins.join(', ')})`);
  const rules = goalRules(table, goal);
  const alphabet = deviceAlphabet(snapshot, input.devices ?? []);
  const capacity = 1 + oracleCapacity(snapshot) + (input.constraint ? ruleOracleCapacity(input.constraint) : 0);
  const space = new PacketSpace(snapshot.family, alphabet, capacity, { backend: snapshot.backend });
  const oracles = new Oracles(capacity);
  let narrow = input.constraint ? ruleMatchSet(input.constraint, { space, oracles, rule: input.constraint, file: '(constraint)' }) : TRUE;
  space.collector.hold({ roots: (out) => out.push(narrow), remap: (m) => (narrow = m[narrow]!) });
  const keep = new Set<Rule>(rules);
  const reach = walkTable({
    space, oracles, table, file: snapshot.fileName,
    entry: (hook) => (hooks.includes(hook) ? space.bdd.and(hookEntry(space, table.name, hook), narrow) : FALSE),
    keep: (r) => keep.has(r), verdicts: goal.kind === 'verdict',
    ...(input.budget !== undefined ? { budget: input.budget } : {}),
  });
  const { bdd } = space;
  let set = FALSE;
  if (goal.kind === 'verdict') {
    for (const e of reach.entries.values()) set = bdd.or(set, e.verdicts.get(goal.verdict) ?? FALSE);
  } else {
    for (const r of rules) {
      const rr = reach.rules.get(r.chain)!.find((x) => x.rule === r)!;
      set = bdd.or(set, (goal.kind === 'rule' && goal.reach ? rr.reach : rr.hit) ?? FALSE);
    }
  }
  const scope = [
    `within table ${table.name}, entering ${hooks.join(', ')} as each hook's built-in chain sees packets; what earlier tables and hooks do (NAT, marks, routing) is not followed`,
  ];
  if (reach.notes.length) scope.push(...reach.notes);
  let care = FALSE;
  for (const h of hooks) care = bdd.or(care, hookEntry(space, table.name, h));
  return { space, care, set, rules, hooks, unknowns: [...oracles.unknowns], oracles, scope };
}

function goalRules(table: Table, goal: QueryGoal): Rule[] {
  switch (goal.kind) {
    case 'rule': {
      const chain = table.chains.find((c) => c.name === goal.chain);
      if (!chain) throw new QueryError(`table ${table.name} has no chain ${goal.chain}`);
      const rule = chain.rules[goal.index - 1];
      if (!rule) throw new QueryError(`chain ${goal.chain} of table ${table.name} has ${chain.rules.length} rule${chain.rules.length === 1 ? '' : 's'}, not ${goal.index}`);
      return [rule];
    }
    case 'verdict':
      return [];
    case 'masquerade':
      return table.chains.flatMap((c) => c.rules.filter((r) => r.target?.name === 'MASQUERADE'));
    case 'dnat':
      return table.chains.flatMap((c) => c.rules.filter((r) => r.target?.name === 'DNAT' && dnatHolds(r, goal.to)));
  }
}

/** The DNAT rule's --to-destination range holds the address (`10.244.1.5:8080`, `10.0.0.1-10.0.0.9`). */
function dnatHolds(rule: Rule, to: bigint): boolean {
  for (const o of rule.target!.options) {
    if (o.key !== 'to-destination') continue;
    const v = o.value;
    if (v.type === 'nat-range' && v.addressFrom !== null) {
      if (to >= v.addressFrom && to <= (v.addressTo ?? v.addressFrom)) return true;
    }
  }
  return false;
}
