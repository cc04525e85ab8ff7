// Randomised differential testing: random rulesets and packets (generate.ts) run in the kernel and in the
// simulator; every packet the kernel traced is compared (simulate.ts compareFlow, the same comparison as the
// scenario flows). Cases are drawn from a seed until a deadline or a case limit; each mismatch is confirmed by a
// second kernel run and shrunk (shrink.ts) to a minimal ruleset that still mismatches, printed as iptables-save
// text with the packet. The kernel is behind an interface (KernelSide): the lab in src/kernel/random-lab.ts, a
// fake in the unit tests.
import type { LabFlowResult } from '../kernel-types.js';
import { compareFlow, createSimulator, describeFlow, type FlowComparison } from '../simulate.js';
import { generatePackets, generateRuleset, type RandomPacket } from './generate.js';
import { printRuleset, ruleCount, type RulesetModel } from './model.js';
import { Rng } from './prng.js';
import { shrinkRuleset, type ShrinkResult } from './shrink.js';
import { RANDOM_HOST_JSON, RANDOM_IPSETS, sourceAddress } from './topology.js';

export type LoadResult = { ok: true } | { ok: false; error: string };

/** What the driver needs from the kernel. */
export interface KernelSide {
  /** The trace tool (decides how REJECT events are ordered, flows.ts mendPackets). */
  readonly tool: string;
  load(rulesetText: string): Promise<LoadResult>;
  send(packet: RandomPacket, name: string): Promise<LabFlowResult>;
}

/** The lab flow a random packet is (flows.ts turns it into the simulator's question). */
export function randomPacketFlow(packet: RandomPacket, name: string): LabFlowResult {
  const client = sourceAddress(packet.from, packet.dst);
  const flow: LabFlowResult['flow'] = { name, from: packet.from, to: packet.dst, proto: packet.proto };
  if (packet.dport !== undefined) flow.dport = packet.dport;
  if (packet.sport !== undefined) flow.sport = packet.sport;
  if (packet.flags !== undefined) flow.tcpFlags = packet.flags;
  if (packet.icmpType !== undefined) flow.icmpType = packet.icmpType;
  return { name, flow, client, server: packet.dst, replied: false, packets: [] };
}

/** scripts/send-raw.py's arguments for a packet. */
export function sendArgs(packet: RandomPacket): string[] {
  const src = sourceAddress(packet.from, packet.dst);
  if (packet.proto === 'icmp') return [src, packet.dst, 'icmp', String(packet.icmpType ?? 8), '0', String(packet.icmpId ?? 1)];
  const args = [src, packet.dst, packet.proto, String(packet.sport ?? 40000), String(packet.dport ?? 80)];
  if (packet.proto === 'tcp') args.push(packet.flags ?? 'S');
  return args;
}

export function describeRandomPacket(p: RandomPacket): string {
  const ports = p.proto === 'icmp' ? ` type ${p.icmpType ?? 8}` : ` ${p.sport} → ${p.dport}${p.proto === 'tcp' ? ` flags ${p.flags || 'none'}` : ''}`;
  return `${p.proto} from ${p.from} (${sourceAddress(p.from, p.dst)}) to ${p.dst}${ports}`;
}

/** The per-case seed: case k of a run is reproducible on its own. */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 1), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

export interface RandomCase {
  index: number;
  ruleset: RulesetModel;
  packets: RandomPacket[];
}

export function generateCase(seed: number, index: number, packetsPerCase: number): RandomCase {
  const rng = new Rng(caseSeed(seed, index));
  return { index, ruleset: generateRuleset(rng), packets: generatePackets(rng, packetsPerCase) };
}

type Judgement = { kind: 'agree'; comparison: FlowComparison } | { kind: 'differ'; comparison: FlowComparison } | { kind: 'not-traced' };

async function judge(kernel: KernelSide, rulesetText: string, packet: RandomPacket, name: string): Promise<Judgement> {
  const result = await kernel.send(packet, name);
  if (result.packets.length === 0) return { kind: 'not-traced' };
  const sim = createSimulator({ iptablesSave: rulesetText, hostJson: RANDOM_HOST_JSON, ipsetSave: RANDOM_IPSETS, backend: 'nft', names: { iptables: 'random.iptables-save', host: 'random-host.json' } });
  const comparison = compareFlow(sim, result, kernel.tool);
  return { kind: comparison.agree ? 'agree' : 'differ', comparison };
}

export interface Mismatch {
  caseIndex: number;
  packetIndex: number;
  packet: RandomPacket;
  original: RulesetModel;
  /** null when the mismatch was not shrunk (budget spent on earlier ones). */
  shrunk: ShrinkResult | null;
  /** The comparison of the smallest ruleset found (the original when not shrunk). */
  comparison: FlowComparison;
  /** A second kernel run of the original case mismatched too. */
  reproduced: boolean;
}

export interface DifferentialOptions {
  seed: number;
  /** Stop drawing cases at this time (ms since epoch). */
  deadline: number;
  maxCases: number;
  packetsPerCase: number;
  /** Mismatches shrunk at most, and the time for all of them. */
  maxShrinks: number;
  shrinkMs: number;
  /** Run only this case of the seed (to reproduce one: CONFORMANCE_CASE). */
  only?: number;
  log?: (line: string) => void;
}

export interface DifferentialReport {
  seed: number;
  /** Rulesets drawn / refused by the kernel (not counted as cases). */
  rulesets: number;
  refused: number;
  refusals: string[];
  /** Packets compared (a case = one ruleset and one packet). */
  cases: number;
  agreed: number;
  /** Packets the kernel traced nothing for (a harness problem: counted as not agreeing). */
  notTraced: RandomPacket[];
  mismatches: Mismatch[];
  elapsedMs: number;
}

export async function runDifferential(kernel: KernelSide, options: DifferentialOptions): Promise<DifferentialReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const report: DifferentialReport = { seed: options.seed, rulesets: 0, refused: 0, refusals: [], cases: 0, agreed: 0, notTraced: [], mismatches: [], elapsedMs: 0 };
  const first = options.only ?? 0;
  const end = options.only !== undefined ? options.only + 1 : options.maxCases;
  for (let index = first; index < end && Date.now() < options.deadline; index++) {
    const c = generateCase(options.seed, index, options.packetsPerCase);
    const text = printRuleset(c.ruleset);
    report.rulesets++;
    const loaded = await kernel.load(text);
    if (!loaded.ok) {
      report.refused++;
      if (report.refusals.length < 5) report.refusals.push(`case ${index}: ${loaded.error}`);
      continue;
    }
    for (const [k, packet] of c.packets.entries()) {
      const j = await judge(kernel, text, packet, `case ${index} packet ${k + 1}`);
      report.cases++;
      if (j.kind === 'agree') report.agreed++;
      else if (j.kind === 'not-traced') report.notTraced.push(packet);
      else {
        log(`case ${index} packet ${k + 1} differs (${describeRandomPacket(packet)})`);
        report.mismatches.push({ caseIndex: index, packetIndex: k, packet, original: c.ruleset, shrunk: null, comparison: j.comparison, reproduced: false });
      }
    }
  }
  // Confirm and shrink the first mismatches.
  const shrinkDeadline = Date.now() + options.shrinkMs;
  for (const m of report.mismatches.slice(0, options.maxShrinks)) {
    const fails = async (model: RulesetModel): Promise<boolean> => {
      const t = printRuleset(model);
      if (!(await kernel.load(t)).ok) return false;
      return (await judge(kernel, t, m.packet, 'shrinking')).kind === 'differ';
    };
    m.reproduced = await fails(m.original);
    if (!m.reproduced) continue;
    m.shrunk = await shrinkRuleset(m.original, fails, { maxAttempts: 400, deadline: shrinkDeadline });
    const t = printRuleset(m.shrunk.model);
    await kernel.load(t);
    const j = await judge(kernel, t, m.packet, 'minimal');
    if (j.kind === 'differ') m.comparison = j.comparison;
    log(`case ${m.caseIndex}: shrunk from ${ruleCount(m.original)} to ${ruleCount(m.shrunk.model)} rules in ${m.shrunk.attempts} tries`);
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** The repro of one mismatch: the ruleset (iptables-save), the packet, the comparison. */
export function describeMismatch(m: Mismatch, seed: number): string {
  const model = m.shrunk?.model ?? m.original;
  const how = m.shrunk
    ? `shrunk from ${ruleCount(m.original)} to ${ruleCount(model)} rules (${m.shrunk.attempts} tries${m.shrunk.complete ? '' : ', budget ran out'})`
    : m.reproduced ? 'not shrunk (shrink budget spent)' : 'NOT reproduced by a second kernel run';
  return [
    `random case ${m.caseIndex} (CONFORMANCE_SEED=${seed}), packet ${m.packetIndex + 1}: ${describeRandomPacket(m.packet)}`,
    `ruleset, ${how}:`,
    printRuleset(model).trimEnd().split('\n').map((l) => `  ${l}`).join('\n'),
    describeFlow(m.comparison),
  ].join('\n');
}

/** `K/L random cases agree` plus what did not. */
export function summariseDifferential(r: DifferentialReport): string {
  const parts = [`${r.agreed}/${r.cases} random cases agree (seed ${r.seed}, ${r.rulesets} rulesets, ${r.refused} refused by the kernel, ${(r.elapsedMs / 1000).toFixed(0)} s)`];
  if (r.notTraced.length) parts.push(`${r.notTraced.length} packets the kernel traced nothing for`);
  if (r.mismatches.length) parts.push(`${r.mismatches.length} mismatches`);
  return parts.join('; ');
}
