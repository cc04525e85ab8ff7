// The packet a user asks about (PacketSpec, as given on the command line or one line of a --batch file), and
// how it becomes a concrete simulated packet with an entry point: what is not given is inferred from the host
// context, and every inference is reported (docs/host-facts.md §entry-point).
import { ICMP_TYPES, ICMPV6_TYPES, parseMac } from '@chainsight/grammar';
import { parseIpAny } from './host/context';
import type { HostModel, NeighbourModel, Version } from './host/model';
import type { CtState, SimPacket } from './sim/state';
import { formatIp, isMulticast } from './addr';
import { PACKET_FIELDS, parseTcpFlags } from './packet-fields';
import { protocolNumber } from './protocol';
import { castMac, castRoute, pktTypeOfMac } from './sim/cast-route';

export interface PacketSpec {
  src?: string;
  dst?: string;
  /** tcp, udp, icmp, icmpv6, sctp, … or a protocol number. */
  proto?: string | number;
  sport?: number;
  dport?: number;
  /** `echo-request`, `8`, `3/3` (type/code). */
  icmpType?: string | number;
  icmpCode?: number;
  /** Comma-separated flags (`SYN`, `SYN,ACK`); default SYN for a NEW TCP packet, ACK for later ones. */
  tcpFlags?: string;
  state?: CtState;
  /** Trace the reply of the connection the other fields describe. */
  reply?: boolean;
  mark?: number;
  in?: string;
  physIn?: string;
  /** Sent by a local process. */
  local?: boolean;
  /** The sending socket is bound to --src (bind()): decides a local broadcast's or multicast's device. */
  boundSrc?: boolean;
  /** A host-context neighbour the packet comes from / goes to. */
  from?: string;
  to?: string;
  out?: string;
  physOut?: string;
  srcMac?: string;
  dstMac?: string;
  length?: number;
  ttl?: number;
  tos?: number;
  uid?: number;
  gid?: number;
}

export class PacketError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

export type Entry =
  | { kind: 'local' }
  /** Received by the IP stack on `dev` (a plain interface, or a bridge port whose frame broute routes). */
  | { kind: 'iface'; dev: string }
  /** Received on bridge port `port` of `bridge`. */
  | { kind: 'bridge'; bridge: string; port: string };

export interface ResolvedPacket {
  packet: SimPacket;
  entry: Entry;
  /** The connection state asked for (NEW unless --state/--reply). */
  state: CtState;
  reply: boolean;
  /** Pinned egress (--out / --phys-out); for a local packet, the socket's device. */
  out: string | null;
  /** The local socket is bound to the packet's source (--bound-src). */
  boundSrc: boolean;
  physOut: string | null;
  inferred: string[];
}

export { protocolNumber, parseTcpFlags };

/** Echo request types that may create a conntrack entry (nf_conntrack_proto_icmp.c valid_new[]). */
const ICMP_REQUEST_REPLY: Record<number, number> = { 8: 0, 13: 14, 15: 16, 17: 18 };
const ICMPV6_REQUEST_REPLY: Record<number, number> = { 128: 129, 139: 140 };

export function icmpReplyType(v: Version, type: number): number | null {
  return (v === 4 ? ICMP_REQUEST_REPLY : ICMPV6_REQUEST_REPLY)[type] ?? null;
}

function parseIcmp(v: Version, spec: PacketSpec): { type: number; code: number } {
  const t = spec.icmpType;
  if (t === undefined) return { type: v === 4 ? 8 : 128, code: spec.icmpCode ?? 0 };
  if (typeof t === 'number') return { type: t, code: spec.icmpCode ?? 0 };
  const m = /^(\d+)(?:\/(\d+))?$/.exec(t);
  const named = m ? null : (v === 4 ? ICMP_TYPES : ICMPV6_TYPES).get(t);
  if (!m && (!named || named[0] < 0)) throw new PacketError('trace/packet-icmp-type', `unknown ICMP${v === 6 ? 'v6' : ''} type '${t}'`);
  const type = m ? Number(m[1]) : named![0];
  const code = m ? (m[2] !== undefined ? Number(m[2]) : null) : named![1];
  // A code in the type (`3/1`, `port-unreachable`) and another in --icmp-code: which one was meant is unknown.
  if (code !== null && spec.icmpCode !== undefined && spec.icmpCode !== code) {
    throw new PacketError('trace/packet-icmp-type', `--icmp-type ${t} has code ${code}, --icmp-code says ${spec.icmpCode}`);
  }
  return { type, code: code ?? spec.icmpCode ?? 0 };
}

/**
 * The fields of a spec checked as the command line and --batch check them (packet-fields.ts), for library
 * callers that build a PacketSpec themselves: a value the header cannot carry is an error, never traced.
 */
export function checkPacketSpec(spec: PacketSpec): void {
  for (const f of PACKET_FIELDS) {
    const v = spec[f.key];
    if (v === undefined) continue;
    const r = f.check(v);
    if (!r.ok) throw new PacketError('trace/packet-value', `--${f.option} ${r.message}`);
  }
}

function address(text: string, what: string): { version: Version; address: bigint } {
  const a = parseIpAny(text);
  if (!a) throw new PacketError('trace/packet-address', `${what} '${text}' is not an IP address`);
  return a;
}

function neighbour(host: HostModel, name: string, what: string): NeighbourModel {
  const n = host.neighbourByName(name);
  if (!n) {
    const names = host.neighbours.map((x) => x.name).filter(Boolean);
    throw new PacketError('trace/packet-neighbour', `${what} '${name}' is not a neighbour of the host context${names.length ? ` (known: ${names.join(', ')})` : ''}`);
  }
  return n;
}

/** Default lengths: a ping is 84 bytes; a SYN with Linux's options 60, other TCP segments 52; UDP 8 + 20 header. */
function defaultLength(v: Version, proto: number, flags: number): number {
  const ip = v === 4 ? 20 : 40;
  if (proto === 1 || proto === 58) return ip + 64;
  if (proto === 6) return ip + (flags & 0x02 ? 40 : 32);
  if (proto === 17) return ip + 8 + 1;
  return ip + 8;
}

/** Builds the concrete packet and entry point. Throws PacketError for contradictions and missing facts. */
export function resolvePacket(spec: PacketSpec, host: HostModel): ResolvedPacket {
  checkPacketSpec(spec);
  const inferred: string[] = [];
  // A dual-stack neighbour is one per family: the family of --dst or --src decides, else --to's first address.
  const given = spec.dst ?? spec.src;
  const to0 = spec.to !== undefined ? neighbour(host, spec.to, '--to') : undefined;
  const family = given !== undefined ? parseIpAny(given)?.version : to0?.version;
  const from = spec.from !== undefined ? (family !== undefined ? host.neighbourByName(spec.from, family) : undefined) ?? neighbour(host, spec.from, '--from') : undefined;
  const to = to0 && family !== undefined ? host.neighbourByName(to0.name!, family) ?? to0 : to0;
  const srcText = spec.src ?? (from ? formatIp(from.version, from.ip) : undefined);
  const dstText = spec.dst ?? (to ? formatIp(to.version, to.ip) : undefined);
  if (dstText === undefined) throw new PacketError('trace/packet-missing', 'the packet needs a destination (--dst ADDRESS or --to NEIGHBOUR)');
  const dst = address(dstText, '--dst');
  const v = dst.version;
  let src: { version: Version; address: bigint } | null = srcText !== undefined ? address(srcText, '--src') : null;
  if (src && src.version !== v) throw new PacketError('trace/packet-family', `--src ${srcText} and --dst ${dstText} are not the same IP version`);

  const proto = protocolNumber(spec.proto ?? (v === 4 ? 'icmp' : 'icmpv6'));
  if (proto === null) throw new PacketError('trace/packet-proto', `unknown protocol '${spec.proto}'`);
  if (spec.proto === undefined) inferred.push(`protocol ${v === 4 ? 'icmp' : 'icmpv6'} (echo request) assumed: no --proto`);
  const state: CtState = spec.reply ? 'ESTABLISHED' : spec.state ?? 'NEW';
  const later = state !== 'NEW';
  let tcpFlags = 0;
  if (proto === 6) {
    if (spec.tcpFlags !== undefined) {
      const f = parseTcpFlags(spec.tcpFlags);
      if (f === null) throw new PacketError('trace/packet-tcp-flags', `'${spec.tcpFlags}' is not a list of TCP flags (SYN,ACK,FIN,RST,PSH,URG,ECE,CWR)`);
      tcpFlags = f;
    } else tcpFlags = spec.reply && state === 'ESTABLISHED' ? 0x12 : later ? 0x10 : 0x02;
  }
  let icmpType: number | null = null;
  let icmpCode: number | null = null;
  if (proto === 1 || proto === 58) {
    if ((proto === 1) !== (v === 4)) throw new PacketError('trace/packet-proto', `protocol ${proto === 1 ? 'icmp' : 'icmpv6'} does not fit an IPv${v} packet`);
    const t = parseIcmp(v, spec);
    icmpType = t.type;
    icmpCode = t.code;
  }
  // ICMP fields on another protocol would be dropped without a word: refuse them, except on the RELATED reply,
  // the ICMP error about the packet (--reply --state RELATED --icmp-type 3/3).
  const errorReply = spec.reply === true && spec.state === 'RELATED';
  if (proto !== 1 && proto !== 58 && !errorReply && (spec.icmpType !== undefined || spec.icmpCode !== undefined)) {
    throw new PacketError('trace/packet-proto', `--icmp-type/--icmp-code need an icmp or icmpv6 packet, not '${spec.proto}'`);
  }
  if (proto !== 6 && spec.tcpFlags !== undefined) {
    throw new PacketError('trace/packet-proto', `--tcp-flags needs a tcp packet, not '${spec.proto ?? 'icmp'}'`);
  }
  const hasPorts = proto === 6 || proto === 17 || proto === 132 || proto === 33 || proto === 136;
  if (!hasPorts && (spec.sport !== undefined || spec.dport !== undefined)) {
    throw new PacketError('trace/packet-ports', `--sport/--dport need a protocol with ports (tcp, udp, sctp, dccp, udplite), not '${spec.proto ?? 'icmp'}'`);
  }
  if (hasPorts && spec.dport === undefined) throw new PacketError('trace/packet-missing', `a ${spec.proto} packet needs --dport`);

  // Entry point.
  let entry: Entry;
  const bridgeEntry = (port: string, why: string): Entry => {
    const br = host.masterOf(port);
    if (!br) throw new PacketError('trace/packet-entry', `'${port}' is not a bridge port in the host context`);
    inferred.push(why);
    return { kind: 'bridge', bridge: br, port };
  };
  if (spec.local) {
    if (spec.in !== undefined) throw new PacketError('trace/packet-entry', '--local and --in contradict each other');
    entry = { kind: 'local' };
  } else if (spec.in !== undefined) {
    if (spec.physIn !== undefined) {
      if (host.masterOf(spec.physIn) !== spec.in && host.interfaces.has(spec.physIn)) {
        throw new PacketError('trace/packet-entry', `--phys-in ${spec.physIn} is not a port of bridge ${spec.in}`);
      }
      entry = { kind: 'bridge', bridge: spec.in, port: spec.physIn };
    } else if (host.masterOf(spec.in)) {
      entry = bridgeEntry(spec.in, `${spec.in} is a port of bridge ${host.masterOf(spec.in)}: the packet enters the bridge there (IN=${host.masterOf(spec.in)} PHYSIN=${spec.in})`);
    } else if (host.isBridge(spec.in)) {
      const n = src ? host.neighbourByIp(v, src.address) : from;
      if (n?.port && host.masterOf(n.port) === spec.in) entry = bridgeEntry(n.port, `bridge port ${n.port}: the port behind which ${n.name ?? formatIp(v, n.ip)} sits`);
      else throw new PacketError('trace/packet-entry', `--in ${spec.in} is a bridge: give the port the frame arrives on with --phys-in`);
    } else entry = { kind: 'iface', dev: spec.in };
  } else if (from) {
    if (from.port) entry = bridgeEntry(from.port, `enters from neighbour ${from.name} on bridge port ${from.port}`);
    else if (from.dev) { entry = { kind: 'iface', dev: from.dev }; inferred.push(`enters from neighbour ${from.name} on ${from.dev}`); }
    else throw new PacketError('trace/packet-entry', `neighbour ${from.name} has no "dev": give --in`);
  } else if (src && host.isLocal(v, src.address)) {
    entry = { kind: 'local' };
    inferred.push(`sent by a local process: ${formatIp(v, src.address)} is an address of this host`);
  } else if (src) {
    const n = host.neighbourByIp(v, src.address);
    if (n?.port) entry = bridgeEntry(n.port, `enters from neighbour ${n.name ?? formatIp(v, n.ip)} on bridge port ${n.port} of ${host.masterOf(n.port)}`);
    else if (n?.dev) { entry = { kind: 'iface', dev: n.dev }; inferred.push(`enters on ${n.dev}, where neighbour ${n.name ?? formatIp(v, n.ip)} is`); }
    else {
      const r = host.route(v, src.address);
      if (r.kind === 'unicast') {
        entry = { kind: 'iface', dev: r.dev };
        inferred.push(`enters on ${r.dev}: the interface this host would use to reach ${formatIp(v, src.address)}${r.route.prefix === 0 ? ' (default route)' : ''}`);
      } else if (!host.given) {
        throw new PacketError('trace/packet-entry', 'where does the packet enter? Without a host context give --in IFACE or --local');
      } else throw new PacketError('trace/packet-entry', `no route back to ${formatIp(v, src.address)}: give --in IFACE or --local`);
    }
  } else if (!host.given) {
    throw new PacketError('trace/packet-entry', 'the packet needs a source (--src, --from) or --local; without a host context also --in');
  } else {
    entry = { kind: 'local' };
    inferred.push('sent by a local process: no --src, --from or --in');
  }

  if (spec.boundSrc && (entry.kind !== 'local' || !src)) {
    throw new PacketError('trace/packet-entry', '--bound-src needs a packet sent by a local process with --src (the address its socket is bound to)');
  }
  // A local broadcast or multicast: the device the kernel sends it out of (sim/cast-route.ts), and from it the source.
  const cast = entry.kind === 'local' && host.given ? castRoute(host, v, dst.address, spec.boundSrc && src ? src.address : null, spec.out ?? null, {}) : null;
  if (cast && cast.kind !== 'none') inferred.push(`${cast.kind} ${dstText} leaves by ${cast.dev}: ${cast.why}`);
  if (!src && cast && cast.kind !== 'none') {
    const chosen = host.selectSource(v, cast.dev, null);
    if (chosen === null) throw new PacketError('trace/packet-missing', `cannot choose a source address (${cast.dev} has no IPv${v} address): give --src`);
    src = { version: v, address: chosen };
    inferred.push(`source ${formatIp(v, chosen)}: the primary address of ${cast.dev} (inet_select_addr())`);
  }
  // Source address of a local packet: the route's preferred source.
  if (!src) {
    if (entry.kind !== 'local') throw new PacketError('trace/packet-missing', 'the packet needs a source address (--src or --from)');
    const r = host.route(v, dst.address);
    const dev = spec.out ?? (r.kind === 'unicast' ? r.dev : r.kind === 'local' ? 'lo' : null);
    // fib_result_prefsrc(): the route's preferred source (a connected route's is its primary address), else
    // inet_select_addr() on the device.
    const prefsrc = spec.out === undefined && r.kind === 'unicast' && r.route.src !== null && !r.route.connected ? r.route.src : null;
    const chosen = r.kind === 'local' ? dst.address : prefsrc ?? (dev ? host.selectSource(v, dev, r.kind === 'unicast' ? r.via ?? dst.address : null) : null);
    if (chosen === null) throw new PacketError('trace/packet-missing', 'cannot choose a source address (no route): give --src');
    src = { version: v, address: chosen };
    inferred.push(prefsrc !== null ? `source ${formatIp(v, chosen)}: the route's preferred source (src)` : `source ${formatIp(v, chosen)}: the primary address the kernel selects for ${dev ?? 'the route'}`);
  }

  // MAC addresses of a received frame.
  let srcMac: bigint | null = spec.srcMac ? parseMac(spec.srcMac) : null;
  let dstMac: bigint | null = spec.dstMac ? parseMac(spec.dstMac) : null;
  if (entry.kind !== 'local') {
    const ingressDev = entry.kind === 'bridge' ? entry.bridge : entry.dev;
    if (srcMac === null) {
      const n = host.neighbourByIp(v, src.address) ?? from;
      const viaRoute = host.route(v, src.address);
      const gw = viaRoute.kind === 'unicast' && viaRoute.via !== null ? host.neighbourByIp(v, viaRoute.via) : undefined;
      srcMac = n?.mac ?? gw?.mac ?? null;
    }
    // A broadcast or multicast the sender addressed as such: 255.255.255.255, the ingress interface's subnet
    // broadcast, a multicast group (another interface's subnet broadcast is routed to this host's MAC).
    const cast = isMulticast(v, dst.address) ? 'multicast' : v === 4 && (dst.address === 0xffffffffn || host.broadcastDev(dst.address) === ingressDev) ? 'broadcast' : null;
    if (dstMac === null && cast !== null) {
      dstMac = castMac(v, dst.address, cast);
      inferred.push(`destination MAC ${fmtMac(dstMac)}: ${dstText} is a ${cast} address${entry.kind === 'bridge' ? ' (the bridge floods it, and delivers a copy to itself)' : ''}`);
    }
    if (dstMac === null) {
      const own = host.interfaces.get(ingressDev)?.mac ?? null;
      if (entry.kind === 'bridge') {
        // The sender resolves on-link destinations itself (same subnet as the bridge) and uses its gateway, the
        // bridge, for everything else.
        const onLink = host.interfaces.get(entry.bridge)?.addresses.some((a) => a.version === v && inSubnet(v, dst.address, a.address, a.prefix));
        const target = onLink && !host.isLocal(v, dst.address) ? host.neighbourByIp(v, dst.address) : undefined;
        if (target?.mac) { dstMac = target.mac; inferred.push(`destination MAC ${fmtMac(target.mac)}: ${target.name ?? dstText} is on the same bridge, the frame is bridged`); }
        else if (onLink && !host.isLocal(v, dst.address) && !isBroadcastish(host, v, dst.address)) {
          inferred.push(`destination MAC unknown: ${dstText} is on the bridge's subnet but not a known neighbour (the bridge floods)`);
        } else dstMac = own;
      } else dstMac = own;
    }
  }
  const icmpReq = icmpType !== null && icmpReplyType(v, icmpType) !== null;
  const hop = v === 6 && proto === 58 && icmpType !== null ? linkLocalHopLimit(icmpType) : null;
  if (hop && spec.ttl === undefined) inferred.push(hop.why);
  const length = spec.length ?? defaultLength(v, proto, tcpFlags);
  // The IP total length as xt_length reads it: tot_len of IPv4 (at least its 20-byte header), payload_len + 40
  // of IPv6 (net/netfilter/xt_length.c).
  const [minLength, maxLength] = v === 4 ? [20, 65535] : [40, 65575];
  if (length < minLength || length > maxLength) {
    throw new PacketError('trace/packet-value', `--length ${length} is not an IPv${v} packet length (${minLength} to ${maxLength})`);
  }
  const packet: SimPacket = {
    v, src: src.address, dst: dst.address, proto,
    sport: hasPorts ? spec.sport ?? 40000 : null,
    dport: hasPorts ? spec.dport! : null,
    icmpType, icmpCode,
    icmpId: icmpReq ? 4660 : 0,
    icmpSeq: icmpReq ? 1 : 0,
    tcpFlags,
    mark: spec.mark ?? 0,
    length,
    ttl: spec.ttl ?? hop?.value ?? 64,
    tos: spec.tos ?? 0,
    ipId: 0,
    df: proto === 6 || proto === 1 || proto === 58,
    srcMac, dstMac,
    in: '', out: '', physIn: '', physOut: '',
    bridged: false,
    ct: null, ctState: state, ctDir: null,
    trace: false,
    local: entry.kind === 'local',
    uid: spec.uid ?? null, gid: spec.gid ?? null,
    notrack: false,
    // eth_type_trans() on the receiving device; a local packet is PACKET_HOST until it is looped back.
    pktType: entry.kind === 'local' ? 'host' : pktTypeOfMac(dstMac),
    tcpOptions: proto === 6 ? (tcpFlags & 0x02 ? [2, 4, 8, 1, 3] : [1, 1, 8]) : [],
    mss: proto === 6 && tcpFlags & 0x02 ? 1460 : null,
    spi: null,
    secmark: 0,
  };
  if (hasPorts && spec.sport === undefined) inferred.push('source port 40000 assumed: no --sport');
  return { packet, entry, state, reply: !!spec.reply, out: spec.out ?? null, physOut: spec.physOut ?? null, boundSrc: !!spec.boundSrc, inferred };
}

/**
 * The hop limit a neighbour-discovery or MLD message always carries: 255 for router and neighbour solicitations
 * and advertisements and redirects (RFC 4861, "Message Validation": ndisc_rcv() drops any other), 1 for MLD
 * (RFC 2710 and RFC 3810, "Message Formats": igmp6_send() builds them with hop limit 1).
 */
function linkLocalHopLimit(type: number): { value: number; why: string } | null {
  if (type >= 133 && type <= 137) return { value: 255, why: `hop limit 255 assumed: ICMPv6 type ${type} is neighbour discovery, which is sent with 255 (RFC 4861; ndisc_rcv drops others); no --ttl` };
  if (type === 130 || type === 131 || type === 132 || type === 143) return { value: 1, why: `hop limit 1 assumed: ICMPv6 type ${type} is MLD, which is sent with 1 (RFC 3810); no --ttl` };
  return null;
}

function inSubnet(v: Version, a: bigint, net: bigint, prefix: number): boolean {
  const bits = v === 4 ? 32 : 128;
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return (a & mask) === (net & mask);
}

function isBroadcastish(host: HostModel, v: Version, a: bigint): boolean {
  const t = host.addrType(v, a, null);
  return t === 'BROADCAST' || t === 'MULTICAST';
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** `aa:bb:cc:dd:ee:ff` (%pM). */
export function fmtMac(m: bigint): string {
  const hi = Number(m >> 24n);
  const lo = Number(m & 0xffffffn);
  return `${HEX2[(hi >>> 16) & 255]}:${HEX2[(hi >>> 8) & 255]}:${HEX2[hi & 255]}:${HEX2[(lo >>> 16) & 255]}:${HEX2[(lo >>> 8) & 255]}:${HEX2[lo & 255]}`;
}
