// Conversations: each packet of a connection traced against the connection as the packets before it left it.
// The expected paths are the kernel's, recorded by the conformance suite (fixtures/conformance/<scenario>/
// recorded.nft.json, flows named below); the semantic cases around them follow docs/netfilter.md §nat-first-packet.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, parseHostContext, traceConversation, type ConversationStep, type PacketSpec } from '../src/index';
import { comparable, formatSteps, repoRoot, stripKernel, type KernelStep } from './kernel-recorded';

const scenarioDir = (name: string) => path.join(repoRoot, 'fixtures', 'conformance', name);

function compileScenario(name: string) {
  const rules = parseSnapshot(readFileSync(path.join(scenarioDir(name), 'iptables-save'), 'utf8'), { fileName: 'iptables-save' }).snapshot;
  const host = parseHostContext(readFileSync(path.join(scenarioDir(name), 'host.json'), 'utf8'), 'host.json').context;
  return compileRuleset([rules], host, { backend: 'nft' });
}

function kernelPackets(scenario: string, flow: string): KernelStep[][] {
  const rec = JSON.parse(readFileSync(path.join(scenarioDir(scenario), 'recorded.nft.json'), 'utf8')) as { flows: { name: string; packets: { steps: KernelStep[] }[] }[] };
  return rec.flows.find((f) => f.name === flow)!.packets.map((p) => stripKernel(p.steps));
}

describe.each([
  {
    what: 'the mark the first reply saved to the connection is restored for every later packet (CONNMARK)',
    scenario: 'firewall', flow: 'lan-to-internet-twice',
    first: { from: 'lan', dst: '198.51.100.99', proto: 'icmp' } as PacketSpec,
    then: [{ direction: 'reply' }, { direction: 'request' }, { direction: 'reply' }] as ConversationStep[],
  },
  {
    what: 'a first packet sent again before any answer is NEW but skips the nat chains (its connection left the host)',
    scenario: 'kube-proxy', flow: 'lb-blocked-source-ping',
    first: { from: 'blocked', dst: '5.6.7.8', proto: 'icmp' } as PacketSpec,
    then: [{ direction: 'request' }] as ConversationStep[],
  },
])('$scenario $flow: $what', ({ scenario, flow, first, then }) => {
  const compiled = compileScenario(scenario);
  const kernel = kernelPackets(scenario, flow);
  const result = traceConversation(compiled, first, then);

  it.each(kernel.map((steps, i) => [i + 1, steps] as const))('packet %i takes the kernel\'s path', (n, steps) => {
    const outcomes = result.packets[n - 1]!.outcomes;
    expect(outcomes).toHaveLength(1);
    expect(formatSteps(outcomes[0]!.steps.map(comparable))).toBe(formatSteps(steps));
  });
});

describe('conntrack along a conversation (docs/netfilter.md §nat-first-packet)', () => {
  const compiled = compileScenario('firewall');
  const natSteps = (steps: { table: string }[]) => steps.filter((s) => s.table === 'nat').length;

  it.each([
    ['before any reply, a request is still NEW', [{ direction: 'request' }], 'NEW'],
    ['after a reply, a request is ESTABLISHED', [{ direction: 'reply' }, { direction: 'request' }], 'ESTABLISHED'],
    ['an ICMP error about the connection is RELATED', [{ direction: 'reply', error: true }], 'RELATED'],
  ] as const)('%s', (_what, then, state) => {
    const r = traceConversation(compiled, { from: 'lan', dst: '198.51.100.99', proto: 'udp', dport: 53 }, then as readonly ConversationStep[]);
    const last = r.packets.at(-1)!;
    expect(last.packet.ctState).toBe(state);
    expect(natSteps(last.outcomes[0]!.steps)).toBe(0);
  });

  it('a first packet dropped before conntrack confirmed it leaves no connection: the next one is a first packet again', () => {
    // ssh from outside is marked 0x1 and rejected in INPUT (IN-TCP → LOGREJECT).
    const r = traceConversation(compiled, { from: 'outside', dst: '192.0.2.10', proto: 'tcp', dport: 22 }, [{ direction: 'request', tcpFlags: 'SYN' }, { direction: 'reply' }]);
    expect(r.packets[0]!.outcomes[0]!.verdict).toBe('REJECT');
    expect(natSteps(r.packets[1]!.outcomes[0]!.steps)).toBeGreaterThan(0);
    expect(r.packets[1]!.inferred.some((i) => /first packet again/.test(i))).toBe(true);
    expect(r.packets[2]!.outcomes[0]!.verdict).toBe('no-connection');
  });

  it('TCP packets take ACK unless flags are given, and the reply\'s ports come from the connection', () => {
    const r = traceConversation(compiled, { from: 'outside', dst: '192.0.2.10', proto: 'tcp', sport: 40100, dport: 8443 }, [{ direction: 'reply' }, { direction: 'request' }]);
    expect(r.packets[1]!.packet).toMatchObject({ src: '10.1.0.20', dst: '192.0.2.77', sport: 443, dport: 40100 });
    expect(r.packets[2]!.packet).toMatchObject({ tcpFlags: 0x10, ctState: 'ESTABLISHED' });
  });

  it('follows each fork of the first packet: the reply of each endpoint kube-proxy may choose, with its probability', () => {
    const kube = compileScenario('kube-proxy');
    const r = traceConversation(kube, { from: 'client', dst: '172.30.0.44', proto: 'tcp', dport: 80 }, [{ direction: 'reply' }, { direction: 'request' }]);
    const endpoints = r.packets[0]!.outcomes.map((o) => o.nat.map((n) => n.to).join());
    expect(endpoints).toHaveLength(2);
    for (const n of [1, 2]) {
      expect(r.packets[n]!.outcomes.map((o) => o.probability)).toEqual([0.5, 0.5]);
      expect(r.packets[n]!.outcomes.map((o) => o.via)).toEqual(endpoints.map((e) => expect.stringContaining(`DNAT to ${e}`)));
    }
  });

  it('starts only from a first packet', () => {
    expect(() => traceConversation(compiled, { from: 'lan', dst: '198.51.100.99', reply: true }, [])).toThrow(/first packet/);
  });
});
