// `--expect VERDICT` / `--expect masquerade`: a one-line CI check over every outcome.
import type { Outcome, TraceResult } from '../types';

export type Expectation =
  | { kind: 'verdict'; verdict: 'ACCEPT' | 'DROP' | 'REJECT' | 'delivered' | 'forwarded' | 'QUEUE' | 'no-route' }
  | { kind: 'masquerade'; value: boolean };

export interface ExpectationResult {
  ok: boolean;
  /** Outcomes (1-based) that disagree, with why. */
  failures: { outcome: number; reason: string }[];
}

const VERDICTS = ['ACCEPT', 'DROP', 'REJECT', 'delivered', 'forwarded', 'QUEUE', 'no-route'] as const;

export function parseExpectation(text: string): Expectation | null {
  const t = text.trim();
  if (/^masquerade$/i.test(t)) return { kind: 'masquerade', value: true };
  if (/^(no-masquerade|!masquerade)$/i.test(t)) return { kind: 'masquerade', value: false };
  const v = VERDICTS.find((x) => x.toLowerCase() === t.toLowerCase());
  return v ? { kind: 'verdict', verdict: v } : null;
}

/** ACCEPT means "the packet got through": delivered or forwarded. */
function matches(o: Outcome, e: Expectation): string | null {
  if (e.kind === 'masquerade') return o.masquerade === e.value ? null : `MASQUERADE: ${o.masquerade ? 'yes' : 'no'}`;
  const through = o.verdict === 'delivered' || o.verdict === 'forwarded' || o.verdict === 'ACCEPT';
  const ok = e.verdict === 'ACCEPT' ? through : o.verdict === e.verdict;
  return ok ? null : o.summary;
}

export function checkExpectation(result: TraceResult, e: Expectation): ExpectationResult {
  const failures: ExpectationResult['failures'] = [];
  result.outcomes.forEach((o, i) => {
    const why = matches(o, e);
    // An outcome that rests on assumptions (a fork on state or on a host fact) says which: pinning them is the fix.
    if (why !== null) failures.push({ outcome: i + 1, reason: o.assumptions.length ? `${why} (assumes ${o.assumptions.join('; ')})` : why });
  });
  return { ok: failures.length === 0 && result.outcomes.length > 0, failures };
}
