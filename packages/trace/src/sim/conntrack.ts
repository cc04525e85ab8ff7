// Connection tracking and NAT as the simulator needs them (docs/netfilter.md §conntrack-nat): which packets may create a
// conntrack entry, the entry's tuples, NAT bindings set by the nat chains on the first packet, and the
// translation applied to every later packet (and inverted for replies) at the nat hooks.
import type { NatRequest } from '../compile/types';
import { icmpReplyType } from '../packet';
import type { Run } from './run';
import type { Conn, NatBinding, SimPacket, Tuple } from './state';
import { routeKey } from './route-key';
import { formatIp } from '../addr';

/**
 * ICMPv6 types that conntrack leaves UNTRACKED instead of INVALID: MLD queries, reports and reductions (130-132),
 * router and neighbour solicitations and advertisements (133-136) and MLDv2 reports (143).
 * nf_conntrack_proto_icmpv6.c nf_conntrack_icmpv6_error(): `noct_valid_new[type - 130]` → nf_ct_set(skb, NULL,
 * IP_CT_UNTRACKED). A redirect (137) is not in the table: like any other non-request it is INVALID.
 */
const ICMPV6_NOCT = new Set([130, 131, 132, 133, 134, 135, 136, 143]);

export function icmpv6Untracked(p: Pick<SimPacket, 'v' | 'proto' | 'icmpType'>): boolean {
  return p.v === 6 && p.proto === 58 && p.icmpType !== null && ICMPV6_NOCT.has(p.icmpType);
}

/**
 * Can this packet create a conntrack entry (state NEW)? If not, the state it gets instead: UNTRACKED for the
 * ICMPv6 types of `icmpv6Untracked` (decided before any lookup, in the protocol's error callback), else INVALID.
 * nf_conntrack_proto_icmp.c valid_new[] (echo, timestamp, info, address-mask requests), nf_conntrack_proto_tcp.c
 * tcp_new() (SYN; a bare ACK only with nf_conntrack_tcp_loose=1; tcp_error() rejects invalid flag combinations),
 * everything else generic.
 */
export function canCreate(p: Pick<SimPacket, 'v' | 'proto' | 'icmpType' | 'tcpFlags'>, tcpLoose: boolean): { ok: boolean; state: 'NEW' | 'INVALID' | 'UNTRACKED'; why: string } {
  const yes = { ok: true, state: 'NEW' as const, why: '' };
  const no = (why: string) => ({ ok: false, state: 'INVALID' as const, why });
  if (p.proto === 1 || p.proto === 58) {
    if (icmpv6Untracked(p)) {
      return { ok: false, state: 'UNTRACKED', why: `ICMPv6 type ${p.icmpType} (neighbour discovery, router discovery or MLD) is never tracked (nf_conntrack_icmpv6_error)` };
    }
    if (p.icmpType !== null && icmpReplyType(p.v, p.icmpType) !== null) return yes;
    return no(`ICMP${p.v === 6 ? 'v6' : ''} type ${p.icmpType} cannot open a connection (only requests can)`);
  }
  if (p.proto === 6) {
    const f = p.tcpFlags & 0x3f & ~0x08; // ignore PSH (and ECE/CWR above 0x3f)
    const valid = [0x02, 0x22, 0x12, 0x04, 0x14, 0x11, 0x31, 0x10, 0x30];
    if (!valid.includes(f)) return no('invalid TCP flag combination (tcp_error)');
    if (f & 0x04) return no('a RST without a connection is INVALID');
    if ((f & 0x12) === 0x12) return no('a SYN/ACK without a connection is INVALID');
    if (f & 0x01) return no('a FIN without a connection is INVALID');
    if (f & 0x02) return yes;
    return tcpLoose ? yes : no('a bare ACK opens no connection with nf_conntrack_tcp_loose=0');
  }
  return yes;
}

/** The tuple of a packet: ICMP echo requests are keyed by their echo id (conntrack's "port"). */
export function tupleOf(p: SimPacket): Tuple {
  const icmp = p.proto === 1 || p.proto === 58;
  return {
    proto: p.proto,
    src: { addr: p.src, port: icmp ? p.icmpId : p.sport },
    dst: { addr: p.dst, port: icmp ? null : p.dport },
  };
}

export function invert(t: Tuple): Tuple {
  return { proto: t.proto, src: { ...t.dst }, dst: { ...t.src } };
}

export function newConn(p: SimPacket): Conn {
  const orig = tupleOf(p);
  return {
    orig, reply: invert(orig), dstInit: false, srcInit: false, dnat: null, snat: null, mark: 0, helper: null,
    confirmed: false, labels: new Set(),
  };
}

export function cloneConn(c: Conn): Conn {
  return {
    ...c, orig: { ...c.orig, src: { ...c.orig.src }, dst: { ...c.orig.dst } },
    reply: { ...c.reply, src: { ...c.reply.src }, dst: { ...c.reply.dst } }, labels: new Set(c.labels),
  };
}

/** DST manip at PREROUTING/OUTPUT, SRC manip at POSTROUTING/INPUT (iptable_nat.c nf_nat_ipv4_ops). */
export type Manip = 'DST' | 'SRC';

export function manipOf(hook: string): Manip {
  return hook === 'PREROUTING' || hook === 'OUTPUT' ? 'DST' : 'SRC';
}

function pickAddress(run: Run, from: bigint, to: bigint, what: string): bigint {
  if (from === to) return from;
  const n = to - from + 1n;
  if (n <= 16n) {
    const alts = Array.from({ length: Number(n) }, (_, i) => ({
      label: `${what} ${formatIp(run.p.v, from + BigInt(i))}`, probability: 1 / Number(n), assumption: null,
    }));
    return from + BigInt(run.chooser.choose(alts));
  }
  run.event('nat', `${what}: the kernel picks an address of ${formatIp(run.p.v, from)}-${formatIp(run.p.v, to)} by hashing the flow; shown: the first`);
  return from;
}

function pickPort(run: Run, current: number | null, from: number | null, to: number | null, what: string): number | null {
  if (from === null || to === null || current === null) return current;
  // nf_nat_core.c get_unique_tuple(): a port already inside the range is kept.
  if (current >= from && current <= to) return current;
  if (from !== to) run.event('nat', `${what}: port chosen from ${from}-${to} by the kernel; shown: the first`);
  return from;
}

/**
 * Sets up the NAT binding a nat-table target asks for (nf_nat_setup_info) and updates the reply tuple.
 * Returns null when no translation is possible (MASQUERADE/REDIRECT without an address: NF_DROP).
 */
export function natBinding(run: Run, req: NatRequest): NatBinding | null {
  const p = run.p;
  const ct = p.ct;
  if (ct === null) return null;
  const hook = run.ctx.hook;
  const manip = manipOf(hook);
  const st = run.steps[run.currentStep]!;
  const base = { table: st.table, chain: st.chain, rule: st.rule ?? 0, file: st.file, line: st.line ?? 0 };
  const icmp = p.proto === 1 || p.proto === 58;
  const curPort = manip === 'DST' ? (icmp ? null : p.dport) : (icmp ? p.icmpId : p.sport);
  let addr: bigint;
  let port: number | null = curPort;
  let type: NatBinding['type'] = req.type;
  let unknown: string | null = null;
  switch (req.type) {
    case 'DNAT':
    case 'SNAT':
      addr = req.addrFrom !== null ? pickAddress(run, req.addrFrom, req.addrTo ?? req.addrFrom, `${req.type} address`) : manip === 'DST' ? p.dst : p.src;
      port = icmp ? curPort : pickPort(run, curPort, req.portFrom, req.portTo, `${req.type} port`);
      break;
    case 'MASQUERADE': {
      // Without a host context the address of OUT is not known: the translation happens (the rule matched), to
      // an address this trace cannot name; the packet keeps showing its old source.
      if (!run.compiled.host.given) {
        unknown = `the address of ${p.out || 'OUT'}`;
        addr = p.src;
        port = icmp ? curPort : pickPort(run, curPort, req.portFrom, req.portTo, 'MASQUERADE port');
        run.event('nat', `MASQUERADE to ${unknown} (unknown without host facts; the source shown stays ${formatIp(p.v, p.src)})`);
        break;
      }
      // nf_nat_masquerade.c: the address of the output interface towards the next hop (inet_select_addr).
      // The packet's own route: the same policy rules (mark, source, input device; lo for local packets).
      const r = run.compiled.host.route(p.v, p.dst, routeKey(p, p.in || 'lo'));
      const nh = r.kind === 'unicast' ? r.via ?? p.dst : p.dst;
      const a = run.compiled.host.selectSource(p.v, p.out, nh);
      if (a === null) { run.event('nat', `MASQUERADE: ${p.out || 'the output interface'} has no IPv${p.v} address in the host context: the packet is dropped`); return null; }
      addr = a;
      port = icmp ? curPort : pickPort(run, curPort, req.portFrom, req.portTo, 'MASQUERADE port');
      break;
    }
    case 'REDIRECT': {
      // nf_nat_redirect.c: 127.0.0.1 / ::1 for locally generated packets, else the input interface's first address.
      if (hook === 'OUTPUT') addr = p.v === 4 ? 0x7f000001n : 1n;
      else if (!run.compiled.host.given) {
        // Without a host context: an address of IN, unknown here but the host's own, so the packet is delivered.
        unknown = `an address of ${p.in}`;
        addr = p.dst;
        run.ctx.facts.local.set(`${p.v}:${p.dst}`, true);
        run.event('nat', `REDIRECT to ${unknown} (unknown without host facts; the destination shown stays ${formatIp(p.v, p.dst)}, taken as the host's own)`);
      } else {
        const a = run.compiled.host.interfaces.get(p.in)?.addresses.find((x) => x.version === p.v);
        if (!a) { run.event('nat', `REDIRECT: ${p.in} has no IPv${p.v} address in the host context: the packet is dropped`); return null; }
        addr = a.address;
      }
      port = icmp ? curPort : pickPort(run, curPort, req.portFrom, req.portTo, 'REDIRECT port');
      type = 'REDIRECT';
      break;
    }
    case 'NETMAP': {
      const bits = p.v === 4 ? 32 : 128;
      const prefix = req.prefix ?? bits;
      const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
      const old = manip === 'DST' ? p.dst : p.src;
      addr = (old & ~mask & ((1n << BigInt(bits)) - 1n)) | ((req.addrFrom ?? 0n) & mask);
      break;
    }
    default:
      addr = manip === 'DST' ? p.dst : p.src;
  }
  const binding: NatBinding = { ...base, type, addr, port, ...(unknown !== null ? { unknownAddr: unknown } : {}) };
  if (manip === 'DST') {
    ct.dnat = binding;
    ct.reply.src = { addr, port: icmp ? ct.reply.src.port : port };
  } else {
    ct.snat = binding;
    ct.reply.dst = { addr, port };
  }
  return binding;
}

/**
 * nf_nat_packet(): rewrite the packet by the connection's bindings at a nat hook. Original direction: DNAT at the
 * DST manip, SNAT at the SRC manip; reply direction: the inverse (de-SNAT at DST, de-DNAT at SRC).
 */
export function applyManip(p: SimPacket, manip: Manip): string | null {
  const ct = p.ct;
  if (ct === null) return null;
  const icmp = p.proto === 1 || p.proto === 58;
  if (p.ctDir === 'ORIGINAL') {
    const b = manip === 'DST' ? ct.dnat : ct.snat;
    if (!b) return null;
    if (manip === 'DST') { p.dst = b.addr; if (!icmp && b.port !== null) p.dport = b.port; }
    else { p.src = b.addr; if (b.port !== null) { if (icmp) p.icmpId = b.port; else p.sport = b.port; } }
    return null;
  }
  if (p.ctDir === 'REPLY') {
    if (manip === 'DST' && ct.snat) {
      p.dst = ct.orig.src.addr;
      if (ct.orig.src.port !== null) { if (icmp) p.icmpId = ct.orig.src.port; else p.dport = ct.orig.src.port; }
      return `reply de-${ct.snat.type === 'MASQUERADE' ? 'MASQUERADEd' : 'SNATed'}: destination back to ${formatIp(p.v, p.dst)}`;
    }
    if (manip === 'SRC' && ct.dnat) {
      p.src = ct.orig.dst.addr;
      if (!icmp && ct.orig.dst.port !== null) p.sport = ct.orig.dst.port;
      return `reply de-DNATed: source back to ${formatIp(p.v, p.src)}${!icmp && p.sport !== null ? `:${p.sport}` : ''}`;
    }
  }
  return null;
}
