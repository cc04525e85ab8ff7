// The kernel side of the random differential tests: ONE long-lived topology (random/topology.ts) in network
// namespaces; each case replaces the whole ruleset (`nft flush ruleset`, then the kernel lab's harness loads it
// with iptables-nft-restore and its TRACE rules), empties the conntrack table, and sends each packet with a raw
// socket (scripts/send-raw.py: a few milliseconds, where scapy takes half a second), capturing the kernel's trace
// of that packet and of whatever answers it. Not part of the package's entry point (needs the kernel lab).
import { fileURLToPath } from 'node:url';
import {
  buildTopology,
  captureTrace,
  createLab,
  flushConntrack,
  loadTraceHarness,
  normaliseTrace,
  pythonPath,
  requireTool,
  setSysctl,
  type Lab,
  type Topology,
  type TraceHarness,
} from '@chainsight/kernel-lab';
import type { LabFlowResult } from '../kernel-types.js';
import { reorderRejectEvents } from './reject-order.js';
import { randomPacketFlow, sendArgs, type KernelSide, type LoadResult } from '../random/differential.js';
import type { RandomPacket } from '../random/generate.js';
import { EXTERNAL, HOST_ADDRESSES, RANDOM_HOST_CONTEXT, RANDOM_IPSETS } from '../random/topology.js';

const SEND_RAW = fileURLToPath(new URL('../../scripts/send-raw.py', import.meta.url));

export class RandomLab implements KernelSide {
  readonly tool = 'xtables-monitor';
  private harness: TraceHarness | null = null;

  private constructor(
    readonly lab: Lab,
    readonly topo: Topology,
  ) {}

  static async open(): Promise<RandomLab> {
    const lab = createLab();
    try {
      const topo = await buildTopology(lab, RANDOM_HOST_CONTEXT, { externalHosts: [EXTERNAL] });
      // The gateway is the host's default route, so the lab gives it no route back; the external host's packets
      // (and the gateway's own) reach the host's other networks through it.
      const gw = topo.neighbours.get('gw');
      if (!gw) throw new Error('random topology: no gateway namespace');
      await lab.ipOk(gw.ns, ['route', 'add', 'default', 'via', HOST_ADDRESSES.eth0]);
      // A packet routed back out of the interface it came in on (wan to the external host, a DNAT back to the
      // sender) makes the host send an ICMP redirect, which the simulator does not trace (docs/divergences.md):
      // the lab sends none (the setting is per interface, OR-ed with `all`).
      // The sets random rules may test; `nft flush ruleset` between cases leaves them alone.
      await lab.execOk(topo.hostNs, [requireTool('ipset'), 'restore'], { input: RANDOM_IPSETS });
      for (const key of ['all', 'eth0', 'eth1', 'br0'].map((dev) => `net.ipv4.conf.${dev}.send_redirects`)) {
        const r = await setSysctl(lab, topo.hostNs, key, 0);
        if (r.code !== 0) throw new Error(`sysctl ${key}: ${r.stderr}`);
      }
      return new RandomLab(lab, topo);
    } catch (e) {
      await lab.cleanup();
      throw e;
    }
  }

  async load(rulesetText: string): Promise<LoadResult> {
    const { lab, topo } = this;
    // Tables the previous case had and this one lacks must go too: flush the whole ruleset first.
    const flush = await lab.exec(topo.hostNs, [requireTool('nft'), 'flush', 'ruleset']);
    if (flush.code !== 0) throw new Error(`nft flush ruleset: ${flush.stderr}`);
    try {
      this.harness = await loadTraceHarness(lab, topo.hostNs, { backend: 'nft', iptablesSave: rulesetText, protocols: ['icmp', 'tcp', 'udp'] });
    } catch (e) {
      this.harness = null;
      return { ok: false, error: (e as Error).message.split('\n').slice(0, 3).join(' ') };
    }
    return { ok: true };
  }

  /** The namespace a packet is sent from. */
  namespaceOf(packet: RandomPacket): string {
    if (packet.from === 'host') return this.topo.hostNs;
    if (packet.from === EXTERNAL) {
      const x = this.topo.externals.find((e) => e.ip === EXTERNAL);
      if (!x) throw new Error('random topology: no external host');
      return x.ns;
    }
    const n = this.topo.neighbours.get(packet.from);
    if (!n) throw new Error(`random topology: no neighbour '${packet.from}'`);
    return n.ns;
  }

  async send(packet: RandomPacket, name: string): Promise<LabFlowResult> {
    const harness = this.harness;
    if (!harness) throw new Error('no ruleset loaded');
    await flushConntrack(this.lab, this.topo.hostNs);
    // SET targets of earlier packets changed the sets: every packet starts from RANDOM_IPSETS, as the simulator does.
    await this.lab.execOk(this.topo.hostNs, [requireTool('ipset'), 'flush']);
    await this.lab.execOk(this.topo.hostNs, [requireTool('ipset'), 'restore', '-exist'], { input: RANDOM_IPSETS });
    const py = pythonPath();
    if (py === null) throw new Error('python3 is needed for the raw packet sender');
    const ns = this.namespaceOf(packet);
    const capture = await captureTrace(
      harness,
      async () => {
        const r = await this.lab.exec(ns, [py, SEND_RAW, ...sendArgs(packet)], { timeoutMs: 5000 });
        if (r.code !== 0) throw new Error(`send-raw.py ${sendArgs(packet).join(' ')}: ${r.stderr.trim()}`);
        return r;
      },
      { quietMs: 150 },
    );
    const result = randomPacketFlow(packet, name);
    const packets = normaliseTrace(reorderRejectEvents(capture.events), { resolver: harness.resolver, clientAddresses: [result.client] });
    result.packets = packets.map((p) => ({ direction: p.direction, packet: p.packet, steps: p.steps }));
    result.rawTrace = capture.text;
    result.rejectOrdered = true;
    return result;
  }

  async close(): Promise<void> {
    await this.lab.cleanup();
  }
}
