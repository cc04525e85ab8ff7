// Match modules that look only at the packet's headers: tcp/udp/udplite/sctp/dccp, icmp/icmp6, multiport,
// iprange, mac, pkttype, length, ttl/hl, tos/dscp/ecn, tcpmss, IPv6 extension headers, ipv4options, esp/ah/mh.
// Each follows the kernel's xt_<module>.c match function; `!` inverts the option it precedes.
import type { Match, OptionEntry } from '@chainsight/grammar';
import { DSCP_CLASSES, parseTos } from '@chainsight/grammar';
import type { SimPacket } from '../sim/state';
import type { MatchEnv, Pred } from './types';
import { all, neg, portInList, portInRange } from './values';

export type MatchCompiler = (m: Match, env: MatchEnv) => Pred | null;

const IPPROTO_TCP = 6;

/** A fork for a field the simulated packet does not carry (an ESP SPI, a mobility-header type, …). */
export function unknownField(env: MatchEnv, o: OptionEntry, what: string): Pred {
  const text = `${env.text} (${what} of the packet is not known)`;
  return neg(o, (_p, c) => c.chooser.assume(env.assumeKeys, text));
}

/**
 * A tcp/udp match with both a single source and a single destination port inverted (`! --sport A ! --dport B`).
 * iptables-nft 1.8.9 translates the two into one 4-byte payload comparison of both ports (`cmp neq`), so the
 * kernel matches when either port differs — not, as xt_tcpudp.c and iptables-extensions(8) say, when both do
 * (observed; docs/divergences.md#nft-inverted-ports). Ranges and single inversions are translated separately.
 */
export function mergedInvertedPorts(m: Match): boolean {
  if (m.module !== 'tcp' && m.module !== 'udp') return false;
  const single = (key: string) => m.options.some((o) => o.key === key && o.negated && o.value.type === 'port-range' && o.value.from === o.value.to);
  return single('sport') && single('dport');
}

/** xt_tcpudp.c: tcp_mt()/udp_mt(): port ranges (`port_match`), `--tcp-flags mask comp`, `--tcp-option`. */
function l4ports(m: Match, proto: number | null, env: MatchEnv): Pred[] {
  const preds: Pred[] = [];
  if (proto !== null) preds.push((p) => p.proto === proto && p.sport !== null);
  if (env.backend === 'nft' && mergedInvertedPorts(m)) {
    const port = (key: string) => { const v = m.options.find((o) => o.key === key)!.value; return v.type === 'port-range' ? v.from : -1; };
    const [sport, dport] = [port('sport'), port('dport')];
    preds.push((p) => p.sport !== sport || p.dport !== dport);
    return preds;
  }
  for (const o of m.options) {
    const v = o.value;
    if ((o.key === 'sport' || o.key === 'dport') && v.type === 'port-range') {
      preds.push(neg(o, o.key === 'sport' ? (p) => portInRange(v, p.sport) : (p) => portInRange(v, p.dport)));
    }
  }
  return preds;
}

const tcp: MatchCompiler = (m, env) => {
  const preds = l4ports(m, IPPROTO_TCP, env);
  for (const o of m.options) {
    const v = o.value;
    if (o.key === 'tcp-flags' && v.type === 'tcp-flags') {
      const { mask, compare } = v;
      preds.push(neg(o, (p) => (p.tcpFlags & mask) === compare));
    } else if (o.key === 'tcp-option' && v.type === 'number') {
      const kind = v.value;
      preds.push(neg(o, (p) => p.tcpOptions.includes(kind)));
    } else if (o.key !== 'sport' && o.key !== 'dport') preds.push(unknownField(env, o, o.spelling));
  }
  return all(preds);
};

const ports = (proto: number): MatchCompiler => (m, env) => all(l4ports(m, proto, env));

const SCTP_CHUNKS: Record<string, number> = {
  DATA: 0, INIT: 1, INIT_ACK: 2, SACK: 3, HEARTBEAT: 4, HEARTBEAT_ACK: 5, ABORT: 6, SHUTDOWN: 7, SHUTDOWN_ACK: 8,
  ERROR: 9, COOKIE_ECHO: 10, COOKIE_ACK: 11, ECN_ECNE: 12, ECN_CWR: 13, SHUTDOWN_COMPLETE: 14, ASCONF: 193,
  ASCONF_ACK: 128, FORWARD_TSN: 192,
};

/** The single chunk a simulated SCTP packet carries: INIT opens an association, DATA afterwards. */
export function sctpChunk(p: SimPacket): number {
  return p.ctState === 'NEW' && p.ctDir !== 'REPLY' ? 1 : 0;
}

/** xt_sctp.c: `--chunk-types all|any|only TYPE[:flags],…` (flags are not simulated: such an entry forks). */
const sctp: MatchCompiler = (m, env) => {
  const preds = l4ports(m, 132, env);
  for (const o of m.options) {
    if (o.key !== 'chunk-types') continue;
    const words = o.words;
    const mode = words[0];
    const types = (words[1] ?? '').split(',').filter(Boolean);
    if (types.some((t) => t.includes(':')) || types.some((t) => SCTP_CHUNKS[t.toUpperCase()] === undefined && t.toUpperCase() !== 'ALL' && t.toUpperCase() !== 'NONE')) {
      preds.push(unknownField(env, o, 'chunk flags'));
      continue;
    }
    const set = new Set(types.map((t) => SCTP_CHUNKS[t.toUpperCase()]!));
    preds.push(neg(o, (p) => {
      const chunks = [sctpChunk(p)];
      if (mode === 'all') return [...set].every((t) => chunks.includes(t));
      if (mode === 'any') return chunks.some((t) => set.has(t));
      return chunks.every((t) => set.has(t)); // only
    }));
  }
  return all(preds);
};

const DCCP_TYPES: Record<string, number> = {
  REQUEST: 0, RESPONSE: 1, DATA: 2, ACK: 3, DATAACK: 4, CLOSEREQ: 5, CLOSE: 6, RESET: 7, SYNC: 8, SYNCACK: 9, INVALID: 10,
};

/** xt_dccp.c. The packet type follows the connection state: REQUEST opens, RESPONSE answers, ACK afterwards. */
const dccp: MatchCompiler = (m, env) => {
  const preds = l4ports(m, 33, env);
  for (const o of m.options) {
    if (o.key === 'dccp-types' && o.value.type === 'list') {
      const set = new Set(o.value.items.map((t) => DCCP_TYPES[t.toUpperCase()] ?? -1));
      preds.push(neg(o, (p) => set.has(p.ctState === 'NEW' ? (p.ctDir === 'REPLY' ? 1 : 0) : 3)));
    } else if (o.key === 'dccp-option') preds.push(unknownField(env, o, 'DCCP options'));
  }
  return all(preds);
};

/** xt_icmp / icmp6_match: `(type == 0xFF) || (type == t && code in [min, max])`, inverted by `!`. */
const icmpLike = (proto: number, key: string): MatchCompiler => (m) => {
  const preds: Pred[] = [(p) => p.proto === proto];
  for (const o of m.options) {
    const v = o.value;
    if (o.key !== key || v.type !== 'icmp-type') continue;
    if (v.icmpType === null) { preds.push(neg(o, () => true)); continue; }
    const t = v.icmpType;
    const lo = v.codeMin ?? 0;
    const hi = v.codeMax ?? 255;
    preds.push(neg(o, (p) => p.icmpType === t && (p.icmpCode ?? 0) >= lo && (p.icmpCode ?? 0) <= hi));
  }
  return all(preds);
};

/** xt_multiport.c ports_match_v1: `--ports` matches when either port is in the list. */
const multiport: MatchCompiler = (m) => {
  const preds: Pred[] = [(p) => p.sport !== null];
  for (const o of m.options) {
    const v = o.value;
    if (v.type !== 'port-list') continue;
    if (o.key === 'sports') preds.push(neg(o, (p) => portInList(v, p.sport)));
    else if (o.key === 'dports') preds.push(neg(o, (p) => portInList(v, p.dport)));
    else if (o.key === 'ports') preds.push(neg(o, (p) => portInList(v, p.sport) || portInList(v, p.dport)));
  }
  return all(preds);
};

/** xt_iprange.c: inclusive address ranges. */
const iprange: MatchCompiler = (m) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    const v = o.value;
    if (v.type !== 'address-range') continue;
    const { from, to } = v;
    preds.push(neg(o, o.key === 'src-range' ? (p) => p.src >= from && p.src <= to : (p) => p.dst >= from && p.dst <= to));
  }
  return all(preds);
};

/** xt_mac.c: the Ethernet source address; no MAC header (locally generated) → no match, even with `!`. */
const mac: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'mac-source');
  if (!o || o.value.type !== 'mac') return null;
  const want = o.value.address & o.value.mask;
  const mask = o.value.mask;
  const inv = o.negated;
  return (p) => p.srcMac !== null && p.in !== '' && (((p.srcMac & mask) === want) !== inv);
};

/** xt_pkttype.c: unicast = host = PACKET_HOST. */
const pkttype: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'pkt-type');
  if (!o || o.value.type !== 'string') return null;
  const want = o.value.value === 'unicast' ? 'host' : o.value.value;
  return neg(o, (p) => p.pktType === want);
};

/** xt_length.c: IPv4 tot_len; IPv6 payload length + 40. */
const length: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'length');
  if (!o || o.value.type !== 'number-range') return null;
  const { from, to } = o.value;
  return neg(o, (p) => p.length >= from && p.length <= to);
};

/** xt_ttl / xt_hl: eq (invertible → ne), lt, gt. */
const ttlLike = (prefix: 'ttl' | 'hl'): MatchCompiler => (m) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    if (o.value.type !== 'number') continue;
    const n = o.value.value;
    if (o.key === `${prefix}-eq`) preds.push(neg(o, (p) => p.ttl === n));
    else if (o.key === `${prefix}-lt`) preds.push((p) => p.ttl < n);
    else if (o.key === `${prefix}-gt`) preds.push((p) => p.ttl > n);
  }
  return all(preds);
};

const tos: MatchCompiler = (m, env) => {
  const o = m.options.find((x) => x.key === 'tos');
  if (!o) return null;
  const t = parseTos(o.words[0] ?? '');
  if (!t) return unknownField(env, o, 'TOS value');
  return neg(o, (p) => (p.tos & t.mask) === t.value);
};

/** xt_dscp.c dscp_mt: `((tos & 0xFC) >> 2) == dscp`. */
const dscp: MatchCompiler = (m, env) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    let d: number | undefined;
    if (o.key === 'dscp' && o.value.type === 'number') d = o.value.value;
    else if (o.key === 'dscp-class' && o.value.type === 'string') d = DSCP_CLASSES.get(o.value.value.toUpperCase());
    if (d === undefined) { preds.push(unknownField(env, o, 'DSCP class')); continue; }
    const want = d;
    preds.push(neg(o, (p) => p.tos >> 2 === want));
  }
  return all(preds);
};

/** xt_ecn.c: ECE/CWR TCP flags, ECT codepoint = tos & 3. */
const ecn: MatchCompiler = (m) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    if (o.key === 'ecn-tcp-cwr') preds.push(neg(o, (p) => p.proto === IPPROTO_TCP && (p.tcpFlags & 0x80) !== 0));
    else if (o.key === 'ecn-tcp-ece') preds.push(neg(o, (p) => p.proto === IPPROTO_TCP && (p.tcpFlags & 0x40) !== 0));
    else if (o.key === 'ecn-ip-ect' && o.value.type === 'number') {
      const want = o.value.value;
      preds.push(neg(o, (p) => (p.tos & 3) === want));
    }
  }
  return all(preds);
};

/** xt_tcpmss.c: the MSS option's value in range; a segment without the option matches only when inverted. */
const tcpmss: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'mss');
  if (!o || o.value.type !== 'number-range') return null;
  const { from, to } = o.value;
  const inv = o.negated;
  return (p) => (p.proto === IPPROTO_TCP && p.mss !== null ? (p.mss >= from && p.mss <= to) !== inv : inv);
};

/**
 * IPv6 extension-header matches (frag, rt, hbh, dst, ah on IPv6): simulated packets carry no extension headers,
 * and these matches return false when the header is absent (ipv6_find_hdr() < 0), whatever the `!`.
 */
const absentHeader: MatchCompiler = () => () => false;

const IPV6_HEADER_MASKS: Record<string, number> = {
  hop: 128, 'hop-by-hop': 128, '0': 128, dst: 64, '60': 64, route: 32, '43': 32, frag: 16, '44': 16, auth: 8, '51': 8,
  esp: 4, '50': 4, none: 2, '59': 2, prot: 1, proto: 1, protocol: 1,
};

/** ip6t_ipv6header.c: the set of headers present (here only the upper-layer protocol) against `--header`. */
const ipv6header: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'header');
  if (!o || o.value.type !== 'list') return null;
  let match = 0;
  for (const h of o.value.items) match |= IPV6_HEADER_MASKS[h.toLowerCase()] ?? 0;
  const invert = o.negated ? 0xff : 0;
  const soft = m.options.some((x) => x.key === 'soft');
  return (p) => {
    const temp = p.proto === 59 || p.proto === 50 ? (p.proto === 50 ? 4 : 2) : 1;
    if (soft) return ((temp ^ match ^ invert) & match) === 0;
    return invert ? temp !== match : temp === match;
  };
};

/** ipv4options: simulated packets carry no IP options, so only "no option" tests (`! --flags`, `--no-srr`) hold. */
const ipv4options: MatchCompiler = (m) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    if (o.key === 'no-srr') preds.push(() => true);
    else if (o.key === 'any') continue;
    else if (o.key === 'flags') preds.push(neg(o, () => false));
    else preds.push(neg(o, () => false));
  }
  return all(preds);
};

/** esp/ah SPI: compared with the packet's SPI when the packet spec gives one, else a fork. */
const spiMatch = (proto: number, key: string): MatchCompiler => (m, env) => {
  const preds: Pred[] = [(p) => p.proto === proto];
  for (const o of m.options) {
    if (o.key === key && o.value.type === 'number-range') {
      const { from, to } = o.value;
      const unknown = unknownField(env, o, 'SPI');
      preds.push((p, c) => (p.spi === null ? unknown(p, c) : (p.spi >= from && p.spi <= to) !== o.negated));
    } else if (o.key === 'ahres' || o.key === 'ahlen') preds.push(unknownField(env, o, o.spelling));
  }
  return all(preds);
};

const mh: MatchCompiler = (m, env) => {
  const preds: Pred[] = [(p) => p.proto === 135];
  for (const o of m.options) preds.push(unknownField(env, o, 'mobility header type'));
  return all(preds);
};

export const PACKET_MATCHES: Record<string, MatchCompiler> = {
  tcp,
  udp: ports(17),
  udplite: ports(136),
  sctp,
  dccp,
  icmp: icmpLike(1, 'icmp-type'),
  icmp6: icmpLike(58, 'icmpv6-type'),
  multiport,
  iprange,
  mac,
  pkttype,
  length,
  length2: length,
  ttl: ttlLike('ttl'),
  hl: ttlLike('hl'),
  tos,
  dscp,
  ecn,
  tcpmss,
  frag: absentHeader,
  rt: absentHeader,
  hbh: absentHeader,
  dst: absentHeader,
  ipv6header,
  ipv4options,
  esp: spiMatch(50, 'espspi'),
  ah: (m, env) => (env.family === 'ipv6' ? absentHeader(m, env) : spiMatch(51, 'ahspi')(m, env)),
  mh,
};
