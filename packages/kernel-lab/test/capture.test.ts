// More paths through the seed host, traced by the kernel: bridge-family (ebtables-nft) chains via nft monitor
// trace, the local OUTPUT path, TCP with a listener, UDP to a closed port (ICMP error = RELATED), and a crafted
// TCP segment (scapy). The ip-family steps must agree between the nft and the legacy backend.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeResult, formatSteps, runScenario, type FlowSpec, type Scenario, type ScenarioResult } from '../src/index.js';
import { describeLab, sharedDir } from './lab-gate.js';
import { C1_C2_REQUEST, ESTABLISHED_TO_DOCKER0, strip } from './seed-expectations.js';

const seed = (name: string): string => readFileSync(path.join(sharedDir, 'seed', name), 'utf8');

const FLOWS: FlowSpec[] = [
  { name: 'host-c1', from: 'host', to: 'c1', proto: 'icmp', expectReply: true },
  { name: 'c1-c2-tcp', from: 'c1', to: 'c2', proto: 'tcp', dport: 80, expectReply: true },
  { name: 'c1-ext-udp-closed', from: 'c1', to: '10.28.61.30', proto: 'udp', dport: 5353 },
  { name: 'c1-c2-bare-ack', from: 'c1', to: 'c2', proto: 'tcp', dport: 81, tcpFlags: 'A' },
];

function scenario(withEbtables: boolean): Scenario {
  const eb = seed('docker-2017.ebtables-save')
    .split('\n')
    .filter((l) => !/broute|BROUTING/.test(l)) // ebtables-nft cannot load the broute table (docs/netfilter.md §lab-limits)
    .join('\n');
  return {
    name: 'docker-2017-more',
    hostContext: JSON.parse(seed('docker-2017.host.json')),
    iptablesSave: seed('docker-2017.iptables-save'),
    ...(withEbtables ? { ebtablesSave: eb } : {}),
    flows: withEbtables ? [{ name: 'c1-c2', from: 'c1', to: 'c2', proto: 'icmp', expectReply: true }, ...FLOWS] : FLOWS,
  };
}

let nftResult: ScenarioResult | undefined;

describeLab(
  'nft backend with ebtables rules (nft monitor trace)',
  () => {
    let r: ScenarioResult;
    beforeAll(async () => {
      r = await runScenario(scenario(true), { backend: 'nft' });
      nftResult = r;
    }, 30_000);
    const flow = (n: string) => r.flows.find((f) => f.name === n)!;
    const names = (steps: { family: string; table: string; chain: string }[]) => steps.map((s) => `${s.family} ${s.table} ${s.chain}`);

    it('interleaves ebtables chains with iptables chains as in docs/netfilter.md §bridge-paths A', { timeout: 5000 }, () => {
      expect(r.tool).toBe('nft-monitor');
      const f = flow('c1-c2');
      const order = [...new Set(names(f.request))];
      expect(order, describeResult(r)).toEqual([
        'bridge nat PREROUTING',
        'ip raw PREROUTING',
        'ip nat PREROUTING',
        'bridge filter FORWARD',
        'ip filter FORWARD',
        'ip filter DOCKER-USER',
        'ip filter DOCKER-ISOLATION',
        'ip filter DOCKER',
        'bridge nat POSTROUTING',
        'ip nat POSTROUTING',
      ]);
      expect(strip(f.request.filter((s) => s.family === 'ip'))).toEqual(C1_C2_REQUEST);
      // The seed's ebtables LOG rules end each bridge chain with ACCEPT.
      expect(f.request.filter((s) => s.family === 'bridge').every((s) => s.type === 'rule' && s.rule === 1 && s.verdict === 'ACCEPT')).toBe(true);
    });

    it('host → c1: ip OUTPUT/POSTROUTING, then bridge filter OUTPUT, nat OUTPUT, nat POSTROUTING (docs/netfilter.md §bridge-paths D)', { timeout: 5000 }, () => {
      const f = flow('host-c1');
      expect(f.client).toBe('192.168.0.1');
      expect([...new Set(names(f.request))], describeResult(r)).toEqual([
        'ip raw OUTPUT',
        'ip nat OUTPUT',
        'ip filter OUTPUT',
        'ip nat POSTROUTING',
        'bridge filter OUTPUT',
        'bridge nat OUTPUT',
        'bridge nat POSTROUTING',
      ]);
      expect([...new Set(names(f.reply))]).toEqual(['bridge nat PREROUTING', 'ip raw PREROUTING', 'bridge filter INPUT', 'ip filter INPUT']);
    });
  },
  { backend: 'nft', shared: true, scapy: true },
);

describeLab(
  'legacy backend on the same flows',
  () => {
    let r: ScenarioResult;
    beforeAll(async () => {
      r = await runScenario(scenario(false), { backend: 'legacy' });
    }, 30_000);
    const flow = (n: string) => r.flows.find((f) => f.name === n)!;

    it('TCP handshake with a listener: SYN traverses nat chains, SYN/ACK and later segments do not', { timeout: 5000 }, () => {
      const f = flow('c1-c2-tcp');
      expect(f.replied, describeResult(r)).toBe(true);
      expect(f.packets.length).toBeGreaterThanOrEqual(3);
      expect(f.packets[0]!.packet.tcpFlags).toBe('syn');
      expect(f.request.filter((s) => s.table === 'nat').map((s) => s.chain)).toEqual(['PREROUTING', 'POSTROUTING']);
      // The seed's raw TRACE rule is `-p icmp`: TCP packets show only the raw policy.
      expect(strip(f.reply)).toEqual(ESTABLISHED_TO_DOCKER0.slice(1));
      for (const p of f.packets.slice(1)) expect(p.steps.some((s) => s.table === 'nat'), formatSteps(p.steps).join('\n')).toBe(false);
    });

    it('UDP to a closed port: the ICMP port-unreachable is RELATED (no nat chains, FORWARD rule 3)', { timeout: 5000 }, () => {
      const f = flow('c1-ext-udp-closed');
      expect(f.replied).toBe(false);
      expect(f.request.at(-1)).toMatchObject({ table: 'nat', chain: 'POSTROUTING', type: 'rule', rule: 1, verdict: 'ACCEPT' });
      const reply = f.packets.find((p) => p.direction === 'reply')!;
      expect(reply.packet).toMatchObject({ proto: 'icmp', icmpType: '3', saddr: '10.28.61.30' });
      expect(strip(f.reply)).toEqual(ESTABLISHED_TO_DOCKER0);
    });

    it('a bare ACK with no connection is NEW (nf_conntrack_tcp_loose=1), so the nat chains run', { timeout: 5000 }, () => {
      const f = flow('c1-c2-bare-ack');
      expect(f.packets[0]!.packet.tcpFlags).toBe('ack');
      expect(f.request.filter((s) => s.table === 'nat').map((s) => s.chain)).toEqual(['PREROUTING', 'POSTROUTING']);
      expect(f.packets.find((p) => p.direction === 'reply')?.packet.tcpFlags).toBe('rst');
    });

    it('matches the nft backend step for step on the ip family', { timeout: 5000 }, () => {
      if (!nftResult) return; // nft suite skipped; its failure is reported there
      for (const f of r.flows) {
        const other = nftResult.flows.find((g) => g.name === f.name)!;
        const ipOnly = (s: typeof f.request) => strip(s.filter((x) => x.family === 'ip'));
        expect(ipOnly(f.request), f.name).toEqual(ipOnly(other.request));
        expect(ipOnly(f.reply), f.name).toEqual(ipOnly(other.reply));
        // The handshake is deterministic; how the connection is torn down (FIN/ACK piggybacking) is not.
        const first = (x: typeof f) => x.packets.slice(0, 3).map((p) => `${p.direction} ${p.packet.tcpFlags ?? ''}`);
        expect(first(f), f.name).toEqual(first(other));
      }
    });

    it('refuses ebtables rules: this kernel has no legacy ebtables', { timeout: 10_000 }, async () => {
      await expect(runScenario(scenario(true), { backend: 'legacy' })).rejects.toThrow(/legacy ebtables/);
    });
  },
  { backend: 'legacy', shared: true, scapy: true },
);
