// Kernel steps against simulated steps: equality, the first difference, and a readable two-column diff.
//
// The kernel took exactly one path. The simulator may answer with several outcomes (a `-m statistic` fork, an
// assumption it had to make): the packet agrees when the kernel's path is one of the simulated outcomes with a
// probability above zero. When none agrees, the closest outcome (longest common prefix, then fewest differing
// steps) is the one shown in the diff.
import { formatStep, sameStep, type Step } from './steps.js';

/** One simulated path the kernel's path is compared with. */
export interface Candidate {
  /** What this path is, e.g. `outcome 2 of 3 (p=0.5): DNAT to 10.180.0.4:80`. */
  label: string;
  probability: number;
  steps: Step[];
}

export interface StepComparison {
  agree: boolean;
  /** Index (in both sequences) of the first step that differs; null when they agree. */
  firstDifference: number | null;
}

/** Step-by-step equality (sameStep) of the whole sequences. */
export function compareSteps(kernel: readonly Step[], simulated: readonly Step[]): StepComparison {
  const n = Math.min(kernel.length, simulated.length);
  for (let i = 0; i < n; i++) {
    if (!sameStep(kernel[i]!, simulated[i]!)) return { agree: false, firstDifference: i };
  }
  if (kernel.length !== simulated.length) return { agree: false, firstDifference: n };
  return { agree: true, firstDifference: null };
}

export interface CandidateMatch {
  agree: boolean;
  /** The candidate equal to the kernel's path (agree), else the closest one; null when there is no candidate. */
  candidate: Candidate | null;
  /** Its index in the candidate list. */
  index: number;
  comparison: StepComparison | null;
}

function commonPrefix(a: readonly Step[], b: readonly Step[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && sameStep(a[i]!, b[i]!)) i++;
  return i;
}

/** Which candidate, if any, is the kernel's path (only candidates with probability > 0 count). */
export function matchCandidates(kernel: readonly Step[], candidates: readonly Candidate[]): CandidateMatch {
  let best: CandidateMatch = { agree: false, candidate: null, index: -1, comparison: null };
  let bestScore: [number, number] = [-1, -Infinity];
  for (const [index, c] of candidates.entries()) {
    const comparison = compareSteps(kernel, c.steps);
    if (comparison.agree && c.probability > 0) return { agree: true, candidate: c, index, comparison };
    const score: [number, number] = [commonPrefix(kernel, c.steps), -alignmentCost(kernel, c.steps)];
    if (score[0] > bestScore[0] || (score[0] === bestScore[0] && score[1] > bestScore[1])) {
      bestScore = score;
      best = { agree: false, candidate: c, index, comparison };
    }
  }
  return best;
}

type Row = { kind: 'same' | 'changed' | 'kernel-only' | 'sim-only'; kernel?: Step; sim?: Step };

/** Can two different steps be shown as one changed step? Only when they are in the same chain at the same hook
 *  (another rule, another verdict); otherwise the diff shows one step missing on each side. */
function changeable(a: Step, b: Step): boolean {
  return a.family === b.family && a.table === b.table && a.chain === b.chain && (a.hook === undefined || a.hook === b.hook);
}

/**
 * Edit-distance alignment of the two sequences (a packet's path is tens of steps): a step only one side took
 * costs 1, a changed step 1 (same chain) or 2 (never better than one on each side). Among equally cheap
 * alignments the kernel-only rows come first, so a changed step lines up with its counterpart further down.
 */
export function alignSteps(kernel: readonly Step[], sim: readonly Step[]): Row[] {
  const n = kernel.length;
  const m = sim.length;
  // cost[i][j]: cheapest alignment of kernel[i..] with sim[j..].
  const cost: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  const sub = (i: number, j: number) => (sameStep(kernel[i]!, sim[j]!) ? 0 : changeable(kernel[i]!, sim[j]!) ? 1 : 2);
  for (let i = n; i >= 0; i--) {
    for (let j = m; j >= 0; j--) {
      if (i === n && j === m) continue;
      let best = Infinity;
      if (i < n && j < m) best = sub(i, j) + cost[i + 1]![j + 1]!;
      if (i < n) best = Math.min(best, 1 + cost[i + 1]![j]!);
      if (j < m) best = Math.min(best, 1 + cost[i]![j + 1]!);
      cost[i]![j] = best;
    }
  }
  const rows: Row[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    const here = cost[i]![j]!;
    if (i < n && j < m && sameStep(kernel[i]!, sim[j]!) && cost[i + 1]![j + 1] === here) {
      rows.push({ kind: 'same', kernel: kernel[i++]!, sim: sim[j++]! });
    } else if (i < n && 1 + cost[i + 1]![j]! === here) {
      rows.push({ kind: 'kernel-only', kernel: kernel[i++]! });
    } else if (j < m && 1 + cost[i]![j + 1]! === here) {
      rows.push({ kind: 'sim-only', sim: sim[j++]! });
    } else {
      rows.push({ kind: 'changed', kernel: kernel[i++]!, sim: sim[j++]! });
    }
  }
  return rows;
}

function alignmentCost(kernel: readonly Step[], sim: readonly Step[]): number {
  return alignSteps(kernel, sim).reduce((n, r) => n + (r.kind === 'same' ? 0 : 1), 0);
}

const MARK: Record<Row['kind'], string> = { same: ' ', changed: '≠', 'kernel-only': '<', 'sim-only': '>' };

/**
 * Two columns, kernel left and simulator right, one row per aligned step:
 *
 *   ` ` same step   `≠` the step differs   `<` only the kernel took it   `>` only the simulator did
 */
export function renderDiff(kernel: readonly Step[], sim: readonly Step[], titles: { kernel?: string; sim?: string } = {}): string {
  const rows = alignSteps(kernel, sim);
  const left = rows.map((r) => (r.kernel ? formatStep(r.kernel) : ''));
  const width = Math.max(titles.kernel?.length ?? 6, 6, ...left.map((l) => l.length));
  const lines = [`  ${(titles.kernel ?? 'kernel').padEnd(width)}   ${titles.sim ?? 'simulator'}`];
  lines.push(`  ${'-'.repeat(width)}   ${'-'.repeat(Math.max(9, titles.sim?.length ?? 0))}`);
  for (const [k, r] of rows.entries()) {
    lines.push(`${MARK[r.kind]} ${left[k]!.padEnd(width)} ${r.kind === 'same' ? '|' : MARK[r.kind]} ${r.sim ? formatStep(r.sim) : ''}`.trimEnd());
  }
  if (rows.length === 0) lines.push('  (no step on either side)');
  return lines.join('\n');
}
