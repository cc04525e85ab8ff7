// Garbage collection for a long analysis. Every set operation leaves intermediate nodes behind; a kube-proxy
// ruleset of 10k services makes ~4,000 per rule (each operation on a service's set rebuilds its ~100 nodes
// above the addresses), far more than stay live. Whoever holds node ids registers as a holder; at a safe point
// (no operation in progress, every live id held by some holder) the collector frees the rest and renames the
// ids every holder keeps.
import type { Bdd } from '@chainsight/bdd';

export interface RootHolder {
  /** Pushes every node id the holder keeps. */
  roots(out: number[]): void;
  /** Replaces every kept id i by remap[i]. */
  remap(remap: Int32Array): void;
}

export class Collector {
  private readonly holders = new Set<RootHolder>();
  private next: number;
  collections = 0;

  constructor(private readonly bdd: Bdd, private readonly minimum = 1 << 21) {
    this.next = minimum;
  }

  hold(h: RootHolder): void {
    this.holders.add(h);
  }

  release(h: RootHolder): void {
    this.holders.delete(h);
  }

  /** Collects when the store has grown past the threshold; call only at a safe point. */
  maybeCollect(): void {
    if (this.bdd.allocated < this.next) return;
    const roots: number[] = [];
    for (const h of this.holders) h.roots(roots);
    const remap = this.bdd.gc(roots);
    for (const h of this.holders) h.remap(remap);
    this.collections++;
    // Collect again once the store has tripled what stayed live (amortised linear work).
    this.next = Math.max(this.minimum, this.bdd.allocated * 3);
  }
}
