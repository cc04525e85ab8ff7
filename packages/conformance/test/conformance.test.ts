// The conformance suite: every scenario of fixtures/conformance run in the real kernel (kernel lab, each backend
// the scenario lists) and in the simulator, every traced packet compared step by step; then randomised
// differential testing for CONFORMANCE_SECONDS; then the packet-set engine's witnesses and unreachable rules
// (CONFORMANCE_ENGINE_RULESETS, default 20, within CONFORMANCE_ENGINE_SECONDS, default 100); then the agreement figure, printed and written to
// .conformance-summary.txt at the repository root (.ci/run echoes it after the test summary).
//
// Needs Linux, root and the lab's tools; elsewhere it skips loudly, and under CI=true that is a failure.
// Environment: CONFORMANCE_SECONDS (random time box; default 90 under CI, 20 otherwise), CONFORMANCE_SEED,
// CONFORMANCE_CASE (only that random case), CONFORMANCE_MAX_CASES, CONFORMANCE_RECORD=1 (write the kernel's results to
// fixtures/conformance/<scenario>/recorded.<backend>.json for the offline tests).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labAvailability, missingTraceTools } from '@chainsight/kernel-lab';
import { EngineLab, runEngineCheck, summariseEngineCheck } from '../src/kernel/engine-check';
import { RandomLab } from '../src/kernel/random-lab';
import { runAndCompare, type ScenarioRun } from '../src/kernel/scenario-run';
import { loadScenario, scenarioNames } from '../src/load';
import { describeMismatch, runDifferential, summariseDifferential, type DifferentialReport } from '../src/random/differential';
import { formatRecording, recordingOf } from '../src/recording';
import type { Scenario } from '../src/scenario';
import { describeFlow, type Backend } from '../src/simulate';
import { emptyTally, formatFigure } from '../src/summary';
import { fixturesDir, isCI, repoRoot, sharedDir } from './paths';

const tally = emptyTally();
const summaryFile = path.join(repoRoot, '.conformance-summary.txt');

function labProblem(): string | null {
  const a = labAvailability();
  if (!a.ok) return a.reason;
  const missing = [...new Set([...missingTraceTools('nft'), ...missingTraceTools('legacy')])];
  return missing.length ? `missing tools: ${missing.join(', ')}` : null;
}

const problem = labProblem();

function banner(reason: string): void {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n!! SKIPPED the kernel conformance suite: ${reason}\n!! (needs Linux, root and the kernel lab's tools; under CI=true this is a failure)\n${line}\n`);
}

if (problem !== null) {
  if (isCI) {
    describe('kernel conformance', () => {
      it('has the kernel lab (required under CI=true)', () => {
        throw new Error(`kernel lab unavailable: ${problem}`);
      });
    });
  } else {
    banner(problem);
    tally.notes.push(`SKIPPED: ${problem}`);
    describe.skip('kernel conformance', () => {
      it('needs the kernel lab', () => {});
    });
  }
} else {
  const loaded = scenarioNames(fixturesDir).map((name) => loadScenario(name, { fixtures: fixturesDir, shared: sharedDir }));
  const scenarios: Scenario[] = [];
  for (const l of loaded) {
    if (l.ok) scenarios.push(l.scenario);
    else if (isCI) {
      describe(`scenario ${l.name}`, () => {
        it('has its inputs (required under CI=true)', () => {
          throw new Error(`missing: ${l.missing.join(', ')}`);
        });
      });
    } else {
      banner(`scenario ${l.name}: missing ${l.missing.join(', ')}`);
      tally.notes.push(`scenario ${l.name} SKIPPED: missing ${l.missing.map((m) => path.relative(repoRoot, m)).join(', ')}`);
    }
  }

  // The scenario runs are mostly waiting (ping and nc time-outs): three run at once, each in its own lab.
  const jobs = scenarios.flatMap((s) => s.backends.map((backend) => ({ scenario: s, backend })));
  const runs = new Map<string, Promise<ScenarioRun>>();
  const key = (s: Scenario, b: Backend) => `${s.name}/${b}`;
  beforeAll(() => {
    let next = 0;
    const waiting = new Map<string, { resolve: (r: ScenarioRun) => void; reject: (e: unknown) => void }>();
    for (const j of jobs) {
      runs.set(key(j.scenario, j.backend), new Promise<ScenarioRun>((resolve, reject) => waiting.set(key(j.scenario, j.backend), { resolve, reject })));
    }
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const j = jobs[next++]!;
        const w = waiting.get(key(j.scenario, j.backend))!;
        try {
          w.resolve(await runAndCompare(j.scenario, j.backend));
        } catch (e) {
          w.reject(e);
        }
      }
    };
    // Rejections are observed by the tests that await them.
    for (const p of runs.values()) p.catch(() => {});
    void Promise.all([worker(), worker(), worker()]);
  });

  for (const s of scenarios) {
    for (const backend of s.backends) {
      describe(`scenario ${s.name} (${backend})`, () => {
        let run: ScenarioRun;
        beforeAll(async () => {
          run = await runs.get(key(s, backend))!;
          if (process.env.CONFORMANCE_RECORD === '1') {
            writeFileSync(path.join(fixturesDir, s.name, `recorded.${backend}.json`), formatRecording(recordingOf(run)));
          }
        }, 180_000);

        it.each(s.flows.map((f) => [f.name, f] as const))('%s', (_name, flow) => {
          const c = run.flows.find((f) => f.name === flow.name);
          expect(c, `no result for flow ${flow.name}`).toBeDefined();
          tally.flows.total++;
          const text = `${describeFlow(c!)}${run.notes.length ? `\nnotes: ${run.notes.join('; ')}` : ''}`;
          if (flow.divergence !== undefined) {
            tally.flows.knownDivergences++;
            if (c!.agree) throw new Error(`flow ${flow.name} now agrees: known divergence '${flow.divergence}' is gone; update docs/divergences.md and flows.json\n${text}`);
            return;
          }
          if (c!.agree) tally.flows.agreed++;
          expect(c!.agree, text).toBe(true);
        });
      });
    }
  }

  describe('randomised differential testing', () => {
    let lab: RandomLab | null = null;
    let report: DifferentialReport | null = null;
    const seconds = Number(process.env.CONFORMANCE_SECONDS ?? (isCI ? 90 : 20));
    const seed = process.env.CONFORMANCE_SEED !== undefined ? Number(process.env.CONFORMANCE_SEED) : 1;
    const only = process.env.CONFORMANCE_CASE !== undefined ? Number(process.env.CONFORMANCE_CASE) : undefined;

    afterAll(async () => {
      await lab?.close();
    });

    it(`random rulesets and packets agree (${seconds} s, seed ${seed})`, { timeout: (seconds + 150) * 1000 }, async () => {
      lab = await RandomLab.open();
      report = await runDifferential(lab, {
        seed,
        deadline: Date.now() + seconds * 1000,
        maxCases: Number(process.env.CONFORMANCE_MAX_CASES ?? 100_000),
        packetsPerCase: 4,
        maxShrinks: 3,
        shrinkMs: 90_000,
        ...(only !== undefined ? { only } : {}),
        log: (line) => console.log(`random: ${line}`),
      });
      tally.random = { agreed: report.agreed, total: report.cases, ran: true };
      console.log(`random: ${summariseDifferential(report)}`);
      const problems = [
        ...report.mismatches.map((m) => describeMismatch(m, seed)),
        ...report.notTraced.map((p) => `the kernel traced nothing for ${JSON.stringify(p)}`),
      ];
      expect(problems, problems.join('\n\n')).toEqual([]);
      expect(report.cases, 'no random case ran').toBeGreaterThan(0);
    });
  });

  // The packet-set engine's claims on random rulesets, refereed by the kernel (src/kernel/engine-check.ts).
  describe('packet-set engine claims', () => {
    let lab: EngineLab | null = null;
    const rulesets = Number(process.env.CONFORMANCE_ENGINE_RULESETS ?? 20);
    const seconds = Number(process.env.CONFORMANCE_ENGINE_SECONDS ?? 100);

    afterAll(async () => {
      await lab?.close();
    });

    it(`witnesses hit their rules and unreachable rules stay at 0 (${rulesets} rulesets, seed 1)`, { timeout: (seconds + 90) * 1000 }, async () => {
      lab = await EngineLab.open();
      const report = await runEngineCheck(lab, { seed: 1, rulesets, perClaim: 20, deadline: Date.now() + seconds * 1000, log: (line) => console.log(`packet sets: ${line}`) });
      tally.packetSets = `${summariseEngineCheck(report)} (${report.rulesets} rulesets, ${(report.elapsedMs / 1000).toFixed(0)} s)`;
      console.log(`packet sets: ${tally.packetSets}`);
      const problems = [...report.findings, ...report.refused.map((r) => `refused by the kernel: ${r}`)];
      expect(problems, problems.join('\n\n')).toEqual([]);
      expect(report.witnesses.total, 'no witness was sent').toBeGreaterThan(0);
      expect(report.unreachable.packets, 'no unreachable claim was sampled').toBeGreaterThan(0);
    });
  });
}

describe('agreement figure', () => {
  it('is printed and written to .conformance-summary.txt', () => {
    const figure = formatFigure(tally);
    console.log(`\n${figure}\n`);
    writeFileSync(summaryFile, `${figure}\n`);
    expect(figure).toMatch(/^conformance: \d+\/\d+ flows and /);
  });
});
