// Random members of a packet set: to test a claim about a set by trying packets drawn from it (say, that no packet
// of an unreachable rule's match set ever hits it in the kernel), rather than the one smallest witness.
//
// The draw is bdd's randomAssignment (each branch taken with its share of the members), within the well-formed
// packets: every member of the set is equally likely.
import { FALSE, TRUE, randomAssignment, type Random } from '@chainsight/bdd';
export { randomAssignment, type Random };
import { packetOfCube, type ConcretePacket } from './packet';
import type { PacketSpace } from './space';

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
