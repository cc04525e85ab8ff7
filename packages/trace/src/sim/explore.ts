// Exploration of every fork: one run of the path per combination of alternatives (depth first, in rule order),
// so each outcome is a plain deterministic simulation. A run answering a fork asked by a rule's matches resumes at
// that rule (resume.ts) instead of replaying the path from the start, so a chain of n forks (kube-proxy's
// endpoint fan-out) costs n runs of the path's length, not n²/2 rule evaluations. Later packets of a connection
// (--state ESTABLISHED/RELATED) and replies (--reply) first trace the connection's first packet: its outcomes fix
// the NAT bindings (which endpoint the DNAT chose) the later packet gets without traversing the nat chains.
import type { CompiledRuleset } from '../compile/ruleset';
import { icmpReplyType, resolvePacket, type Entry, type PacketSpec, type ResolvedPacket } from '../packet';
import type { Outcome, TraceResult } from '../types';
import { Chooser, type Assumptions, type ExploreWork } from './choices';
import { Said } from './choice-text';
import { cloneConn, natBinding } from './conntrack';
import { buildOutcome, viewOf } from './outcome';
import { rejectAnswer } from './reject';
import type { GeneratedPacket } from '../types';
import type { HostFacts } from './host-facts';
import { PathRunner, type PathEnd, type PathInput } from './path';
import { Run } from './run';
import { addLeftOut, forkOf, leftOutOf, prefixFor, type LeftOut, type Pending } from './pending';
import { Resumer } from './resume';
import { SetChanges } from './set-changes';
import { clonePacket, type Conn, type SimPacket } from './state';
import { TraceLoopError } from './table';
import { formatIp } from '../addr';

export interface TraceOptions {
  /** `--assume KEY=true|false`. */
  assume?: Assumptions;
  /** Trace as if a raw-table TRACE rule matched the packet at the start (legacy TRACE lines for every step). */
  traceAll?: boolean;
  /** Stop exploring after this many outcomes (default 256). */
  maxOutcomes?: number;
  /**
   * Replay every path from the start instead of resuming at its fork (resume.ts): the same outcomes, slower; the
   * reference the tests compare resumed exploration with.
   */
  replay?: boolean;
  /** Counts the work of the exploration into this object (tests: it grows linearly with the forks). */
  work?: ExploreWork;
}

export interface Finished {
  outcome: Outcome;
  conn: Conn | null;
  end: PathEnd;
  finalPacket: SimPacket;
  /** The ipsets as this path's SET targets left them. */
  sets: SetChanges;
  /** The host facts this path assumed or forked on (without a host context). */
  facts: HostFacts;
}

export function explore(
  compiled: CompiledRuleset,
  base: SimPacket,
  input: PathInput,
  options: TraceOptions,
  max: number,
): { done: Finished[]; truncated: boolean; leftOut?: LeftOut } {
  const pins = options.assume ?? new Map<string, boolean>();
  const work = options.work ?? null;
  const resume = options.replay !== true;
  const done: Finished[] = [];
  // Depth first; the limit stops the exploration itself (not only the output), and the forks still pending say
  // how many paths were left out and what they split on.
  const stack: (Pending | null)[] = [null];
  while (stack.length) {
    if (done.length >= max) return { done, truncated: true, leftOut: leftOutOf(stack as Pending[]) };
    const entry = stack.pop()!;
    const prefix = prefixFor(entry, resume, work);
    const chooser = new Chooser(prefix, pins, work);
    const p = clonePacket(base);
    if (options.traceAll) p.trace = true;
    const run = new Run(compiled, p, chooser, natBinding, new SetChanges(input.sets), input.facts);
    // Replaying (the reference), the run still records its resume points; it only never resumes from one.
    const resumer = new Resumer(run, resume ? entry?.resume ?? null : null, work);
    const pathInput = input.conn ? { ...input, conn: cloneConn(input.conn) } : input;
    let end: PathEnd;
    try {
      end = new PathRunner(run, pathInput).start();
    } catch (e) {
      if (!(e instanceof TraceLoopError)) throw e;
      end = { verdict: 'DROP', summary: e.message, step: -1, egress: null };
    }
    // The answer a REJECT sends (traced with this run's chooser: its forks are this path's too).
    const generated = end.verdict === 'REJECT' ? traceRejectAnswer(compiled, run, end, chooser) : null;
    resumer.finish();
    const outcome = buildOutcome(run, end, chooser.said.texts(chooser.pinned));
    if (generated) outcome.generated = generated;
    done.push({ outcome, conn: run.p.ct, end, finalPacket: run.p, sets: run.ctx.sets, facts: run.facts });
    // The choices this run made past its prefix, as nodes the pending alternatives hang from.
    const from = prefix.length;
    const made = chooser.since(from);
    const path: (Pending | null)[] = [entry];
    for (let i = 0; i < made.length; i++) {
      path.push({ parent: path[i]!, choice: made[i]!.chosen, depth: from + i + 1, fork: null, resume: null });
    }
    for (let i = made.length - 1; i >= 0; i--) {
      const rec = made[i]!;
      const fork = rec.alternatives.length > 1 ? forkOf(rec) : null;
      const at = resumer.points[i] ?? null;
      for (let j = rec.alternatives.length - 1; j >= 1; j--) stack.push({ parent: path[i]!, choice: j, depth: from + i + 1, fork, resume: at });
    }
    // The choices live on in the pending paths and resume points that need them, not in the finished run.
    chooser.forget();
  }
  return { done, truncated: false };
}

/** The packet a REJECT sends back, traced through OUTPUT and POSTROUTING, and back in through loopback when the
 *  rejected packet was this host's own (reject.ts). */
function traceRejectAnswer(compiled: CompiledRuleset, run: Run, end: PathEnd, chooser: Chooser): GeneratedPacket | null {
  const step = run.steps[end.step];
  if (!step || (step.hook !== 'INPUT' && step.hook !== 'FORWARD' && step.hook !== 'OUTPUT')) return null;
  const answer = rejectAnswer(run, step.packet, step.ruleRef?.target ?? null);
  if (!answer) return null;
  const ct = step.packet.ct;
  // The answer is of the same host: the addresses the rejected packet's path took as the host's stay so.
  const genRun = new Run(compiled, answer.packet, chooser, natBinding, new SetChanges(run.ctx.sets), { local: run.facts.local, in: null });
  const genInput: PathInput = {
    entry: { kind: 'local' }, state: ct ? 'RELATED' : 'INVALID', dir: 'REPLY', conn: ct, pinnedOut: null, pinnedPhysOut: null,
    natChains: answer.natChains, attached: ct !== null,
  };
  let genEnd: PathEnd;
  try {
    genEnd = new PathRunner(genRun, genInput).start();
  } catch (e) {
    if (!(e instanceof TraceLoopError)) throw e;
    genEnd = { verdict: 'DROP', summary: e.message, step: -1, egress: null };
  }
  const o = buildOutcome(genRun, genEnd, Said.empty().texts([]));
  return { kind: answer.kind, description: answer.describe, summary: o.summary, verdict: o.verdict, packet: o.packet, steps: o.steps, events: o.events };
}

/** The first packet of the connection a later packet or reply belongs to. */
function firstPacketOf(resolved: ResolvedPacket): SimPacket {
  const p = clonePacket(resolved.packet);
  if (p.proto === 6) {
    p.tcpFlags = 0x02;
    p.tcpOptions = [2, 4, 8, 1, 3];
    p.mss = 1460;
  }
  p.ctState = 'NEW';
  return p;
}

/** What a reply looks like: its TCP flags, or an ICMP error (RELATED) about the connection instead. */
export interface ReplyShape {
  tcpFlags?: string;
  /** An ICMP error the destination sends about the original packet (`--reply --state RELATED`). */
  error?: boolean;
  icmpType?: string | number;
}

/** The reply to a connection: addresses from the reply tuple, entering where the original left (`eg`). */
export function replyPacket(
  compiled: CompiledRuleset,
  ct: Conn,
  eg: PathEnd['egress'],
  shape: ReplyShape,
  resolved: ResolvedPacket,
  facts: HostFacts | null = null,
): { packet: SimPacket; input: PathInput; inferred: string[] } | null {
  if (!eg) return null;
  const v = resolved.packet.v;
  const icmp = ct.orig.proto === 1 || ct.orig.proto === 58;
  // --reply --state RELATED: the ICMP error the destination sends about the original packet (e.g. port unreachable
  // for UDP to a closed port, docs/netfilter.md §nat-first-packet (d)): RELATED, reply direction, translated without nat chains.
  const error = shape.error === true;
  const replySpec: PacketSpec = {
    src: formatIp(v, ct.reply.src.addr),
    dst: formatIp(v, ct.reply.dst.addr),
    ...(error
      ? { proto: v === 4 ? 'icmp' : 'icmpv6', icmpType: shape.icmpType ?? (v === 4 ? '3/3' : '1/4') }
      : {
        proto: ct.orig.proto,
        ...(icmp ? { icmpType: icmpReplyType(v, resolved.packet.icmpType ?? 8) ?? 0 } : { sport: ct.reply.src.port ?? 0, dport: ct.reply.dst.port ?? 0 }),
        ...(ct.orig.proto === 6 ? { tcpFlags: shape.tcpFlags ?? 'SYN,ACK' } : {}),
      }),
    state: 'ESTABLISHED',
  };
  const inferred: string[] = [];
  // Without a host context the first packet may have left by an interface nobody named: the reply enters by
  // that same interface, and what the first packet's -o tests learnt of it holds for the reply's -i tests.
  const unknownIn = !eg.local && !eg.port && !eg.dev && !compiled.host.given;
  if (eg.local) { replySpec.local = true; inferred.push('the reply is sent by a local process: the first packet was delivered to this host'); }
  else if (eg.port) { replySpec.in = eg.dev; replySpec.physIn = eg.port; inferred.push(`the reply enters on bridge port ${eg.port} of ${eg.dev}, where the first packet left`); }
  else if (eg.dev) { replySpec.in = eg.dev; inferred.push(`the reply enters on ${eg.dev}, where the first packet left`); }
  else if (unknownIn) { replySpec.in = 'lo'; inferred.push('the reply enters by the interface the first packet left by (unknown without host facts; the -i tests ask)'); }
  else return null;
  const r = resolvePacket(replySpec, compiled.host);
  // The unknown device is '' with HostFacts.in set (the name given above only passes the option check).
  if (unknownIn) r.entry = { kind: 'iface', dev: '' };
  inferred.push(...r.inferred);
  if (icmp && !error) {
    r.packet.icmpId = ct.reply.dst.port ?? resolved.packet.icmpId;
    r.packet.icmpSeq = resolved.packet.icmpSeq;
  }
  r.packet.length = error ? (v === 4 ? 28 : 48) + resolved.packet.length : resolved.packet.length;
  r.packet.ctState = error ? 'RELATED' : 'ESTABLISHED';
  const seed = facts ? { local: facts.local, in: unknownIn ? facts.out : null } : undefined;
  return {
    packet: r.packet,
    input: {
      entry: r.entry, state: error ? 'RELATED' : 'ESTABLISHED', dir: 'REPLY', conn: confirmed(ct), pinnedOut: null, pinnedPhysOut: null,
      natChains: !error, ...(seed ? { facts: seed } : {}),
    },
    inferred,
  };
}

/** What the paths of a trace assumed of the host without a host context (each said once, in order). */
export function hostNotes(runs: readonly { facts: HostFacts }[]): string[] {
  // A Set: a fan-out of n endpoints gives n runs with a note each ("10.64.0.7 is not an address of this host").
  const out = new Set<string>();
  for (const r of runs) for (const n of r.facts.notes) out.add(n);
  return [...out];
}

/**
 * A packet of a family no rules were given for meets no rule at all, as on a host whose tables of that family
 * are empty: every hook accepts. That is an assumption about rules the user did not give, so it is said.
 */
export function missingFamilyNote(compiled: CompiledRuleset, v: 4 | 6): string | null {
  const fam = v === 4 ? compiled.ip4 : compiled.ip6;
  const other = v === 4 ? compiled.ip6 : compiled.ip4;
  if (fam !== null || (other === null && compiled.bridge === null)) return null;
  return v === 4
    ? 'no iptables (IPv4) rules were given: the IPv4 packet meets no rule, as if every IPv4 chain were empty with policy ACCEPT'
    : 'no ip6tables rules were given: the IPv6 packet meets no rule, as if every IPv6 chain were empty with policy ACCEPT';
}

/** The packet as it arrives: the entry interface (and bridge port) filled in. */
export function entryView(p: SimPacket, entry: Entry) {
  const v = viewOf(p);
  if (entry.kind === 'iface') v.in = entry.dev;
  if (entry.kind === 'bridge') { v.in = entry.bridge; v.physIn = entry.port; }
  return v;
}

function confirmed(ct: Conn): Conn {
  const c = cloneConn(ct);
  c.dstInit = true;
  c.srcInit = true;
  c.confirmed = true;
  return c;
}

/** An outcome's summary with the NAT it applied, as `via` texts name earlier packets. */
export function summaryWithNat(o: Outcome): string {
  return `${o.summary}${o.nat.length ? `; ${o.nat.map((n) => `${n.type} to ${n.to}`).join(', ')}` : ''}`;
}

export function combine(first: { outcome: Outcome }, second: Outcome, via: string): Outcome {
  return {
    ...second,
    probability: first.outcome.probability * second.probability,
    assumptions: [...first.outcome.assumptions, ...second.assumptions],
    draws: [...first.outcome.draws, ...second.draws],
    via,
  };
}

export function traceResolved(compiled: CompiledRuleset, spec: PacketSpec, resolved: ResolvedPacket, options: TraceOptions = {}): TraceResult {
  const max = options.maxOutcomes ?? 256;
  const inferred = [...resolved.inferred, ...compiled.backendNote];
  const baseInput: PathInput = {
    entry: resolved.entry, state: resolved.state, dir: 'ORIGINAL', conn: null,
    pinnedOut: resolved.out, pinnedPhysOut: resolved.physOut, boundSrc: resolved.boundSrc,
  };
  const missing = missingFamilyNote(compiled, resolved.packet.v);
  if (missing) inferred.push(missing);
  const withMissing = (o: Outcome): Outcome => (missing ? { ...o, assumptions: [missing, ...o.assumptions] } : o);
  const later = resolved.reply || resolved.state === 'ESTABLISHED' || resolved.state === 'RELATED';
  if (!later) {
    const { done, truncated, leftOut } = explore(compiled, resolved.packet, baseInput, options, max);
    inferred.push(...hostNotes(done));
    return { packet: entryView(resolved.packet, resolved.entry), inferred, outcomes: done.map((d) => withMissing(d.outcome)), truncated, ...(leftOut ? { leftOut } : {}), backend: compiled.backend };
  }
  const first = explore(compiled, firstPacketOf(resolved), { ...baseInput, state: 'NEW' }, options, max);
  const notes = hostNotes(first.done);
  const outcomes: Outcome[] = [];
  let truncated = first.truncated;
  let leftOut = first.leftOut;
  let shown = entryView(resolved.packet, resolved.entry);
  inferred.push(resolved.reply
    ? 'the reply is traced after the connection\'s first packet (its NAT bindings decide the reply\'s addresses)'
    : `a ${resolved.state} packet: the connection's first packet was traced first to know its NAT bindings`);
  for (const [k, f] of first.done.entries()) {
    if (outcomes.length >= max) {
      // The first packets whose later packet was not traced: each is at least one path left out.
      truncated = true;
      leftOut = addLeftOut(leftOut, { atLeast: first.done.length - k, splitBy: [] });
      break;
    }
    const ok = f.conn !== null && f.conn.confirmed && (f.end.verdict === 'forwarded' || f.end.verdict === 'delivered');
    const via = `first packet: ${summaryWithNat(f.outcome)}`;
    if (!ok) {
      outcomes.push({
        ...f.outcome, verdict: 'no-connection', via,
        summary: f.conn === null ? `no connection: the first packet has no conntrack entry (${f.outcome.summary})` : `no connection: the first packet was not accepted (${f.outcome.summary})`,
        steps: [], events: [], nat: [], masquerade: false, masqueradeBy: null, egress: null,
      });
      continue;
    }
    let packet: SimPacket;
    let input: PathInput;
    if (resolved.reply) {
      const shape: ReplyShape = { error: spec.state === 'RELATED' };
      if (spec.tcpFlags !== undefined) shape.tcpFlags = spec.tcpFlags;
      if (spec.icmpType !== undefined) shape.icmpType = spec.icmpType;
      const r = f.conn ? replyPacket(compiled, f.conn, f.end.egress, shape, resolved, f.facts) : null;
      if (!r) {
        outcomes.push({ ...f.outcome, verdict: 'no-connection', via, summary: 'no reply path: the original packet left with an unknown egress', steps: [], events: [] });
        continue;
      }
      packet = r.packet;
      input = r.input;
    } else {
      packet = clonePacket(resolved.packet);
      input = { ...baseInput, conn: confirmed(f.conn!), state: resolved.state, facts: { local: f.facts.local, in: null } };
    }
    shown = entryView(packet, input.entry);
    // The later packet sees the ipsets as the first packet's SET targets left them.
    // The limit bounds the later packets' exploration too: only what is left of it.
    const second = explore(compiled, packet, { ...input, sets: f.sets }, options, max - outcomes.length);
    truncated ||= second.truncated;
    leftOut = addLeftOut(leftOut, second.leftOut);
    notes.push(...hostNotes(second.done));
    for (const s of second.done) outcomes.push(withMissing(combine(f, s.outcome, via)));
  }
  for (const n of notes) if (!inferred.includes(n)) inferred.push(n);
  return { packet: shown, inferred, outcomes, truncated, ...(leftOut ? { leftOut } : {}), backend: compiled.backend };
}

export function traceSpec(compiled: CompiledRuleset, spec: PacketSpec, options: TraceOptions = {}): TraceResult {
  return traceResolved(compiled, spec, resolvePacket(spec, compiled.host), options);
}
