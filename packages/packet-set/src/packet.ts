// One concrete packet in the space's terms: to test membership (encode) and to show a witness (decode).
// Field meanings are those of trace's SimPacket, so a witness can be traced as it is.
import { FALSE, evaluate, pickCube, valueOf, type Field } from '@chainsight/bdd';
import { CT_STATES, PKT_TYPES, PORT_PROTOCOLS, type CtStateName, type PacketSpace } from './space';

export interface ConcretePacket {
  /** Input and output devices ('' = none). */
  in: string;
  out: string;
  proto: number;
  /** A second or later fragment. */
  fragment: boolean;
  src: bigint;
  dst: bigint;
  /** null for protocols without ports (and later fragments). */
  sport: number | null;
  dport: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  tcpFlags: number;
  ctState: CtStateName;
  ctDir: 'ORIGINAL' | 'REPLY' | null;
  snat: boolean;
  dnat: boolean;
  mark: number;
  ctMark: number;
  pktType: (typeof PKT_TYPES)[number];
  length: number;
  ttl: number;
  tos: number;
  /** Values of the unknowns the packet was judged under (oracle index → holds), when any. */
  oracles?: ReadonlyMap<number, boolean>;
}

/** The packet as an assignment of the space's variables (0/1 per variable). */
export function assignmentOf(space: PacketSpace, p: ConcretePacket): Uint8Array {
  const a = new Uint8Array(space.bdd.varCount);
  const put = (field: Field, value: number | bigint) => {
    let v = BigInt(value);
    for (let i = field.width - 1; i >= 0; i--) {
      a[field.first + i] = Number(v & 1n);
      v >>= 1n;
    }
  };
  const { f } = space;
  put(f.iif, space.devices.classOf(p.in));
  put(f.oif, space.devices.classOf(p.out));
  put(f.proto, p.proto);
  put(f.frag, p.fragment ? 1 : 0);
  put(f.src, p.src);
  put(f.dst, p.dst);
  put(f.sport, p.sport ?? 0);
  put(f.dport, p.dport ?? 0);
  put(f.icmpType, p.icmpType ?? 0);
  put(f.icmpCode, p.icmpCode ?? 0);
  put(f.tcpFlags, p.tcpFlags);
  put(f.ctState, CT_STATES.indexOf(p.ctState));
  put(f.ctReply, p.ctDir === 'REPLY' ? 1 : 0);
  put(f.ctSnat, p.snat ? 1 : 0);
  put(f.ctDnat, p.dnat ? 1 : 0);
  put(f.mark, p.mark >>> 0);
  put(f.ctMark, p.ctMark >>> 0);
  put(f.pktType, PKT_TYPES.indexOf(p.pktType));
  put(f.length, p.length);
  put(f.ttl, p.ttl);
  put(f.tos, p.tos);
  if (f.oracles && p.oracles) for (const [i, v] of p.oracles) a[f.oracles.first + i] = v ? 1 : 0;
  return a;
}

export function contains(space: PacketSpace, set: number, p: ConcretePacket): boolean {
  return evaluate(space.bdd, set, assignmentOf(space, p));
}

/**
 * One packet of the set, or null when it is empty. Free bits are taken as 0 (the smallest values), except
 * where a `prefer` set (say, unprivileged source ports) can be met without leaving the set.
 */
export function witness(space: PacketSpace, set: number, prefer: readonly number[] = []): ConcretePacket | null {
  let s = space.valid(set);
  if (s === FALSE) return null;
  for (const p of prefer) {
    const t = space.bdd.and(s, p);
    if (t !== FALSE) s = t;
  }
  return packetOfCube(space, pickCube(space.bdd, s)!);
}

/**
 * The packet of a cube over the space's variables (0, 1 or -1 = free, taken as 0); the oracles it fixes are
 * reported, the free ones left out.
 */
export function packetOfCube(space: PacketSpace, cube: ArrayLike<number>): ConcretePacket {
  const { f } = space;
  const n = (field: Field) => Number(valueOf(field, cube));
  const proto = n(f.proto);
  const fragment = n(f.frag) === 1;
  const hasPorts = !fragment && (PORT_PROTOCOLS as readonly number[]).includes(proto);
  const isIcmp = !fragment && proto === (space.family === 'ipv4' ? 1 : 58);
  const ctState = CT_STATES[n(f.ctState)] ?? 'NEW';
  const tracked = ctState === 'NEW' || ctState === 'ESTABLISHED' || ctState === 'RELATED';
  const oracles = new Map<number, boolean>();
  if (f.oracles) for (let i = 0; i < space.oracleCount; i++) if (cube[f.oracles.first + i] !== -1) oracles.set(i, cube[f.oracles.first + i] === 1);
  return {
    in: space.devices.witnessName(n(f.iif)),
    out: space.devices.witnessName(n(f.oif)),
    proto,
    fragment,
    src: valueOf(f.src, cube),
    dst: valueOf(f.dst, cube),
    sport: hasPorts ? n(f.sport) : null,
    dport: hasPorts ? n(f.dport) : null,
    icmpType: isIcmp ? n(f.icmpType) : null,
    icmpCode: isIcmp ? n(f.icmpCode) : null,
    tcpFlags: n(f.tcpFlags),
    ctState,
    ctDir: tracked ? (n(f.ctReply) ? 'REPLY' : 'ORIGINAL') : null,
    snat: n(f.ctSnat) === 1,
    dnat: n(f.ctDnat) === 1,
    mark: n(f.mark),
    ctMark: n(f.ctMark),
    pktType: PKT_TYPES[n(f.pktType)] ?? 'host',
    length: n(f.length),
    ttl: n(f.ttl),
    tos: n(f.tos),
    oracles,
  };
}
