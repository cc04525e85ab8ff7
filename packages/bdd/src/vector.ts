// Bit-vector fields: an unsigned integer of `width` bits held in consecutive variables, most significant bit
// first (so a prefix is a cube of the leading variables and values come out of a walk in ascending order).
// Values are bigints for any width; a width of 128 holds an IPv6 address.
//
// Every builder here makes O(width) nodes: equality and prefixes are cubes, ranges and comparisons are chains.

import type { Bdd } from './bdd';
import { FALSE, TRUE } from './manager';

export interface Field {
  readonly name: string;
  /** The variable of the most significant bit. */
  readonly first: number;
  readonly width: number;
}

/** The largest value of a field, 2^width − 1. */
export function maxValue(field: Field): bigint {
  return (1n << BigInt(field.width)) - 1n;
}

function check(field: Field, value: bigint, what: string): void {
  if (value < 0n || value >= 1n << BigInt(field.width)) throw new RangeError(`${what} ${value} does not fit ${field.name} (${field.width} bits)`);
}

/**
 * The bits of `value`, most significant first. Fields of up to 32 bits (all but IPv6 addresses) take the number
 * path: bigint shifts cost more than the node building they feed.
 */
function bitsOf(field: Field, value: bigint): Uint8Array {
  const out = new Uint8Array(field.width);
  if (field.width <= 32) {
    const v = Number(value);
    for (let i = 0; i < field.width; i++) out[i] = Math.floor(v / 2 ** (field.width - 1 - i)) & 1;
    return out;
  }
  let v = value;
  for (let i = field.width - 1; i >= 0; i--) {
    out[i] = Number(v & 1n);
    v >>= 1n;
  }
  return out;
}

/** x == value. */
export function equals(bdd: Bdd, field: Field, value: bigint): number {
  return masked(bdd, field, value, maxValue(field));
}

/** The leading `length` bits of x equal those of `value` (an address prefix such as 10.0.0.0/8). */
export function prefix(bdd: Bdd, field: Field, value: bigint, length: number): number {
  if (!Number.isInteger(length) || length < 0 || length > field.width) throw new RangeError(`prefix length ${length} outside 0…${field.width}`);
  const mask = length === 0 ? 0n : ((1n << BigInt(length)) - 1n) << BigInt(field.width - length);
  return masked(bdd, field, value & mask, mask);
}

/** (x & mask) == value, as `-m mark --mark value/mask` reads it; FALSE when value has bits outside the mask. */
export function masked(bdd: Bdd, field: Field, value: bigint, mask: bigint): number {
  check(field, value, 'value');
  check(field, mask, 'mask');
  if ((value & ~mask) !== 0n) return FALSE;
  const m = bitsOf(field, mask);
  const b = bitsOf(field, value);
  let r = TRUE;
  for (let i = field.width - 1; i >= 0; i--) {
    if (m[i] === 0) continue;
    const v = field.first + i;
    r = b[i] ? bdd.mk(v, FALSE, r) : bdd.mk(v, r, FALSE);
  }
  return r;
}

/** x ≤ bound (unsigned). */
export function atMost(bdd: Bdd, field: Field, bound: bigint): number {
  check(field, bound, 'bound');
  // From the least significant bit up: r holds "the lower bits are ≤ bound's lower bits".
  const b = bitsOf(field, bound);
  let r = TRUE;
  for (let i = field.width - 1; i >= 0; i--) {
    const v = field.first + i;
    r = b[i] ? bdd.mk(v, TRUE, r) : bdd.mk(v, r, FALSE);
  }
  return r;
}

/** x ≥ bound (unsigned). */
export function atLeast(bdd: Bdd, field: Field, bound: bigint): number {
  check(field, bound, 'bound');
  const b = bitsOf(field, bound);
  let r = TRUE;
  for (let i = field.width - 1; i >= 0; i--) {
    const v = field.first + i;
    r = b[i] ? bdd.mk(v, FALSE, r) : bdd.mk(v, r, TRUE);
  }
  return r;
}

/** lo ≤ x ≤ hi; FALSE when lo > hi. */
export function range(bdd: Bdd, field: Field, lo: bigint, hi: bigint): number {
  if (lo > hi) return FALSE;
  return bdd.and(atLeast(bdd, field, lo), atMost(bdd, field, hi));
}

/** The cube of the field's variables: the argument of exists() that forgets the field. */
export function fieldCube(bdd: Bdd, field: Field): number {
  const vars: number[] = [];
  for (let i = 0; i < field.width; i++) vars.push(field.first + i);
  return bdd.cube(vars);
}

/** The field's value in a cube from pickCube (free bits taken as 0). */
export function valueOf(field: Field, cube: ArrayLike<number>): bigint {
  let v = 0n;
  for (let i = 0; i < field.width; i++) v = (v << 1n) | (cube[field.first + i] === 1 ? 1n : 0n);
  return v;
}

export interface Interval {
  lo: bigint;
  hi: bigint;
}

/**
 * The values the field takes in f, as ascending disjoint maximal intervals; at most `limit` of them (`truncated`
 * says whether more exist). f must test no variable before the field's (project the other fields away with
 * exists() first, or pass a set over this field alone).
 */
export function intervals(bdd: Bdd, field: Field, f: number, limit: number): { intervals: Interval[]; truncated: boolean } {
  const out: Interval[] = [];
  let truncated = false;
  const end = field.first + field.width;
  // Blocks that merge into one interval are not counted by `limit`; this bounds the walk itself.
  let steps = (limit + 1) * (field.width + 1) * 4;
  const emit = (lo: bigint, hi: bigint): void => {
    const last = out[out.length - 1];
    if (last && last.hi + 1n === lo) {
      last.hi = hi;
      return;
    }
    if (out.length >= limit) {
      truncated = true;
      return;
    }
    out.push({ lo, hi });
  };
  // Walk bit positions i (0 = MSB) with the value's leading bits in `prefixValue`; n is the node for the rest.
  const walk = (n: number, i: number, prefixValue: bigint): void => {
    if (n === FALSE || truncated) return;
    if (--steps < 0) {
      truncated = true;
      return;
    }
    const v = n === TRUE ? end : bdd.varOf(n);
    if (v < field.first) throw new RangeError(`intervals: the set tests variable ${v} before field ${field.name}`);
    if (v >= end) {
      // Every remaining bit is free, and nothing below the field constrains it: one aligned block.
      const free = BigInt(field.width - i);
      emit(prefixValue << free, ((prefixValue + 1n) << free) - 1n);
      return;
    }
    const here = field.first + i;
    if (v > here) {
      // This bit is free: both halves, low first.
      walk(n, i + 1, prefixValue << 1n);
      walk(n, i + 1, (prefixValue << 1n) | 1n);
      return;
    }
    walk(bdd.low(n), i + 1, prefixValue << 1n);
    walk(bdd.high(n), i + 1, (prefixValue << 1n) | 1n);
  };
  walk(f, 0, 0n);
  return { intervals: out, truncated };
}

/** The largest aligned blocks (CIDR prefixes) that cover [lo, hi] exactly, ascending. */
export function intervalToPrefixes(field: Field, lo: bigint, hi: bigint): { value: bigint; length: number }[] {
  const out: { value: bigint; length: number }[] = [];
  let cur = lo;
  while (cur <= hi) {
    let size = 0; // log2 of the block size
    while (size < field.width) {
      const next = size + 1;
      const block = 1n << BigInt(next);
      if (cur % block !== 0n || cur + block - 1n > hi) break;
      size = next;
    }
    out.push({ value: cur, length: field.width - size });
    cur += 1n << BigInt(size);
  }
  return out;
}
