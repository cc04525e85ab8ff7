// Forks. A match whose result the snapshot cannot decide (`-m statistic`, or state the snapshot does not hold:
// `recent`, `limit`, `set` contents, …) asks the Chooser, which returns the alternative of the current run.
// The explorer (explore.ts) runs the path once per combination of alternatives, so each run is a plain
// deterministic simulation and every outcome carries the probabilities and assumptions of its choices. A run that
// answers a fork resumes near where it was asked (resume.ts) instead of replaying every choice before it: the
// Chooser then starts from the number of choices made before, what they said (choice-text.ts) and the pinned
// answers, not from the choices themselves, so a run costs no more than the choices it makes.
import { Said, type SaidMark } from './choice-text';

export interface Alternative {
  /** Short label for the text output ("match", "no match"). */
  label: string;
  /** Probability of this alternative, or null when it depends on state the snapshot does not hold. */
  probability: number | null;
  /** The assumption this alternative makes, stated for the user (null for random draws). */
  assumption: string | null;
}

export interface ChoiceRecord {
  alternatives: Alternative[];
  chosen: number;
  /** What forked (the match text with its file:line), to say which forks the paths left out split on. */
  what?: string;
  /** The `--assume` keys that pin this fork, most specific first. */
  keys?: readonly string[];
}

/** A random draw: its probability, what draws, and its two alternatives (matched, did not match). */
export interface Draw {
  p: number;
  what: string;
  alternatives: Alternative[];
}

export function drawOf(p: number, what: string): Draw {
  return {
    p, what,
    alternatives: [
      { label: `${what} matched`, probability: p, assumption: null },
      { label: `${what} did not match`, probability: 1 - p, assumption: null },
    ],
  };
}

/** Pinned answers from `--assume KEY=true|false`. Keys: `module`, `module:name`, `module@line`. */
export type Assumptions = ReadonlyMap<string, boolean>;

/**
 * The alternatives a run takes at the forks it replays (explore.ts): choice i is `before[i]` while i is below
 * `before.length`, `after[i - from]` from `from` to `length`, and the first alternative past `length`. A resumed run
 * never asks for a choice between the two (it resumes at `from`, resume.ts); a plain replay has every choice in
 * `before` (from = length).
 */
export interface Prefix {
  readonly length: number;
  readonly before: readonly number[];
  readonly from: number;
  readonly after: readonly number[];
}

export function plainPrefix(choices: readonly number[]): Prefix {
  return { length: choices.length, before: choices, from: choices.length, after: [] };
}

function isPrefix(x: readonly number[] | Prefix): x is Prefix {
  return !Array.isArray(x);
}

/** Counters of the work an exploration does (tests assert it grows linearly; bench/growth.mjs shows the time). */
export interface ExploreWork {
  /** Rule predicates evaluated (once per rule a run reaches: what replaying a path repeats). */
  rules: number;
  /** Choices made, replayed ones included. */
  choices: number;
  /** Choices, steps and events copied to start a run (its prefix, or the state it resumes from). */
  copied: number;
}

/** The pinned answers of a run up to a resume point: the run's list, read only up to `count`. */
export interface PinsMark {
  readonly pins: readonly string[];
  readonly count: number;
}

export class Chooser {
  /** Choices made before `records` (those a resumed run starts after), and the run's own since. */
  private base = 0;
  private records: ChoiceRecord[] = [];
  private saidSoFar = Said.empty();
  private pins: string[] = [];
  /** Asked for each choice past the prefix: where a run answering it resumes (resume.ts). */
  onNew: ((index: number) => void) | null = null;

  constructor(
    prefix: readonly number[] | Prefix,
    private readonly pinsGiven: Assumptions,
    private readonly work: ExploreWork | null = null,
  ) {
    this.prefix = isPrefix(prefix) ? prefix : plainPrefix(prefix);
  }

  private readonly prefix: Prefix;

  /** Number of choices made so far. */
  get count(): number {
    return this.base + this.records.length;
  }

  /** The choices from `from` on (at least the choices the run started after). */
  since(from: number): ChoiceRecord[] {
    if (from < this.base) throw new Error('internal: the choices before a resume point are not kept');
    return this.records.slice(from - this.base);
  }

  /** Every choice in order (a run that did not resume: tests, and the match harness). */
  get taken(): ChoiceRecord[] {
    return this.since(0);
  }

  /** What the choices so far say. */
  get said(): Said {
    return this.saidSoFar;
  }

  /** Assumptions pinned by the user that this run relied on, in order. */
  get pinned(): string[] {
    return this.pins;
  }

  pinsMark(): PinsMark {
    return { pins: this.pins, count: this.pins.length };
  }

  /** Back to a resume point: `count` choices made, what they said, the pinned answers then (resume.ts). */
  restore(count: number, said: SaidMark, pins: PinsMark): void {
    this.base = count;
    this.records = [];
    this.saidSoFar = Said.resume(said);
    this.pins = pins.pins.slice(0, pins.count);
  }

  /** The run is over and its outcome built: lets go of its choices (the host facts keep the chooser). */
  forget(): void {
    this.records = [];
    this.saidSoFar = Said.empty();
  }

  private pin(text: string): void {
    this.pins.push(text);
  }

  choose(alternatives: Alternative[], what?: string, keys?: readonly string[]): number {
    const i = this.count;
    const pre = this.prefix;
    let chosen = 0;
    if (i < pre.length) {
      if (i < pre.before.length) chosen = pre.before[i]!;
      else if (i >= pre.from) chosen = pre.after[i - pre.from]!;
      else throw new Error(`internal: choice ${i} of a resumed run was neither replayed nor resumed`);
    } else this.onNew?.(i);
    if (this.work) this.work.choices++;
    const rec: ChoiceRecord = { alternatives, chosen };
    if (what !== undefined) rec.what = what;
    if (keys !== undefined) rec.keys = keys;
    this.records.push(rec);
    this.saidSoFar.add(rec);
    return chosen;
  }

  /** A random draw that succeeds with probability p (xt_statistic random mode). No fork when p is 0 or 1. */
  random(p: number, what: string): boolean {
    return this.draw(drawOf(p, what));
  }

  /** A draw prepared once per rule (drawOf): a kube-proxy fan-out asks thousands of them. */
  draw(d: Draw): boolean {
    if (d.p >= 1) return true;
    if (d.p <= 0) return false;
    return this.choose(d.alternatives, d.what) === 0;
  }

  /**
   * A host fact the rules alone leave open (a trace without host facts: is this address the host's own, which
   * interface is OUT). `yes`/`no` state each answer; `noFirst` explores the negative answer first. Pinned like a
   * match by `--assume KEY=true|false`.
   */
  fact(keys: readonly string[], yes: string, no: string, noFirst: boolean): boolean {
    for (const k of keys) {
      const v = this.pinsGiven.get(k);
      if (v !== undefined) {
        this.pin(`${v ? yes : no} (--assume ${k}=${v})`);
        return v;
      }
    }
    const alts = [
      { label: yes, probability: null, assumption: yes },
      { label: no, probability: null, assumption: no },
    ];
    if (noFirst) alts.reverse();
    const i = this.choose(alts, yes, keys);
    return noFirst ? i === 1 : i === 0;
  }

  /**
   * A match result that depends on state outside the snapshot. `keys` are the names the user may pin it by
   * (most specific first); `what` describes the match for the assumption text.
   */
  assume(keys: readonly string[], what: string): boolean {
    for (const k of keys) {
      const v = this.pinsGiven.get(k);
      if (v !== undefined) {
        this.pin(`${what}: ${v ? 'matches' : 'does not match'} (--assume ${k}=${v})`);
        return v;
      }
    }
    return this.choose([
      { label: `assumed ${what} matches`, probability: null, assumption: `${what}: matches` },
      { label: `assumed ${what} does not match`, probability: null, assumption: `${what}: does not match` },
    ], what, keys) === 0;
  }
}
