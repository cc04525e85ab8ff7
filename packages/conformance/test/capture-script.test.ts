// The capture script (`chainsight capture --script`, capture.sh of the trace package) against the kernel: every
// conformance scenario is built in namespaces, its rules and ipsets loaded (nft backend), the script run inside
// the host's namespace, and each flow of the scenario traced twice — from the scenario's own files (rules,
// host.json, ipset-save) and from the capture alone — with the same outcomes: verdict, every step, NAT and
// probability, for the first packet and, where the flow expects one, its reply.
//
// Only the nft backend: `iptables-save` on this system is iptables-nft-save, so a capture of rules loaded with
// iptables-legacy would not show them (on a legacy host the alternatives point at the legacy tools).
//
// CONFORMANCE_RECORD=1 also writes the capture of docker-modern to fixtures/conformance/docker-modern/host.capture
// (the CLI tests and the README's example read it).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology, labAvailability, requireTool, withLab, type HostContext as LabHostContext } from '@chainsight/kernel-lab';
import { findChain, parseIpsetSave, parseSnapshot } from '@chainsight/grammar';
import {
  compileRuleset, parseHostContext, readCapture, traceConversation, type CompiledRuleset, type ConversationStep, type HostContext, type PacketSpec, type TraceResult,
} from '@chainsight/trace';
import { flagsFromLetters, formatStep, fromSimulator, loadScenario, rulesFor, scenarioNames, type Scenario } from '../src/index.js';
import { fixturesDir, isCI, repoRoot, sharedDir } from './paths';

const SCRIPT = path.join(repoRoot, 'packages', 'trace', 'src', 'host', 'capture.sh');

const lab = labAvailability();
if (!lab.ok) {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n!! SKIPPED the capture-script suite: ${lab.reason}\n!! (needs Linux, root and the kernel lab's tools; under CI=true this is a failure)\n${line}\n`);
}

/** The scenario's flow as a question, for the files (neighbours by name) and for the capture (by address: a
 *  capture has no neighbour names, only `ip neigh`'s addresses). */
function questions(scenario: Scenario, flow: Scenario['flows'][number]): { files: PacketSpec; capture: PacketSpec } {
  const ctx = JSON.parse(scenario.hostJson) as HostContext;
  const neighbour = (name: string) => ctx.neighbors.find((n) => n.name === name);
  const base: PacketSpec = { proto: flow.proto, dst: neighbour(flow.to)?.ip ?? flow.to };
  if (flow.proto !== 'icmp') { base.sport = flow.sport ?? 40000; base.dport = flow.dport!; }
  else if (flow.icmpType !== undefined) base.icmpType = String(flow.icmpType);
  if (flow.proto === 'tcp' && flow.tcpFlags !== undefined) base.tcpFlags = flagsFromLetters(flow.tcpFlags);
  if (flow.from === 'host') return { files: { ...base, local: true }, capture: { ...base, local: true } };
  const n = neighbour(flow.from);
  return n ? { files: { ...base, from: flow.from }, capture: { ...base, src: n.ip } } : { files: { ...base, src: flow.from }, capture: { ...base, src: flow.from } };
}

/** What must be the same: per packet, per outcome, the verdict, every step, the NAT and the probability. */
function outcomes(r: TraceResult): string[] {
  return r.outcomes.map((o) => [
    `${o.verdict} p=${Number(o.probability.toFixed(6))}`,
    ...o.steps.map((s) => `  ${formatStep(fromSimulator(s))}`),
    ...o.nat.map((x) => `  nat ${x.type} ${x.to}`),
  ].join('\n'));
}

function converse(compiled: CompiledRuleset, spec: PacketSpec, reply: boolean): string[][] {
  const steps: ConversationStep[] = reply ? [{ direction: 'reply' }] : [];
  return traceConversation(compiled, spec, steps).packets.map(outcomes);
}

function fromFiles(scenario: Scenario, rules: ReturnType<typeof rulesFor>): CompiledRuleset {
  const snaps = [parseSnapshot(rules.iptablesSave, { fileName: 'iptables-save' }).snapshot];
  if (rules.ebtablesSave !== undefined) snaps.push(parseSnapshot(rules.ebtablesSave, { fileName: 'ebtables-save' }).snapshot);
  const host = parseHostContext(scenario.hostJson, 'host.json').context!;
  const ipsets = scenario.ipsetSave === undefined ? undefined : parseIpsetSave(scenario.ipsetSave, 'ipset-save').sets;
  return compileRuleset(snaps, host, { backend: 'nft', bridgeBackend: 'nft', ...(ipsets ? { ipsets } : {}) });
}

const names = scenarioNames(fixturesDir);

describe.skipIf(!lab.ok && !isCI)('a capture taken in the namespaces of each scenario traces its flows as the scenario\'s files do', () => {
  it('has the kernel lab', () => expect(lab.ok ? null : lab.reason).toBeNull());

  it.each(names)('%s', { timeout: 120_000 }, async (name) => {
    const loaded = loadScenario(name, { fixtures: fixturesDir, shared: sharedDir });
    if (!loaded.ok) {
      // Only the seed scenario reads the shared folder: absent, it is skipped here and a failure under CI.
      expect(isCI ? `${name}: missing ${loaded.missing.join(', ')}` : null).toBeNull();
      if (!isCI) console.warn(`capture-script: ${name} skipped (missing ${loaded.missing.join(', ')})`);
      return;
    }
    const scenario = loaded.scenario;
    const rules = rulesFor(scenario, 'nft');
    const ctx = JSON.parse(scenario.hostJson) as HostContext;
    const known = new Set([...ctx.interfaces.flatMap((i) => (i.addresses ?? []).map((a) => a.split('/')[0]!)), ...ctx.neighbors.map((n) => n.ip)]);
    const externals = [...new Set(scenario.flows.flatMap((f) => [f.from, f.to]).filter((x) => /^[\d.]+$|:/.test(x) && !known.has(x)))];

    const text = await withLab(async (l) => {
      const topo = await buildTopology(l, ctx as unknown as LabHostContext, { externalHosts: externals });
      if (scenario.ipsetSave !== undefined) await l.execOk(topo.hostNs, [requireTool('ipset'), 'restore'], { input: scenario.ipsetSave });
      await l.execOk(topo.hostNs, [requireTool('iptables-nft-restore')], { input: rules.iptablesSave, timeoutMs: 20_000 });
      if (rules.ebtablesSave !== undefined) await l.execOk(topo.hostNs, [requireTool('ebtables-nft-restore')], { input: rules.ebtablesSave, timeoutMs: 20_000 });
      return (await l.execOk(topo.hostNs, ['sh', SCRIPT], { timeoutMs: 30_000 })).stdout;
    });
    if (process.env.CONFORMANCE_RECORD === '1' && name === 'docker-modern') writeFileSync(path.join(fixturesDir, name, 'host.capture'), text);

    const r = readCapture(text, `${name}/host.capture`);
    const errors = [...r.diagnostics, ...r.rules.flatMap((x) => x.result.diagnostics)].filter((d) => d.severity === 'error');
    expect(errors.map((d) => `${d.span.start.line}: ${d.message}`)).toEqual([]);
    expect(r.sections.filter((s) => s.status !== 'ok').map((s) => `${s.name} ${s.status}`)).toEqual([]);
    expect(r.host).not.toBeNull();
    const captured = compileRuleset(r.rules.map((x) => x.result.snapshot), r.host, { backend: 'nft', bridgeBackend: 'nft', ...(r.ipsets ? { ipsets: r.ipsets } : {}) });
    const files = fromFiles(scenario, rules);
    // The rules the kernel printed are the scenario's rules: same chains, same rule count in each.
    const ipv4 = r.rules.find((x) => x.section === 'iptables-save')!.result.snapshot;
    const given = parseSnapshot(rules.iptablesSave, { fileName: 'iptables-save' }).snapshot;
    for (const t of given.tables) for (const c of t.chains) {
      expect(findChain(ipv4.tables.find((x) => x.name === t.name)!, c.name)?.rules.length, `${t.name} ${c.name}`).toBe(c.rules.length);
    }

    for (const flow of scenario.flows) {
      const q = questions(scenario, flow);
      const reply = flow.expectReply === true;
      expect(converse(captured, q.capture, reply), `flow ${flow.name}`).toEqual(converse(files, q.files, reply));
    }
  });
});
