// The comparison on recorded kernel results (fixtures/conformance/<scenario>/recorded.<backend>.json, written by
// the kernel suite with CONFORMANCE_RECORD=1): runs anywhere, so a change to the simulator that breaks agreement
// with the kernel shows up without root. The same rules as the live suite: every flow agrees, except the flows
// marked with a known divergence, which must still differ.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarioNames } from '../src/load';
import { rulesFor } from '../src/scenario';
import { parseRecording, type Recording } from '../src/recording';
import { compareFlow, createSimulator, describeFlow } from '../src/simulate';
import { scenarioOrSkip } from './helpers';
import { fixturesDir } from './paths';

const recordings: { scenario: string; file: string; recording: Recording }[] = [];
for (const name of scenarioNames(fixturesDir)) {
  for (const f of readdirSync(path.join(fixturesDir, name)).filter((x) => /^recorded\.(nft|legacy)\.json$/.test(x)).sort()) {
    const file = path.join(fixturesDir, name, f);
    recordings.push({ scenario: name, file: `${name}/${f}`, recording: parseRecording(readFileSync(file, 'utf8'), file) });
  }
}

it('every scenario has a recording for each backend it runs with', () => {
  const missing: string[] = [];
  for (const name of scenarioNames(fixturesDir)) {
    const def = JSON.parse(readFileSync(path.join(fixturesDir, name, 'flows.json'), 'utf8')) as { backends?: string[] };
    for (const b of def.backends ?? ['nft', 'legacy']) if (!existsSync(path.join(fixturesDir, name, `recorded.${b}.json`))) missing.push(`${name}/recorded.${b}.json`);
  }
  expect(missing).toEqual([]);
});

describe.each(recordings)('$file', ({ scenario, recording }) => {
  const s = scenarioOrSkip(scenario);
  if (s === null) return;
  const rules = rulesFor(s, recording.backend);
  const sim = createSimulator({
    iptablesSave: rules.iptablesSave,
    hostJson: s.hostJson,
    backend: recording.backend,
    ...(rules.ebtablesSave !== undefined ? { ebtablesSave: rules.ebtablesSave } : {}),
    ...(s.ipsetSave !== undefined ? { ipsetSave: s.ipsetSave } : {}),
  });

  it('was recorded from the scenario as it is now (same flows)', () => {
    expect(recording.flows.map((f) => f.name)).toEqual(s.flows.map((f) => f.name));
    for (const f of recording.flows) expect(f.flow, f.name).toMatchObject({ from: s.flows.find((x) => x.name === f.name)!.from });
  });

  it.each(s.flows.map((f) => [f.name, f] as const))('%s', (name, flow) => {
    const result = recording.flows.find((f) => f.name === name)!;
    const c = compareFlow(sim, result, recording.tool);
    if (flow.divergence !== undefined) expect(c.agree, `known divergence '${flow.divergence}' no longer shows\n${describeFlow(c)}`).toBe(false);
    else expect(c.agree, describeFlow(c)).toBe(true);
    // Every flow has something to compare: at least one traced packet with steps.
    expect(c.packets.some((p) => p.kernel.length > 0)).toBe(true);
  });
});
