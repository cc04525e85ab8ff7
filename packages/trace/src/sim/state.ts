// The packet as the simulation carries it through the hooks (mutable within one run of the path), and the
// conntrack entry it belongs to. Field names follow what the kernel keeps in the skb / nf_conn.
import type { Version } from '../host/model';

export type CtState = 'NEW' | 'ESTABLISHED' | 'RELATED' | 'INVALID' | 'UNTRACKED';

/** An address/port pair of a conntrack tuple. */
export interface TupleEnd {
  addr: bigint;
  /** Port, or the ICMP echo id (conntrack keys echo requests by id). */
  port: number | null;
}

export interface Tuple {
  src: TupleEnd;
  dst: TupleEnd;
  proto: number;
}

export interface NatBinding {
  type: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'NETMAP' | 'SAME';
  table: string;
  chain: string;
  rule: number;
  file: string;
  line: number;
  /** The translated address and port (new destination for DNAT/REDIRECT, new source for SNAT/MASQUERADE). */
  addr: bigint;
  port: number | null;
  /**
   * Without a host context, MASQUERADE's and REDIRECT's address is an interface's (`the address of eth0`), which
   * the trace cannot name: `addr` then keeps the packet's own address.
   */
  unknownAddr?: string;
}

/** nf_conn: both tuples, which NAT manips are set up (nf_nat_initialized) and which translate (IPS_*_NAT). */
export interface Conn {
  orig: Tuple;
  reply: Tuple;
  /** nat chains for the DST manip (PREROUTING/OUTPUT) were consulted: binding fixed, possibly null. */
  dstInit: boolean;
  /** nat chains for the SRC manip (POSTROUTING/INPUT) were consulted. */
  srcInit: boolean;
  dnat: NatBinding | null;
  snat: NatBinding | null;
  mark: number;
  helper: string | null;
  /** The first packet of the connection was accepted at its last hook (conntrack confirmed). */
  confirmed: boolean;
  labels: Set<number>;
}

export interface SimPacket {
  v: Version;
  src: bigint;
  dst: bigint;
  proto: number;
  sport: number | null;
  dport: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  /** ICMP echo id (the conntrack "port" of echo requests). */
  icmpId: number;
  icmpSeq: number;
  tcpFlags: number;
  mark: number;
  length: number;
  ttl: number;
  tos: number;
  ipId: number;
  df: boolean;
  srcMac: bigint | null;
  dstMac: bigint | null;
  /** Netfilter hook arguments: '' when the device is NULL (the kernel compares a missing device as ""). */
  in: string;
  out: string;
  /** br_netfilter's nf_bridge->physindev / physoutdev ('' when unset). */
  physIn: string;
  physOut: string;
  /** The frame arrived through a bridge and has nf_bridge info (br_netfilter ran). */
  bridged: boolean;
  ct: Conn | null;
  ctState: CtState;
  /** Direction of this packet in its connection; null without a conntrack. */
  ctDir: 'ORIGINAL' | 'REPLY' | null;
  /** skb->nf_trace: set by a TRACE rule (or --trace-all); legacy TRACE lines are printed only when set. */
  trace: boolean;
  /** Locally generated: has a local socket (owner match, UID= in logs). */
  local: boolean;
  uid: number | null;
  gid: number | null;
  /** Marked untracked by raw NOTRACK / CT --notrack before the conntrack hook. */
  notrack: boolean;
  /** skb->pkt_type as xt_pkttype / ebtables pkttype see it. */
  pktType: 'host' | 'broadcast' | 'multicast' | 'otherhost';
  /** TCP options present (kinds), for `-m tcp --tcp-option` and `-m tcpmss`. */
  tcpOptions: number[];
  mss: number | null;
  /** IPsec SPI for esp/ah packets, when known. */
  spi: number | null;
  secmark: number;
}

export function clonePacket(p: SimPacket): SimPacket {
  return { ...p, tcpOptions: [...p.tcpOptions] };
}
