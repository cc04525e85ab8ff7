// Shared helpers of the tests that replay kernel recordings (fixtures/trace/recorded/*.json, recorded by
// packages/trace/scripts/record-kernel-traces.mjs with the kernel lab) against the simulator.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSnapshot, type Snapshot } from '@chainsight/grammar';
import { compileRuleset, parseHostContext, trace, type CompiledRuleset, type PacketSpec, type TraceStep } from '../src/index';
import { sharedDir } from '../../../test-support/shared';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export interface KernelStep {
  family: string;
  hook?: string;
  table: string;
  chain: string;
  type: 'rule' | 'return' | 'policy';
  rule: number | null;
  verdict?: string;
  inferred?: true;
}

export interface RecordedPacket {
  direction: 'request' | 'reply';
  packet: { iif?: string; oif?: string; saddr?: string; daddr?: string; proto?: string; sport?: number; dport?: number; icmpType?: string; tcpFlags?: string };
  steps: KernelStep[];
}

export interface RecordedFlow {
  name: string;
  flow: { from: string; to: string; proto: 'icmp' | 'tcp' | 'udp'; dport?: number };
  client: string;
  server: string;
  replied: boolean;
  packets: RecordedPacket[];
  /** The capture as the harness printed it (legacy: nflog-trace.py's TRACE lines with the packet's fields). */
  rawTrace: string;
}

export interface Recording {
  file: string;
  scenario: string;
  backend: 'legacy' | 'nft';
  hostContext: string;
  iptables: string;
  ebtables: string | null;
  flows: RecordedFlow[];
}

export function readInput(p: string): string | null {
  const full = p.startsWith('shared:') ? path.join(sharedDir, p.slice(7)) : path.join(repoRoot, p);
  return existsSync(full) ? readFileSync(full, 'utf8') : null;
}

export function recordings(): Recording[] {
  const dir = path.join(repoRoot, 'fixtures', 'trace', 'recorded');
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const r = { file: f, ...JSON.parse(readFileSync(path.join(dir, f), 'utf8')) } as Recording;
    for (const flow of r.flows) flow.packets = mergeRejectTails(flow.packets);
    return r;
  });
}

/**
 * With nf_tables the event of a REJECT rule is emitted after its target ran, i.e. after the events of the RST / ICMP
 * error the target sent (docs/netfilter.md §reject), and the harness then splits it off as a packet of its own that
 * starts without a hook. Put it back at the end of the rejected packet.
 */
function mergeRejectTails(packets: RecordedPacket[]): RecordedPacket[] {
  const out: RecordedPacket[] = [];
  for (const p of packets) {
    const tail = p.steps.length > 0 && p.steps[0]!.hook === undefined;
    const target = tail ? [...out].reverse().find((q) => q.direction === p.direction) : undefined;
    if (target) target.steps = [...target.steps, ...p.steps.map((s) => ({ ...s, hook: target.steps[target.steps.length - 1]?.hook }))];
    else out.push(p);
  }
  return out;
}

function withoutBroute(text: string): string {
  let skip = false;
  return text.split('\n').filter((l) => {
    if (l.startsWith('*')) skip = l.trim() === '*broute';
    return !skip;
  }).join('\n');
}

/** The snapshots and host context a recording was made with, compiled for its backend; null when an input is missing. */
export function compileRecording(r: Recording): CompiledRuleset | null {
  const ipt = readInput(r.iptables);
  const host = readInput(r.hostContext);
  if (ipt === null || host === null) return null;
  const snaps: Snapshot[] = [parseSnapshot(ipt, { fileName: path.basename(r.iptables.replace('shared:', '')) }).snapshot];
  if (r.ebtables) {
    const ebPath = r.ebtables.replace(/ \(.*\)$/, '');
    const eb = readInput(ebPath);
    if (eb === null) return null;
    snaps.push(parseSnapshot(withoutBroute(eb), { fileName: path.basename(ebPath.replace('shared:', '')) }).snapshot);
  }
  const ctx = parseHostContext(host).context!;
  return compileRuleset(snaps, ctx, { backend: r.backend, bridgeBackend: r.backend });
}

const TCP_FLAG_WORDS: Record<string, string> = { syn: 'SYN', ack: 'ACK', rst: 'RST', fin: 'FIN', psh: 'PSH', urg: 'URG' };

/**
 * The simulator's question for a recorded packet: the flow's first packet is the connection's first packet
 * (NEW); packets in the same direction after it are later packets (ESTABLISHED); packets in the other
 * direction are the reply.
 */
export function packetSpec(r: Recording, flow: RecordedFlow, index: number): PacketSpec {
  const first = flow.packets[0]!.packet;
  const p = flow.packets[index]!.packet;
  const sameDir = p.saddr === first.saddr && p.daddr === first.daddr && p.sport === first.sport;
  const host = JSON.parse(readInput(r.hostContext)!) as { neighbors?: { name?: string; ip: string }[] };
  const neighbour = (name: string) => host.neighbors?.some((n) => n.name === name);
  const spec: PacketSpec = { proto: flow.flow.proto };
  if (flow.flow.from === 'host') { spec.local = true; spec.src = flow.client; }
  else if (neighbour(flow.flow.from)) spec.from = flow.flow.from;
  else spec.src = flow.client;
  spec.dst = flow.server;
  if (flow.flow.proto !== 'icmp') {
    spec.dport = first.dport ?? flow.flow.dport;
    spec.sport = first.sport ?? 40000;
  }
  // A packet in the first packet's direction before any reply is a retransmission: still NEW (the first one was
  // dropped, its conntrack entry never confirmed).
  const replied = flow.packets.slice(1, index).some((q) => q.packet.saddr !== first.saddr || q.packet.sport !== first.sport);
  if (index > 0) {
    if (!sameDir) spec.reply = true;
    else if (replied) spec.state = 'ESTABLISHED';
  }
  // An ICMP error coming back for a TCP/UDP flow (a port unreachable from a closed UDP port) is RELATED.
  if (index > 0 && !sameDir && p.proto === 'icmp' && flow.flow.proto !== 'icmp') {
    spec.state = 'RELATED';
    if (p.icmpType && /^\d+$/.test(p.icmpType) && p.icmpType !== '3') spec.icmpType = Number(p.icmpType);
  }
  if (p.tcpFlags) spec.tcpFlags = p.tcpFlags.split(',').map((f) => TCP_FLAG_WORDS[f] ?? f.toUpperCase()).join(',');
  return spec;
}

/** A step in the comparison vocabulary (kernel-lab's normalised steps). */
export function comparable(s: TraceStep): KernelStep {
  return {
    family: s.family, hook: s.hook, table: s.table, chain: s.chain, type: s.type, rule: s.rule,
    verdict: s.verdict === 'REJECT' ? 'DROP' : s.verdict,
  };
}

export function stripKernel(steps: KernelStep[]): KernelStep[] {
  return steps.map(({ inferred: _i, ...s }) => s);
}

export function formatSteps(steps: KernelStep[]): string {
  return steps.map((s) => `${s.family} ${s.hook} ${s.table}:${s.chain}:${s.type}${s.rule !== null ? `:${s.rule}` : ''} ${s.verdict ?? '?'}`).join('\n');
}

/** Step sequences agree; a kernel step without a verdict (the harness could not tell) matches any verdict. */
export function sameSteps(sim: KernelStep[], kernel: KernelStep[]): boolean {
  if (sim.length !== kernel.length) return false;
  return sim.every((s, i) => {
    const k = kernel[i]!;
    return s.family === k.family && s.hook === k.hook && s.table === k.table && s.chain === k.chain && s.type === k.type
      && s.rule === k.rule && (k.verdict === undefined || s.verdict === k.verdict);
  });
}

/**
 * The simulated steps for recorded packet `index` of a flow that agree with the kernel's (one of the outcomes, or
 * of the answers a REJECT generated), or null when none does.
 */
export function matchingSteps(compiled: CompiledRuleset, r: Recording, flow: RecordedFlow, index: number): TraceStep[] | null {
  const spec = packetSpec(r, flow, index);
  const kernel = stripKernel(flow.packets[index]!.steps);
  const first = index > 0 && spec.reply ? trace(compiled, packetSpec(r, flow, 0)) : null;
  const answers = first?.outcomes.flatMap((o) => (o.generated ? [o.generated.steps] : [])) ?? [];
  const candidates = answers.length ? answers : trace(compiled, spec).outcomes.map((o) => o.steps);
  const same = candidates.filter((steps) => sameSteps(steps.map(comparable), kernel));
  // Outcomes with the same rules (e.g. the reply from each kube-proxy endpoint): the one from the recorded sender.
  const saddr = flow.packets[index]!.packet.saddr;
  return same.find((steps) => steps[0]?.packet.src === saddr) ?? same[0] ?? null;
}

/** KEY=VALUE fields and bare flags of a legacy TRACE line as kernel-lab's nflog-trace.py prints it. */
export function traceLineFields(line: string): { label: string; fields: Map<string, string>; flags: Set<string> } {
  const m = /^TRACE: (\S+?:\S+?:\S+?:\d+) (.*)$/.exec(line.trim());
  const fields = new Map<string, string>();
  const flags = new Set<string>();
  for (const w of (m?.[2] ?? '').split(/\s+/)) {
    const eq = w.indexOf('=');
    if (eq > 0) { if (!fields.has(w.slice(0, eq))) fields.set(w.slice(0, eq), w.slice(eq + 1)); }
    else if (w) flags.add(w);
  }
  return { label: m?.[1] ?? '', fields, flags };
}
