// Rules that no packet reaching them can match, and the earlier rules that took those packets: the answer behind
// lint's no-unreachable-rule. A rule is hidden when packets do arrive at its chain, its own matches are
// satisfiable, and yet every packet it would match has been taken (or rewritten) by earlier rules — one rule or
// several together, directly or through a jump into a chain that ends them. Everything holds for every value of
// the unknowns (oracles.ts), and a finding names the unknowns its rules test.
//
// On a large ruleset, two walks: the first answers reached/matched for every rule and keeps no set; only when it
// finds hidden rules are their chains' per-rule hit sets kept, in a second walk of those tables, to name the
// blockers. A small ruleset keeps every set in one walk.
import { TRUE, support } from '@chainsight/bdd';
import { findTargetSpec, type Chain, type Rule, type Snapshot, type Table } from '@chainsight/grammar';
import { analyzeSnapshot, type AnalyzeOptions } from './analyze';
import { hookEntry } from './entry';
import type { Unknown } from './oracles';
import { matchSetOf } from './rule-sets';
import { targetTransform } from './transforms';
import { WalkBudgetError, walkTable, type RuleReach } from './walk';

export interface Blocker {
  rule: Rule;
  /** `takes`: the packets end, return or go elsewhere there; `rewrites`: the rule changes what this one reads. */
  how: 'takes' | 'rewrites';
}

export interface HiddenRule {
  table: string;
  chain: string;
  rule: Rule;
  /** The earlier rules of the chain whose packets overlap this rule's, in chain order. */
  by: Blocker[];
  /** The unknown matches (of this rule and its blockers) the answer holds for every outcome of. */
  unknowns: Unknown[];
}

export interface HiddenRules {
  hidden: HiddenRule[];
  /** Tables not checked: their walk stopped at the budget. */
  stopped: WalkBudgetError[];
}

/** Up to this many rules, one walk keeps every rule's sets; beyond, a second walk keeps only what a finding needs. */
const ONE_WALK_RULES = 5000;

export function findHiddenRules(snapshot: Snapshot, options: Pick<AnalyzeOptions, 'budget' | 'maxNodes'> = {}): HiddenRules {
  let rules = 0;
  for (const t of snapshot.tables) for (const c of t.chains) rules += c.rules.length;
  const oneWalk = rules <= ONE_WALK_RULES;
  const { space, oracles, tables, stopped } = analyzeSnapshot(snapshot, { ...options, verdicts: false, ...(oneWalk ? { keep: () => true } : {}) });
  const file = snapshot.fileName;
  const byName = new Map<string, Table>();
  for (const t of snapshot.tables) byName.set(t.name, t);
  const hidden: HiddenRule[] = [];
  let chainsByName = new Map<string, Chain>();
  for (const reach of tables) {
    const table = byName.get(reach.table)!;
    // Candidates: reached chains (their first rule gets packets), rules whose own matches can hold, no hit.
    const candidates = new Map<string, Rule[]>();
    for (const [chain, rules] of reach.rules) {
      if (!rules.length || !rules[0]!.reached) continue;
      for (const r of rules) {
        if (r.matched) continue;
        if (space.isEmpty(matchSetOf(space, oracles, r.rule, file))) continue; // its own contradiction: no-contradictory-match
        const list = candidates.get(chain) ?? [];
        list.push(r.rule);
        candidates.set(chain, list);
      }
    }
    if (!candidates.size) continue;
    const keepRules = new Set<Rule>();
    for (const c of table.chains) if (candidates.has(c.name)) for (const r of c.rules) keepRules.add(r);
    let again = reach;
    if (!oneWalk) {
      try {
        again = walkTable({ space, oracles, table, file, entry: (hook) => hookEntry(space, table.name, hook), keep: (r) => keepRules.has(r), verdicts: false });
      } catch (e) {
        if (!(e instanceof WalkBudgetError)) throw e;
        stopped.push(e);
        continue;
      }
    }
    const ends = chainsThatEnd(table);
    chainsByName = new Map(table.chains.map((c) => [c.name, c]));
    for (const [chain, rules] of candidates) {
      const reaches = again.rules.get(chain)!;
      for (const rule of rules) {
        const overlapping = blockersOf(rule, reaches, ends);
        if (!overlapping.length) continue; // nothing earlier overlaps: the chain's entry excludes it (a hook's context), not a shadow
        const by = fewestCovering(rule, reaches[0]!.reach!, overlapping) ?? overlapping;
        hidden.push({ table: reach.table, chain, rule, by, unknowns: unknownsOf([rule, ...by.map((b) => b.rule)]) });
      }
    }
  }
  return { hidden, stopped };

  function blockersOf(rule: Rule, reaches: RuleReach[], ends: Set<string>): Blocker[] {
    const m = matchSetOf(space, oracles, rule, file);
    const out: Blocker[] = [];
    for (const rr of reaches) {
      if (rr.rule === rule) break;
      if (rr.hit === null || rr.hit === 0) continue;
      const how = effectOf(rr.rule, ends);
      if (!how) continue;
      if (space.isEmpty(space.bdd.and(rr.hit, m))) continue;
      out.push({ rule: rr.rule, how });
    }
    return out;
  }

  /**
   * The reason a reader expects: the fewest earlier rules that end every packet they match and whose matches
   * together hold every packet of the chain this rule matches (a catch-all DROP, not also the ACCEPT of `lo`
   * above it that took some of those packets first). Null when such rules do not cover it (a jump into a chain
   * that ends only some packets, a rewrite): then every overlapping rule is named.
   */
  function fewestCovering(rule: Rule, entry: number, overlapping: Blocker[]): Blocker[] | null {
    const { bdd } = space;
    const want = bdd.and(entry, matchSetOf(space, oracles, rule, file));
    const whole = overlapping.filter((b) => endsAll(b.rule));
    const sets = new Map(whole.map((b) => [b, matchSetOf(space, oracles, b.rule, file)]));
    const single = whole.find((b) => space.isEmpty(bdd.diff(want, sets.get(b)!)));
    if (single) return [single];
    let rest = want;
    const chosen: Blocker[] = [];
    for (const b of whole) {
      if (space.isEmpty(bdd.and(rest, sets.get(b)!))) continue;
      chosen.push(b);
      rest = bdd.diff(rest, sets.get(b)!);
      if (space.isEmpty(rest)) break;
    }
    if (!space.isEmpty(rest)) return null;
    // Drop any chosen rule the others already cover.
    for (let i = chosen.length - 1; i >= 0 && chosen.length > 1; i--) {
      let others = 0;
      for (const c of chosen) if (c !== chosen[i]) others = bdd.or(others, sets.get(c)!);
      if (space.isEmpty(bdd.diff(want, others))) chosen.splice(i, 1);
    }
    return chosen;
  }

  /**
   * The rule's target ends (or returns, or sends elsewhere) every packet it matches: a verdict, a goto, a
   * terminating target, or a jump into a chain that does (an unconditional ending rule before any RETURN).
   */
  function endsAll(rule: Rule, seen = new Set<string>()): boolean {
    const t = rule.target;
    if (!t) return false;
    if (t.type === 'verdict' || t.goto || findTargetSpec(rule.family, t.name)?.terminating) return true;
    const chain = chainsByName.get(t.name);
    if (!chain || seen.has(chain.name)) return false;
    seen.add(chain.name);
    for (const r of chain.rules) {
      const rt = r.target;
      if (!rt) continue;
      if (rt.type === 'verdict' && rt.name === 'RETURN') return false;
      if (rt.goto) return matchSetOf(space, oracles, r, file) === TRUE && endsAll(r, seen);
      if (matchSetOf(space, oracles, r, file) === TRUE && endsAll(r, seen)) return true;
    }
    return false;
  }

  function effectOf(rule: Rule, ends: Set<string>): Blocker['how'] | null {
    const t = rule.target;
    if (!t) return null;
    if (t.type === 'verdict') return 'takes';
    if (t.goto) return 'takes';
    if (t.type === 'chain') return ends.has(t.name) ? 'takes' : null;
    if (findTargetSpec(rule.family, t.name)?.terminating) return 'takes';
    return targetTransform(space, t, []) ? 'rewrites' : null;
  }

  function unknownsOf(rules: Rule[]): Unknown[] {
    const f = space.f.oracles;
    if (!f) return [];
    const seen = new Set<number>();
    for (const r of rules)
      for (const v of support(space.bdd, matchSetOf(space, oracles, r, file)))
        if (v >= f.first && v < f.first + f.width) seen.add(v - f.first);
    return [...seen].sort((a, b) => a - b).map((i) => oracles.unknowns[i]!);
  }
}

/**
 * The user chains some of whose packets never come back to the caller: a rule in them (or in a chain they
 * jump or go to) accepts, drops, queues or ends the packet with a terminating target. RETURN and the chain's
 * end give packets back.
 */
function chainsThatEnd(table: Table): Set<string> {
  const chains = new Map<string, Chain>();
  for (const c of table.chains) chains.set(c.name, c);
  const ends = new Set<string>();
  let changed = true;
  while (changed) {
    changed = false;
    for (const c of table.chains) {
      if (c.builtin || ends.has(c.name)) continue;
      const ending = c.rules.some((r) => {
        const t = r.target;
        if (!t) return false;
        if (t.type === 'verdict') return t.name !== 'RETURN';
        if (chains.has(t.name)) return ends.has(t.name);
        return !!findTargetSpec(r.family, t.name)?.terminating;
      });
      if (ending) {
        ends.add(c.name);
        changed = true;
      }
    }
  }
  return ends;
}
