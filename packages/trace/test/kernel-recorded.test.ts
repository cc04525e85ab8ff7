// The simulator against the real kernel: every packet of every recorded flow (fixtures/trace/recorded, recorded
// by the kernel lab from the seed Docker host, a Docker host, a Docker 28 host with two networks, a hand-written
// firewall and kube-proxy nodes, with both iptables backends) must follow exactly the steps the kernel traced —
// for forks (kube-proxy's random endpoint choice, `-m recent` affinity) the kernel's path must be one of the
// simulated outcomes, and across repeated flows every endpoint must have been predicted.
import { describe, expect, it } from 'vitest';
import { trace } from '../src/index';
import { sharedMissing } from '../../../test-support/shared';
import { comparable, compileRecording, formatSteps, packetSpec, recordings, sameSteps, stripKernel } from './kernel-recorded';

const all = recordings();

describe.each(all)('$file', (r) => {
  const compiled = compileRecording(r);
  if (compiled === null) {
    it.skip(sharedMissing(`the inputs of ${r.file} (${[r.iptables, r.hostContext].join(', ')})`), () => {});
    return;
  }
  const cases = r.flows.flatMap((f) => f.packets.map((p, i) => ({ f, p, i })));
  it.each(cases.map((c) => [`${c.f.name} packet ${c.i + 1} (${c.p.direction})`, c] as const))('%s', (_name, { f, p, i }) => {
    const spec = packetSpec(r, f, i);
    const result = trace(compiled, spec);
    const kernel = stripKernel(p.steps);
    // The answer to a rejected first packet is the packet REJECT generated, not a reply of a connection.
    const first = i > 0 && spec.reply ? trace(compiled, packetSpec(r, f, 0)) : null;
    const answers = first?.outcomes.filter((o) => o.generated).map((o) => o.generated!.steps) ?? [];
    const simulated = answers.length ? answers.map((s) => s.map(comparable)) : result.outcomes.map((o) => o.steps.map(comparable));
    const hit = simulated.some((s) => sameSteps(s, kernel));
    if (!hit) {
      // Show the closest outcome against the kernel's path.
      expect(formatSteps(simulated[0] ?? []), `packet ${JSON.stringify(spec)}; ${result.outcomes.length} outcome(s)`).toBe(formatSteps(kernel));
    }
    expect(hit).toBe(true);
  });
});

describe('kube-proxy endpoint fan-out (statistic random), against twelve kernel choices', () => {
  const r = all.find((x) => x.file === 'kube-cluster-3-endpoints.legacy.json')!;
  const compiled = compileRecording(r)!;
  const result = trace(compiled, packetSpec(r, r.flows[0]!, 0));

  it('forks into one outcome per endpoint, each with p = 1/3, DNAT to that endpoint, not masqueraded (pod source)', () => {
    expect(result.outcomes.map((o) => ({ p: Math.round(o.probability * 1e6) / 1e6, nat: o.nat.map((n) => `${n.type} ${n.to}`), masquerade: o.masquerade, verdict: o.verdict }))).toEqual([
      { p: 0.333333, nat: ['DNAT 10.0.1.1:80'], masquerade: false, verdict: 'forwarded' },
      { p: 0.333333, nat: ['DNAT 10.0.1.2:80'], masquerade: false, verdict: 'forwarded' },
      { p: 0.333333, nat: ['DNAT 10.0.1.3:80'], masquerade: false, verdict: 'forwarded' },
    ]);
    expect(result.outcomes.reduce((s, o) => s + o.probability, 0)).toBeCloseTo(1, 9);
  });

  it('every endpoint the kernel picked is an outcome, and the kernel picked every outcome', () => {
    const picked = new Set(r.flows.map((f) => result.outcomes.findIndex((o) => sameSteps(o.steps.map(comparable), stripKernel(f.packets[0]!.steps)))));
    expect([...picked].sort()).toEqual([0, 1, 2]);
  });
});
