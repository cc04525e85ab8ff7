// Rule shadowing within one chain. A rule is never reached when the packets it matches are all taken earlier
// by rules that end the chain's traversal. The question "do these earlier rules take every packet this rule
// matches?" is asked through the Coverage interface, so that the syntactic answer chainsight gives now can be
// replaced by a semantic one (packet-set algebra: unions of earlier rules) without touching the lint rule.
import type { Chain, Rule } from '@chainsight/grammar';
import { conditionsOf, isUnconditional } from './conditions';
import { isTerminal, mayChangePacket } from './targets';

export interface Coverage {
  /**
   * Every packet that `later` matches is also matched by `earlier` (same chain, `earlier` first, and nothing
   * between them changes the packet or match state).
   */
  covers(earlier: Rule, later: Rule): boolean;
  /**
   * Optional, for semantic implementations: the earlier terminal rules that *together* match every packet
   * `later` matches (a subset of `earlier`, in order), or null when they do not or it is not known.
   */
  coveredByUnion?(later: Rule, earlier: readonly Rule[]): Rule[] | null;
}

/**
 * The syntactic implementation: `earlier` covers `later` when it matches every packet, or when its conditions
 * are pure and each of them is also a condition of `later` (fewer conditions, ANDed, match more packets).
 */
export const syntacticCoverage: Coverage = {
  covers(earlier, later) {
    if (isUnconditional(earlier)) return true;
    const e = conditionsOf(earlier);
    if (!e.pure) return false;
    const l = new Set(conditionsOf(later).keys);
    return e.keys.every((k) => l.has(k));
  },
};

export interface Shadowing {
  rule: Rule;
  /** The earlier rules that take every packet `rule` matches; one rule for the syntactic coverage. */
  by: Rule[];
  /** `by` is a single rule that matches every packet. */
  unconditional: boolean;
}

/**
 * Walks a chain and returns its shadowed rules. Earlier conditional terminal rules are forgotten when a rule
 * that may change the packet or what pure matches read runs in between (`-j MARK`, `-j SET`, a jump to another
 * chain), since a packet may then match a later rule without having matched the earlier one; an earlier
 * unconditional terminal rule blocks everything after it regardless. (Stateful matches only change state that
 * stateful matches read, and those never make a rule a candidate.)
 */
export function findShadowedRules(chain: Chain, coverage: Coverage = syntacticCoverage): Shadowing[] {
  const out: Shadowing[] = [];
  let wall: Rule | null = null;
  let candidates: Rule[] = [];
  // Index of the syntactic coverage: candidates by their first condition key, so a rule is compared only with
  // earlier rules whose conditions it could contain (kube-proxy chains hold thousands of REJECT rules).
  const indexed = coverage === syntacticCoverage;
  let byKey = new Map<string, Rule[]>();
  for (const rule of chain.rules) {
    if (wall) { out.push({ rule, by: [wall], unconditional: true }); continue; }
    const by = candidates.length ? shadowersOf(rule, candidates, byKey, indexed, coverage) : null;
    if (by) { out.push({ rule, by, unconditional: false }); continue; }
    if (isTerminal(rule)) {
      if (isUnconditional(rule)) { wall = rule; continue; }
      const c = conditionsOf(rule);
      if (c.pure || !indexed) {
        candidates.push(rule);
        if (indexed) {
          const k = c.keys[0]!;
          const list = byKey.get(k);
          if (list) list.push(rule);
          else byKey.set(k, [rule]);
        }
      }
    } else if (mayChangePacket(rule)) {
      candidates = [];
      byKey = new Map();
    }
  }
  return out;
}

function shadowersOf(rule: Rule, candidates: Rule[], byKey: Map<string, Rule[]>, indexed: boolean, coverage: Coverage): Rule[] | null {
  if (indexed) {
    const keys = conditionsOf(rule).keys;
    let first: Rule | null = null;
    for (const k of keys) {
      for (const e of byKey.get(k) ?? []) {
        if ((first === null || e.index < first.index) && coverage.covers(e, rule)) first = e;
      }
    }
    return first ? [first] : null;
  }
  for (const e of candidates) if (coverage.covers(e, rule)) return [e];
  return coverage.coveredByUnion?.(rule, candidates) ?? null;
}
