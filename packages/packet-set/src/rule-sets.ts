// Each rule's match set, computed once per space (a rule's unknowns get their oracles once, wherever the rule
// is reached from).
import type { Rule } from '@chainsight/grammar';
import { ruleMatchSet } from './matches/index';
import type { Oracles } from './oracles';
import type { PacketSpace } from './space';

const cache = new WeakMap<PacketSpace, Map<Rule, number>>();

export function matchSetOf(space: PacketSpace, oracles: Oracles, rule: Rule, file: string): number {
  let byRule = cache.get(space);
  if (!byRule) {
    const map = new Map<Rule, number>();
    cache.set(space, (byRule = map));
    space.collector.hold({
      roots: (out) => { for (const v of map.values()) out.push(v); },
      remap: (m) => { for (const [k, v] of map) map.set(k, m[v]!); },
    });
  }
  const hit = byRule.get(rule);
  if (hit !== undefined) return hit;
  const set = ruleMatchSet(rule, { space, oracles, rule, file });
  byRule.set(rule, set);
  return set;
}
