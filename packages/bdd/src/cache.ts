// The operation cache: a direct-mapped, lossy table of (op, a, b, c) → result, as CUDD and BuDDy keep one.
// A collision overwrites the older entry; that only costs a recomputation, never a wrong answer, because every
// entry stores its whole key. Bounded by construction: 2^bits entries of five int32s.

import { hash3 } from './hash';

export class OpCache {
  private readonly keys: Int32Array;
  private readonly results: Int32Array;
  private readonly mask: number;
  hits = 0;
  misses = 0;

  constructor(bits: number) {
    if (!Number.isInteger(bits) || bits < 4 || bits > 26) throw new RangeError(`cache bits ${bits} outside 4…26`);
    const entries = 1 << bits;
    this.mask = entries - 1;
    this.keys = new Int32Array(entries * 4).fill(-1);
    this.results = new Int32Array(entries);
  }

  /** The entry op(a, b, c) lives in; computed once per operation and passed to get and set. */
  index(op: number, a: number, b: number, c: number): number {
    return (hash3(a ^ Math.imul(op, 0x27d4eb2f), b, c) & this.mask) * 4;
  }

  /** The cached result of op(a, b, c) at entry i, or -1. */
  get(i: number, op: number, a: number, b: number, c: number): number {
    const k = this.keys;
    if (k[i] === op && k[i + 1] === a && k[i + 2] === b && k[i + 3] === c) {
      this.hits++;
      return this.results[i >> 2]!;
    }
    this.misses++;
    return -1;
  }

  set(i: number, op: number, a: number, b: number, c: number, result: number): number {
    const k = this.keys;
    k[i] = op;
    k[i + 1] = a;
    k[i + 2] = b;
    k[i + 3] = c;
    this.results[i >> 2] = result;
    return result;
  }

  clear(): void {
    this.keys.fill(-1);
  }
}
