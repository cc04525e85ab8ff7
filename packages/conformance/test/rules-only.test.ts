// A trace from the rules alone, checked against the kernel: every recorded scenario flow is asked again the way a
// user with only `iptables-save` output asks it — the entry interface (`--in`, or `--local`) and the addresses,
// no host context — and the kernel's path must be among the outcomes. Where the rules decide, the trace does not
// fork and must agree; where a host fact decides (is this address the host's, which interface is OUT), it forks,
// and one of its outcomes must be the kernel's (docs/host-facts.md, "Without host facts").
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseIpsetSave, parseSnapshot, type Snapshot } from '@chainsight/grammar';
import { compileRuleset, resolvePacket, traceConversation, trace, type PacketSpec } from '@chainsight/trace';
import { scenarioNames } from '../src/load';
import { rulesFor } from '../src/scenario';
import { parseRecording, type Recording } from '../src/recording';
import { compareFlow, createSimulator, describeFlow, type Simulator } from '../src/simulate';
import { scenarioOrSkip } from './helpers';
import { fixturesDir } from './paths';

const recordings: { file: string; scenario: string; recording: Recording }[] = [];
for (const name of scenarioNames(fixturesDir)) {
  for (const f of readdirSync(path.join(fixturesDir, name)).filter((x) => /^recorded\.(nft|legacy)\.json$/.test(x)).sort()) {
    const file = path.join(fixturesDir, name, f);
    recordings.push({ file: `${name}/${f}`, scenario: name, recording: parseRecording(readFileSync(file, 'utf8'), file) });
  }
}

const fmtMac = (m: bigint) => m.toString(16).padStart(12, '0').replace(/(..)(?!$)/g, '$1:');

function snapshot(text: string, fileName: string): Snapshot {
  return parseSnapshot(text, { fileName }).snapshot;
}

/**
 * The user's question without the host context: neighbour names become the addresses they stand for, and the
 * entry point the host context would infer is given as `--in` (the bridge itself for a bridge port: a rules-only
 * trace knows no bridge ports) or `--local`.
 */
function rulesOnlyQuestion(full: Simulator, spec: PacketSpec): PacketSpec {
  const { from: _from, to: _to, ...rest } = spec;
  const r = resolvePacket({ ...spec, reply: false, state: 'NEW' }, full.compiled.host);
  const p = r.packet;
  const fmt = (a: bigint) => (p.v === 4 ? [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join('.') : null);
  const out: PacketSpec = { ...rest };
  const src = fmt(p.src);
  const dst = fmt(p.dst);
  if (src !== null) out.src = src;
  if (dst !== null) out.dst = dst;
  if (r.entry.kind === 'local') out.local = true;
  else out.in = r.entry.kind === 'iface' ? r.entry.dev : r.entry.bridge;
  // The sender's MAC is what a user reads off the capture (`--src-mac`); ipsets of MACs test it.
  if (r.entry.kind !== 'local' && p.srcMac !== null && out.srcMac === undefined) out.srcMac = fmtMac(p.srcMac);
  return out;
}

/** The scenario's simulator with the rules only: same questions, translated by rulesOnlyQuestion. */
function rulesOnlySimulator(full: Simulator, snaps: Snapshot[], backend: 'nft' | 'legacy', ipsetSave: string | undefined): Simulator {
  const ipsets = ipsetSave === undefined ? undefined : parseIpsetSave(ipsetSave, 'ipset-save').sets;
  const compiled = compileRuleset(snaps, null, { backend, bridgeBackend: backend, ...(ipsets ? { ipsets } : {}) });
  return {
    ...full,
    compiled,
    trace: (spec) => trace(compiled, rulesOnlyQuestion(full, spec)),
    converse: (first, steps) => traceConversation(compiled, rulesOnlyQuestion(full, first), steps),
  };
}

// Bridged paths are out of reach without host facts: which frames a bridge carries, through which ports, with
// which ebtables chains, is the host's (its bridges, br_netfilter, the FDB); a rules-only trace routes at the
// bridge device instead. The flows whose kernel trace has bridge (ebtables) steps are left out, and counted.
function bridged(r: Recording, name: string): boolean {
  return r.flows.find((f) => f.name === name)!.packets.some((p) => p.steps.some((st) => st.family === 'bridge'));
}

let compared = 0;
describe.each(recordings)('rules only: $file', ({ scenario, recording }) => {
  const s = scenarioOrSkip(scenario);
  if (s === null) return;
  const rules = rulesFor(s, recording.backend);
  const full = createSimulator({
    iptablesSave: rules.iptablesSave, hostJson: s.hostJson, backend: recording.backend,
    ...(rules.ebtablesSave !== undefined ? { ebtablesSave: rules.ebtablesSave } : {}),
    ...(s.ipsetSave !== undefined ? { ipsetSave: s.ipsetSave } : {}),
  });
  const sim = rulesOnlySimulator(full, [snapshot(rules.iptablesSave, 'iptables-save')], recording.backend, s.ipsetSave);
  const flows = s.flows.filter((f) => f.divergence === undefined && !bridged(recording, f.name));
  compared += flows.length;
  if (!flows.length) { it.skip('every flow is bridged (needs the host\'s bridges)', () => {}); return; }

  it.each(flows.map((f) => [f.name] as const))('%s: the kernel took one of the outcomes', (name) => {
    const result = recording.flows.find((f) => f.name === name)!;
    const c = compareFlow(sim, result, recording.tool);
    expect(c.agree, describeFlow(c)).toBe(true);
  });
});

it('compares most recorded flows (the bridged ones are left out)', () => {
  const all = recordings.reduce((n, r) => n + r.recording.flows.length, 0);
  expect(compared).toBeGreaterThan(all * 0.8);
});
