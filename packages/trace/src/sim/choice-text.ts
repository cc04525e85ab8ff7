// What a run's choices say in its outcome: the probability (the product of the chosen alternatives', in order),
// the assumptions, and the draws. It is said one choice at a time as the run makes them (Said.add), so a run
// resumed after n choices (resume.ts) starts from what they said (Said.mark, Said.resume) without going over them.
import type { ChoiceRecord } from './choices';

/** A draw that did not match, in a run of such draws not yet said. */
interface Miss {
  what: string;
  p: number;
}

/**
 * A run of random draws that did not match (kube-proxy's endpoint fan-out: the i-th endpoint's path fails i-1
 * draws first) is one line when longer than two, so the outcomes of n endpoints hold n lines of draws in all,
 * not n²/2: its first two, its last, how many, and their probability together (multiplied in order).
 */
interface Misses {
  readonly count: number;
  readonly first: Miss;
  readonly second: Miss | null;
  readonly last: Miss;
  readonly product: number;
}

/** What a run's choices said up to a resume point: the lists are the run's, read only up to these lengths. */
export interface SaidMark {
  readonly probability: number;
  readonly assumptions: readonly string[];
  readonly assumptionCount: number;
  readonly draws: readonly string[];
  readonly drawCount: number;
  readonly misses: Misses | null;
}

export interface ChoicesSaid {
  probability: number;
  assumptions: string[];
  draws: string[];
}

export function round(p: number): string {
  return String(Math.round(p * 1000) / 1000);
}

/** The lines a run of misses is said in. */
function missLines(m: Misses): string[] {
  if (m.count > 2) return [`${m.count} draws did not match, ${m.first.what} … ${m.last.what} (p=${round(m.product)} together)`];
  const out = [`${m.first.what} did not match (p=${round(m.first.p)})`];
  if (m.second) out.push(`${m.second.what} did not match (p=${round(m.second.p)})`);
  return out;
}

/** What the choices of a run said so far; the lists only grow (a resume point keeps their lengths). */
export class Said {
  private probability = 1;
  private readonly assumptions: string[];
  private readonly draws: string[];
  private misses: Misses | null = null;

  private constructor(from: SaidMark | null) {
    this.assumptions = from ? from.assumptions.slice(0, from.assumptionCount) : [];
    this.draws = from ? from.draws.slice(0, from.drawCount) : [];
    if (from) {
      this.probability = from.probability;
      this.misses = from.misses;
    }
  }

  static empty(): Said {
    return new Said(null);
  }

  /** What a resumed run's choices said before its resume point (a copy of the lists up to it). */
  static resume(m: SaidMark): Said {
    return new Said(m);
  }

  /** One more choice. */
  add(c: ChoiceRecord): void {
    const alt = c.alternatives[c.chosen]!;
    if (alt.probability !== null) this.probability *= alt.probability;
    const miss = alt.assumption === null && c.what !== undefined && c.chosen === 1 && alt.probability !== null && c.alternatives.length === 2;
    if (miss) {
      const m = this.misses;
      const x = { what: c.what!, p: alt.probability! };
      this.misses = m === null
        ? { count: 1, first: x, second: null, last: x, product: 1 * x.p }
        : { count: m.count + 1, first: m.first, second: m.second ?? x, last: x, product: m.product * x.p };
      return;
    }
    if (this.misses !== null) this.draws.push(...missLines(this.misses));
    this.misses = null;
    if (alt.assumption !== null) this.assumptions.push(alt.assumption);
    else if (c.alternatives.length > 1) this.draws.push(alt.probability !== null && alt.probability !== 1 ? `${alt.label} (p=${round(alt.probability)})` : alt.label);
  }

  mark(): SaidMark {
    return {
      probability: this.probability, assumptions: this.assumptions, assumptionCount: this.assumptions.length,
      draws: this.draws, drawCount: this.draws.length, misses: this.misses,
    };
  }

  /** The outcome's texts; the pinned assumptions (`--assume`) first. */
  texts(pinned: readonly string[]): ChoicesSaid {
    return {
      probability: this.probability,
      assumptions: [...pinned, ...this.assumptions],
      draws: this.misses === null ? [...this.draws] : [...this.draws, ...missLines(this.misses)],
    };
  }
}

/** What a list of choice records says (the same texts as a run that made them). */
export function describeChoices(taken: readonly ChoiceRecord[], pinned: readonly string[]): ChoicesSaid {
  const s = Said.empty();
  for (const c of taken) s.add(c);
  return s.texts(pinned);
}
