// The manager's operations against truth tables: every set built from random expressions over a few variables
// must hold exactly the assignments the expression accepts, and equal functions must be the same node.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bdd, BddNodeLimitError, FALSE, TRUE, cubes, evaluate, nodeCount, pickCube, satCount, support } from '../src/index';

const N = 6;
const ALL = 1 << N;

type Expr =
  | { op: 'var'; v: number }
  | { op: 'const'; value: boolean }
  | { op: 'not'; a: Expr }
  | { op: 'and' | 'or' | 'xor' | 'diff'; a: Expr; b: Expr }
  | { op: 'ite'; a: Expr; b: Expr; c: Expr };

const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ e: Expr }>((tie) => ({
  e: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ op: fc.constant('var' as const), v: fc.integer({ min: 0, max: N - 1 }) }),
    fc.record({ op: fc.constant('const' as const), value: fc.boolean() }),
    fc.record({ op: fc.constant('not' as const), a: tie('e') }),
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const, 'xor' as const, 'diff' as const), a: tie('e'), b: tie('e') }),
    fc.record({ op: fc.constant('ite' as const), a: tie('e'), b: tie('e'), c: tie('e') }),
  ),
})).e;

/** Assignment i: variable v is bit v of i. */
const bits = (i: number) => Array.from({ length: N }, (_, v) => (i >> v) & 1);

function truth(e: Expr, i: number): boolean {
  switch (e.op) {
    case 'var':
      return ((i >> e.v) & 1) === 1;
    case 'const':
      return e.value;
    case 'not':
      return !truth(e.a, i);
    case 'and':
      return truth(e.a, i) && truth(e.b, i);
    case 'or':
      return truth(e.a, i) || truth(e.b, i);
    case 'xor':
      return truth(e.a, i) !== truth(e.b, i);
    case 'diff':
      return truth(e.a, i) && !truth(e.b, i);
    case 'ite':
      return truth(e.a, i) ? truth(e.b, i) : truth(e.c, i);
  }
}

function build(bdd: Bdd, e: Expr): number {
  switch (e.op) {
    case 'var':
      return bdd.variable(e.v);
    case 'const':
      return e.value ? TRUE : FALSE;
    case 'not':
      return bdd.not(build(bdd, e.a));
    case 'and':
    case 'or':
    case 'xor':
    case 'diff':
      return bdd[e.op](build(bdd, e.a), build(bdd, e.b));
    case 'ite':
      return bdd.ite(build(bdd, e.a), build(bdd, e.b), build(bdd, e.c));
  }
}

const table = (bdd: Bdd, f: number) => Array.from({ length: ALL }, (_, i) => evaluate(bdd, f, bits(i)));

/** A canonical set built straight from a truth table (Shannon expansion, variable 0 on top). */
function fromTable(bdd: Bdd, t: readonly boolean[]): number {
  const go = (v: number, fixed: number): number => {
    if (v === N) return t[fixed] ? TRUE : FALSE;
    return bdd.mk(v, go(v + 1, fixed), go(v + 1, fixed | (1 << v)));
  };
  return go(0, 0);
}

describe('operations agree with truth tables', () => {
  it('every expression builds the set of its true assignments, and equal functions share one node', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const bdd = new Bdd(N, { cacheBits: 6 });
        const f = build(bdd, e);
        const want = Array.from({ length: ALL }, (_, i) => truth(e, i));
        expect(table(bdd, f)).toEqual(want);
        expect(fromTable(bdd, want)).toBe(f);
        expect(satCount(bdd, f)).toBe(BigInt(want.filter(Boolean).length));
      }),
      { numRuns: 400 },
    );
  });

  it('exists, forall, andExists, flip and restrict match their definitions', () => {
    fc.assert(
      fc.property(exprArb, exprArb, fc.subarray([0, 1, 2, 3, 4, 5]), fc.array(fc.tuple(fc.integer({ min: 0, max: N - 1 }), fc.constantFrom(0 as const, 1 as const)), { maxLength: 3 }), (ea, eb, qs, lits) => {
        const bdd = new Bdd(N, { cacheBits: 6 });
        const a = build(bdd, ea);
        const b = build(bdd, eb);
        const q = bdd.cube(qs);
        const qmask = qs.reduce((m, v) => m | (1 << v), 0);
        // All assignments that agree with i outside the quantified variables.
        const variants = (i: number) => Array.from({ length: ALL }, (_, j) => j).filter((j) => (j & ~qmask) === (i & ~qmask));
        const ex = bdd.exists(a, q);
        const fa = bdd.forall(a, q);
        const ae = bdd.andExists(a, b, q);
        for (let i = 0; i < ALL; i++) {
          expect(evaluate(bdd, ex, bits(i))).toBe(variants(i).some((j) => truth(ea, j)));
          expect(evaluate(bdd, fa, bits(i))).toBe(variants(i).every((j) => truth(ea, j)));
          expect(evaluate(bdd, ae, bits(i))).toBe(variants(i).some((j) => truth(ea, j) && truth(eb, j)));
        }
        const fl = bdd.flip(a, q);
        for (let i = 0; i < ALL; i++) expect(evaluate(bdd, fl, bits(i))).toBe(truth(ea, i ^ qmask));
        const assignment = bdd.literals(lits);
        const consistent = new Map<number, number>();
        let conflict = false;
        for (const [v, bit] of lits) {
          if (consistent.has(v) && consistent.get(v) !== bit) conflict = true;
          consistent.set(v, bit);
        }
        if (conflict) {
          expect(assignment).toBe(FALSE);
          return;
        }
        const r = bdd.restrict(a, assignment);
        for (let i = 0; i < ALL; i++) {
          let fixed = i;
          for (const [v, bit] of consistent) fixed = bit ? fixed | (1 << v) : fixed & ~(1 << v);
          expect(evaluate(bdd, r, bits(i))).toBe(truth(ea, fixed));
        }
        for (const v of support(bdd, r)) expect(consistent.has(v)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });

  it('implies and intersects read the subset and overlap relations', () => {
    fc.assert(
      fc.property(exprArb, exprArb, (ea, eb) => {
        const bdd = new Bdd(N);
        const a = build(bdd, ea);
        const b = build(bdd, eb);
        const idx = Array.from({ length: ALL }, (_, i) => i);
        expect(bdd.implies(a, b)).toBe(idx.every((i) => !truth(ea, i) || truth(eb, i)));
        expect(bdd.intersects(a, b)).toBe(idx.some((i) => truth(ea, i) && truth(eb, i)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('reading a set back', () => {
  it('pickCube gives a member; cubes are disjoint and cover the set', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const bdd = new Bdd(N);
        const f = build(bdd, e);
        const pick = pickCube(bdd, f);
        if (f === FALSE) {
          expect(pick).toBeNull();
          return;
        }
        expect(evaluate(bdd, f, Array.from(pick!, (b) => (b === 1 ? 1 : 0)))).toBe(true);
        const { cubes: cs, truncated } = cubes(bdd, f, 1000);
        expect(truncated).toBe(false);
        const covered = new Array<number>(ALL).fill(0);
        for (const c of cs) for (let i = 0; i < ALL; i++) if (bits(i).every((b, v) => c[v] === -1 || c[v] === b)) covered[i]!++;
        for (let i = 0; i < ALL; i++) expect(covered[i]).toBe(truth(e, i) ? 1 : 0);
      }),
      { numRuns: 300 },
    );
  });

  it('cubes stops at its limit and says so', () => {
    const bdd = new Bdd(N);
    const parity = [0, 1, 2, 3, 4, 5].reduce((acc, v) => bdd.xor(acc, bdd.variable(v)), FALSE);
    expect(cubes(bdd, parity, 1000).cubes).toHaveLength(32);
    const cut = cubes(bdd, parity, 5);
    expect(cut.cubes).toHaveLength(5);
    expect(cut.truncated).toBe(true);
  });

  it('nodeCount counts shared nodes once', () => {
    const bdd = new Bdd(N);
    const x = bdd.and(bdd.variable(0), bdd.variable(1));
    const y = bdd.or(x, bdd.variable(2));
    expect(nodeCount(bdd, [x])).toBe(2);
    expect(nodeCount(bdd, [x, x])).toBe(2);
    expect(nodeCount(bdd, [y])).toBeGreaterThanOrEqual(nodeCount(bdd, [x]));
  });
});

describe('memory', () => {
  it('gc keeps the roots’ functions and frees the rest', () => {
    fc.assert(
      fc.property(fc.array(exprArb, { minLength: 1, maxLength: 6 }), fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), (es, keep) => {
        const bdd = new Bdd(N);
        const sets = es.map((e) => build(bdd, e));
        const kept = sets.map((f, i) => ({ f, e: es[i]!, keep: keep[i]! })).filter((s) => s.keep);
        const remap = bdd.gc(kept.map((s) => s.f));
        expect(bdd.allocated).toBe(2 + nodeCount(bdd, kept.map((s) => remap[s.f]!)));
        for (const s of kept) {
          const g = remap[s.f]!;
          expect(g).toBeGreaterThanOrEqual(0);
          expect(table(bdd, g)).toEqual(Array.from({ length: ALL }, (_, i) => truth(s.e, i)));
          // The store still shares: rebuilding the same function finds the kept node.
          expect(build(bdd, s.e)).toBe(g);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('gc leaves only the nodes reachable from the roots', () => {
    const bdd = new Bdd(N);
    const a = bdd.and(bdd.variable(0), bdd.variable(5));
    bdd.xor(bdd.variable(1), bdd.variable(2));
    const remap = bdd.gc([a]);
    expect(bdd.allocated).toBe(2 + nodeCount(bdd, [remap[a]!]));
  });

  it('an operation past maxNodes throws BddNodeLimitError instead of growing', () => {
    const bdd = new Bdd(40, { maxNodes: 64 });
    expect(() => {
      let f = FALSE;
      for (let v = 0; v < 40; v += 2) f = bdd.xor(f, bdd.and(bdd.variable(v), bdd.variable(v + 1)));
    }).toThrow(BddNodeLimitError);
  });

  it('grows its arrays and unique table past the initial capacity without losing sharing', () => {
    const bdd = new Bdd(24, { initialNodes: 16, cacheBits: 4 });
    let f = FALSE;
    for (let v = 0; v < 24; v += 2) f = bdd.or(f, bdd.and(bdd.variable(v), bdd.variable(v + 1)));
    let g = FALSE;
    for (let v = 22; v >= 0; v -= 2) g = bdd.or(bdd.and(bdd.variable(v + 1), bdd.variable(v)), g);
    expect(g).toBe(f);
    expect(bdd.allocated).toBeGreaterThan(16);
  });
});
