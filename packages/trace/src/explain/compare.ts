// `explain --compare`: each traced packet is run through the simulator (compileRuleset + traceSpec, the engine
// behind `chainsight trace`) and the kernel's path is set beside the simulated one, step by step, to the first
// place they part. The packet is rebuilt from what the trace printed at the first hook: addresses, protocol,
// ports, ICMP type, TCP flags, the input interface and MACs (or a local sender when the first hook is OUTPUT).
// A packet whose flow was seen earlier in the log is traced as the last packet of a conversation (traceConversation):
// the connection's first packet from the log, then every packet of that connection the log shows before this
// one, so the simulator knows the connection as they left it (NAT bindings, a mark saved by CONNMARK, whether a
// reply was seen).
import type { IpSet, Snapshot } from '@chainsight/grammar';
import { compileRuleset, type CompiledRuleset } from '../compile/ruleset';
import type { HostContext } from '../host/context';
import { HostModel } from '../host/model';
import { PacketError, type PacketSpec } from '../packet';
import { traceConversation, type ConversationStep } from '../sim/conversation';
import { traceSpec } from '../sim/explore';
import type { Outcome, TraceStep } from '../types';
import type { ExplainedPacket, Explanation, PacketFields, PathStep, TraceFamily } from './types';

export interface PacketComparison {
  /** The packet given to the simulator. */
  spec: PacketSpec;
  /** How the packet was rebuilt from the trace, then what the simulator inferred. */
  assumed: string[];
  /** The simulated outcome closest to the kernel's path (most steps in common, then the likeliest). */
  outcome: { index: number; of: number; verdict: string; summary: string; probability: number } | null;
  /** Steps both paths share from the start. */
  agreeing: number;
  realSteps: number;
  simulatedSteps: number;
  /** The first step where they part; null when the paths are the same. */
  diverge: { step: number; real: PathStep | null; simulated: PathStep | null } | null;
  /** The kernel's final verdict against the simulated one, when they disagree. */
  verdictDiffers: boolean;
  error: string | null;
}

export interface CompareOptions {
  /** Table order and TRACE vocabulary; default from the trace format (legacy TRACE → legacy, else nft). */
  backend?: 'nft' | 'legacy';
  /** The host's ipsets (`ipset save`): `-m set` is then decided, not assumed. */
  ipsets?: readonly IpSet[];
}

const key = (s: PathStep) => `${s.family} ${s.hook ?? '?'} ${s.table} ${s.chain} ${s.type} ${s.rule ?? ''}`;

function asPathStep(s: TraceStep): PathStep {
  return {
    family: s.family, hook: s.hook, table: s.table, chain: s.chain, type: s.type, rule: s.rule, verdict: s.verdict,
    target: s.target, file: s.file, line: s.line, logLine: null, inferred: false,
  };
}

/**
 * The simulated steps the kernel would have printed: traced ones, under nf_tables also the TRACE rule itself, and
 * every bridge-family step when the trace shows bridge chains (they are traced by an nft table that sets nftrace,
 * which no iptables or ebtables snapshot holds).
 */
function printedSteps(steps: readonly TraceStep[], families: Set<TraceFamily>, legacy: boolean): PathStep[] {
  return steps
    .filter((s) => families.has(s.family) && (s.traced || s.family === 'bridge' || (!legacy && s.target === 'TRACE')))
    .map(asPathStep);
}

/** Steps in tables the snapshots have: the simulator knows nothing of the others (a tracing table of nft's own). */
function knownSteps(path: readonly PathStep[], snapshots: readonly Snapshot[]): PathStep[] {
  const has = (s: PathStep) => {
    const family = s.family === 'ip' ? 'ipv4' : s.family === 'ip6' ? 'ipv6' : s.family === 'bridge' ? 'bridge' : null;
    return snapshots.some((x) => x.family === family && x.tables.some((t) => t.name === s.table));
  };
  return path.filter(has);
}

/** Echo-like requests and their replies (nf_conntrack_proto_icmp.c / icmpv6 invmap). */
const ICMP_REPLY: Record<number, number> = { 8: 0, 13: 14, 15: 16, 17: 18, 128: 129 };

/** Fields that tell one flow from another: ports, or the ICMP echo id. Without them (xtables-monitor prints no
 *  ICMP header) two ICMP packets between the same hosts cannot be told apart. */
const identified = (p: PacketFields) => p.sport !== undefined || p.icmpId !== undefined;

/** A later packet of the same connection, same direction (`known`: the kernel showed it is not a first packet). */
function sameFlow(a: PacketFields, b: PacketFields, known = false): boolean {
  if (!known && (!identified(a) || !identified(b))) return false;
  return a.proto === b.proto && a.src === b.src && a.dst === b.dst && a.sport === b.sport && a.dport === b.dport &&
    a.icmpId === b.icmpId && a.icmpType === b.icmpType;
}

/**
 * `b` answers `a`. Addresses reversed — or, when NAT rewrote one side, reversed on the other side with the
 * ports (or the ICMP echo id) confirming it; an ICMP reply must be the reply type of the request.
 */
function answers(a: PacketFields, b: PacketFields, known = false): { strong: boolean } | null {
  if (a.proto !== b.proto) return null;
  if (a.icmpType !== undefined && b.icmpType !== undefined && ICMP_REPLY[a.icmpType] !== b.icmpType) return null;
  if (a.icmpId !== undefined && b.icmpId !== undefined && a.icmpId !== b.icmpId) return null;
  const ports = a.sport !== undefined && b.sport !== undefined;
  // NAT rewrites an address together with its port: the untouched side must match in both.
  const dstSide = b.src === a.dst && (!ports || b.sport === a.dport);
  const srcSide = b.dst === a.src && (!ports || b.dport === a.sport);
  if (dstSide && srcSide) return { strong: identified(a) && identified(b) };
  if ((dstSide || srcSide) && (ports || (a.icmpId !== undefined && a.icmpId === b.icmpId))) return { strong: true };
  // Without ports or ids only the kernel's own word (no nat chain ran) allows a one-sided match.
  if ((dstSide || srcSide) && known) return { strong: false };
  return null;
}

interface Built {
  spec: PacketSpec;
  assumed: string[];
}

/** The packet as the first traced hook saw it. */
const firstView = (p: ExplainedPacket): PacketFields => p.packet;

/** The hook of the packet's first printed step in its own family (bridge steps may come first). */
const entryHook = (p: ExplainedPacket): string | null => p.path.find((s) => !s.inferred && s.family === p.family)?.hook ?? null;

function buildSpec(p: ExplainedPacket): Built {
  const f = firstView(p);
  const assumed: string[] = [];
  const spec: PacketSpec = {};
  if (f.src !== undefined) spec.src = f.src;
  if (f.dst !== undefined) spec.dst = f.dst;
  let proto = f.proto;
  if (proto === undefined) {
    // xtables-monitor prints no protocol field: ports with TCP flags are TCP, ports alone UDP, none ICMP.
    proto = f.sport !== undefined ? (f.tcpFlags?.length ? 'tcp' : 'udp') : p.family === 'ip6' ? 'icmpv6' : 'icmp';
    assumed.push(`protocol ${proto} (the trace does not print it)`);
  }
  spec.proto = proto;
  if (f.sport !== undefined) spec.sport = f.sport;
  if (f.dport !== undefined) spec.dport = f.dport;
  if (f.icmpType !== undefined) spec.icmpType = f.icmpType;
  if (f.icmpCode !== undefined) spec.icmpCode = f.icmpCode;
  if (f.tcpFlags?.length) spec.tcpFlags = f.tcpFlags.join(',');
  if (f.ttl !== undefined) spec.ttl = f.ttl;
  if (f.length !== undefined) spec.length = f.length;
  if (entryHook(p) === 'OUTPUT') {
    spec.local = true;
  } else {
    if (f.in !== undefined) spec.in = f.in;
    if (f.physIn !== undefined) spec.physIn = f.physIn;
    if (f.srcMac !== undefined) spec.srcMac = f.srcMac;
    if (f.dstMac !== undefined) spec.dstMac = f.dstMac;
  }
  return { spec, assumed };
}

export interface Earlier {
  packet: ExplainedPacket;
  built: Built;
  role: 'original' | 'reply' | 'later' | 'reject-answer';
  /** Already paired with an answer that only the addresses identified. */
  answered: boolean;
  /** The packet that opened this one's connection (itself for an original); null for a REJECT's answer. */
  opener: Earlier | null;
}

/**
 * Whether the kernel treated the packet as the first of its connection: the nat chains of the entry hook run only
 * for a connection's first packet (docs/netfilter.md §nat-first-packet). null when the snapshots have no such nat chain.
 */
export function firstOfConnection(p: ExplainedPacket, snapshots: readonly Snapshot[]): boolean | null {
  const entry = entryHook(p);
  if (entry !== 'PREROUTING' && entry !== 'OUTPUT') return null;
  const family = p.family === 'ip6' ? 'ipv6' : 'ipv4';
  const hasNat = snapshots.some((s) => s.family === family && s.tables.some((t) => t.name === 'nat' && t.chains.some((c) => c.name === entry)));
  if (!hasNat) return null;
  return p.path.some((s) => s.family === p.family && s.table === 'nat' && s.hook === entry);
}

export function comparePacket(
  compiled: CompiledRuleset, p: ExplainedPacket, earlier: Earlier[], legacy: boolean, first: boolean | null = null,
  snapshots: readonly Snapshot[] = [],
): { comparison: PacketComparison; built: Built; role: Earlier['role']; opener: Earlier | null } {
  let built = buildSpec(p);
  const f = firstView(p);
  const entry = entryHook(p);
  let reverse: Earlier | undefined;
  let strong = false;
  // A first packet (it met the nat chains) neither continues nor answers anything.
  for (let k = earlier.length - 1; k >= 0 && !reverse && first !== true; k--) {
    const e = earlier[k]!;
    if (e.role !== 'original') continue;
    const a = answers(firstView(e.packet), f, first === false);
    if (!a || (!a.strong && e.answered)) continue;
    reverse = e;
    strong = a.strong;
  }
  const again = first === true ? undefined : [...earlier].reverse().find((e) => e.role === 'original' && sameFlow(firstView(e.packet), f, first === false));
  // The kernel's answer to a REJECT (TCP reset, ICMP error) is a local packet of its own: the simulator traces it
  // as the REJECT outcome's generated packet.
  const rejectAnswer = reverse && reverse.packet.verdict.verdict === 'REJECT' && entry === 'OUTPUT' ? reverse : undefined;
  const role: Earlier['role'] = rejectAnswer ? 'reject-answer' : again ? 'later' : reverse ? 'reply' : 'original';
  const opener = rejectAnswer ? null : (again ?? reverse)?.opener ?? null;
  let conversation: ConversationStep[] | null = null;
  if (rejectAnswer) {
    built = { spec: rejectAnswer.built.spec, assumed: [...rejectAnswer.built.assumed, `the answer the REJECT of packet ${rejectAnswer.packet.index} sends (the simulation's generated packet)`] };
  } else if (opener) {
    if (reverse && !strong) reverse.answered = true;
    const between = earlier.filter((e) => e.opener === opener && e !== opener && (e.role === 'later' || e.role === 'reply'));
    conversation = [...between.map((e) => stepOf(e.packet, e.role === 'later' ? 'later' : 'reply')), stepOf(p, again ? 'later' : 'reply')];
    built = {
      spec: again ? { ...built.spec, state: 'ESTABLISHED' } : { ...opener.built.spec, reply: true },
      assumed: [...(again ? built.assumed : opener.built.assumed),
        `packet ${conversation.length + 1} of the connection packet ${opener.packet.index} opened${between.length ? ` (after packets ${between.map((e) => e.packet.index).join(', ')})` : ''}: traced as the last of that conversation, so the connection is as they left it`],
    };
  }
  if (first === false) built = { ...built, assumed: [...built.assumed, 'not the first packet of its connection: no nat chain ran at its first hook (docs/netfilter.md §nat-first-packet)'] };
  const real = snapshots.length ? knownSteps(p.path, snapshots) : p.path;
  if (real.length < p.path.length) {
    const tables = [...new Set(p.path.filter((s) => !real.includes(s)).map((s) => `${s.family} ${s.table}`))];
    built = { ...built, assumed: [...built.assumed, `left out ${p.path.length - real.length} steps of ${tables.join(', ')} (not in the snapshots)`] };
  }
  const families = new Set(real.map((s) => s.family));
  const base: PacketComparison = {
    spec: built.spec, assumed: built.assumed, outcome: null, agreeing: 0, realSteps: real.length, simulatedSteps: 0,
    diverge: null, verdictDiffers: false, error: null,
  };
  let result;
  try {
    result = conversation && opener ? traceConversation(compiled, opener.built.spec, conversation).packets.at(-1)! : traceSpec(compiled, built.spec);
  } catch (e) {
    if (e instanceof PacketError) return { comparison: { ...base, error: e.message }, built, role, opener };
    throw e;
  }
  let best: { i: number; common: number; steps: PathStep[]; o: Outcome } | null = null;
  result.outcomes.forEach((o, i) => {
    const steps = printedSteps(rejectAnswer ? o.generated?.steps ?? [] : o.steps, families, legacy);
    let common = 0;
    while (common < steps.length && common < real.length && key(steps[common]!) === key(real[common]!)) common++;
    if (!best || common > best.common || (common === best.common && o.probability > best.o.probability)) best = { i, common, steps, o };
  });
  const chosen = best as { i: number; common: number; steps: PathStep[]; o: Outcome } | null;
  if (!chosen) return { comparison: { ...base, assumed: [...built.assumed, ...result.inferred], error: 'the simulation produced no outcome' }, built, role, opener };
  const same = chosen.common === real.length && chosen.common === chosen.steps.length;
  const verdict = rejectAnswer ? chosen.o.generated?.verdict ?? chosen.o.verdict : chosen.o.verdict;
  const summary = rejectAnswer ? chosen.o.generated?.summary ?? chosen.o.summary : chosen.o.summary;
  const simVerdict = verdict === 'delivered' || verdict === 'forwarded' ? 'ACCEPT' : verdict;
  return {
    comparison: {
      ...base,
      assumed: [...built.assumed, ...result.inferred],
      outcome: { index: chosen.i + 1, of: result.outcomes.length, verdict, summary, probability: chosen.o.probability },
      agreeing: chosen.common,
      simulatedSteps: chosen.steps.length,
      diverge: same ? null : { step: chosen.common + 1, real: real[chosen.common] ?? null, simulated: chosen.steps[chosen.common] ?? null },
      verdictDiffers: p.verdict.verdict !== 'left' && simVerdict !== p.verdict.verdict,
    },
    built,
    role,
    opener,
  };
}

/** A packet of a connection seen in the log as a step of its conversation (its TCP flags as the kernel saw them). */
function stepOf(p: ExplainedPacket, role: 'later' | 'reply'): ConversationStep {
  const flags = firstView(p).tcpFlags;
  return { direction: role === 'later' ? 'request' : 'reply', ...(flags?.length ? { tcpFlags: flags.join(',') } : {}) };
}

/** Run the simulator on every packet of an explanation; returns the comparisons in packet order. */
export function compareWithSimulation(
  e: Explanation, snapshots: readonly Snapshot[], host: HostContext | null, options: CompareOptions = {},
): PacketComparison[] {
  const legacy = (options.backend ?? (e.formats[0] === 'legacy' ? 'legacy' : 'nft')) === 'legacy';
  const compiled = compileRuleset(snapshots, host ? new HostModel(host) : null, { backend: legacy ? 'legacy' : 'nft', ...(options.ipsets ? { ipsets: options.ipsets } : {}) });
  const earlier: Earlier[] = [];
  return e.packets.map((p) => {
    const r = comparePacket(compiled, p, earlier, legacy, firstOfConnection(p, snapshots), snapshots);
    const entry: Earlier = { packet: p, built: r.built, role: r.role, answered: false, opener: r.opener };
    if (r.role === 'original') entry.opener = entry;
    // A request sent again may be answered again (ping after ping, when the trace prints no echo id to tell them
    // apart).
    if (r.role === 'later' && r.opener) r.opener.answered = false;
    earlier.push(entry);
    return r.comparison;
  });
}
