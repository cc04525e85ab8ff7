// A rule's match set: the base options, then every match, in order (the kernel evaluates them left to right;
// as sets, order does not matter).
import type { Match, Rule } from '@chainsight/grammar';
import { ipBaseSet } from './base';
import type { SymCtx, SymMatch } from './context';
import { unknown } from './context';
import { PACKET_MATCHES } from './packet';
import { STATE_MATCHES } from './state';

export type { SymCtx, SymMatch } from './context';

/**
 * Modules whose answer is a function of the packet and of host state that does not change while one packet is
 * judged: equal texts share one unknown. Everything else not modelled (rate limits, random draws, recent lists,
 * connection counters, unknown modules) is an event of its own at each evaluation.
 */
const DETERMINISTIC = new Set([
  'set', 'string', 'owner', 'addrtype', 'rpfilter', 'physdev', 'mac', 'policy', 'devgroup', 'realm', 'helper', 'u32', 'bpf',
  'cgroup', 'socket', 'ipvs', 'time', 'connlabel', 'tcpmss', 'frag', 'rt', 'hbh', 'dst', 'ipv6header', 'ipv4options',
  'esp', 'ah', 'mh', 'cluster', 'osf', 'iprange6',
]);

const REASONS = new Map<string, string>([
  ['set', 'the ipset contents are not part of the snapshot'],
  ['recent', 'the recent list is state the snapshot does not hold'],
  ['limit', 'a rate limit depends on the traffic before this packet'],
  ['hashlimit', 'a rate limit depends on the traffic before this packet'],
  ['statistic', 'a random or counted draw'],
  ['addrtype', "the host's addresses are host facts"],
  ['owner', 'the socket owner is not part of the packet'],
  ['string', 'the payload is not part of the packet set'],
  ['time', 'the time of day is not part of the packet set'],
  ['physdev', 'bridge ports are not part of the IP packet set yet'],
  ['mac', 'link-layer addresses are not part of the IP packet set yet'],
]);

const MODELLED = new Map<string, SymMatch>([...PACKET_MATCHES, ...STATE_MATCHES]);

/** Whether the module has a symbolic meaning here (the rest are unknowns). */
export function isModelled(module: string): boolean {
  return MODELLED.has(module);
}

export function matchSet(m: Match, c: SymCtx): number {
  // xt_recent.c recent_mt(): `--set` adds the address and always matches (trace's matches-fork.ts `recent`);
  // only the checks (--rcheck, --update, --remove) depend on the list.
  if (m.known && m.module === 'recent') {
    const set = m.options.find((o) => o.key === 'set');
    if (set) return set.negated ? 0 : 1;
  }
  const sym = m.known ? MODELLED.get(m.module) : undefined;
  if (sym) return sym(m, c);
  const reason = REASONS.get(m.module) ?? (m.known ? `-m ${m.module} is not modelled as a packet set` : `-m ${m.spelling} is not a known match`);
  return unknown(c, m, reason, m.known && DETERMINISTIC.has(m.module));
}

export function ruleMatchSet(rule: Rule, c: SymCtx): number {
  let r = ipBaseSet(c, rule);
  for (const m of rule.matches) {
    if (r === 0) break;
    r = c.space.bdd.and(r, matchSet(m, c));
  }
  return r;
}
