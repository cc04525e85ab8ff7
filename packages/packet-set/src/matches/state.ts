// Match modules that read the skb's metadata or the conntrack entry, as sets. Concrete twins:
// trace/src/compile/matches-state.ts. The host-dependent ones (addrtype, rpfilter, devgroup, owner …) are
// unknowns here (see index.ts) until a host context feeds the packet set.
import type { SymCtx, SymMatch } from './context';
import { allOf, neg, unknown } from './context';

/** xt_mark.c: `(skb->mark & mask) == value`. */
const mark: SymMatch = (m, c) => {
  const sets: number[] = [];
  for (const o of m.options) {
    if (o.key !== 'mark' || o.value.type !== 'mark') continue;
    sets.push(neg(c, o, c.space.masked(c.space.f.mark, o.value.value >>> 0, o.value.mask >>> 0)));
  }
  return allOf(c, sets);
};

/** xt_connmark.c: the same on ct->mark; no conntrack → no match, whatever the `!`. */
const connmark: SymMatch = (m, c) => {
  const { space } = c;
  const sets: number[] = [tracked(c)];
  for (const o of m.options) {
    if (o.key !== 'mark' || o.value.type !== 'mark') continue;
    sets.push(neg(c, o, space.masked(space.f.ctMark, o.value.value >>> 0, o.value.mask >>> 0)));
  }
  return allOf(c, sets);
};

/** Packets with a conntrack entry (the states other than INVALID and UNTRACKED). */
function tracked(c: SymCtx): number {
  return c.space.ctStates(['NEW', 'ESTABLISHED', 'RELATED']);
}

/** XT_CONNTRACK_STATE bits: the real states plus the virtual SNAT / DNAT (IPS_SRC_NAT / IPS_DST_NAT). */
function stateSet(c: SymCtx, items: readonly string[]): number {
  const { space } = c;
  let s = space.ctStates(items);
  if (items.includes('SNAT')) s = space.bdd.or(s, space.eq(space.f.ctSnat, 1));
  if (items.includes('DNAT')) s = space.bdd.or(s, space.eq(space.f.ctDnat, 1));
  return s;
}

/**
 * xt_conntrack.c conntrack_mt(): --ctstate first (it also decides for packets without a conntrack entry: those
 * pass only the state test), then direction and the rest. Tuples, status and expiry are unknowns here.
 */
const conntrack: SymMatch = (m, c) => {
  const { space } = c;
  const stateOpt = m.options.find((o) => o.key === 'ctstate');
  const others: number[] = [];
  for (const o of m.options) {
    const v = o.value;
    if (o.key === 'ctstate') continue;
    if (o.key === 'ctdir' && v.type === 'string') others.push(space.eq(space.f.ctReply, v.value === 'REPLY' ? 1 : 0));
    else others.push(neg(c, o, unknown(c, m, `--${o.key}: the connection's tuples and status are not part of the packet set`, true, o)));
  }
  const rest = allOf(c, others);
  if (!stateOpt || stateOpt.value.type !== 'list') return space.bdd.and(tracked(c), rest);
  const state = neg(c, stateOpt, stateSet(c, stateOpt.value.items));
  // With a state test, untracked packets stop there (the state test decided); tracked ones go on to the rest.
  return space.bdd.and(state, space.bdd.ite(tracked(c), rest, 1));
};

/** xt_state.c: `(statemask & statebit) != 0` on the real states only. */
const state: SymMatch = (m, c) => {
  const o = m.options.find((x) => x.key === 'state');
  if (!o || o.value.type !== 'list') return 1;
  return neg(c, o, c.space.ctStates(o.value.items));
};

export const STATE_MATCHES = new Map<string, SymMatch>([
  ['mark', mark],
  ['connmark', connmark],
  ['conntrack', conntrack],
  ['state', state],
  ['comment', () => 1],
]);
