// Whether a moved rule can change what happens to packets. Moving rule M changes nothing unless M now runs
// before a rule X it used to run after (or the reverse) and some packet matches both: then the first of the two
// decides (or, for non-terminating targets, the order of side effects changes). Two rules with the same
// terminating target and no stateful match decide the same way in either order.
import { findTargetSpec, VERDICTS, type Rule } from '@chainsight/grammar';
import { CrossingIndex } from './crossings';
import { overlap } from './overlap';
import { ruleRef } from './refs';
import { isStateful, keyOfParts, ruleParts } from './rule-key';
import type { Crossing, MoveBehaviour } from './types';

export interface MoveVerdict {
  behaviour: MoveBehaviour;
  crossedCount: number;
  crossed: Crossing[];
  note?: string;
}

/** Shared across one diff: how many overlap checks may still be spent. */
export interface Budget {
  left: number;
}

const MAX_REPORTED = 20;
/**
 * Crossed rules checked for overlap per moved rule. A reordered chain moves most rules past most others; checking
 * every pair is quadratic, so past this many the verdict is 'unknown' unless a checked one already decides it.
 */
export const PER_MOVE_CHECKS = 64;


function isTerminating(rule: Rule): boolean {
  const t = rule.target;
  if (!t || t.type === 'chain' || t.type === 'unknown') return false;
  // ACCEPT, DROP, RETURN, QUEUE end the chain; ebtables' CONTINUE does not.
  if (t.type === 'verdict') return VERDICTS.has(t.name);
  return findTargetSpec(rule.family, t.name)?.terminating ?? false;
}

/** The target with its options, normalised like rule keys (`-j REJECT` = `--reject-with icmp-port-unreachable`). */
function targetKey(rule: Rule): string {
  return keyOfParts(ruleParts(rule).filter((p) => p.kind === 'target'));
}

export function sameEffect(a: Rule, b: Rule): boolean {
  return isTerminating(a) && isTerminating(b) && targetKey(a) === targetKey(b)
    && !a.matches.some(isStateful) && !b.matches.some(isStateful);
}

/** A positive exact destination host, for a cheap disjointness test before the full check. */
const hostCache = new WeakMap<Rule, bigint | null>();
function destinationHost(rule: Rule): bigint | null {
  let h = hostCache.get(rule);
  if (h !== undefined) return h;
  h = null;
  for (const o of rule.base) {
    if (o.key === 'destination' && !o.negated && o.value.type === 'address' && o.value.prefix === (o.value.version === 4 ? 32 : 128)) h = o.value.address;
  }
  hostCache.set(rule, h);
  return h;
}

/** Fenwick tree over after-side positions, for counting crossings in O(n log n). */
class Counter {
  private readonly tree: Int32Array;
  constructor(size: number) { this.tree = new Int32Array(size + 1); }
  add(i: number): void { for (i++; i < this.tree.length; i += i & -i) this.tree[i]!++; }
  /** How many added positions are ≤ i. */
  upTo(i: number): number { let n = 0; for (i++; i > 0; i -= i & -i) n += this.tree[i]!; return n; }
}

/**
 * For each move (before index, after index): how many rules changed order relative to it, and which of them could
 * overlap it. Both sides' positions of every rule present on both sides (aligned or moved) are known, so "crossed"
 * is `(b < bm) !== (a < am)`. Counting uses a Fenwick tree; the rules worth an overlap check are found through a
 * bucket per exact destination host (rules for two different hosts are disjoint), plus every rule without one,
 * so a reordered KUBE-SERVICES does not cost moves × rules.
 */
export function analyseMoves(
  equal: readonly (readonly [number, number])[], moves: readonly (readonly [number, number])[],
  rulesA: readonly Rule[], fileA: string, budget: Budget,
): MoveVerdict[] {
  const paired = [...equal, ...moves];
  const firstMove = equal.length;
  const order = paired.map((_, i) => i).sort((x, y) => paired[x]![0] - paired[y]![0]);
  const crossings = new Int32Array(paired.length);
  let counter = new Counter(rulesA.length);
  order.forEach((i, seen) => {
    crossings[i]! += seen - counter.upTo(paired[i]![1]);
    counter.add(paired[i]![1]);
  });
  counter = new Counter(rulesA.length);
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    crossings[i]! += counter.upTo(paired[i]![1] - 1);
    counter.add(paired[i]![1]);
  }
  const byHost = new Map<bigint, number[]>();
  const anyHost: number[] = [];
  paired.forEach(([, a], i) => {
    const h = destinationHost(rulesA[a]!);
    if (h === null) { anyHost.push(i); return; }
    const list = byHost.get(h);
    if (list) list.push(i); else byHost.set(h, [i]);
  });
  // One crossing index per candidate group, built when a move first needs it.
  const indexes = new Map<bigint | 'any' | 'all', CrossingIndex>();
  const indexOf = (key: bigint | 'any' | 'all'): CrossingIndex => {
    let ix = indexes.get(key);
    if (!ix) {
      const members = key === 'all' ? paired.map((_, i) => i) : key === 'any' ? anyHost : byHost.get(key) ?? [];
      indexes.set(key, (ix = new CrossingIndex(paired, members)));
    }
    return ix;
  };
  return moves.map(([bm, am], k) => {
    const h = destinationHost(rulesA[am]!);
    // One more than is checked, to know whether some were left unchecked.
    const want = PER_MOVE_CHECKS + 1;
    const found = h === null
      ? indexOf('all').crossing(bm, am, want)
      : [...indexOf(h).crossing(bm, am, want), ...indexOf('any').crossing(bm, am, want)];
    const crossed = found.map((i) => paired[i]![1]).sort((x, y) => x - y);
    const more = crossed.length > PER_MOVE_CHECKS;
    return judge(rulesA[am]!, more ? crossed.slice(0, PER_MOVE_CHECKS) : crossed, more, crossings[firstMove + k]!, rulesA, fileA, budget);
  });
}

function judge(m: Rule, crossedAfter: readonly number[], more: boolean, crossedCount: number, rulesA: readonly Rule[], fileA: string, budget: Budget): MoveVerdict {
  const found: Crossing[] = [];
  const host = destinationHost(m);
  let note: string | undefined;
  for (const ax of crossedAfter) {
    const x = rulesA[ax]!;
    const hx = destinationHost(x);
    if (host !== null && hx !== null && host !== hx) continue;
    if (budget.left <= 0) { note = 'not every crossed rule was checked: the check budget of this diff ran out'; break; }
    budget.left--;
    const o = overlap(m, x);
    if (o.verdict === 'disjoint') continue;
    found.push({ rule: ruleRef(fileA, x), overlap: o, sameEffect: sameEffect(m, x) });
  }
  const rank = (c: Crossing) => (c.sameEffect ? 2 : c.overlap.verdict === 'overlap' ? 0 : 1);
  found.sort((a, b) => rank(a) - rank(b) || a.rule.index - b.rule.index);
  const decided = found.some((c) => rank(c) === 0);
  if (more && !decided && !note) note = `only the first ${PER_MOVE_CHECKS} crossed rules (in the new order) that could overlap it were checked`;
  const behaviour: MoveBehaviour = decided ? 'may-change'
    : found.some((c) => rank(c) === 1) || note ? 'unknown' : 'unchanged';
  const verdict: MoveVerdict = { behaviour, crossedCount, crossed: found.slice(0, MAX_REPORTED) };
  if (note) verdict.note = note;
  return verdict;
}
