// Sequence alignment: a valid alignment (every index once, in order, equal keys paired) of maximal length.
import { describe, expect, it } from 'vitest';
import { align, type AlignOp } from '../src/index';

/** Checks the alignment is well-formed and returns its number of equal pairs. */
function check(b: number[], a: number[], ops: AlignOp[]): number {
  let bi = 0, ai = 0, equal = 0;
  for (const o of ops) {
    if (o.op !== 'added') expect(o.b).toBe(bi++);
    if (o.op !== 'removed') expect(o.a).toBe(ai++);
    if (o.op === 'equal') { expect(b[o.b]).toBe(a[o.a]); equal++; }
  }
  expect([bi, ai]).toEqual([b.length, a.length]);
  return equal;
}

function lcsLength(b: number[], a: number[]): number {
  let prev: number[] = new Array(a.length + 1).fill(0);
  for (let i = 1; i <= b.length; i++) {
    const row = [0];
    for (let j = 1; j <= a.length; j++) row[j] = b[i - 1] === a[j - 1] ? prev[j - 1]! + 1 : Math.max(prev[j]!, row[j - 1]!);
    prev = row;
  }
  return prev[a.length]!;
}

/** A fixed-seed generator (mulberry32), so the cases are the same on every run. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const show = (ops: AlignOp[]) => ops.map((o) => (o.op === 'equal' ? '=' : o.op === 'removed' ? '-' : '+')).join('');

describe('align', () => {
  it.each([
    [[1, 2, 3], [1, 2, 3], '==='],
    [[], [1, 2], '++'],
    [[1, 2], [], '--'],
    [[1, 2, 3], [1, 3], '=-='],
    [[1, 3], [1, 2, 3], '=+='],
    [[1, 2, 3, 4], [1, 5, 3, 4], '=-+=='],
    [[1, 2, 3], [3, 2, 1], '--=++'],
  ])('%j → %j: %s', (b, a, expected) => {
    const ops = align(b, a);
    check(b, a, ops);
    expect(show(ops)).toHaveLength(expected.length);
    expect(ops.filter((o) => o.op === 'equal')).toHaveLength([...expected].filter((c) => c === '=').length);
  });

  it('finds a longest common subsequence of small sequences with repeats (Myers)', () => {
    const r = rng(7);
    for (let k = 0; k < 200; k++) {
      const b = Array.from({ length: Math.floor(r() * 30) }, () => Math.floor(r() * 6));
      const a = Array.from({ length: Math.floor(r() * 30) }, () => Math.floor(r() * 6));
      expect(check(b, a, align(b, a))).toBe(lcsLength(b, a));
    }
  });

  it('finds a longest common subsequence of a long reordered chain of unique keys (patience anchors)', () => {
    const r = rng(11);
    const n = 3000;
    const b = Array.from({ length: n }, (_, i) => i);
    const a = b.slice();
    for (let k = 0; k < 300; k++) { const i = Math.floor(r() * n), j = Math.floor(r() * n); [a[i], a[j]] = [a[j]!, a[i]!]; }
    a.splice(100, 0, n + 1, n + 2);
    a.splice(2000, 5);
    expect(check(b, a, align(b, a))).toBe(lcsLength(b, a));
  });

  it('aligns long sequences that differ a little (trimmed ends, Myers middle)', () => {
    const b = Array.from({ length: 5000 }, (_, i) => i);
    const a = [...b.slice(0, 2500), -1, ...b.slice(2501)];
    const ops = align(b, a);
    expect(check(b, a, ops)).toBe(4999);
    expect(ops.filter((o) => o.op !== 'equal')).toEqual([{ op: 'removed', b: 2500 }, { op: 'added', a: 2500 }]);
  });
});
