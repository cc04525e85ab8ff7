// Match modules that read only the packet's headers, as sets. Concrete twins, function by function:
// trace/src/compile/matches-packet.ts (each follows the kernel's xt_<module>.c match function).
import type { Match, OptionEntry, PortList, PortRange } from '@chainsight/grammar';
import { DSCP_CLASSES, parseTos } from '@chainsight/grammar';
import type { SymCtx, SymMatch } from './context';
import { allOf, neg, unknown } from './context';

const TCP = 6;

function portRange(c: SymCtx, which: 'sport' | 'dport', r: PortRange): number {
  return c.space.range(c.space.f[which], r.from, r.to);
}

function portList(c: SymCtx, which: 'sport' | 'dport', l: PortList): number {
  let s = 0;
  for (const r of l.ranges) s = c.space.bdd.or(s, portRange(c, which, r));
  return s;
}

/** The packet has this protocol and shows its transport header (first fragment). */
function l4(c: SymCtx, proto: number | null): number {
  const { space } = c;
  const first = space.eq(space.f.frag, 0);
  return proto === null ? space.bdd.and(space.hasPorts(), first) : space.bdd.and(space.eq(space.f.proto, proto), first);
}

/**
 * xt_tcpudp.c port_match for --sport/--dport. iptables-nft 1.8.9 merges `! --sport A ! --dport B` (single ports)
 * into one comparison of both ports, so the kernel then matches when either differs (trace's mergedInvertedPorts,
 * docs/divergences.md#nft-inverted-ports). The snapshot's backend decides; when the input does not name it, the
 * rule means either, under one unknown shared by the whole ruleset.
 */
function l4ports(c: SymCtx, m: Match, proto: number | null): number[] {
  const { bdd } = c.space;
  const sets = [l4(c, proto)];
  let separate = 1;
  for (const o of m.options) {
    if ((o.key === 'sport' || o.key === 'dport') && o.value.type === 'port-range') separate = bdd.and(separate, neg(c, o, portRange(c, o.key, o.value)));
  }
  const single = (key: string) => m.options.find((o) => o.key === key && o.negated && o.value.type === 'port-range' && o.value.from === o.value.to);
  const s = single('sport');
  const d = single('dport');
  if ((m.module !== 'tcp' && m.module !== 'udp') || !s || !d || c.space.backend === 'legacy') return [...sets, separate];
  const merged = bdd.not(bdd.and(portRange(c, 'sport', s.value as PortRange), portRange(c, 'dport', d.value as PortRange)));
  if (c.space.backend === 'nft') return [...sets, merged];
  // The backend is not known and decides this rule's meaning: both, under one shared unknown.
  const nft = backendOracle(c);
  return [...sets, bdd.or(bdd.and(nft, merged), bdd.diff(separate, nft))];
}

/** "The rules are loaded with iptables-nft": one unknown for the whole ruleset. */
function backendOracle(c: SymCtx): number {
  const i = c.oracles.index({ key: 'backend:nft', reason: 'the backend (iptables-nft or legacy) is not named in the input', where: `${c.file}:${c.rule.span.start.line}`, text: 'iptables-nft backend' });
  return c.space.oracle(i);
}

const tcp: SymMatch = (m, c) => {
  const sets = l4ports(c, m, TCP);
  for (const o of m.options) {
    const v = o.value;
    if (o.key === 'tcp-flags' && v.type === 'tcp-flags') sets.push(neg(c, o, c.space.masked(c.space.f.tcpFlags, v.compare, v.mask)));
    else if (o.key !== 'sport' && o.key !== 'dport') sets.push(unknownOption(c, m, o, 'TCP options are not part of the packet set'));
  }
  return allOf(c, sets);
};

/** An option the packet set does not model: an oracle, shared by equal texts. */
function unknownOption(c: SymCtx, m: Match, o: OptionEntry, reason: string): number {
  return neg(c, o, unknown(c, m, `${o.spelling}: ${reason}`, true, o));
}

const ports = (proto: number): SymMatch => (m, c) => {
  const sets = l4ports(c, m, proto);
  for (const o of m.options) {
    if (o.key === 'sport' || o.key === 'dport') continue;
    sets.push(unknownOption(c, m, o, 'not part of the packet set'));
  }
  return allOf(c, sets);
};

/** xt_icmp / icmp6_match: `type == 0xFF (any) || (type == t && code in [min, max])`, first fragments only. */
const icmpLike = (proto: number, key: string): SymMatch => (m, c) => {
  const { space } = c;
  const sets = [l4(c, proto)];
  for (const o of m.options) {
    const v = o.value;
    if (o.key !== key || v.type !== 'icmp-type') continue;
    if (v.icmpType === null) {
      sets.push(neg(c, o, 1));
      continue;
    }
    const t = space.eq(space.f.icmpType, v.icmpType);
    const code = space.range(space.f.icmpCode, v.codeMin ?? 0, v.codeMax ?? 255);
    sets.push(neg(c, o, space.bdd.and(t, code)));
  }
  return allOf(c, sets);
};

/** xt_multiport.c ports_match_v1: `--ports` matches when either port is in the list. */
const multiport: SymMatch = (m, c) => {
  const sets = [l4(c, null)];
  for (const o of m.options) {
    const v = o.value;
    if (v.type !== 'port-list') continue;
    if (o.key === 'sports') sets.push(neg(c, o, portList(c, 'sport', v)));
    else if (o.key === 'dports') sets.push(neg(c, o, portList(c, 'dport', v)));
    else if (o.key === 'ports') sets.push(neg(c, o, c.space.bdd.or(portList(c, 'sport', v), portList(c, 'dport', v))));
  }
  return allOf(c, sets);
};

/** xt_iprange.c: inclusive address ranges. */
const iprange: SymMatch = (m, c) => {
  const sets: number[] = [];
  for (const o of m.options) {
    const v = o.value;
    if (v.type !== 'address-range') continue;
    sets.push(neg(c, o, c.space.range(o.key === 'src-range' ? c.space.f.src : c.space.f.dst, v.from, v.to)));
  }
  return allOf(c, sets);
};

const PKT_TYPE_CODES: Record<string, number> = { host: 0, unicast: 0, broadcast: 1, multicast: 2, otherhost: 3 };

/** xt_pkttype.c: unicast is PACKET_HOST. */
const pkttype: SymMatch = (m, c) => {
  const sets: number[] = [];
  for (const o of m.options) {
    if (o.key !== 'pkt-type' || o.value.type !== 'string') continue;
    const code = PKT_TYPE_CODES[o.value.value];
    sets.push(code === undefined ? unknownOption(c, m, o, 'packet type not known') : neg(c, o, c.space.eq(c.space.f.pktType, code)));
  }
  return allOf(c, sets);
};

/** xt_length.c: IPv4 tot_len; IPv6 payload length + 40. */
const length: SymMatch = (m, c) => {
  const sets: number[] = [];
  for (const o of m.options) {
    if (o.key === 'length' && o.value.type === 'number-range') sets.push(neg(c, o, c.space.range(c.space.f.length, o.value.from, Math.min(o.value.to, 0xffff))));
  }
  return allOf(c, sets);
};

/** xt_ttl / xt_hl: eq (invertible → ne), lt, gt on the TTL / hop limit. */
const ttlLike = (prefix: 'ttl' | 'hl'): SymMatch => (m, c) => {
  const { space } = c;
  const ttl = space.f.ttl;
  const sets: number[] = [];
  for (const o of m.options) {
    if (o.value.type !== 'number') continue;
    const n = o.value.value;
    if (o.key === `${prefix}-eq`) sets.push(neg(c, o, space.eq(ttl, n)));
    else if (o.key === `${prefix}-lt`) sets.push(n <= 0 ? 0 : space.range(ttl, 0, Math.min(n - 1, 255)));
    else if (o.key === `${prefix}-gt`) sets.push(n >= 255 ? 0 : space.range(ttl, n + 1, 255));
  }
  return allOf(c, sets);
};

/** xt_dscp.c tos_mt: `(tos & mask) == value`. */
const tos: SymMatch = (m, c) => {
  const o = m.options.find((x) => x.key === 'tos');
  if (!o) return 1;
  const t = parseTos(o.words[0] ?? '');
  if (!t) return unknownOption(c, m, o, 'TOS value not read');
  return neg(c, o, c.space.masked(c.space.f.tos, t.value, t.mask));
};

/** xt_dscp.c dscp_mt: `((tos & 0xFC) >> 2) == dscp`. */
const dscp: SymMatch = (m, c) => {
  const sets: number[] = [];
  for (const o of m.options) {
    let d: number | undefined;
    if (o.key === 'dscp' && o.value.type === 'number') d = o.value.value;
    else if (o.key === 'dscp-class' && o.value.type === 'string') d = DSCP_CLASSES.get(o.value.value.toUpperCase());
    if (d === undefined) {
      sets.push(unknownOption(c, m, o, 'DSCP class not read'));
      continue;
    }
    sets.push(neg(c, o, d > 0x3f ? 0 : c.space.masked(c.space.f.tos, d << 2, 0xfc)));
  }
  return allOf(c, sets);
};

/** xt_ecn.c: ECE/CWR TCP flags, ECT codepoint = tos & 3. */
const ecn: SymMatch = (m, c) => {
  const { space } = c;
  const sets: number[] = [];
  const tcpFlag = (bit: number) => space.bdd.and(space.eq(space.f.proto, TCP), space.masked(space.f.tcpFlags, bit, bit));
  for (const o of m.options) {
    if (o.key === 'ecn-tcp-cwr') sets.push(neg(c, o, tcpFlag(0x80)));
    else if (o.key === 'ecn-tcp-ece') sets.push(neg(c, o, tcpFlag(0x40)));
    else if (o.key === 'ecn-ip-ect' && o.value.type === 'number') sets.push(neg(c, o, o.value.value > 3 ? 0 : space.masked(space.f.tos, o.value.value, 3)));
  }
  return allOf(c, sets);
};

export const PACKET_MATCHES = new Map<string, SymMatch>([
  ['tcp', tcp],
  ['udp', ports(17)],
  ['udplite', ports(136)],
  ['sctp', ports(132)],
  ['dccp', ports(33)],
  ['icmp', icmpLike(1, 'icmp-type')],
  ['icmp6', icmpLike(58, 'icmpv6-type')],
  ['multiport', multiport],
  ['iprange', iprange],
  ['pkttype', pkttype],
  ['length', length],
  ['length2', length],
  ['ttl', ttlLike('ttl')],
  ['hl', ttlLike('hl')],
  ['tos', tos],
  ['dscp', dscp],
  ['ecn', ecn],
]);
