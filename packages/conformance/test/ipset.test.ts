// The ipset scenario, replayed from the kernel's recordings: with the sets of fixtures/conformance/ipset/ipset-save
// every `-m set` is decided, so each traced packet has exactly one simulated path, the kernel's. Without the sets
// the simulator forks on each set's contents and one of the forks is the kernel's path, so agreement alone would
// not show that the contents were read right.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRecording } from '../src/recording';
import { rulesFor } from '../src/scenario';
import { compareFlow, createSimulator, describeFlow } from '../src/simulate';
import { scenarioOrSkip } from './helpers';
import { fixturesDir } from './paths';

const s = scenarioOrSkip('ipset');

describe.each(['nft', 'legacy'] as const)('ipset scenario (%s recording)', (backend) => {
  if (s === null) return;
  const recording = parseRecording(readFileSync(path.join(fixturesDir, 'ipset', `recorded.${backend}.json`), 'utf8'), 'ipset');
  const rules = rulesFor(s, backend);
  const withSets = createSimulator({ iptablesSave: rules.iptablesSave, hostJson: s.hostJson, backend, ipsetSave: s.ipsetSave! });
  const withoutSets = createSimulator({ iptablesSave: rules.iptablesSave, hostJson: s.hostJson, backend });

  it.each(s.flows.map((f) => [f.name] as const))('%s: one path, the kernel\'s', (name) => {
    const result = recording.flows.find((f) => f.name === name)!;
    const c = compareFlow(withSets, result, recording.tool);
    expect(c.agree, describeFlow(c)).toBe(true);
    // The first packet reaches a -m set rule in every flow. With the sets it has one path and no outcome rests on
    // an assumption about a set; without them it forks on the sets' contents.
    expect(c.packets[0]!.candidates.length, describeFlow(c)).toBe(1);
    const spec = c.packets[0]!.question.spec;
    const setAssumptions = (sim: typeof withSets) =>
      sim.trace(spec).outcomes.flatMap((o) => o.assumptions.map((a) => JSON.stringify(a))).filter((a) => a.includes('ipset'));
    expect(setAssumptions(withSets)).toEqual([]);
    expect(setAssumptions(withoutSets).length).toBeGreaterThan(0);
    expect(compareFlow(withoutSets, result, recording.tool).packets[0]!.candidates.length).toBeGreaterThan(1);
  });
});
