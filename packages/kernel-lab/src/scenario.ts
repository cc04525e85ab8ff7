// A scenario = host context + rules + flows. runScenario() rebuilds the host in namespaces, loads the rules with
// one backend, sends each flow and returns, per flow, the kernel's trace as normalised steps (normalize.ts),
// request and reply packets separately: the reference the simulator is compared with step by step.
import { isIP } from 'node:net';
import { requireTool } from './env.js';
import type { HostContext } from './host-context.js';
import { withLab } from './netns.js';
import { formatSteps, normaliseTrace, type PacketTrace, type TraceStep } from './normalize.js';
import { sendCrafted, sendPing, sendTcp, sendUdp, type SendOutcome } from './senders.js';
import { buildTopology, ownerOf, type Topology } from './topology.js';
import { captureTrace, flushConntrack, loadTraceHarness, type Backend, type CaptureTool, type TraceProto } from './trace-capture.js';

export interface FlowSpec {
  name: string;
  /** A neighbour's name, 'host', or the address of a neighbour / external host. */
  from: string;
  /** A neighbour's name or any address (an address that nothing in the context owns becomes an external host
   *  behind the default gateway). */
  to: string;
  proto: TraceProto;
  dport?: number;
  /** Source port for crafted TCP/UDP packets (default 40000). */
  sport?: number;
  /** The flow is expected to get an answer (ping reply, TCP connection, UDP echo). For TCP/UDP this also starts
   *  a listener in the destination's namespace when that namespace is known. */
  expectReply?: boolean;
  /** ICMP: number of echo requests (default 1). */
  count?: number;
  /** Send one crafted TCP segment with these flags (scapy letters, e.g. 'S', 'A', 'FA') instead of nc. */
  tcpFlags?: string;
  /** Send one crafted ICMP message of this type instead of ping. */
  icmpType?: number;
}

export interface Scenario {
  name: string;
  hostContext: HostContext;
  iptablesSave: string;
  ebtablesSave?: string;
  /** `ipset save` text, restored in the host namespace before the rules that use the sets. */
  ipsetSave?: string;
  flows: FlowSpec[];
  /** Extra external hosts to create (flow destinations are added automatically). */
  externalHosts?: string[];
}

export interface RunScenarioOptions {
  backend: Backend;
  /** nft backend only: force xtables-monitor or nft monitor. */
  tool?: 'xtables-monitor' | 'nft-monitor';
  /** Empty the conntrack table before each flow, so each flow starts as a new connection (default true). */
  flushConntrack?: boolean;
  legacyEbtables?: 'error' | 'skip';
}

export interface FlowResult {
  name: string;
  flow: FlowSpec;
  /** Source address of the request packets. */
  client: string;
  /** Destination address the client sent to. */
  server: string;
  send: SendOutcome;
  replied: boolean;
  packets: PacketTrace[];
  /** Steps of the first request packet / the first reply packet ([] when there was none). */
  request: TraceStep[];
  reply: TraceStep[];
  /** The monitor's raw output. */
  rawTrace: string;
  warnings: string[];
}

export interface ScenarioResult {
  name: string;
  backend: Backend;
  tool: CaptureTool;
  runId: string;
  flows: FlowResult[];
  warnings: string[];
  /** Normalised save of the user's rules as the kernel holds them. */
  userSave: { ip: string; bridge?: string };
}

function resolveEndpoint(topo: Topology, what: string): { ns: string; ip?: string } | null {
  if (what === 'host') return { ns: topo.hostNs };
  const n = topo.neighbours.get(what);
  if (n) return { ns: n.ns, ip: n.ip };
  if (isIP(what)) {
    const o = ownerOf(topo, what);
    if (o) return { ns: o.ns, ip: what };
  }
  return null;
}

/** Source address the host would use towards dst (`ip route get`). */
async function hostSource(topo: Topology, dst: string): Promise<string> {
  const r = await topo.lab.ip(topo.hostNs, ['route', 'get', dst]);
  const m = /\bsrc (\S+)/.exec(r.stdout);
  if (!m) throw new Error(`host has no route to ${dst}: ${r.stderr.trim()}`);
  return m[1]!;
}

export async function runScenario(scenario: Scenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  return withLab(async (lab) => {
    // Destinations nobody in the context owns are external hosts behind the default gateway.
    const known = new Set<string>();
    for (const i of scenario.hostContext.interfaces ?? []) for (const a of i.addresses ?? []) known.add(a.split('/')[0]!);
    for (const n of scenario.hostContext.neighbors ?? []) known.add(n.ip);
    const externals = new Set(scenario.externalHosts ?? []);
    for (const f of scenario.flows) {
      for (const end of [f.to, f.from]) if (isIP(end) && !known.has(end)) externals.add(end);
    }
    const topo = await buildTopology(lab, scenario.hostContext, { externalHosts: [...externals] });
    if (scenario.ipsetSave !== undefined) await lab.execOk(topo.hostNs, [requireTool('ipset'), 'restore'], { input: scenario.ipsetSave });
    const harness = await loadTraceHarness(lab, topo.hostNs, {
      backend: options.backend,
      iptablesSave: scenario.iptablesSave,
      ...(scenario.ebtablesSave !== undefined ? { ebtablesSave: scenario.ebtablesSave } : {}),
      protocols: scenario.flows.map((f) => f.proto),
      ...(options.tool ? { tool: options.tool } : {}),
      ...(options.legacyEbtables ? { legacyEbtables: options.legacyEbtables } : {}),
    });
    const warnings = [...topo.warnings, ...harness.warnings];
    const flows: FlowResult[] = [];
    for (const flow of scenario.flows) {
      const from = resolveEndpoint(topo, flow.from);
      if (!from) throw new Error(`flow '${flow.name}': unknown source '${flow.from}'`);
      const toEnd = resolveEndpoint(topo, flow.to);
      const server = toEnd?.ip ?? (isIP(flow.to) ? flow.to : undefined);
      if (server === undefined) throw new Error(`flow '${flow.name}': unknown destination '${flow.to}'`);
      const client = from.ip ?? (await hostSource(topo, server));
      if (options.flushConntrack ?? true) await flushConntrack(lab, topo.hostNs);
      const listenNs = flow.expectReply && toEnd ? toEnd.ns : undefined;
      const dport = flow.dport ?? (flow.proto === 'icmp' ? 0 : 80);
      const sport = flow.sport ?? 40000;
      const send = async (): Promise<SendOutcome> => {
        if (flow.proto === 'icmp') {
          if (flow.icmpType !== undefined) return sendCrafted(lab, from.ns, { proto: 'icmp', dst: server, type: flow.icmpType });
          return sendPing(lab, from.ns, server, flow.count !== undefined ? { count: flow.count } : {});
        }
        if (flow.proto === 'tcp') {
          if (flow.tcpFlags !== undefined) return sendCrafted(lab, from.ns, { proto: 'tcp', dst: server, sport, dport, flags: flow.tcpFlags });
          return sendTcp(lab, from.ns, server, dport, listenNs ? { listenNs } : {});
        }
        return sendUdp(lab, from.ns, server, dport, listenNs ? { listenNs } : {});
      };
      const capture = await captureTrace(harness, send);
      const packets = normaliseTrace(capture.events, { resolver: harness.resolver, clientAddresses: [client] });
      const flowWarnings: string[] = [];
      if (flow.expectReply !== undefined && capture.sent.replied !== flow.expectReply && flow.tcpFlags === undefined && flow.icmpType === undefined) {
        flowWarnings.push(`flow '${flow.name}': expected ${flow.expectReply ? 'a reply' : 'no reply'}, got ${capture.sent.replied ? 'one' : 'none'}`);
      }
      if (packets.length === 0) flowWarnings.push(`flow '${flow.name}': the kernel traced no packet`);
      flows.push({
        name: flow.name,
        flow,
        client,
        server,
        send: capture.sent,
        replied: capture.sent.replied,
        packets,
        request: packets.find((p) => p.direction === 'request')?.steps ?? [],
        reply: packets.find((p) => p.direction === 'reply')?.steps ?? [],
        rawTrace: capture.text,
        warnings: flowWarnings,
      });
      warnings.push(...flowWarnings);
    }
    return { name: scenario.name, backend: options.backend, tool: harness.tool, runId: lab.runId, flows, warnings, userSave: harness.userSave };
  });
}

/** Human-readable dump of a scenario result (tests print it on failure). */
export function describeResult(result: ScenarioResult): string {
  const lines = [`scenario ${result.name} (${result.backend}, ${result.tool}, run ${result.runId})`];
  for (const f of result.flows) {
    lines.push(`flow ${f.name}: ${f.client} → ${f.server} replied=${f.replied}`);
    for (const [i, p] of f.packets.entries()) {
      lines.push(`  packet ${i + 1} ${p.direction} ${p.packet.saddr ?? '?'} → ${p.packet.daddr ?? '?'}`);
      for (const s of formatSteps(p.steps)) lines.push(`    ${s}`);
    }
  }
  for (const w of result.warnings) lines.push(`warning: ${w}`);
  return lines.join('\n');
}
