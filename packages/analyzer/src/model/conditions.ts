// A rule's match conditions as a set of atomic predicates (ANDed), for syntactic subsumption: when every
// predicate of rule A is also a predicate of rule B, every packet B matches is matched by A.
// Only sound for pure predicates (a function of the packet and state at that point): stateful or random
// matches (statistic, limit, recent, quota…) are not, and unknown modules are treated as not.
import type { Match, OptionEntry, Rule } from '@chainsight/grammar';
import { optionKey } from './values';

/**
 * Match modules that keep state, draw random numbers or change state when evaluated: two identical ones are
 * not the same predicate, and their order relative to other matches matters (the kernel evaluates matches in
 * order and stops at the first that fails: `-m tcp --dport 80 -m limit` spends tokens on port 80 only).
 */
export const STATEFUL_MODULES = new Set(['statistic', 'limit', 'hashlimit', 'dstlimit', 'recent', 'quota', 'nth', 'random', 'fuzzy', 'psd', 'account', 'connlimit']);

/** Matches that never reject a packet: comments, and ebtables watchers (`--log`, `--nflog`, `--ulog`). */
export function isNonCondition(m: Match, bridge: boolean): boolean {
  if (m.module === 'comment') return true;
  return bridge && (m.module === 'log' || m.module === 'nflog' || m.module === 'ulog');
}

/** Whether the match is a pure predicate (same packet, same answer, no side effect). */
export function isPureMatch(m: Match): boolean {
  if (!m.known || m.module === '' || STATEFUL_MODULES.has(m.module)) return false;
  // ipset counters are updated by the match itself.
  if (m.module === 'set' && m.options.some((o) => /^(?:packets|bytes)-/.test(o.key))) return false;
  return m.options.every((o) => o.known);
}

/**
 * Modules whose options are independent conditions on separate fields (the kernel ANDs them), so each option
 * is its own predicate: `-m tcp --dport 22` is then part of `-m tcp --sport 1024:65535 --dport 22`.
 * Other modules are one predicate as a whole (their options modify each other: `--limit-iface-in`, `--algo`).
 */
const SPLIT_MODULES = new Set([
  'tcp', 'udp', 'udplite', 'dccp', 'icmp', 'icmp6', 'conntrack', 'state', 'mark', 'connmark', 'mac', 'iprange',
  'pkttype', 'length', 'ttl', 'hl', 'dscp', 'tos', 'physdev', 'multiport', 'devgroup', 'helper', 'ecn', 'tcpmss',
  'ip', 'ip6', 'arp', 'vlan', 'mark_m', '802_3',
]);

/** True when the option matches every packet: `-s 0.0.0.0/0`, `-p all`, `-i +`. */
export function isTrivialBase(o: OptionEntry): boolean {
  if (o.negated) return false;
  const v = o.value;
  if (v.type === 'address') return v.mask === 0n;
  if (v.type === 'protocol') return v.number === 0;
  if (v.type === 'interface') return v.wildcard && v.name === '';
  return false;
}

/** The rule matches every packet: no conditions other than comments, watchers and trivially true base options. */
export function isUnconditional(rule: Rule): boolean {
  const bridge = rule.family === 'bridge';
  return rule.base.every(isTrivialBase) && rule.matches.every((m) => isNonCondition(m, bridge));
}

export interface ConditionSet {
  /** Sorted, distinct predicate keys. */
  keys: readonly string[];
  /** Every predicate is pure. */
  pure: boolean;
}

const cache = new WeakMap<Rule, ConditionSet>();

export function conditionsOf(rule: Rule): ConditionSet {
  let c = cache.get(rule);
  if (c) return c;
  const bridge = rule.family === 'bridge';
  const keys = new Set<string>();
  let pure = true;
  for (const o of rule.base) if (!isTrivialBase(o)) keys.add(`base:${optionKey(o)}`);
  for (const m of rule.matches) {
    if (isNonCondition(m, bridge)) continue;
    if (!isPureMatch(m)) pure = false;
    if (SPLIT_MODULES.has(m.module) && m.known) {
      for (const o of m.options) keys.add(`${m.module}:${optionKey(o)}`);
    } else {
      keys.add(`${m.module || m.spelling}{${m.options.map(optionKey).sort().join(' ')}}`);
    }
  }
  c = { keys: [...keys].sort(), pure };
  cache.set(rule, c);
  return c;
}
