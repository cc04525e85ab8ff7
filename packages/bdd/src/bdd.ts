// The set operations of a BDD manager: the Boolean connectives, if-then-else, existential quantification and
// the relational product, each the textbook recursion on the smaller top variable (Bryant 1986; Brace, Rudell
// and Bryant, "Efficient implementation of a BDD package", 1990) with the shared operation cache.
//
// Recursion depth is bounded by the variable count (a few hundred for packet headers), never by the node count.

import { BddStore, FALSE, TRUE } from './manager';

const OP_AND = 1;
const OP_OR = 2;
const OP_XOR = 3;
const OP_DIFF = 4;
const OP_NOT = 5;
const OP_ITE = 6;
const OP_EXISTS = 7;
const OP_AND_EXISTS = 8;
const OP_RESTRICT = 9;
const OP_FLIP = 10;
const OP_INTERSECTS = 11;

export class Bdd extends BddStore {
  and(a: number, b: number): number {
    if (a === FALSE || b === FALSE) return FALSE;
    if (a === TRUE) return b;
    if (b === TRUE || a === b) return a;
    if (a > b) [a, b] = [b, a];
    const slot = this.cache.index(OP_AND, a, b, 0);
    const cached = this.cache.get(slot, OP_AND, a, b, 0);
    if (cached >= 0) return cached;
    // The split written out: this is the hottest recursion of the engine, and a tuple per call shows.
    const va = this.varOf(a);
    const vb = this.varOf(b);
    const v = va < vb ? va : vb;
    const lo = this.and(va === v ? this.low(a) : a, vb === v ? this.low(b) : b);
    const hi = this.and(va === v ? this.high(a) : a, vb === v ? this.high(b) : b);
    return this.cache.set(slot, OP_AND, a, b, 0, this.mk(v, lo, hi));
  }

  or(a: number, b: number): number {
    if (a === TRUE || b === TRUE) return TRUE;
    if (a === FALSE) return b;
    if (b === FALSE || a === b) return a;
    if (a > b) [a, b] = [b, a];
    const slot = this.cache.index(OP_OR, a, b, 0);
    const cached = this.cache.get(slot, OP_OR, a, b, 0);
    if (cached >= 0) return cached;
    const va = this.varOf(a);
    const vb = this.varOf(b);
    const v = va < vb ? va : vb;
    const lo = this.or(va === v ? this.low(a) : a, vb === v ? this.low(b) : b);
    const hi = this.or(va === v ? this.high(a) : a, vb === v ? this.high(b) : b);
    return this.cache.set(slot, OP_OR, a, b, 0, this.mk(v, lo, hi));
  }

  xor(a: number, b: number): number {
    if (a === b) return FALSE;
    if (a === FALSE) return b;
    if (b === FALSE) return a;
    if (a === TRUE) return this.not(b);
    if (b === TRUE) return this.not(a);
    if (a > b) [a, b] = [b, a];
    const slot = this.cache.index(OP_XOR, a, b, 0);
    const cached = this.cache.get(slot, OP_XOR, a, b, 0);
    if (cached >= 0) return cached;
    const [v, a0, a1, b0, b1] = this.split(a, b);
    return this.cache.set(slot, OP_XOR, a, b, 0, this.mk(v, this.xor(a0, b0), this.xor(a1, b1)));
  }

  /** a ∧ ¬b: the packets of a that b does not hold. */
  diff(a: number, b: number): number {
    if (a === FALSE || b === TRUE || a === b) return FALSE;
    if (b === FALSE) return a;
    if (a === TRUE) return this.not(b);
    const slot = this.cache.index(OP_DIFF, a, b, 0);
    const cached = this.cache.get(slot, OP_DIFF, a, b, 0);
    if (cached >= 0) return cached;
    const va = this.varOf(a);
    const vb = this.varOf(b);
    const v = va < vb ? va : vb;
    const lo = this.diff(va === v ? this.low(a) : a, vb === v ? this.low(b) : b);
    const hi = this.diff(va === v ? this.high(a) : a, vb === v ? this.high(b) : b);
    return this.cache.set(slot, OP_DIFF, a, b, 0, this.mk(v, lo, hi));
  }

  not(a: number): number {
    if (a === FALSE) return TRUE;
    if (a === TRUE) return FALSE;
    const slot = this.cache.index(OP_NOT, a, 0, 0);
    const cached = this.cache.get(slot, OP_NOT, a, 0, 0);
    if (cached >= 0) return cached;
    return this.cache.set(slot, OP_NOT, a, 0, 0, this.mk(this.varOf(a), this.not(this.low(a)), this.not(this.high(a))));
  }

  /** if f then g else h. */
  ite(f: number, g: number, h: number): number {
    if (f === TRUE) return g;
    if (f === FALSE) return h;
    if (g === h) return g;
    if (g === TRUE && h === FALSE) return f;
    if (g === FALSE && h === TRUE) return this.not(f);
    if (g === TRUE) return this.or(f, h);
    if (h === FALSE) return this.and(f, g);
    if (g === FALSE) return this.diff(h, f);
    if (h === TRUE) return this.or(this.not(f), g);
    const slot = this.cache.index(OP_ITE, f, g, h);
    const cached = this.cache.get(slot, OP_ITE, f, g, h);
    if (cached >= 0) return cached;
    const v = Math.min(this.varOf(f), this.varOf(g), this.varOf(h));
    const r = this.mk(
      v,
      this.ite(this.cof(f, v, 0), this.cof(g, v, 0), this.cof(h, v, 0)),
      this.ite(this.cof(f, v, 1), this.cof(g, v, 1), this.cof(h, v, 1)),
    );
    return this.cache.set(slot, OP_ITE, f, g, h, r);
  }

  /** Is a a subset of b? */
  implies(a: number, b: number): boolean {
    return this.diff(a, b) === FALSE;
  }

  /**
   * Do a and b share a member? Builds no node: a depth-first search for a common path, stopping at the first,
   * with the answers for visited pairs in the operation cache (as 0/1), so the work is bounded by |a|·|b| and is
   * usually a single path.
   */
  intersects(a: number, b: number): boolean {
    if (a === FALSE || b === FALSE) return false;
    if (a === TRUE || b === TRUE || a === b) return true;
    if (a > b) [a, b] = [b, a];
    const slot = this.cache.index(OP_INTERSECTS, a, b, 0);
    const cached = this.cache.get(slot, OP_INTERSECTS, a, b, 0);
    if (cached >= 0) return cached === 1;
    const va = this.varOf(a);
    const vb = this.varOf(b);
    const v = va < vb ? va : vb;
    const r =
      this.intersects(va === v ? this.low(a) : a, vb === v ? this.low(b) : b) ||
      this.intersects(va === v ? this.high(a) : a, vb === v ? this.high(b) : b);
    this.cache.set(slot, OP_INTERSECTS, a, b, 0, r ? 1 : 0);
    return r;
  }

  /**
   * ∃ vars. f, with the quantified variables given as a cube (the conjunction of those variables, built by
   * cube()). The result no longer depends on them: "some value of these fields".
   */
  exists(f: number, varsCube: number): number {
    if (f === FALSE || f === TRUE || varsCube === TRUE) return f;
    const fv = this.varOf(f);
    // Quantified variables above f's top variable do not occur in f.
    while (varsCube !== TRUE && this.varOf(varsCube) < fv) varsCube = this.high(varsCube);
    if (varsCube === TRUE) return f;
    const slot = this.cache.index(OP_EXISTS, f, varsCube, 0);
    const cached = this.cache.get(slot, OP_EXISTS, f, varsCube, 0);
    if (cached >= 0) return cached;
    const lo = this.exists(this.low(f), varsCube);
    const hi = this.exists(this.high(f), varsCube);
    const r = this.varOf(varsCube) === fv ? this.or(lo, hi) : this.mk(fv, lo, hi);
    return this.cache.set(slot, OP_EXISTS, f, varsCube, 0, r);
  }

  /** ∀ vars. f. */
  forall(f: number, varsCube: number): number {
    return this.not(this.exists(this.not(f), varsCube));
  }

  /** ∃ vars. (a ∧ b) without building a ∧ b: the image step when a transform rewrites the quantified fields. */
  andExists(a: number, b: number, varsCube: number): number {
    if (a === FALSE || b === FALSE) return FALSE;
    if (a === TRUE && b === TRUE) return TRUE;
    if (a === TRUE || a === b) return this.exists(b, varsCube);
    if (b === TRUE) return this.exists(a, varsCube);
    if (a > b) [a, b] = [b, a];
    const top = Math.min(this.varOf(a), this.varOf(b));
    while (varsCube !== TRUE && this.varOf(varsCube) < top) varsCube = this.high(varsCube);
    if (varsCube === TRUE) return this.and(a, b);
    const slot = this.cache.index(OP_AND_EXISTS, a, b, varsCube);
    const cached = this.cache.get(slot, OP_AND_EXISTS, a, b, varsCube);
    if (cached >= 0) return cached;
    const [v, a0, a1, b0, b1] = this.split(a, b);
    let r: number;
    if (this.varOf(varsCube) === v) {
      const lo = this.andExists(a0, b0, varsCube);
      r = lo === TRUE ? TRUE : this.or(lo, this.andExists(a1, b1, varsCube));
    } else {
      r = this.mk(v, this.andExists(a0, b0, varsCube), this.andExists(a1, b1, varsCube));
    }
    return this.cache.set(slot, OP_AND_EXISTS, a, b, varsCube, r);
  }

  /** f with the variables of a cube fixed to the cube's values (the cofactor by a partial assignment). */
  restrict(f: number, assignment: number): number {
    if (f === FALSE || f === TRUE || assignment === TRUE) return f;
    if (assignment === FALSE) throw new RangeError('restrict: the assignment is empty');
    const fv = this.varOf(f);
    // Skip assigned variables above f's top variable.
    while (assignment !== TRUE && this.varOf(assignment) < fv) assignment = this.nextInCube(assignment);
    if (assignment === TRUE) return f;
    const slot = this.cache.index(OP_RESTRICT, f, assignment, 0);
    const cached = this.cache.get(slot, OP_RESTRICT, f, assignment, 0);
    if (cached >= 0) return cached;
    let r: number;
    if (this.varOf(assignment) === fv) {
      const positive = this.low(assignment) === FALSE;
      const rest = this.nextInCube(assignment);
      r = this.restrict(positive ? this.high(f) : this.low(f), rest);
    } else {
      r = this.mk(fv, this.restrict(this.low(f), assignment), this.restrict(this.high(f), assignment));
    }
    return this.cache.set(slot, OP_RESTRICT, f, assignment, 0, r);
  }

  /**
   * f with the variables of a cube negated: the set after flipping those bits of every member (`mark ^= value`
   * for the bits of value). Linear in f, cached.
   */
  flip(f: number, varsCube: number): number {
    if (f === FALSE || f === TRUE || varsCube === TRUE) return f;
    const fv = this.varOf(f);
    while (varsCube !== TRUE && this.varOf(varsCube) < fv) varsCube = this.high(varsCube);
    if (varsCube === TRUE) return f;
    const slot = this.cache.index(OP_FLIP, f, varsCube, 0);
    const cached = this.cache.get(slot, OP_FLIP, f, varsCube, 0);
    if (cached >= 0) return cached;
    const lo = this.flip(this.low(f), varsCube);
    const hi = this.flip(this.high(f), varsCube);
    const r = this.varOf(varsCube) === fv ? this.mk(fv, hi, lo) : this.mk(fv, lo, hi);
    return this.cache.set(slot, OP_FLIP, f, varsCube, 0, r);
  }

  /** The conjunction of the given variables (positive literals): the argument form of exists/forall. */
  cube(vars: Iterable<number>): number {
    const sorted = [...new Set(vars)].sort((x, y) => y - x);
    let r = TRUE;
    for (const v of sorted) {
      this.checkVar(v);
      r = this.mk(v, FALSE, r);
    }
    return r;
  }

  /** A conjunction of literals: variable → value. The argument form of restrict. */
  literals(assignment: Iterable<readonly [number, 0 | 1]>): number {
    const byVar = new Map<number, 0 | 1>();
    for (const [v, b] of assignment) {
      this.checkVar(v);
      if (byVar.has(v) && byVar.get(v) !== b) return FALSE;
      byVar.set(v, b);
    }
    let r = TRUE;
    for (const v of [...byVar.keys()].sort((x, y) => y - x)) r = byVar.get(v) ? this.mk(v, FALSE, r) : this.mk(v, r, FALSE);
    return r;
  }

  /** The one child of a cube node that is not FALSE. */
  private nextInCube(c: number): number {
    return this.low(c) === FALSE ? this.high(c) : this.low(c);
  }

  /** The cofactor of f for variable v = bit, where v is at or above f's top variable. */
  private cof(f: number, v: number, bit: 0 | 1): number {
    if (this.varOf(f) !== v) return f;
    return bit ? this.high(f) : this.low(f);
  }

  /** The top variable of a and b, and the cofactors of both for it. */
  private split(a: number, b: number): [number, number, number, number, number] {
    const va = this.varOf(a);
    const vb = this.varOf(b);
    if (va === vb) return [va, this.low(a), this.high(a), this.low(b), this.high(b)];
    if (va < vb) return [va, this.low(a), this.high(a), b, b];
    return [vb, a, a, this.low(b), this.high(b)];
  }
}
