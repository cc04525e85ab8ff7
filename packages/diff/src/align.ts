// Sequence alignment of two chains' rule keys (interned as numbers): a longest common subsequence, so the rules
// left over are the added and removed ones.
//
// The `diff` package's diffArrays (Myers, O((N+M)·D)) does the work where the sequences differ little. When a
// long chain is reordered (kube-proxy's KUBE-SERVICES), D is large and Myers is slow (measured: 0.5 s for a
// shuffled 2,000-rule chain, ≈13 s at 10,000), so long middles are first cut at anchors: keys that occur exactly
// once on each side, kept when they form a longest increasing run (patience diff; for chains whose keys are all
// unique this is the exact LCS, in O(n log n)). The gaps between anchors go back to diffArrays.
import { diffArrays } from 'diff';

export type AlignOp =
  | { op: 'equal'; b: number; a: number }
  | { op: 'removed'; b: number }
  | { op: 'added'; a: number };

/** Middles shorter than this go straight to Myers. */
const SMALL = 1024;
/** Myers' work bound, (N+M)·D, for middles without unique anchors; past it the middle is replaced wholesale. */
const MYERS_WORK = 20_000_000;

export function align(before: readonly number[], after: readonly number[]): AlignOp[] {
  const ops: AlignOp[] = [];
  solve(before, after, 0, before.length, 0, after.length, ops);
  return ops;
}

function solve(bk: readonly number[], ak: readonly number[], bLo: number, bHi: number, aLo: number, aHi: number, ops: AlignOp[]): void {
  while (bLo < bHi && aLo < aHi && bk[bLo] === ak[aLo]) ops.push({ op: 'equal', b: bLo++, a: aLo++ });
  let bEnd = bHi, aEnd = aHi;
  while (bEnd > bLo && aEnd > aLo && bk[bEnd - 1] === ak[aEnd - 1]) { bEnd--; aEnd--; }
  const n = bEnd - bLo, m = aEnd - aLo;
  if (n === 0 || m === 0) {
    for (let i = bLo; i < bEnd; i++) ops.push({ op: 'removed', b: i });
    for (let j = aLo; j < aEnd; j++) ops.push({ op: 'added', a: j });
  } else if (n + m <= SMALL) {
    myers(bk, ak, bLo, bEnd, aLo, aEnd, ops, true);
  } else {
    const anchors = uniqueAnchors(bk, ak, bLo, bEnd, aLo, aEnd);
    if (!anchors.length) {
      myers(bk, ak, bLo, bEnd, aLo, aEnd, ops, false);
    } else {
      let b = bLo, a = aLo;
      for (const [ab, aa] of anchors) {
        solve(bk, ak, b, ab, a, aa, ops);
        ops.push({ op: 'equal', b: ab, a: aa });
        b = ab + 1; a = aa + 1;
      }
      solve(bk, ak, b, bEnd, a, aEnd, ops);
    }
  }
  for (let i = 0; i < bHi - bEnd; i++) ops.push({ op: 'equal', b: bEnd + i, a: aEnd + i });
}

function myers(bk: readonly number[], ak: readonly number[], bLo: number, bHi: number, aLo: number, aHi: number, ops: AlignOp[], exact: boolean): void {
  const bs = bk.slice(bLo, bHi), as = ak.slice(aLo, aHi);
  const changes = exact
    ? diffArrays(bs, as)
    : diffArrays(bs, as, { maxEditLength: Math.max(64, Math.floor(MYERS_WORK / (bs.length + as.length))) });
  if (!changes) {
    // Too different to align within the bound: everything in this middle is removed and added. Identical keys
    // among them are still paired as moves by the caller.
    for (let i = bLo; i < bHi; i++) ops.push({ op: 'removed', b: i });
    for (let j = aLo; j < aHi; j++) ops.push({ op: 'added', a: j });
    return;
  }
  let b = bLo, a = aLo;
  for (const c of changes) {
    if (c.added) for (let k = 0; k < c.count; k++) ops.push({ op: 'added', a: a++ });
    else if (c.removed) for (let k = 0; k < c.count; k++) ops.push({ op: 'removed', b: b++ });
    else for (let k = 0; k < c.count; k++) ops.push({ op: 'equal', b: b++, a: a++ });
  }
}

/** Pairs (before index, after index) of keys unique on both sides, longest run increasing on both sides. */
function uniqueAnchors(bk: readonly number[], ak: readonly number[], bLo: number, bHi: number, aLo: number, aHi: number): [number, number][] {
  const inB = new Map<number, number>();
  for (let i = bLo; i < bHi; i++) inB.set(bk[i]!, inB.has(bk[i]!) ? -1 : i);
  const inA = new Map<number, number>();
  for (let j = aLo; j < aHi; j++) inA.set(ak[j]!, inA.has(ak[j]!) ? -1 : j);
  const pairs: [number, number][] = [];
  for (let i = bLo; i < bHi; i++) {
    const k = bk[i]!;
    const bi = inB.get(k)!, aj = inA.get(k);
    if (bi >= 0 && aj !== undefined && aj >= 0) pairs.push([bi, aj]);
  }
  return longestIncreasing(pairs);
}

/** Longest subsequence of `pairs` (sorted by first) increasing in second: patience sorting with back links. */
export function longestIncreasing(pairs: readonly [number, number][]): [number, number][] {
  const tails: number[] = [];
  const prev = new Int32Array(pairs.length).fill(-1);
  for (let i = 0; i < pairs.length; i++) {
    const v = pairs[i]![1];
    let lo = 0, hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (pairs[tails[mid]!]![1] < v) lo = mid + 1; else hi = mid;
    }
    if (lo > 0) prev[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const out: [number, number][] = [];
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = prev[i]!) out.push(pairs[i]!);
  return out.reverse();
}
