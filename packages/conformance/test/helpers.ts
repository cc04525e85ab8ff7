// Small helpers shared by the offline tests: a step literal, and a scenario loaded or skipped (loudly; a failure
// under CI=true) when its shared inputs are missing.
import { it } from 'vitest';
import { loadScenario } from '../src/load';
import type { Scenario } from '../src/scenario';
import type { Step } from '../src/steps';
import { fixturesDir, isCI, sharedDir } from './paths';

export function step(hook: string | undefined, table: string, chain: string, type: Step['type'], rule: number | null, verdict?: string): Step {
  return { family: 'ip', ...(hook !== undefined ? { hook } : {}), table, chain, type, rule, ...(verdict !== undefined ? { verdict } : {}) };
}

/** Inside a describe: the scenario, or null after registering a skipped test that says what is missing. */
export function scenarioOrSkip(name: string): Scenario | null {
  const loaded = loadScenario(name, { fixtures: fixturesDir, shared: sharedDir });
  if (loaded.ok) return loaded.scenario;
  if (isCI) throw new Error(`${name}: missing ${loaded.missing.join(', ')} (required under CI=true)`);
  console.warn(`\n*** SKIPPED scenario ${name}: missing ${loaded.missing.join(', ')} ***\n`);
  it.skip('needs the shared seed', () => {});
  return null;
}
