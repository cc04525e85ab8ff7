// Random members of a packet set: to test a claim about a set by trying packets drawn from it (say, that no packet
// of an unreachable rule's match set ever hits it in the kernel), rather than the one smallest witness.
//
// The walk goes down the BDD from the root and, at each node, takes the low or the high branch with the
// probability of its share of the set's members (satCount of each side, scaled by the variables it skips); a
// variable the path skips is free and gets a random bit. Every member of the set is then equally likely, up to
// the bias of drawing a bigint below the count from 53-bit doubles (negligible for sets this size).
import { FALSE, TRUE, type BddStore } from '@chainsight/bdd';
import { packetOfCube, type ConcretePacket } from './packet';
import type { PacketSpace } from './space';

/** A source of numbers in [0, 1), as Math.random; a seeded one makes the draw reproducible. */
export type Random = () => number;

/** A uniform bigint in [0, n), n > 0. */
function below(n: bigint, random: Random): bigint {
  // Enough 32-bit chunks to exceed n by 2^32, so the modulo bias stays under 2^-32.
  let r = 0n;
  let bound = 1n;
  while (bound < n << 32n) {
    r = (r << 32n) | BigInt(Math.floor(random() * 0x1_0000_0000));
    bound <<= 32n;
  }
  return r % n;
}

/**
 * One member of the set drawn uniformly from its well-formed packets (space.valid), or null when it has none.
 * Oracle variables are drawn like the others but reported only where the set depends on them.
 */
export function randomMember(space: PacketSpace, set: number, random: Random): ConcretePacket | null {
  const s = space.valid(set);
  if (s === FALSE) return null;
  const cube = randomAssignment(space.bdd, s, random);
  // Oracles the path did not test are free: left out of the packet's oracle map, as witness() does.
  const o = space.f.oracles;
  if (o) {
    const tested = new Set<number>();
    for (let n = s; n !== TRUE && n !== FALSE; ) {
      const v = space.bdd.varOf(n);
      tested.add(v);
      n = cube[v] === 1 ? space.bdd.high(n) : space.bdd.low(n);
    }
    for (let i = 0; i < o.width; i++) if (!tested.has(o.first + i)) cube[o.first + i] = -1;
  }
  return packetOfCube(space, cube);
}

/** A uniformly drawn satisfying assignment of f (not FALSE) over all variables, as 0/1 per variable. */
export function randomAssignment(bdd: BddStore, f: number, random: Random): Int8Array {
  const to = bdd.varCount;
  const level = (n: number) => (n === FALSE || n === TRUE ? to : bdd.varOf(n));
  const memo = new Map<number, bigint>();
  // count(n) = assignments of variables [level(n), to) under n (as satCount counts them).
  const count = (n: number): bigint => {
    if (n === FALSE) return 0n;
    if (n === TRUE) return 1n;
    const hit = memo.get(n);
    if (hit !== undefined) return hit;
    const v = bdd.varOf(n);
    const lo = bdd.low(n);
    const hi = bdd.high(n);
    const r = (count(lo) << BigInt(level(lo) - v - 1)) + (count(hi) << BigInt(level(hi) - v - 1));
    memo.set(n, r);
    return r;
  };
  const cube = new Int8Array(to);
  const bit = () => (random() < 0.5 ? 0 : 1);
  let v = 0;
  let n = f;
  while (true) {
    const l = level(n);
    for (; v < l; v++) cube[v] = bit();
    if (n === TRUE) break;
    const lo = bdd.low(n);
    const hi = bdd.high(n);
    const wLo = count(lo) << BigInt(level(lo) - l - 1);
    const wHi = count(hi) << BigInt(level(hi) - l - 1);
    const high = below(wLo + wHi, random) >= wLo;
    cube[l] = high ? 1 : 0;
    n = high ? hi : lo;
    v = l + 1;
  }
  return cube;
}
