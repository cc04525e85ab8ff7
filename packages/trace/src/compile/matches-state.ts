// Match modules that consult the host, the skb's metadata or the conntrack entry: addrtype, mark, connmark,
// conntrack, state, physdev, policy, rpfilter, devgroup, realm, helper, connlabel, ipvs, owner, socket, cgroup.
import type { Conn, SimPacket } from '../sim/state';
import type { MatchCompiler } from './matches-packet';
import { unknownField } from './matches-packet';
import type { EvalCtx, MatchEnv, Pred } from './types';
import { addressTest, all, interfaceTest, neg, portInRange } from './values';

/**
 * xt_addrtype.c addrtype_mt_v1: `match_type(saddr) ^ inv_src`, then (if still true) `match_type(daddr) ^ inv_dst`;
 * the address type is looked up for the input (--limit-iface-in) or output (--limit-iface-out) device or none.
 */
const addrtype: MatchCompiler = (m) => {
  const limitIn = m.options.some((o) => o.key === 'limit-iface-in');
  const limitOut = m.options.some((o) => o.key === 'limit-iface-out');
  const preds: Pred[] = [];
  for (const o of m.options) {
    if ((o.key !== 'src-type' && o.key !== 'dst-type') || o.value.type !== 'list') continue;
    const types = new Set(o.value.items);
    const src = o.key === 'src-type';
    preds.push(neg(o, (p, c) => {
      const a = src ? p.src : p.dst;
      // Without a host context, whether the address is the host's is a fork (sim/host-facts.ts); the
      // --limit-iface-* restriction then has no device addresses to compare with and is not applied.
      if (!c.facts.known) return types.has(c.facts.addrType(p.v, a, types));
      const dev = limitIn ? p.in || null : limitOut ? p.out || null : null;
      return types.has(c.host.addrType(p.v, a, dev));
    }));
  }
  return all(preds);
};

/** xt_mark.c: `(skb->mark & mask) == value`. */
const mark: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'mark');
  if (!o || o.value.type !== 'mark') return null;
  const { value, mask } = o.value;
  return neg(o, (p) => ((p.mark & mask) >>> 0) === value);
};

/** xt_connmark.c: the same on ct->mark; no conntrack → no match (whatever the `!`). */
const connmark: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'mark');
  if (!o || o.value.type !== 'mark') return null;
  const { value, mask } = o.value;
  const inv = o.negated;
  return (p) => p.ct !== null && (((p.ct.mark & mask) >>> 0) === value) !== inv;
};

/** XT_CONNTRACK_STATE bits: real states plus the virtual SNAT/DNAT ones (IPS_SRC_NAT / IPS_DST_NAT). */
export function ctStateNames(p: SimPacket): string[] {
  const names: string[] = [p.ctState];
  if (p.ct !== null) {
    if (p.ct.snat !== null) names.push('SNAT');
    if (p.ct.dnat !== null) names.push('DNAT');
  }
  return names;
}

/** ct->status bits named by --ctstatus (IPS_EXPECTED 1, SEEN_REPLY 2, ASSURED 4, CONFIRMED 8). */
export function ctStatus(p: SimPacket): number {
  const ct = p.ct;
  if (ct === null) return 0;
  let s = 0;
  if (p.ctState === 'ESTABLISHED' || p.ctDir === 'REPLY') s |= 2;
  if (p.ctState === 'ESTABLISHED' && p.proto === 6 && p.ctDir === 'ORIGINAL') s |= 4; // TCP: ASSURED after the handshake
  if (ct.confirmed) s |= 8;
  return s;
}

const STATUS_BITS: Record<string, number> = { NONE: 0, EXPECTED: 1, SEEN_REPLY: 2, ASSURED: 4, CONFIRMED: 8 };

type TupleSel = (ct: Conn) => { addr: bigint; port: number | null };
const TUPLE: Record<string, TupleSel> = {
  ctorigsrc: (ct) => ct.orig.src, ctorigdst: (ct) => ct.orig.dst, ctreplsrc: (ct) => ct.reply.src, ctrepldst: (ct) => ct.reply.dst,
  ctorigsrcport: (ct) => ct.orig.src, ctorigdstport: (ct) => ct.orig.dst, ctreplsrcport: (ct) => ct.reply.src,
  ctrepldstport: (ct) => ct.reply.dst,
};

/**
 * xt_conntrack.c conntrack_mt(): --ctstate first (it also decides for packets without a conntrack: INVALID and
 * UNTRACKED packets pass only the state test), then direction, tuples, protocol, ports, status, expiry.
 */
const conntrack: MatchCompiler = (m, env) => {
  const stateOpt = m.options.find((o) => o.key === 'ctstate');
  const others: Pred[] = [];
  for (const o of m.options) {
    const v = o.value;
    if (o.key === 'ctstate') continue;
    if (o.key === 'ctdir' && v.type === 'string') {
      const want = v.value;
      others.push((p) => p.ctDir === want);
    } else if ((o.key === 'ctorigsrc' || o.key === 'ctorigdst' || o.key === 'ctreplsrc' || o.key === 'ctrepldst') && v.type === 'address') {
      const sel = TUPLE[o.key]!;
      const t = addressTest(v);
      others.push(neg(o, (p) => t(sel(p.ct!).addr)));
    } else if (o.key.endsWith('port') && v.type === 'port-range') {
      const sel = TUPLE[o.key]!;
      others.push(neg(o, (p) => portInRange(v, sel(p.ct!).port)));
    } else if (o.key === 'ctproto' && v.type === 'protocol') {
      const n = v.number;
      others.push(neg(o, (p) => p.ct!.orig.proto === n));
    } else if (o.key === 'ctstatus' && v.type === 'list') {
      let mask = 0;
      for (const s of v.items) mask |= STATUS_BITS[s] ?? 0;
      others.push(neg(o, (p) => (mask & ctStatus(p)) !== 0));
    } else others.push(unknownField(env, o, 'remaining conntrack lifetime'));
  }
  let statePred: Pred | null = null;
  if (stateOpt && stateOpt.value.type === 'list') {
    const set = new Set(stateOpt.value.items);
    statePred = neg(stateOpt, (p) => ctStateNames(p).some((s) => set.has(s)));
  }
  const rest = all(others);
  const hasState = statePred !== null;
  return (p, c) => {
    if (statePred !== null && !statePred(p, c)) return false;
    if (p.ct === null) return hasState;
    return rest === null || rest(p, c);
  };
};

/** xt_state.c: `(statemask & statebit) != 0`. */
const state: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'state');
  if (!o || o.value.type !== 'list') return null;
  const set = new Set(o.value.items);
  return neg(o, (p) => set.has(p.ctState));
};

/**
 * xt_physdev.c physdev_mt(), test by test. Without bridge info every option fails unless inverted. With it:
 * --physdev-is-bridged / --physdev-is-out test the output port, --physdev-is-in the input port; --physdev-in is
 * skipped (passes) when there is no input port; --physdev-out fails when there is no output port, inverted or not
 * (`if (!outdev) return false;` comes before the inversion) — e.g. a bridged-in packet routed out of another
 * interface or delivered to the host.
 */
const physdev: MatchCompiler = (m) => {
  /** Inversion of every option (without bridge info the match passes only if all are inverted). */
  const inverted: boolean[] = [];
  const tests: ((p: SimPacket) => boolean)[] = [];
  for (const o of m.options) {
    const v = o.value;
    const neg = o.negated;
    switch (o.key) {
      case 'physdev-is-bridged':
      case 'physdev-is-out': tests.push((p) => (p.physOut !== '') !== neg); break;
      case 'physdev-is-in': tests.push((p) => (p.physIn !== '') !== neg); break;
      case 'physdev-in': if (v.type === 'interface') { const f = interfaceTest(v); tests.push((p) => p.physIn === '' || f(p.physIn) !== neg); } break;
      case 'physdev-out': if (v.type === 'interface') { const f = interfaceTest(v); tests.push((p) => p.physOut !== '' && f(p.physOut) !== neg); } break;
      default: continue;
    }
    inverted.push(neg);
  }
  return (p) => (p.bridged ? tests.every((t) => t(p)) : inverted.every((n) => n));
};

/** xt_policy.c: no IPsec state is simulated, so `--pol none` matches and `--pol ipsec` / SA options do not. */
const policy: MatchCompiler = (m) => {
  const pol = m.options.find((o) => o.key === 'pol');
  const none = pol?.value.type === 'string' && pol.value.value === 'none';
  return () => none;
};

/**
 * xt_rpfilter.c rpfilter_mt(): broadcast/multicast pass; otherwise a reverse lookup of the source must be unicast
 * (or local with --accept-local) and leave through the input device (any device with --loose).
 */
const rpfilter: MatchCompiler = (m, env) => {
  const loose = m.options.some((o) => o.key === 'loose');
  const acceptLocal = m.options.some((o) => o.key === 'accept-local');
  const invert = m.options.some((o) => o.key === 'invert');
  return (p, c) => {
    if (p.pktType === 'broadcast' || p.pktType === 'multicast') return !invert;
    // The reverse route is a host fact: without a host context the match is asked, not failed.
    if (!c.facts.known) return c.chooser.assume(env.assumeKeys, `${env.text} (the route back to the source is a host fact)`);
    const r = c.host.route(p.v, p.src);
    let ok: boolean;
    if (r.kind === 'unicast') ok = r.dev === p.in || loose;
    else if (r.kind === 'local') ok = acceptLocal && (r.dev === p.in || loose || p.in === 'lo');
    else ok = false;
    return ok !== invert;
  };
};

const devgroup: MatchCompiler = (m) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    if (o.value.type !== 'mark') continue;
    const { value, mask } = o.value;
    const src = o.key === 'src-group';
    preds.push(neg(o, (p, c) => {
      const dev = src ? p.in : p.out;
      const g = c.host.interfaces.get(dev)?.group ?? 0;
      return ((g & mask) >>> 0) === value;
    }));
  }
  return all(preds);
};

/** Routing realms are not part of the host context: every route has realm 0. */
const realm: MatchCompiler = (m, env) => {
  const o = m.options.find((x) => x.key === 'realm');
  if (!o) return null;
  const [a, b] = (o.words[0] ?? '').split('/');
  const id = Number(a);
  const mask = b === undefined ? 0xffffffff : Number(b);
  if (!Number.isInteger(id)) return unknownField(env, o, 'realm name');
  return neg(o, () => ((0 & mask) >>> 0) === id);
};

/** xt_helper.c: matches packets of connections *expected* by a helper's master; simulated connections are not. */
const helper: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'helper');
  return () => o?.negated ?? false;
};

/** xt_connlabel.c: no conntrack → the inverse; `--set` sets the label and matches. */
const connlabel: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'label');
  if (!o) return null;
  const label = o.value.type === 'string' ? o.value.value : o.words.join(' ');
  const set = m.options.some((x) => x.key === 'set');
  const key = Number.isInteger(Number(label)) ? Number(label) : hashLabel(label);
  return (p) => {
    if (p.ct === null) return o.negated;
    if (set) { p.ct.labels.add(key); return !o.negated; }
    return p.ct.labels.has(key) !== o.negated;
  };
};

function hashLabel(s: string): number {
  let h = 0;
  for (const ch of s) h = (h * 31 + ch.charCodeAt(0)) | 0;
  return 1000 + (Math.abs(h) % 100000);
}

/** xt_ipvs.c: no IPVS connections are simulated; only a lone `! --ipvs` matches. */
const ipvs: MatchCompiler = (m) => {
  const only = m.options.length === 1 && m.options[0]!.key === 'ipvs';
  return () => only && m.options[0]!.negated;
};

/**
 * xt_owner.c: without a local socket the result is `(match ^ invert) == 0`, i.e. true only when every option
 * given is inverted. Locally generated packets: known uid/gid are compared, otherwise the result is assumed.
 */
const owner: MatchCompiler = (m, env) => {
  const allInverted = m.options.every((o) => o.negated);
  const fork: Pred = (_p, c) => c.chooser.assume(env.assumeKeys, `${env.text} (socket owner)`);
  const known = (p: SimPacket, c: EvalCtx): boolean => {
    for (const o of m.options) {
      let r: boolean | null = null;
      if (o.key === 'uid-owner' && p.uid !== null) r = inRange(o.words[0] ?? '', p.uid);
      else if (o.key === 'gid-owner' && p.gid !== null) r = inRange(o.words[0] ?? '', p.gid);
      else if (o.key === 'socket-exists') r = true;
      if (r === null) return fork(p, c);
      if (r === o.negated) return false;
    }
    return true;
  };
  return (p, c) => (p.local ? known(p, c) : allInverted);
};

function inRange(text: string, n: number): boolean | null {
  const [a, b] = text.split('-');
  const lo = Number(a);
  const hi = b === undefined ? lo : Number(b);
  if (!Number.isInteger(lo) || !Number.isInteger(hi)) return null;
  return n >= lo && n <= hi;
}

/** xt_cgroup.c: needs a full local socket; otherwise false. The socket's cgroup is not known: assumed. */
const cgroup: MatchCompiler = (m, env) => (p, c) => p.local && c.chooser.assume(env.assumeKeys, `${env.text} (socket cgroup)`);

export const STATE_MATCHES: Record<string, MatchCompiler> = {
  addrtype, mark, connmark, conntrack, state, physdev, policy, rpfilter, devgroup, realm, helper, connlabel, ipvs,
  owner, cgroup,
  comment: () => null,
};
