// The packet space of one address family: which header and metadata fields a set ranges over, in which
// variable order, and the helpers that turn field tests into sets.
//
// Variable order decides sizes, and the rule that held on kube-proxy's and hand-written rulesets
// (bench/packet-set.mjs): fields with few distinct values in practice on top, the addresses at the bottom, the
// oracles of unknown matches last. A long chain leaves a trie of the values its rules excluded in every later
// set; a later rule that tests a field above that trie rebuilds only its own path, one that tests a field below
// rebuilds the whole trie. kube-proxy's KUBE-SERVICES excludes 10k destinations, then KUBE-NODEPORTS tests ports
// only: with ports under the addresses that cost 2^25 nodes, with ports above it costs a path per rule.
// Oracles on top split every structure below them; at the bottom they hang under the leaves that need them.
// Measured on the 2k-service snapshot: this order walks in about 6 s; the source address moved near the top
// (so kube-proxy's `-s ENDPOINT` tests would not rebuild the sets above them) took 297 s.

import { Bdd, FALSE, TRUE, equals, layout, masked, prefix, range, type Field } from '@chainsight/bdd';
import type { NameAlphabet } from './alphabet';
import { Collector } from './gc';

export type IpFamily = 'ipv4' | 'ipv6';

/** Conntrack states as xt_conntrack and xt_state name them; the codes are this package's own. */
export const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const;
export type CtStateName = (typeof CT_STATES)[number];

/** skb->pkt_type as xt_pkttype reads it. */
export const PKT_TYPES = ['host', 'broadcast', 'multicast', 'otherhost'] as const;

/** Protocols whose packets carry source and destination ports (the tcp/udp/udplite/sctp/dccp matches). */
export const PORT_PROTOCOLS = [6, 17, 33, 132, 136] as const;

export interface FieldNames {
  iif: Field;
  oif: Field;
  proto: Field;
  /** A second or later fragment (fragment offset ≠ 0): no transport header is visible. */
  frag: Field;
  dst: Field;
  dport: Field;
  src: Field;
  sport: Field;
  icmpType: Field;
  icmpCode: Field;
  tcpFlags: Field;
  /** Index into CT_STATES. */
  ctState: Field;
  /** 1 = REPLY. Meaningful only for tracked packets. */
  ctReply: Field;
  /** The connection's source / destination is translated (the virtual SNAT / DNAT states). */
  ctSnat: Field;
  ctDnat: Field;
  mark: Field;
  ctMark: Field;
  pktType: Field;
  length: Field;
  ttl: Field;
  tos: Field;
  /** Unknown matches: one variable each (see oracles.ts). */
  oracles: Field | null;
}

const bitsFor = (n: number) => Math.max(1, Math.ceil(Math.log2(Math.max(2, n))));

export class PacketSpace {
  readonly bdd: Bdd;
  readonly f: FieldNames;
  readonly family: IpFamily;
  readonly devices: NameAlphabet;
  /** Every well-formed packet: codes inside their enumerations, ports only for port protocols, … */
  universe: number;
  /** Frees the nodes no holder keeps; see gc.ts. The space holds its universe. */
  readonly collector: Collector;
  readonly oracleCount: number;
  /** The backend the rules are loaded with: iptables-nft translates a few matches differently. */
  readonly backend: 'nft' | 'legacy' | 'unknown';

  constructor(family: IpFamily, devices: NameAlphabet, oracleCount: number, options: { maxNodes?: number; cacheBits?: number; initialNodes?: number; backend?: 'nft' | 'legacy' | 'unknown' } = {}) {
    this.family = family;
    this.backend = options.backend ?? 'unknown';
    this.devices = devices;
    this.oracleCount = oracleCount;
    const addr = family === 'ipv4' ? 32 : 128;
    const dev = bitsFor(devices.size);
    const specs = [
      { name: 'iif', width: dev },
      { name: 'oif', width: dev },
      { name: 'proto', width: 8 },
      { name: 'frag', width: 1 },
      { name: 'ctState', width: 3 },
      { name: 'ctReply', width: 1 },
      { name: 'ctSnat', width: 1 },
      { name: 'ctDnat', width: 1 },
      { name: 'pktType', width: 2 },
      { name: 'tcpFlags', width: 8 },
      { name: 'icmpType', width: 8 },
      { name: 'icmpCode', width: 8 },
      { name: 'mark', width: 32 },
      { name: 'ctMark', width: 32 },
      { name: 'tos', width: 8 },
      { name: 'ttl', width: 8 },
      { name: 'length', width: 16 },
      { name: 'dport', width: 16 },
      { name: 'sport', width: 16 },
      { name: 'dst', width: addr },
      { name: 'src', width: addr },
      ...(oracleCount > 0 ? [{ name: 'oracles', width: oracleCount }] : []),
    ];
    const { fields, varCount } = layout(specs);
    const get = (n: string) => fields.get(n)!;
    this.f = {
      iif: get('iif'), oif: get('oif'), proto: get('proto'), frag: get('frag'), dst: get('dst'), dport: get('dport'), src: get('src'),
      sport: get('sport'), icmpType: get('icmpType'), icmpCode: get('icmpCode'), tcpFlags: get('tcpFlags'),
      ctState: get('ctState'), ctReply: get('ctReply'), ctSnat: get('ctSnat'), ctDnat: get('ctDnat'), mark: get('mark'),
      ctMark: get('ctMark'), pktType: get('pktType'), length: get('length'), ttl: get('ttl'), tos: get('tos'),
      oracles: fields.get('oracles') ?? null,
    };
    this.bdd = new Bdd(varCount, { maxNodes: options.maxNodes ?? 1 << 25, cacheBits: options.cacheBits ?? 20, initialNodes: options.initialNodes ?? 1 << 20 });
    this.universe = this.buildUniverse();
    this.collector = new Collector(this.bdd);
    this.collector.hold({ roots: (out) => out.push(this.universe), remap: (m) => (this.universe = m[this.universe]!) });
  }

  private buildUniverse(): number {
    const { bdd, f } = this;
    let u = TRUE;
    const devs = BigInt(this.devices.size - 1);
    u = bdd.and(u, range(bdd, f.iif, 0n, devs));
    u = bdd.and(u, range(bdd, f.oif, 0n, devs));
    u = bdd.and(u, range(bdd, f.ctState, 0n, BigInt(CT_STATES.length - 1)));
    // Ports exist exactly for the first fragment of the port protocols; elsewhere both are 0 (one representative,
    // not 2^32 copies). A later fragment shows no transport header at all.
    const hasPorts = bdd.and(this.hasPorts(), this.eq(f.frag, 0));
    const noPorts = bdd.and(equals(bdd, f.sport, 0n), equals(bdd, f.dport, 0n));
    u = bdd.and(u, bdd.ite(hasPorts, TRUE, noPorts));
    // ICMP type and code exist for ICMP (of this family) only; TCP flags for TCP only.
    const first = this.eq(f.frag, 0);
    const icmp = bdd.and(this.eq(f.proto, this.family === 'ipv4' ? 1 : 58), first);
    u = bdd.and(u, bdd.ite(icmp, TRUE, bdd.and(this.eq(f.icmpType, 0), this.eq(f.icmpCode, 0))));
    u = bdd.and(u, bdd.ite(bdd.and(this.eq(f.proto, 6), first), TRUE, this.eq(f.tcpFlags, 0)));
    // Untracked and invalid packets have no connection: no direction, no NAT, no connection mark.
    const tracked = this.ctStates(['NEW', 'ESTABLISHED', 'RELATED']);
    const noConn = bdd.and(bdd.and(this.eq(f.ctReply, 0), this.eq(f.ctMark, 0)), bdd.and(this.eq(f.ctSnat, 0), this.eq(f.ctDnat, 0)));
    u = bdd.and(u, bdd.ite(tracked, TRUE, noConn));
    return u;
  }

  eq(field: Field, value: number | bigint): number {
    return equals(this.bdd, field, BigInt(value));
  }
  range(field: Field, lo: number | bigint, hi: number | bigint): number {
    return range(this.bdd, field, BigInt(lo), BigInt(hi));
  }
  prefix(field: Field, value: bigint, length: number): number {
    return prefix(this.bdd, field, value, length);
  }
  /** (x & mask) == value; a value with bits outside the mask never matches (xt_mark's comparison). */
  masked(field: Field, value: number | bigint, mask: number | bigint): number {
    return masked(this.bdd, field, BigInt(value), BigInt(mask));
  }
  /** The union of x == v over the values. */
  oneOf(field: Field, values: Iterable<number>): number {
    let r = FALSE;
    for (const v of values) r = this.bdd.or(r, this.eq(field, v));
    return r;
  }
  hasPorts(): number {
    return this.oneOf(this.f.proto, PORT_PROTOCOLS);
  }
  ctStates(names: readonly string[]): number {
    return this.oneOf(this.f.ctState, names.map((n) => CT_STATES.indexOf(n as CtStateName)).filter((i) => i >= 0));
  }
  /** No well-formed packet is in the set (sets are built over all encodings; see matches/context.ts neg). */
  isEmpty(set: number): boolean {
    return set === FALSE || !this.bdd.intersects(set, this.universe);
  }

  /** The well-formed packets of a set. */
  valid(set: number): number {
    return this.bdd.and(set, this.universe);
  }

  /** The oracle variable i as a set: "unknown match i holds". */
  oracle(i: number): number {
    if (!this.f.oracles || i < 0 || i >= this.oracleCount) throw new RangeError(`no oracle ${i}`);
    return this.bdd.variable(this.f.oracles.first + i);
  }
}
