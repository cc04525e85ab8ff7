// The simulator's side of the comparison: compile the scenario's snapshots and host context once, ask a question
// per kernel packet (flows.ts), turn the outcomes into candidates (compare.ts) and decide per packet and per flow.
import { findChain, parseIpsetSave, parseSnapshot, type Snapshot } from '@chainsight/grammar';
import type { Backend } from '@chainsight/netfilter';
import {
  compileRuleset, parseHostContext, trace, traceConversation, type CompiledRuleset, type ConversationResult, type ConversationStep, type Outcome,
  type PacketSpec, type TraceResult,
} from '@chainsight/trace';
import { matchCandidates, renderDiff, type Candidate, type CandidateMatch } from './compare.js';
import { directionOf, questionFor, mendPackets, type Endpoints, type PacketQuestion } from './flows.js';
import type { LabFlowResult, LabPacket } from './kernel-types.js';
import { formatStep, fromSimulator, type Step } from './steps.js';

export type { Backend };

export interface SimulatorInput {
  iptablesSave: string;
  ebtablesSave?: string;
  ipsetSave?: string;
  hostJson: string;
  backend: Backend;
  /** File names for messages. */
  names?: { iptables?: string; ebtables?: string; host?: string };
}

export interface Simulator extends Endpoints {
  readonly compiled: CompiledRuleset;
  readonly backend: Backend;
  trace(spec: PacketSpec): TraceResult;
  /** The first packet of a connection and the packets after it, each against the connection as they left it. */
  converse(first: PacketSpec, steps: readonly ConversationStep[]): ConversationResult;
  /** The target name of a rule the kernel reported (null when there is no such rule). */
  ruleTarget(step: Step): string | null;
}

function parseOrThrow(text: string, fileName: string): Snapshot {
  const r = parseSnapshot(text, { fileName });
  const errors = r.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${fileName}: ${errors.map((d) => `${d.span.start.line}:${d.span.start.column} ${d.message}`).join('; ')}`);
  return r.snapshot;
}

/** The simulator for one scenario and backend (the backend decides table order details, docs/netfilter.md §builtin-chains). */
export function createSimulator(input: SimulatorInput): Simulator {
  const snaps = [parseOrThrow(input.iptablesSave, input.names?.iptables ?? 'iptables-save')];
  if (input.ebtablesSave !== undefined) snaps.push(parseOrThrow(input.ebtablesSave, input.names?.ebtables ?? 'ebtables-save'));
  const host = parseHostContext(input.hostJson, input.names?.host ?? 'host.json');
  const hostErrors = host.diagnostics.filter((d) => d.severity === 'error');
  if (host.context === null || hostErrors.length) throw new Error(`host context: ${hostErrors.map((d) => d.message).join('; ')}`);
  const ipsets = input.ipsetSave === undefined ? undefined : parseIpsetSave(input.ipsetSave, 'ipset-save');
  if (ipsets?.diagnostics.some((d) => d.severity === 'error')) throw new Error(`ipset-save: ${ipsets.diagnostics.map((d) => d.message).join('; ')}`);
  const compiled = compileRuleset(snaps, host.context, { backend: input.backend, bridgeBackend: input.backend, ...(ipsets ? { ipsets: ipsets.sets } : {}) });
  const names = new Set(host.context.neighbors.map((n) => n.name).filter((n): n is string => n !== undefined));
  const families = new Map(snaps.map((sn) => [sn.family === 'bridge' ? 'bridge' : sn.family === 'ipv6' ? 'ip6' : 'ip', sn]));
  return {
    compiled,
    backend: input.backend,
    trace: (spec) => trace(compiled, spec),
    converse: (first, steps) => traceConversation(compiled, first, steps),
    isNeighbour: (name) => names.has(name),
    ruleTarget: (step) => {
      const table = families.get(step.family)?.tables.find((t) => t.name === step.table);
      const chain = table ? findChain(table, step.chain) : undefined;
      const rule = step.rule === null ? undefined : chain?.rules[step.rule - 1];
      return rule?.target?.name ?? null;
    },
  };
}

function outcomeLabel(o: Outcome, k: number, n: number): string {
  const p = n > 1 ? ` (p=${Number(o.probability.toFixed(4))})` : '';
  const nat = o.nat.length ? `; ${o.nat.map((x) => `${x.type} to ${x.to}`).join(', ')}` : '';
  return `outcome ${k + 1} of ${n}${p}: ${o.summary}${nat}`;
}

/**
 * The question for an answer to a packet conntrack kept no entry for: the first packet was UNTRACKED (raw
 * `CT --notrack`), INVALID (e.g. a TCP FIN without a connection), or conntrack is not running at all (no rule
 * needs it). The answer is then not a reply — there is no connection — but a packet of its own from the server to
 * the client: an ICMP error about it finds no connection to be RELATED to and is INVALID
 * (nf_conntrack_proto_icmp.c icmp_error_message: no entry for the inner tuple → no conntrack); any other answer
 * is asked as a first packet (NEW) and the simulator decides whether conntrack can create an entry for it.
 */
export function standaloneAnswer(q: PacketQuestion): PacketSpec {
  const proto = q.role === 'error' ? 'icmp' : q.first.proto;
  const spec: PacketSpec = { src: q.server, dst: q.client, proto, state: q.role === 'error' ? 'INVALID' : 'NEW' };
  if (q.role === 'error') {
    spec.icmpType = q.spec.icmpType ?? '3/3';
  } else if (proto !== 'icmp') {
    if (q.first.dport !== undefined) spec.sport = q.first.dport;
    if (q.first.sport !== undefined) spec.dport = q.first.sport;
    if (q.spec.tcpFlags !== undefined) spec.tcpFlags = q.spec.tcpFlags;
  } else {
    spec.icmpType = 'echo-reply';
  }
  return spec;
}

const NO_ENTRY: ReadonlySet<string> = new Set(['UNTRACKED', 'INVALID']);

function withoutConnection(sim: Simulator, q: PacketQuestion): boolean {
  if (q.role !== 'reply' && q.role !== 'error') return false;
  if (sim.compiled.ip4 !== null && !sim.compiled.ip4.conntrackActive) return true;
  const first = sim.trace(q.first).outcomes;
  return first.length > 0 && first.every((o) => NO_ENTRY.has(o.packet.ctState));
}

/**
 * The simulator's answer to a question: the last packet of its conversation (flows.ts), the first packet on its
 * own, or an answer without a connection as a packet of its own.
 */
function ask(sim: Simulator, q: PacketQuestion): { result: TraceResult; standalone: boolean } {
  if (withoutConnection(sim, q)) return { result: sim.trace(standaloneAnswer(q)), standalone: true };
  if (q.conversation === undefined) return { result: sim.trace(q.spec), standalone: false };
  return { result: sim.converse(q.first, q.conversation).packets.at(-1)!, standalone: false };
}

/**
 * The simulated paths a kernel packet is compared with: the outcomes of its question, and the answers a REJECT of
 * the packet before it sent (Outcome.generated: the RST or ICMP error, traced as the locally generated packet it
 * is), since that answer is the next packet the kernel traces.
 */
export function candidatesFor(sim: Simulator, q: PacketQuestion, previous?: PacketQuestion): Candidate[] {
  const out: Candidate[] = [];
  if (previous !== undefined) {
    for (const o of ask(sim, previous).result.outcomes) {
      if (o.generated) out.push({ label: `the ${o.generated.kind} REJECT sent (${o.summary})`, probability: o.probability, steps: o.generated.steps.map(fromSimulator) });
    }
  }
  const { result, standalone } = ask(sim, q);
  const note = standalone ? ' (asked as a packet of its own: conntrack has no entry for the first packet)' : '';
  for (const [k, o] of result.outcomes.entries()) out.push({ label: `${outcomeLabel(o, k, result.outcomes.length)}${note}`, probability: o.probability, steps: o.steps.map(fromSimulator) });
  return out;
}

export interface PacketComparison {
  index: number;
  direction: 'request' | 'reply';
  question: PacketQuestion;
  kernel: Step[];
  candidates: Candidate[];
  match: CandidateMatch;
}

export interface FlowComparison {
  name: string;
  agree: boolean;
  packets: PacketComparison[];
  /** Why the flow could not be compared (no packet traced), else null. */
  problem: string | null;
}

/** Every packet of one flow the kernel traced, against the simulator; `tool` is the lab's trace tool. */
export function compareFlow(sim: Simulator, result: LabFlowResult, tool: string): FlowComparison {
  const packets: LabPacket[] = mendPackets(result.packets, { nft: tool !== 'nflog' && result.rejectOrdered !== true, isReject: (s) => sim.ruleTarget(s) === 'REJECT' });
  const fixed: LabFlowResult = { ...result, packets };
  const firstRequest = packets.find((q) => q.direction === 'request');
  const questions = packets.map((_, index) => questionFor(fixed, index, sim));
  const comparisons = packets.map((p, index): PacketComparison => {
    const question = questions[index]!;
    const kernel = p.steps.map(({ inferred: _i, ...s }) => s);
    const candidates = candidatesFor(sim, question, questions[index - 1]);
    const match: CandidateMatch = matchCandidates(kernel, candidates);
    return { index, direction: directionOf(p, firstRequest, result.flow), question, kernel, candidates, match };
  });
  const problem = packets.length === 0 ? 'the kernel traced no packet' : null;
  return { name: result.name, agree: problem === null && comparisons.every((c) => c.match.agree), packets: comparisons, problem };
}

function describeSpec(spec: PacketSpec): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(spec)) if (v !== undefined) parts.push(`${k}=${String(v)}`);
  return parts.join(' ');
}

/** A readable account of one packet's comparison: which outcome agreed, or the diff against the closest. */
export function describePacket(c: PacketComparison): string {
  const head = `packet ${c.index + 1} (${c.direction}, ${c.question.role}) — simulator asked: ${describeSpec(c.question.spec)}`;
  if (c.match.agree) {
    const n = c.candidates.length;
    const which = n > 1 ? `; the kernel took ${c.match.candidate!.label}` : '';
    return `${head}\n  agrees (${c.kernel.length} steps${which})`;
  }
  if (c.match.candidate === null) {
    return `${head}\n  DIFFERS: the simulator gave no outcome; the kernel took:\n${c.kernel.map((s) => `    ${formatStep(s)}`).join('\n')}`;
  }
  const forks = c.candidates.length > 1 ? ` (none of the ${c.candidates.length} simulated paths is the kernel's; closest shown)` : '';
  const at = c.match.comparison?.firstDifference;
  return [
    `${head}`,
    `  DIFFERS at step ${at === null || at === undefined ? '?' : at + 1}${forks}: ${c.match.candidate.label}`,
    renderDiff(c.kernel, c.match.candidate.steps).split('\n').map((l) => `    ${l}`).join('\n'),
  ].join('\n');
}

export function describeFlow(f: FlowComparison): string {
  const lines = [`flow ${f.name}: ${f.agree ? 'agrees' : 'DIFFERS'}${f.problem ? ` (${f.problem})` : ''}`];
  for (const p of f.packets) lines.push(describePacket(p).split('\n').map((l) => `  ${l}`).join('\n'));
  return lines.join('\n');
}
