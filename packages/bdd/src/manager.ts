// The node store of a BDD manager: reduced ordered binary decision diagrams over a fixed number of variables,
// kept in typed arrays so that millions of nodes cost a few dozen bytes each and no garbage-collected objects.
//
// Conventions (every other file of this package relies on them):
// - A node is a non-negative int32. 0 is the constant false, 1 the constant true; every other id names an
//   internal node (var, low, high): "if var then high else low".
// - Variables are numbered 0 … varCount-1 and ordered by number: a node's children test only larger variables.
//   The terminals carry the pseudo-variable varCount, so "the smaller variable first" needs no special case.
// - Reduced: no node has low === high, and no two nodes share (var, low, high) (the unique table enforces it).
//   Two sets are equal exactly when their node ids are equal.
// - A node is created after its children, so children always have smaller ids than their parent. gc() relies
//   on that to compact in place.
// - No complement edges: negation is a cached linear pass (see ops.ts). Firewall sets negate mostly once per
//   rule (the packets that do not match it), and plain edges keep every operation easy to read and check.

import { OpCache } from './cache';
import { hash3 } from './hash';

export const FALSE = 0;
export const TRUE = 1;

/** Thrown when an operation would need more nodes than the manager was allowed: memory stays bounded. */
export class BddNodeLimitError extends Error {
  constructor(readonly limit: number) {
    super(`the packet-set engine reached its limit of ${limit.toLocaleString('en-US')} decision nodes`);
    this.name = 'BddNodeLimitError';
  }
}

export interface BddOptions {
  /** Node capacity to start with (grows by doubling). */
  initialNodes?: number;
  /** Most nodes the manager may hold; beyond it operations throw BddNodeLimitError. Default 2^26 (≈ 1.3 GB). */
  maxNodes?: number;
  /** log2 of the operation cache's entry count. Default 18. */
  cacheBits?: number;
}

const EMPTY = -1;

export class BddStore {
  readonly varCount: number;
  readonly maxNodes: number;
  /** var of each node; terminals hold varCount. */
  protected vars: Int32Array;
  protected lows: Int32Array;
  protected highs: Int32Array;
  /** Number of node slots in use (ids 0 … size-1). */
  protected size = 2;
  /** Open-addressing unique table of node ids (EMPTY = free slot). Its length is a power of two. */
  private table: Int32Array;
  readonly cache: OpCache;

  constructor(varCount: number, options: BddOptions = {}) {
    if (!Number.isInteger(varCount) || varCount < 0 || varCount > 0x7fff_ffff) throw new RangeError(`bad variable count ${varCount}`);
    this.varCount = varCount;
    this.maxNodes = options.maxNodes ?? 1 << 26;
    const initial = Math.max(16, options.initialNodes ?? 1 << 12);
    this.vars = new Int32Array(initial);
    this.lows = new Int32Array(initial);
    this.highs = new Int32Array(initial);
    this.vars[FALSE] = varCount;
    this.vars[TRUE] = varCount;
    this.table = new Int32Array(nextPow2(initial * 2)).fill(EMPTY);
    this.cache = new OpCache(options.cacheBits ?? 18);
  }

  /** The variable a node tests (varCount for the terminals). */
  varOf(n: number): number {
    return this.vars[n]!;
  }
  low(n: number): number {
    return this.lows[n]!;
  }
  high(n: number): number {
    return this.highs[n]!;
  }
  /** Nodes allocated, terminals included (live or not until the next gc). */
  get allocated(): number {
    return this.size;
  }

  /** The node (v, low, high), reduced and shared. */
  mk(v: number, low: number, high: number): number {
    if (low === high) return low;
    const table = this.table;
    const mask = table.length - 1;
    let slot = hash3(v, low, high) & mask;
    for (;;) {
      const id = table[slot]!;
      if (id === EMPTY) break;
      if (this.vars[id] === v && this.lows[id] === low && this.highs[id] === high) return id;
      slot = (slot + 1) & mask;
    }
    if (this.size >= this.maxNodes) throw new BddNodeLimitError(this.maxNodes);
    if (this.size === this.vars.length) this.growNodes();
    const id = this.size++;
    this.vars[id] = v;
    this.lows[id] = low;
    this.highs[id] = high;
    if (this.size * 2 > table.length) this.rehash(table.length * 2);
    else table[slot] = id;
    return id;
  }

  /** The single-variable set "v is true". */
  variable(v: number): number {
    this.checkVar(v);
    return this.mk(v, FALSE, TRUE);
  }

  /** The single-variable set "v is false". */
  nvariable(v: number): number {
    this.checkVar(v);
    return this.mk(v, TRUE, FALSE);
  }

  protected checkVar(v: number): void {
    if (!Number.isInteger(v) || v < 0 || v >= this.varCount) throw new RangeError(`variable ${v} is outside 0…${this.varCount - 1}`);
  }

  /**
   * Frees every node not reachable from `roots` and compacts the store. Returns the renaming of the kept nodes:
   * callers must replace every id they hold by `remap[id]` (ids not reachable from a root map to -1). The cache is
   * cleared. Ids keep their relative order, so children stay below parents.
   */
  gc(roots: Iterable<number>): Int32Array {
    const live = new Uint8Array(this.size);
    live[FALSE] = 1;
    live[TRUE] = 1;
    const stack: number[] = [];
    for (const r of roots) {
      if (r < 0 || r >= this.size) throw new RangeError(`gc root ${r} is not a node`);
      stack.push(r);
    }
    while (stack.length) {
      const n = stack.pop()!;
      if (live[n]) continue;
      live[n] = 1;
      stack.push(this.lows[n]!, this.highs[n]!);
    }
    const remap = new Int32Array(this.size).fill(-1);
    remap[FALSE] = FALSE;
    remap[TRUE] = TRUE;
    let next = 2;
    for (let n = 2; n < this.size; n++) {
      if (!live[n]) continue;
      this.vars[next] = this.vars[n]!;
      this.lows[next] = remap[this.lows[n]!]!;
      this.highs[next] = remap[this.highs[n]!]!;
      remap[n] = next++;
    }
    this.size = next;
    // The table keeps its capacity: the store grows back to its old size before the next collection, and
    // shrinking it would only pay for every doubling again.
    this.rehash(this.table.length);
    this.cache.clear();
    return remap;
  }

  private growNodes(): void {
    const cap = Math.min(this.vars.length * 2, this.maxNodes);
    const grow = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.vars = grow(this.vars);
    this.lows = grow(this.lows);
    this.highs = grow(this.highs);
  }

  private rehash(capacity: number): void {
    const table = new Int32Array(capacity).fill(EMPTY);
    const mask = capacity - 1;
    for (let id = 2; id < this.size; id++) {
      let slot = hash3(this.vars[id]!, this.lows[id]!, this.highs[id]!) & mask;
      while (table[slot] !== EMPTY) slot = (slot + 1) & mask;
      table[slot] = id;
    }
    this.table = table;
  }
}

function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}
