// Reading a set back: how many assignments it holds, one of them, its paths as cubes, its size and support.
// Pure functions over a manager; none of them builds nodes.

import type { BddStore } from './manager';
import { FALSE, TRUE } from './manager';

/**
 * Path counts of a BDD over variables [.., to): count(n) = the assignments of variables [var(n), to) that reach
 * TRUE from n, and level(n) = var(n), or `to` for a terminal. Memoised per call; shared by satCount and
 * randomAssignment.
 */
export function pathCounter(bdd: BddStore, to = bdd.varCount): { count: (n: number) => bigint; level: (n: number) => number } {
  const memo = new Map<number, bigint>();
  const level = (n: number) => (n === FALSE || n === TRUE ? to : bdd.varOf(n));
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
  return { count, level };
}

/**
 * The number of assignments of variables [from, to) that lie in f, where f tests only variables in that range
 * (by default all of them). Exact, as a bigint: 2^128 addresses do not fit a double.
 */
export function satCount(bdd: BddStore, f: number, from = 0, to = bdd.varCount): bigint {
  if (f === FALSE) return 0n;
  const { count, level } = pathCounter(bdd, to);
  const top = level(f);
  if (f !== TRUE && (top < from || top >= to)) throw new RangeError(`satCount: the set tests variable ${top}, outside ${from}…${to - 1}`);
  return count(f) << BigInt(top - from);
}

/**
 * One path to TRUE as a cube: an Int8Array over all variables holding 0, 1 or -1 (free). It prefers the low
 * (0) branch, so free choices stay small; callers that want a particular member intersect first.
 */
export function pickCube(bdd: BddStore, f: number): Int8Array | null {
  if (f === FALSE) return null;
  const cube = new Int8Array(bdd.varCount).fill(-1);
  let n = f;
  while (n !== TRUE) {
    const lo = bdd.low(n);
    if (lo !== FALSE) {
      cube[bdd.varOf(n)] = 0;
      n = lo;
    } else {
      cube[bdd.varOf(n)] = 1;
      n = bdd.high(n);
    }
  }
  return cube;
}

/**
 * The paths of f to TRUE, as cubes, low branch first; at most `limit` of them. Their union is f and they are
 * pairwise disjoint. `truncated` says whether more exist.
 */
export function cubes(bdd: BddStore, f: number, limit: number): { cubes: Int8Array[]; truncated: boolean } {
  const out: Int8Array[] = [];
  const current = new Int8Array(bdd.varCount).fill(-1);
  let truncated = false;
  const walk = (n: number): void => {
    if (n === FALSE || truncated) return;
    if (n === TRUE) {
      if (out.length >= limit) truncated = true;
      else out.push(current.slice());
      return;
    }
    const v = bdd.varOf(n);
    current[v] = 0;
    walk(bdd.low(n));
    current[v] = 1;
    walk(bdd.high(n));
    current[v] = -1;
  };
  walk(f);
  return { cubes: out, truncated };
}

/** Distinct internal nodes reachable from the roots (the memory a set costs; terminals not counted). */
export function nodeCount(bdd: BddStore, roots: Iterable<number>): number {
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === FALSE || n === TRUE || seen.has(n)) continue;
    seen.add(n);
    stack.push(bdd.low(n), bdd.high(n));
  }
  return seen.size;
}

/** The variables f depends on, ascending. */
export function support(bdd: BddStore, f: number): number[] {
  const vars = new Set<number>();
  const seen = new Set<number>();
  const stack = [f];
  while (stack.length) {
    const n = stack.pop()!;
    if (n === FALSE || n === TRUE || seen.has(n)) continue;
    seen.add(n);
    vars.add(bdd.varOf(n));
    stack.push(bdd.low(n), bdd.high(n));
  }
  return [...vars].sort((a, b) => a - b);
}

/** Is the assignment (one 0/1 per variable) in f? */
export function evaluate(bdd: BddStore, f: number, assignment: ArrayLike<number>): boolean {
  let n = f;
  while (n !== FALSE && n !== TRUE) n = assignment[bdd.varOf(n)] ? bdd.high(n) : bdd.low(n);
  return n === TRUE;
}

/** A source of numbers in [0, 1), as Math.random; a seeded one makes a draw reproducible. */
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
 * A uniformly drawn satisfying assignment of f (not FALSE) over all variables, as 0/1 per variable: down from
 * the root, each branch taken with the probability of its share of the members (its path count scaled by the
 * variables it skips); a skipped variable is free and gets a random bit.
 */
export function randomAssignment(bdd: BddStore, f: number, random: Random): Int8Array {
  const to = bdd.varCount;
  const { count, level } = pathCounter(bdd, to);
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
