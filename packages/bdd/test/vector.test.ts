// Bit-vector fields against brute force: an 8-bit field laid out between two other fields, so every builder is
// checked with variables before and after it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Bdd,
  FALSE,
  atLeast,
  atMost,
  equals,
  evaluate,
  fieldCube,
  intervalToPrefixes,
  intervals,
  layout,
  masked,
  pickCube,
  prefix,
  range,
  satCount,
  valueOf,
} from '../src/index';

const { fields, varCount } = layout([
  { name: 'before', width: 3 },
  { name: 'x', width: 8 },
  { name: 'after', width: 2 },
]);
const X = fields.get('x')!;
const byte = fc.integer({ min: 0, max: 255 });

/** All assignments with x = value and the other fields zero. */
function assignmentFor(value: number): number[] {
  const a = new Array<number>(varCount).fill(0);
  for (let i = 0; i < 8; i++) a[X.first + i] = (value >> (7 - i)) & 1;
  return a;
}
const members = (bdd: Bdd, f: number) => Array.from({ length: 256 }, (_, v) => v).filter((v) => evaluate(bdd, f, assignmentFor(v)));
const upTo256 = (p: (v: number) => boolean) => Array.from({ length: 256 }, (_, v) => v).filter(p);

describe('field builders hold exactly the values they describe', () => {
  const cases: { name: string; build: (bdd: Bdd) => number; want: (v: number) => boolean }[] = [
    { name: 'equals 200', build: (b) => equals(b, X, 200n), want: (v) => v === 200 },
    { name: 'prefix 0b1010_0000/3', build: (b) => prefix(b, X, 0b1010_0000n, 3), want: (v) => v >> 5 === 0b101 },
    { name: 'prefix /0 is everything', build: (b) => prefix(b, X, 0n, 0), want: () => true },
    { name: 'masked 0x10/0x30', build: (b) => masked(b, X, 0x10n, 0x30n), want: (v) => (v & 0x30) === 0x10 },
    { name: 'masked with a value outside the mask is empty', build: (b) => masked(b, X, 0x11n, 0x10n), want: () => false },
    { name: 'atMost 77', build: (b) => atMost(b, X, 77n), want: (v) => v <= 77 },
    { name: 'atLeast 77', build: (b) => atLeast(b, X, 77n), want: (v) => v >= 77 },
    { name: 'range 20…30', build: (b) => range(b, X, 20n, 30n), want: (v) => v >= 20 && v <= 30 },
    { name: 'range 30…20 is empty', build: (b) => range(b, X, 30n, 20n), want: () => false },
  ];
  it.each(cases)('$name', ({ build, want }) => {
    const bdd = new Bdd(varCount);
    const f = build(bdd);
    expect(members(bdd, f)).toEqual(upTo256(want));
    // The other fields stay free: each member value stands for 2^5 assignments.
    expect(satCount(bdd, f)).toBe(BigInt(upTo256(want).length * 32));
  });

  it('range agrees with brute force for every bound pair drawn', () => {
    fc.assert(
      fc.property(byte, byte, (lo, hi) => {
        const bdd = new Bdd(varCount);
        expect(members(bdd, range(bdd, X, BigInt(lo), BigInt(hi)))).toEqual(upTo256((v) => v >= lo && v <= hi));
      }),
    );
  });

  it('refuses values that do not fit the field', () => {
    const bdd = new Bdd(varCount);
    expect(() => equals(bdd, X, 256n)).toThrow(RangeError);
    expect(() => prefix(bdd, X, 0n, 9)).toThrow(RangeError);
  });

  it('128-bit fields count exactly (an IPv6 /64 holds 2^64 addresses)', () => {
    const six = layout([{ name: 'addr', width: 128 }]);
    const A = six.fields.get('addr')!;
    const bdd = new Bdd(six.varCount);
    const net = prefix(bdd, A, 0x2001_0db8_0000_0000_0000_0000_0000_0000n, 64);
    expect(satCount(bdd, net)).toBe(1n << 64n);
    expect(valueOf(A, pickCube(bdd, net)!)).toBe(0x2001_0db8_0000_0000_0000_0000_0000_0000n);
  });
});

describe('reading field values back', () => {
  it('intervals of a union of ranges are its maximal runs, ascending', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(byte, byte), { maxLength: 6 }), (pairs) => {
        const bdd = new Bdd(varCount);
        const f = pairs.reduce((acc, [a, b]) => bdd.or(acc, range(bdd, X, BigInt(Math.min(a, b)), BigInt(Math.max(a, b)))), FALSE);
        const want: { lo: bigint; hi: bigint }[] = [];
        for (const v of members(bdd, f)) {
          const last = want[want.length - 1];
          if (last && last.hi + 1n === BigInt(v)) last.hi = BigInt(v);
          else want.push({ lo: BigInt(v), hi: BigInt(v) });
        }
        // The set tests no variable before x, so it can be read directly.
        expect(intervals(bdd, X, f, 1000)).toEqual({ intervals: want, truncated: false });
      }),
    );
  });

  it('a set that also constrains the field before x is read after projecting that field away', () => {
    const bdd = new Bdd(varCount);
    const before = fields.get('before')!;
    const f = bdd.and(equals(bdd, before, 5n), range(bdd, X, 10n, 12n));
    expect(() => intervals(bdd, X, f, 10)).toThrow(RangeError);
    expect(intervals(bdd, X, bdd.exists(f, fieldCube(bdd, before)), 10).intervals).toEqual([{ lo: 10n, hi: 12n }]);
  });

  it('intervals stops at its limit', () => {
    const bdd = new Bdd(varCount);
    const odd = masked(bdd, X, 1n, 1n);
    const r = intervals(bdd, X, odd, 4);
    expect(r.intervals).toEqual([0, 1, 2, 3].map((k) => ({ lo: BigInt(2 * k + 1), hi: BigInt(2 * k + 1) })));
    expect(r.truncated).toBe(true);
  });

  it('intervalToPrefixes covers an interval exactly with aligned blocks', () => {
    fc.assert(
      fc.property(byte, byte, (a, b) => {
        const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
        const blocks = intervalToPrefixes(X, BigInt(lo), BigInt(hi));
        const covered = blocks.flatMap(({ value, length }) => {
          const size = 1 << (8 - length);
          expect(Number(value) % size).toBe(0);
          return Array.from({ length: size }, (_, k) => Number(value) + k);
        });
        expect(covered).toEqual(upTo256((v) => v >= lo && v <= hi));
      }),
    );
    expect(intervalToPrefixes(X, 0n, 255n)).toEqual([{ value: 0n, length: 0 }]);
  });
});
