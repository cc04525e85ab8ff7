// Matches whose answer the snapshot cannot decide (`-m recent`, `-m limit`, `-m statistic`, `-m set` without the
// sets' contents, `-m string`, `-m owner`, `-m time` …) are three-valued: each becomes an oracle variable, "this
// match holds", that stays free in every set. A rule is then unreachable only when its reach set is empty for
// every value of every oracle, and a witness names the oracle values it needs.
//
// Two kinds of unknowns:
// - a function of the packet and of host state that does not change while the packet is judged (set
//   membership, the payload, the socket owner, the time of day): every occurrence with the same meaning shares one
//   oracle, so `-m set --match-set S src -j DROP` followed by the same test with ACCEPT leaves the second
//   unreachable whatever S holds;
// - an event of its own each time it is evaluated (a rate limit's bucket, a random draw, a recent-list update):
//   every occurrence gets a fresh oracle. Two snapshots compared in one space (compare.ts) may pair an event of
//   one with the same rule's event in the other (`eventIdentity`): the same draw, so that an unchanged rule
//   compares equal to itself.
import type { Rule } from '@chainsight/grammar';

export interface Unknown {
  /** Shared meaning (same key, same oracle), or null for an independent event. */
  key: string | null;
  /** Why it is unknown, for findings ("-m limit: a rate the snapshot does not hold"). */
  reason: string;
  /** Where: `file:line`, and the match as written. */
  where: string;
  text: string;
}

export class Oracles {
  private readonly byKey = new Map<string, number>();
  readonly unknowns: Unknown[] = [];

  /**
   * @param eventIdentity when given, an event's rule with a non-null identity shares its oracle with every rule of
   *   that identity (the same rule, unchanged, in two snapshots compared together); null keeps events fresh.
   */
  constructor(readonly capacity: number, readonly eventIdentity: ((rule: Rule) => string | null) | null = null) {}

  /** The oracle index for an unknown match (a shared one for a known key). */
  index(u: Unknown): number {
    if (u.key !== null) {
      const hit = this.byKey.get(u.key);
      if (hit !== undefined) return hit;
    }
    const i = this.unknowns.length;
    if (i >= this.capacity) throw new RangeError(`more unknown matches than the ${this.capacity} the space was laid out for`);
    this.unknowns.push(u);
    if (u.key !== null) this.byKey.set(u.key, i);
    return i;
  }
}
