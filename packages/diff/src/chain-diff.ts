// Rule-level diff of one chain present on both sides: align the canonical keys, then read the leftovers as
// moves (a removed and an added rule with the same key), modifications (a removed and an added rule in the same
// hunk that share most options) and plain additions and removals.
import type { Chain, Rule } from '@chainsight/grammar';
import { align } from './align';
import { analyseMoves, type Budget } from './moves';
import { ruleRef } from './refs';
import { canonicalRuleKey, ruleParts, type RuleKeyOptions, type RulePart } from './rule-key';
import type { Change, OptionChange, Reach } from './types';

export interface ChainPair {
  table: string;
  /** The chain's name after (before, for a removal). */
  chain: string;
  before: Chain;
  after: Chain;
  fileBefore: string;
  fileAfter: string;
  reach: Reach;
  keyBefore: RuleKeyOptions;
  keyAfter: RuleKeyOptions;
  ignoreCounters: boolean;
  budget: Budget;
  /** After-side names of renamed chains: rules that refer to them cannot be compared by their text. */
  renamed: ReadonlyMap<string, unknown>;
}

/** How far ahead in a hunk a removed rule looks for the added rule it became. */
const PAIR_WINDOW = 16;
/** Similarity (shared options, half credit for the same option with another value) needed to call it a modification. */
const MODIFIED_THRESHOLD = 0.5;

function intern(keys: string[], table: Map<string, number>): number[] {
  return keys.map((k) => {
    let n = table.get(k);
    if (n === undefined) table.set(k, (n = table.size));
    return n;
  });
}

function sameCounters(a: Rule, b: Rule): boolean {
  return (a.counters?.packets ?? null) === (b.counters?.packets ?? null) && (a.counters?.bytes ?? null) === (b.counters?.bytes ?? null);
}

function byLabel(parts: readonly RulePart[]): Map<string, RulePart[]> {
  const m = new Map<string, RulePart[]>();
  for (const p of parts) {
    const list = m.get(p.label);
    if (list) list.push(p); else m.set(p.label, [p]);
  }
  return m;
}

export function similarity(before: readonly RulePart[], after: readonly RulePart[]): number {
  if (!before.length && !after.length) return 1;
  const lb = byLabel(before), la = byLabel(after);
  let score = 0;
  for (const [label, bs] of lb) {
    const as = la.get(label);
    if (!as) continue;
    const left = as.map((p) => p.value);
    let same = 0;
    for (const p of bs) {
      const i = left.indexOf(p.value);
      if (i >= 0) { left.splice(i, 1); same++; }
    }
    score += same + 0.5 * (Math.min(bs.length, as.length) - same);
  }
  return score / Math.max(before.length, after.length);
}

/** The options that differ, in the order of the rule before (new options after). */
export function optionChanges(before: readonly RulePart[], after: readonly RulePart[]): OptionChange[] {
  const lb = byLabel(before), la = byLabel(after);
  const out: OptionChange[] = [];
  for (const label of new Set([...lb.keys(), ...la.keys()])) {
    const bs = lb.get(label) ?? [], as = la.get(label) ?? [];
    const key = (ps: RulePart[]) => ps.map((p) => p.value).sort().join('\u0000');
    if (bs.length === as.length && key(bs) === key(as)) continue;
    out.push({
      option: label,
      before: bs.length ? bs.map((p) => p.text).join(', ') : null,
      after: as.length ? as.map((p) => p.text).join(', ') : null,
    });
  }
  // Same options, other order: only the order of stateful matches counts (rule-key.ts), so say that.
  if (!out.length) {
    const order = (ps: readonly RulePart[]) => ps.filter((p) => p.kind === 'match').map((p) => p.label).join(' ');
    out.push({ option: 'match order', before: order(before), after: order(after) });
  }
  return out;
}

function refersTo(rule: Rule, names: ReadonlyMap<string, unknown>): boolean {
  if (rule.target && names.has(rule.target.name)) return true;
  return rule.matches.some((m) => m.module === 'recent' && m.options.some((o) => o.key === 'name' && names.has(o.words[0] ?? '')));
}

/** The same text line for line (and no reference through a rename): equal keys without computing them. */
function sameText(rb: readonly Rule[], ra: readonly Rule[], renamed: ReadonlyMap<string, unknown>): boolean {
  if (rb.length !== ra.length) return false;
  for (let i = 0; i < rb.length; i++) {
    if (rb[i]!.raw !== ra[i]!.raw || (renamed.size && refersTo(ra[i]!, renamed))) return false;
  }
  return true;
}

export function diffChainRules(p: ChainPair): Change[] {
  const rb = p.before.rules, ra = p.after.rules;
  // Most chains of two snapshots of one host are unchanged: skip the keys for them.
  if (sameText(rb, ra, p.renamed)) return [];
  const table = new Map<string, number>();
  const kb = intern(rb.map((r) => canonicalRuleKey(r, p.keyBefore)), table);
  const ka = intern(ra.map((r) => canonicalRuleKey(r, p.keyAfter)), table);
  const identical = kb.length === ka.length && kb.every((k, i) => k === ka[i]);
  const base = { id: 0, table: p.table, chain: p.chain, reach: p.reach };
  const refB = (i: number) => ruleRef(p.fileBefore, rb[i]!);
  const refA = (j: number) => ruleRef(p.fileAfter, ra[j]!);
  const out: Change[] = [];
  const countersOf = (bi: number, aj: number) => {
    if (p.ignoreCounters || sameCounters(rb[bi]!, ra[aj]!)) return;
    out.push({ ...base, kind: 'counters-changed', before: refB(bi), after: refA(aj), from: rb[bi]!.counters, to: ra[aj]!.counters });
  };
  if (identical) {
    if (!p.ignoreCounters) for (let i = 0; i < kb.length; i++) countersOf(i, i);
    return out;
  }
  const ops = align(kb, ka);

  // Moves: the same key removed in one place and added in another.
  const addedByKey = new Map<number, number[]>();
  for (const o of ops) if (o.op === 'added') {
    const list = addedByKey.get(ka[o.a]!);
    if (list) list.push(o.a); else addedByKey.set(ka[o.a]!, [o.a]);
  }
  const moveOfAdded = new Map<number, number>();
  const movedBefore = new Set<number>();
  for (const o of ops) if (o.op === 'removed') {
    const list = addedByKey.get(kb[o.b]!);
    if (list?.length) { moveOfAdded.set(list.shift()!, o.b); movedBefore.add(o.b); }
  }

  // Modifications: within each hunk (run of non-equal ops), a removed rule and a later-listed added rule alike enough.
  const modifiedOfAdded = new Map<number, { b: number; options: OptionChange[] }>();
  const modifiedBefore = new Set<number>();
  const partsB = (i: number) => ruleParts(rb[i]!, p.keyBefore);
  const partsA = (j: number) => ruleParts(ra[j]!, p.keyAfter);
  for (let i = 0; i < ops.length; ) {
    if (ops[i]!.op === 'equal') { i++; continue; }
    const removed: number[] = [], added: number[] = [];
    for (; i < ops.length && ops[i]!.op !== 'equal'; i++) {
      const o = ops[i]!;
      if (o.op === 'removed' && !movedBefore.has(o.b)) removed.push(o.b);
      if (o.op === 'added' && !moveOfAdded.has(o.a)) added.push(o.a);
    }
    const addedParts = new Map<number, RulePart[]>();
    let from = 0;
    for (const bi of removed) {
      const pb = partsB(bi);
      let best = -1, bestScore = MODIFIED_THRESHOLD - 1e-9;
      for (let k = from; k < added.length && k < from + PAIR_WINDOW; k++) {
        const aj = added[k]!;
        let pa = addedParts.get(aj);
        if (!pa) addedParts.set(aj, (pa = partsA(aj)));
        const s = similarity(pb, pa);
        if (s > bestScore) { bestScore = s; best = k; }
      }
      if (best < 0) continue;
      const aj = added[best]!;
      modifiedOfAdded.set(aj, { b: bi, options: optionChanges(pb, addedParts.get(aj)!) });
      modifiedBefore.add(bi);
      from = best + 1;
    }
  }

  const equal: [number, number][] = [];
  const moves: [number, number][] = [];
  for (const o of ops) if (o.op === 'equal') equal.push([o.b, o.a]);
  for (const [a, b] of moveOfAdded) moves.push([b, a]);
  const verdicts = new Map<number, ReturnType<typeof analyseMoves>[number]>();
  analyseMoves(equal, moves, ra, p.fileAfter, p.budget).forEach((v, k) => verdicts.set(moves[k]![1], v));

  for (const o of ops) {
    if (o.op === 'equal') { countersOf(o.b, o.a); continue; }
    if (o.op === 'removed') {
      if (!movedBefore.has(o.b) && !modifiedBefore.has(o.b)) out.push({ ...base, kind: 'rule-removed', before: refB(o.b) });
      continue;
    }
    const moved = moveOfAdded.get(o.a);
    const modified = modifiedOfAdded.get(o.a);
    if (moved !== undefined) {
      const v = verdicts.get(o.a)!;
      out.push({ ...base, kind: 'rule-moved', before: refB(moved), after: refA(o.a), ...v });
      countersOf(moved, o.a);
    } else if (modified) {
      out.push({ ...base, kind: 'rule-modified', before: refB(modified.b), after: refA(o.a), options: modified.options });
    } else {
      out.push({ ...base, kind: 'rule-added', after: refA(o.a) });
    }
  }
  return out;
}
