// Can some packet match both rules? A conservative, syntactic answer over the typed options:
// 'disjoint' only when provable (some packet field has no value both rules accept), 'overlap' only when every
// condition of both rules is understood and the conditions on every field can hold together, 'unknown'
// otherwise, naming the matches that could not be reasoned about.
//
// Semantics followed (docs/netfilter.md §matches, iptables-extensions(8)):
// * -s/-d: (addr & mask) == net, `!` inverts (ip_packet_match); iprange: from ≤ addr ≤ to;
// * -i/-o: exact name, `name+` prefix, `!` inverts (iface_to_mask);
// * ports (tcp/udp/sctp/dccp/udplite, multiport --sports/--dports): ranges, `!` inverts;
// * --ctstate / --state: the packet has one of INVALID, UNTRACKED, NEW, ESTABLISHED, RELATED plus the virtual
//   SNAT/DNAT bits (xt_conntrack conntrack_mt: (statebit & state_mask) != 0);
// * --mark / connmark --mark: (mark & mask) == value (xt_mark); tcp --tcp-flags: (flags & mask) == comp;
// * addrtype: an address has exactly one routing type (xt_addrtype match_type);
// * stateful or random matches (limit, recent, statistic, quota, connlimit …) do not restrict which packets
//   can match in some state: they are treated as "may match".
import type { Match, OptionEntry, OptionValue, Rule } from '@chainsight/grammar';
import type { Overlap } from './types';

type Ivl = readonly [bigint, bigint];

type Constraint =
  | { type: 'interval'; set: Ivl[]; show: string }
  | { type: 'mask'; mask: bigint; value: bigint; negated: boolean; show: string }
  | { type: 'bits'; allowed: number; show: string }
  | { type: 'iface'; name: string; wildcard: boolean; negated: boolean; show: string };

export interface RuleSpace {
  fields: Map<string, Constraint[]>;
  /** Conditions that could not be reasoned about (shown as written). */
  unknown: string[];
}

const U32 = 0xffffffffn;
const U128 = (1n << 128n) - 1n;
const b = (n: number) => BigInt(n);

function complement(set: Ivl[], max: bigint): Ivl[] {
  const out: Ivl[] = [];
  let next = 0n;
  for (const [lo, hi] of set) {
    if (lo > next) out.push([next, lo - 1n]);
    next = hi + 1n;
  }
  if (next <= max) out.push([next, max]);
  return out;
}

function normaliseSet(set: Ivl[]): Ivl[] {
  const sorted = [...set].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1n) { if (hi > last[1]) last[1] = hi; } else out.push([lo, hi]);
  }
  return out;
}

function intersect(a: Ivl[], c: Ivl[]): Ivl[] {
  const out: Ivl[] = [];
  let i = 0, j = 0;
  while (i < a.length && j < c.length) {
    const lo = a[i]![0] > c[j]![0] ? a[i]![0] : c[j]![0];
    const hi = a[i]![1] < c[j]![1] ? a[i]![1] : c[j]![1];
    if (lo <= hi) out.push([lo, hi]);
    if (a[i]![1] < c[j]![1]) i++; else j++;
  }
  return out;
}

function interval(set: Ivl[], negated: boolean, max: bigint, show: string): Constraint {
  const s = normaliseSet(set);
  return { type: 'interval', set: negated ? complement(s, max) : s, show };
}

const CT_PRIMARY = ['INVALID', 'UNTRACKED', 'NEW', 'ESTABLISHED', 'RELATED'];
const CT_ALL = (1 << 14) - 1;
/** Bitmask over the 14 possible conntrack states: INVALID, UNTRACKED, and {NEW,ESTABLISHED,RELATED}×SNAT×DNAT. */
function ctStateBits(items: readonly string[]): number {
  const want = new Set(items.map((i) => i.toUpperCase()));
  let bits = 0;
  if (want.has('INVALID')) bits |= 1;
  if (want.has('UNTRACKED')) bits |= 2;
  for (let p = 0; p < 3; p++) {
    for (let nat = 0; nat < 4; nat++) {
      const snat = nat & 2, dnat = nat & 1;
      if (want.has(CT_PRIMARY[p + 2]!) || (snat && want.has('SNAT')) || (dnat && want.has('DNAT'))) bits |= 1 << (2 + p * 4 + nat);
    }
  }
  return bits;
}

const ADDR_TYPES = ['UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT', 'THROW', 'NAT', 'XRESOLVE'];
const PKT_TYPES = ['unicast', 'broadcast', 'multicast', 'host', 'otherhost'];

function enumBits(all: readonly string[], items: readonly string[], negated: boolean, show: string): Constraint {
  let bits = 0;
  for (const i of items) { const k = all.indexOf(i); if (k >= 0) bits |= 1 << k; }
  const full = (1 << all.length) - 1;
  return { type: 'bits', allowed: negated ? ~bits & full : bits, show };
}

function bool(negated: boolean, show: string): Constraint {
  return { type: 'bits', allowed: negated ? 1 : 2, show };
}

function show(label: string, o: OptionEntry): string {
  return `${o.negated ? '! ' : ''}${label}${o.words.length ? ' ' + o.words.join(' ') : ''}`;
}

function addressConstraint(v: OptionValue, negated: boolean, text: string): Constraint | null {
  if (v.type === 'address') {
    const max = v.version === 4 ? U32 : U128;
    if (v.prefix === null) return null; // a non-contiguous mask is not an interval
    return interval([[v.address, v.address | (~v.mask & max)]], negated, max, text);
  }
  if (v.type === 'address-range') return interval([[v.from, v.to]], negated, v.version === 4 ? U32 : U128, text);
  return null;
}

function portConstraint(v: OptionValue, negated: boolean, text: string): Constraint | null {
  if (v.type === 'port-range') return interval([[b(v.from), b(v.to)]], negated, 65535n, text);
  if (v.type === 'port-list') return interval(v.ranges.map((r) => [b(r.from), b(r.to)] as Ivl), negated, 65535n, text);
  return null;
}

function numberConstraint(v: OptionValue, negated: boolean, max: bigint, text: string): Constraint | null {
  if (v.type === 'number') return interval([[b(v.value), b(v.value)]], negated, max, text);
  if (v.type === 'number-range') return interval([[b(v.from), b(v.to)]], negated, max, text);
  return null;
}

class SpaceBuilder {
  readonly fields = new Map<string, Constraint[]>();
  readonly unknown: string[] = [];
  add(field: string, c: Constraint | null, text: string): void {
    if (!c) { this.unknown.push(text); return; }
    let list = this.fields.get(field);
    if (!list) this.fields.set(field, (list = []));
    list.push(c);
  }
}

const PORT_MODULES = new Set(['tcp', 'udp', 'sctp', 'dccp', 'udplite']);
/** Modules that never make a packet unmatchable in every state (see file header). */
const MAY_MATCH_MODULES = new Set(['comment', 'statistic', 'limit', 'hashlimit', 'dstlimit', 'recent', 'quota', 'connlimit', 'nfacct', 'nth', 'random']);

function addBase(sb: SpaceBuilder, rule: Rule): void {
  for (const o of rule.base) {
    const text = show(o.spelling, o);
    const v = o.value;
    switch (o.key) {
      case 'source': case 'destination':
        if (rule.family === 'bridge') {
          sb.add(o.key === 'source' ? 'mac-src' : 'mac-dst', v.type === 'mac' ? { type: 'mask', mask: v.mask, value: v.address, negated: o.negated, show: text } : null, text);
        } else {
          sb.add(o.key === 'source' ? 'src' : 'dst', addressConstraint(v, o.negated, text), text);
        }
        break;
      case 'protocol':
        if (v.type === 'protocol') {
          if (v.number === 0) { if (o.negated) sb.add('proto', { type: 'interval', set: [], show: text }, text); }
          else sb.add('proto', interval([[b(v.number), b(v.number)]], o.negated, 255n, text), text);
        } else if (v.type === 'ethertype' && v.number !== null) {
          sb.add('ethertype', interval([[b(v.number), b(v.number)]], o.negated, 65535n, text), text);
        } else sb.add('proto', null, text);
        break;
      case 'in-interface': case 'out-interface': case 'logical-in': case 'logical-out':
        sb.add(o.key, v.type === 'interface' ? { type: 'iface', name: v.name, wildcard: v.wildcard, negated: o.negated, show: text } : null, text);
        break;
      case 'fragment':
        sb.add('fragment', bool(o.negated, text), text);
        break;
      default:
        sb.add(o.key, null, text);
    }
  }
}

function addMatch(sb: SpaceBuilder, m: Match, version: 4 | 6): void {
  const mod = m.module;
  if (!m.known) { sb.unknown.push(`-m ${m.spelling}`); return; }
  if (MAY_MATCH_MODULES.has(mod)) return;
  if (mod === 'addrtype') {
    const limit = m.options.some((o) => o.key === 'limit-iface-in') ? '@in' : m.options.some((o) => o.key === 'limit-iface-out') ? '@out' : '';
    for (const o of m.options) {
      const text = show(`-m addrtype --${o.key}`, o);
      if ((o.key === 'src-type' || o.key === 'dst-type') && o.value.type === 'list') {
        sb.add(`addrtype-${o.key}${limit}`, enumBits(ADDR_TYPES, o.value.items, o.negated, text), text);
      } else if (o.key !== 'limit-iface-in' && o.key !== 'limit-iface-out') sb.add(o.key, null, text);
    }
    return;
  }
  for (const o of m.options) {
    const text = show(`-m ${mod} --${o.key}`, o);
    const v = o.value;
    const n = o.negated;
    let field = `${mod}:${o.key}`;
    let c: Constraint | null = null;
    if (PORT_MODULES.has(mod) && (o.key === 'sport' || o.key === 'dport')) { field = o.key; c = portConstraint(v, n, text); }
    else if (mod === 'tcp' && o.key === 'tcp-flags' && v.type === 'tcp-flags') { field = 'tcp-flags'; c = { type: 'mask', mask: b(v.mask), value: b(v.compare), negated: n, show: text }; }
    else if (mod === 'multiport' && (o.key === 'sports' || o.key === 'dports')) { field = o.key.slice(0, -1); c = portConstraint(v, n, text); }
    else if ((mod === 'icmp' || mod === 'icmp6') && v.type === 'icmp-type') {
      field = 'icmp';
      c = v.icmpType === null
        ? interval([[0n, 65535n]], n, 65535n, text)
        : interval([[b(v.icmpType * 256 + (v.codeMin ?? 0)), b(v.icmpType * 256 + (v.codeMax ?? 255))]], n, 65535n, text);
    } else if ((mod === 'conntrack' && o.key === 'ctstate') || (mod === 'state' && o.key === 'state')) {
      field = 'ctstate';
      if (v.type === 'list') { const bits = ctStateBits(v.items); c = { type: 'bits', allowed: n ? ~bits & CT_ALL : bits, show: text }; }
    } else if (mod === 'conntrack') {
      if (/^ct(orig|repl)(src|dst)$/.test(o.key)) c = addressConstraint(v, n, text);
      else if (/^ct(orig|repl)(src|dst)port$/.test(o.key)) c = portConstraint(v, n, text);
      else if (o.key === 'ctproto' && v.type === 'protocol') c = interval([[b(v.number), b(v.number)]], n, 255n, text);
      else if (o.key === 'ctdir' && v.type === 'string') c = enumBits(['ORIGINAL', 'REPLY'], [v.value], n, text);
      else if (o.key === 'ctexpire') c = numberConstraint(v, n, U32, text);
    } else if ((mod === 'mark' || mod === 'connmark') && v.type === 'mark') {
      field = mod === 'mark' ? 'mark' : 'ctmark';
      c = { type: 'mask', mask: b(v.mask), value: b(v.value), negated: n, show: text };
    } else if (mod === 'iprange' && (o.key === 'src-range' || o.key === 'dst-range')) {
      field = o.key === 'src-range' ? 'src' : 'dst';
      c = addressConstraint(v, n, text);
    } else if (mod === 'pkttype' && v.type === 'string') { field = 'pkttype'; c = enumBits(PKT_TYPES, [v.value], n, text); }
    else if ((mod === 'length' || mod === 'length2') && o.key === 'length') c = numberConstraint(v, n, 65535n, text);
    else if (mod === 'ttl' || mod === 'hl') {
      field = mod;
      if (v.type === 'number') {
        const x = b(v.value);
        const set: Ivl[] = o.key.endsWith('-eq') ? [[x, x]] : o.key.endsWith('-lt') ? (x > 0n ? [[0n, x - 1n]] : []) : (x < 255n ? [[x + 1n, 255n]] : []);
        c = interval(set, n, 255n, text);
      }
    } else if (mod === 'dscp' && o.key === 'dscp') c = numberConstraint(v, n, 63n, text);
    else if (mod === 'mac' && v.type === 'mac') { field = 'mac-src'; c = { type: 'mask', mask: v.mask, value: v.address, negated: n, show: text }; }
    else if (mod === 'physdev' && (o.key === 'physdev-in' || o.key === 'physdev-out') && v.type === 'interface') {
      c = { type: 'iface', name: v.name, wildcard: v.wildcard, negated: n, show: text };
    } else if (mod === 'physdev') c = bool(n, text);
    void version;
    sb.add(field, c, text);
  }
  if (!m.options.length && !PORT_MODULES.has(mod) && mod !== 'icmp' && mod !== 'icmp6') sb.unknown.push(`-m ${mod}`);
}

const spaces = new WeakMap<Rule, RuleSpace>();

/** The conditions of one rule, by packet field (cached per rule object). */
export function ruleSpace(rule: Rule): RuleSpace {
  let s = spaces.get(rule);
  if (s) return s;
  const sb = new SpaceBuilder();
  addBase(sb, rule);
  const version = rule.family === 'ipv6' ? 6 : 4;
  for (const m of rule.matches) {
    if (rule.family === 'bridge') { sb.unknown.push(m.options.map((o) => show(o.spelling, o)).join(' ') || m.spelling); continue; }
    addMatch(sb, m, version);
  }
  s = { fields: sb.fields, unknown: sb.unknown };
  spaces.set(rule, s);
  return s;
}

type FieldStatus = 'empty' | 'nonempty' | 'unknown';

function popcount(x: bigint): number {
  let n = 0;
  while (x) { n += Number(x & 1n); x >>= 1n; }
  return n;
}

function maskStatus(cs: Extract<Constraint, { type: 'mask' }>[]): FieldStatus {
  let M = 0n, V = 0n;
  const negs: { mask: bigint; value: bigint }[] = [];
  for (const c of cs) {
    // (x & mask) == value can only hold when value has no bit outside mask.
    const impossible = (c.value & ~c.mask) !== 0n;
    if (c.negated) { if (!impossible) negs.push(c); continue; }
    if (impossible) return 'empty';
    if (((c.value ^ V) & c.mask & M) !== 0n) return 'empty';
    M |= c.mask; V |= c.value;
  }
  for (const n of negs) if ((n.mask & ~M) === 0n && (V & n.mask) === n.value) return 'empty';
  if (negs.length < 2) return 'nonempty';
  let free = 0n;
  for (const n of negs) free |= n.mask & ~M;
  const bits: bigint[] = [];
  for (let i = 0n, f = free; f; i++, f >>= 1n) if (f & 1n) bits.push(1n << i);
  if (bits.length > 12) return 'unknown';
  for (let k = 0; k < 1 << bits.length; k++) {
    let x = V;
    for (let i = 0; i < bits.length; i++) if (k & (1 << i)) x |= bits[i]!;
    if (!negs.some((n) => (x & n.mask) === n.value)) return 'nonempty';
  }
  return 'empty';
}

function ifaceStatus(cs: Extract<Constraint, { type: 'iface' }>[]): FieldStatus {
  const pos = cs.filter((c) => !c.negated);
  const neg = cs.filter((c) => c.negated);
  // `! -i +` (empty wildcard) matches no name at all.
  if (neg.some((c) => c.wildcard && c.name === '')) return 'empty';
  const exact = pos.filter((c) => !c.wildcard).map((c) => c.name);
  const prefixes = pos.filter((c) => c.wildcard).map((c) => c.name);
  if (exact.length) {
    const e = exact[0]!;
    if (exact.some((x) => x !== e) || prefixes.some((p) => !e.startsWith(p))) return 'empty';
    return neg.some((c) => (c.wildcard ? e.startsWith(c.name) : e === c.name)) ? 'empty' : 'nonempty';
  }
  const longest = prefixes.reduce((a, p) => (p.length > a.length ? p : a), '');
  if (prefixes.some((p) => !longest.startsWith(p))) return 'empty';
  return neg.some((c) => c.wildcard && longest.startsWith(c.name)) ? 'empty' : 'nonempty';
}

function fieldStatus(cs: Constraint[]): FieldStatus {
  switch (cs[0]!.type) {
    case 'interval': {
      let set: Ivl[] | null = null;
      for (const c of cs) set = set === null ? (c as Extract<Constraint, { type: 'interval' }>).set : intersect(set, (c as Extract<Constraint, { type: 'interval' }>).set);
      return set && set.length ? 'nonempty' : 'empty';
    }
    case 'bits': {
      let allowed = -1;
      for (const c of cs) allowed &= (c as Extract<Constraint, { type: 'bits' }>).allowed;
      return allowed ? 'nonempty' : 'empty';
    }
    case 'mask': return maskStatus(cs as Extract<Constraint, { type: 'mask' }>[]);
    case 'iface': return ifaceStatus(cs as Extract<Constraint, { type: 'iface' }>[]);
  }
}

const FIELD_NAMES: ReadonlyMap<string, string> = new Map(Object.entries({
  src: 'source address', dst: 'destination address', proto: 'protocol', sport: 'source port', dport: 'destination port',
  'in-interface': 'input interface', 'out-interface': 'output interface', ctstate: 'conntrack state', mark: 'packet mark',
  ctmark: 'connection mark', icmp: 'ICMP type', 'tcp-flags': 'TCP flags',
}));

/** Whether some packet can match both rules (see the file header for what is understood). */
export function overlap(a: Rule, c: Rule): Overlap {
  const sa = ruleSpace(a);
  const sc = ruleSpace(c);
  const undecided: string[] = [];
  for (const field of new Set([...sa.fields.keys(), ...sc.fields.keys()])) {
    const ca = sa.fields.get(field) ?? [];
    const cc = sc.fields.get(field) ?? [];
    const all = [...ca, ...cc];
    if (all.some((x) => x.type !== all[0]!.type)) { undecided.push(...all.map((x) => x.show)); continue; }
    const status = fieldStatus(all);
    if (status === 'empty') {
      const name = FIELD_NAMES.get(field) ?? field;
      const left = ca.map((x) => x.show).join(' ') || 'any';
      const right = cc.map((x) => x.show).join(' ') || 'any';
      return { verdict: 'disjoint', reason: `disjoint on ${name}: ${left} vs ${right}` };
    }
    if (status === 'unknown') undecided.push(...all.map((x) => x.show));
  }
  const unknown = [...new Set([...sa.unknown, ...sc.unknown, ...undecided])];
  if (unknown.length) return { verdict: 'unknown', reason: `cannot reason about ${unknown.join(', ')}`, unknown };
  return { verdict: 'overlap', reason: 'some packet can match both' };
}
