// Which rules a moved rule crossed, found without scanning every rule per move. A rule present on both sides is
// a point (b, a): its position before and after. Rule X crossed move M when (bx < bm) !== (ax < am). Points are
// kept in after order with a segment tree of the minimum and maximum before-position, so the crossed points are
// walked in after order at O(log n) each and the walk stops after `limit`: a shuffled chain of n rules (every rule
// moved, each crossing about n/2 others) costs O(n · limit · log n) instead of O(n²).

export class CrossingIndex {
  /** Paired indices (into the caller's pair list), in after order. */
  private readonly ids: Int32Array;
  private readonly after: Int32Array;
  private readonly size: number;
  private readonly min: Int32Array;
  private readonly max: Int32Array;

  /** `members` index into `pairs` ([before, after] positions; each position occurs at most once). */
  constructor(pairs: readonly (readonly [number, number])[], members: readonly number[]) {
    const sorted = [...members].sort((x, y) => pairs[x]![1] - pairs[y]![1]);
    this.ids = Int32Array.from(sorted);
    this.after = Int32Array.from(sorted, (i) => pairs[i]![1]);
    let size = 1;
    while (size < sorted.length) size *= 2;
    this.size = size;
    this.min = new Int32Array(2 * size).fill(0x7fffffff);
    this.max = new Int32Array(2 * size).fill(-1);
    sorted.forEach((i, k) => { this.min[size + k] = this.max[size + k] = pairs[i]![0]; });
    for (let v = size - 1; v >= 1; v--) {
      this.min[v] = Math.min(this.min[2 * v]!, this.min[2 * v + 1]!);
      this.max[v] = Math.max(this.max[2 * v]!, this.max[2 * v + 1]!);
    }
  }

  /**
   * Pair indices of the points crossing (bm, am), in after order, at most `limit` of them. The point (bm, am)
   * itself never crosses itself (both comparisons are strict).
   */
  crossing(bm: number, am: number, limit: number): number[] {
    const out: number[] = [];
    // Points after am in the new order come first in the walk only after those before it: after order overall.
    let lo = 0, hi = this.after.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.after[mid]! < am) lo = mid + 1; else hi = mid; }
    const split = lo;
    // Before it now (a < am), after it then (b > bm).
    for (let p = this.next(0, split, bm, true); p >= 0 && out.length < limit; p = this.next(p + 1, split, bm, true)) out.push(this.ids[p]!);
    // After it now (a > am), before it then (b < bm).
    for (let p = this.next(split, this.after.length, bm, false); p >= 0 && out.length < limit; p = this.next(p + 1, this.after.length, bm, false)) out.push(this.ids[p]!);
    return out;
  }

  /** First leaf position in [from, to) whose before-position is above (or below) `bm`, or -1. */
  private next(from: number, to: number, bm: number, above: boolean): number {
    if (from >= to) return -1;
    return this.descend(1, 0, this.size, from, to, bm, above);
  }

  private descend(v: number, lo: number, hi: number, from: number, to: number, bm: number, above: boolean): number {
    if (hi <= from || lo >= to) return -1;
    if (above ? this.max[v]! <= bm : this.min[v]! >= bm) return -1;
    if (hi - lo === 1) return lo;
    const mid = (lo + hi) >> 1;
    const left = this.descend(2 * v, lo, mid, from, to, bm, above);
    return left >= 0 ? left : this.descend(2 * v + 1, mid, hi, from, to, bm, above);
  }
}
