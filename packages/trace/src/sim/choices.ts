// Forks. A match whose result the snapshot cannot decide (`-m statistic`, or state the snapshot does not hold:
// `recent`, `limit`, `set` contents, …) asks the Chooser, which returns the alternative of the current run.
// The explorer (explore.ts) re-runs the path once per combination of alternatives, so each run is a plain
// deterministic simulation and every outcome carries the probabilities and assumptions of its choices.

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

export class Chooser {
  readonly taken: ChoiceRecord[] = [];
  /** Assumptions pinned by the user that this run relied on. */
  readonly pinned: string[] = [];

  constructor(
    private readonly prefix: readonly number[],
    private readonly pins: Assumptions,
  ) {}

  choose(alternatives: Alternative[], what?: string, keys?: readonly string[]): number {
    const i = this.taken.length;
    const chosen = i < this.prefix.length ? this.prefix[i]! : 0;
    const rec: ChoiceRecord = { alternatives, chosen };
    if (what !== undefined) rec.what = what;
    if (keys !== undefined) rec.keys = keys;
    this.taken.push(rec);
    return chosen;
  }

  /** A random draw that succeeds with probability p (xt_statistic random mode). No fork when p is 0 or 1. */
  random(p: number, what: string): boolean {
    return this.draw(drawOf(p, what));
  }

  /** A draw prepared once per rule (drawOf): a kube-proxy fan-out replays thousands of them per path. */
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
      const v = this.pins.get(k);
      if (v !== undefined) {
        this.pinned.push(`${v ? yes : no} (--assume ${k}=${v})`);
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
      const v = this.pins.get(k);
      if (v !== undefined) {
        this.pinned.push(`${what}: ${v ? 'matches' : 'does not match'} (--assume ${k}=${v})`);
        return v;
      }
    }
    return this.choose([
      { label: `assumed ${what} matches`, probability: null, assumption: `${what}: matches` },
      { label: `assumed ${what} does not match`, probability: null, assumption: `${what}: does not match` },
    ], what, keys) === 0;
  }
}
