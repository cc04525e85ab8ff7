// The paths the explorer still has to run, and what is said about them when it stops at the outcome limit.
// A pending path is its choice prefix; prefixes share their heads as a linked list, so each run adds one node per
// choice it made instead of a copy of its whole prefix per alternative (copies cost depth² per run: 1,000 rules
// forking twice each took gigabytes before the limit was reached). A pending path whose fork was asked by a rule's
// matches also has the point its run resumes from (resume.ts): that run needs only the choices before the fork's
// table walk and those from the fork's rule on, not the whole prefix.
import { plainPrefix, type ChoiceRecord, type ExploreWork, type Prefix } from './choices';
import type { ResumePoint } from './resume';

export interface Pending {
  parent: Pending | null;
  /** The alternative taken at this depth. */
  choice: number;
  /** Number of choices in the prefix this node ends. */
  depth: number;
  /** The fork this node's choice answers (null for the choices a run made as it went). */
  fork: Fork | null;
  /** Where the run of this alternative resumes (null: from the start). */
  resume: ResumePoint | null;
}

/** What forked: the match text (with its file:line) and the `--assume` keys that pin it, most specific first. */
export interface Fork {
  what: string;
  keys: readonly string[];
}

export function forkOf(rec: ChoiceRecord): Fork {
  return { what: rec.what ?? 'a fork', keys: rec.keys ?? [] };
}

export function prefixOf(p: Pending | null): number[] {
  const out = new Array<number>(p?.depth ?? 0);
  for (let n = p; n !== null; n = n.parent) out[n.depth - 1] = n.choice;
  return out;
}

/**
 * What the run of a pending path replays: with a resume point, the choices before the fork's table walk (shared by
 * every run resuming in that walk, built once) and those from the fork's rule to the path's end; else all of them.
 */
export function prefixFor(p: Pending | null, resume: boolean, work: ExploreWork | null): Prefix {
  const point = resume ? p?.resume ?? null : null;
  if (p === null || point === null) {
    const all = prefixOf(p);
    if (work) work.copied += all.length;
    return plainPrefix(all);
  }
  const from = point.first;
  const after = new Array<number>(p.depth - from);
  let n: Pending | null = p;
  for (; n !== null && n.depth > from; n = n.parent) after[n.depth - 1 - from] = n.choice;
  const entry = point.entry;
  if (entry.before === null) {
    // The first run resuming in this walk reads the choices before it off its prefix; the others share them.
    const before = new Array<number>(entry.count);
    for (; n !== null; n = n.parent) if (n.depth <= entry.count) before[n.depth - 1] = n.choice;
    entry.before = before;
    if (work) work.copied += p.depth;
  }
  if (work) work.copied += after.length;
  return { length: p.depth, before: entry.before, from, after };
}

/** The paths a trace did not explore, counted from the forks still pending when it stopped. */
export interface LeftOut {
  /** Each pending fork leads to at least one path; how many more it splits into is not known without running it. */
  atLeast: number;
  /**
   * The forks they split on, grouped by the most general `--assume` key (the module: every `limit` match is pinned
   * by `--assume limit=…`), most pending first, at most 5: that key (the specific one when the group is one match;
   * null when the fork cannot be pinned, a random draw), one match of the group, how many matches and paths.
   */
  splitBy: { assume: string | null; what: string; matches: number; paths: number }[];
}

export function leftOutOf(pending: readonly Pending[], extra = 0): LeftOut {
  const groups = new Map<string, { keys: Map<string, readonly string[]>; what: string; paths: number }>();
  for (const p of pending) {
    const f = p.fork ?? { what: 'a fork', keys: [] };
    const general = f.keys[f.keys.length - 1] ?? `:${f.what}`;
    let g = groups.get(general);
    if (!g) groups.set(general, (g = { keys: new Map(), what: f.what, paths: 0 }));
    g.keys.set(f.what, f.keys);
    g.paths++;
  }
  const splitBy = [...groups.entries()].map(([general, g]) => ({
    assume: general.startsWith(':') ? null : g.keys.size === 1 ? [...g.keys.values()][0]![0]! : general,
    what: g.what, matches: g.keys.size, paths: g.paths,
  }));
  return { atLeast: pending.length + extra, splitBy: top(splitBy) };
}

function top(xs: LeftOut['splitBy']): LeftOut['splitBy'] {
  return xs.sort((a, b) => b.paths - a.paths).slice(0, 5);
}

/** Two results' left-out paths together. */
export function addLeftOut(a: LeftOut | undefined, b: LeftOut | undefined): LeftOut | undefined {
  if (!a) return b;
  if (!b) return a;
  const by = new Map(a.splitBy.map((s) => [s.assume ?? `:${s.what}`, { ...s }]));
  for (const s of b.splitBy) {
    const e = by.get(s.assume ?? `:${s.what}`);
    if (e) { e.paths += s.paths; e.matches = Math.max(e.matches, s.matches); } else by.set(s.assume ?? `:${s.what}`, { ...s });
  }
  return { atLeast: a.atLeast + b.atLeast, splitBy: top([...by.values()]) };
}
