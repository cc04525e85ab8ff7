// A conversation: the first packet of a connection and the packets that follow it, each traced against the
// connection as the packets before it left it. A single PacketSpec asks about one packet and assumes the rest
// (`--state ESTABLISHED` / `--reply` trace the first packet, then this one); here every packet in between is
// traced too, so what it changed is kept — the connection mark a CONNMARK --save-mark stored, the NAT bindings,
// whether a reply was seen — as the kernel keeps it in the nf_conn.
//
// Conntrack, per packet (docs/netfilter.md §nat-first-packet):
//   * a request while the connection is confirmed and no reply was seen: ctstate NEW (IP_CT_NEW), the nat chains
//     are skipped (the bindings were set up by the first packet: nf_nat_inet_fn() consults them once per manip);
//   * a request after a reply: ESTABLISHED;
//   * a request when no confirmed connection exists (the first packet was dropped before the last hook, or had no
//     conntrack entry): a first packet again, nat chains included;
//   * a reply: ESTABLISHED in the reply direction, entering where the first packet left; it marks the connection
//     as having seen a reply (IPS_SEEN_REPLY is set by conntrack, before any filter verdict). An ICMP error about
//     the connection is RELATED and sees no nat chain.
import type { CompiledRuleset } from '../compile/ruleset';
import { resolvePacket, type PacketSpec, type ResolvedPacket } from '../packet';
import type { Outcome, TraceResult } from '../types';
import { cloneConn } from './conntrack';
import { combine, entryView, explore, hostNotes, missingFamilyNote, replyPacket, summaryWithNat, type Finished, type ReplyShape, type TraceOptions } from './explore';
import type { HostFacts } from './host-facts';
import type { PathEnd, PathInput } from './path';
import type { SetChanges } from './set-changes';
import { clonePacket, type Conn } from './state';

/** A packet after the first one of a conversation. */
export interface ConversationStep {
  /** `request`: the client sends again (the first packet's addresses and ports); `reply`: the other side answers. */
  direction: 'request' | 'reply';
  /** TCP flags of this packet (default: ACK for a request, SYN,ACK for the first reply, ACK for later ones). */
  tcpFlags?: string;
  /** A reply that is an ICMP error about the connection (RELATED), of this type (default port unreachable). */
  error?: boolean;
  icmpType?: string | number;
}

export interface ConversationResult {
  /** One result per packet: the first packet, then each step, in order. */
  packets: TraceResult[];
}

/** One way the conversation can have gone so far. */
interface Branch {
  /** The latest packet's outcome with the history that led to it (probability, assumptions, draws multiply). */
  outcome: Outcome;
  via: string[];
  /** The connection as the latest packet left it; null when none exists. */
  conn: Conn | null;
  /** Where the connection's first packet left the host (replies enter there), null if it did not leave. */
  egress: PathEnd['egress'];
  seenReply: boolean;
  /** The ipsets as the packets so far left them (SET targets). */
  sets: SetChanges;
  /** The host facts the packets so far assumed (without a host context); later packets keep to them. */
  facts: HostFacts;
}

const LEFT: ReadonlySet<string> = new Set(['forwarded', 'delivered']);

/** Packet `n`'s outcome `f` after branch `prev` (none for the first packet): its history and its own text. */
function extend(prev: Branch | null, f: Finished, n: number): Pick<Branch, 'outcome' | 'via'> {
  return {
    outcome: prev ? combine(prev, f.outcome, prev.via.join(' → ')) : f.outcome,
    via: [...(prev?.via ?? []), `packet ${n}: ${summaryWithNat(f.outcome)}`],
  };
}

/** The branch after a packet that starts the connection (the first, or one sent again when none exists). */
function afterFirst(prev: Branch | null, f: Finished, n: number): Branch {
  const ok = f.conn !== null && f.conn.confirmed && LEFT.has(f.end.verdict);
  return { ...extend(prev, f, n), conn: ok ? f.conn : null, egress: ok ? f.end.egress : null, seenReply: false, sets: f.sets, facts: f.facts };
}

/** The branch after a later packet of an existing connection. */
function afterLater(prev: Branch, f: Finished, n: number, seenReply: boolean): Branch {
  return { ...prev, ...extend(prev, f, n), conn: f.conn ?? prev.conn, seenReply, sets: f.sets, facts: f.facts };
}

/** The client's next packet: the first one's addresses and ports, ACK unless flags are given (TCP). */
function nextRequest(compiled: CompiledRuleset, first: PacketSpec, step: ConversationStep, last: ResolvedPacket): ResolvedPacket {
  const spec: PacketSpec = { ...first };
  if (step.tcpFlags !== undefined) spec.tcpFlags = step.tcpFlags;
  else if (last.packet.proto === 6) spec.tcpFlags = 'ACK';
  const r = resolvePacket(spec, compiled.host);
  r.packet.icmpSeq = last.packet.icmpSeq + 1;
  r.packet.ipId = last.packet.ipId + 1;
  return r;
}

export function traceConversation(
  compiled: CompiledRuleset,
  first: PacketSpec,
  steps: readonly ConversationStep[],
  options: TraceOptions = {},
): ConversationResult {
  if (first.reply || (first.state !== undefined && first.state !== 'NEW')) {
    throw new Error('a conversation starts with the connection\'s first packet (no --reply, no --state other than NEW)');
  }
  const max = options.maxOutcomes ?? 256;
  const resolved = resolvePacket(first, compiled.host);
  const missing = missingFamilyNote(compiled, resolved.packet.v);
  const inferred = [...resolved.inferred, ...compiled.backendNote, ...(missing ? [missing] : [])];
  const baseInput: PathInput = {
    entry: resolved.entry, state: 'NEW', dir: 'ORIGINAL', conn: null, pinnedOut: resolved.out, pinnedPhysOut: resolved.physOut,
    boundSrc: resolved.boundSrc,
  };
  const firstRun = explore(compiled, resolved.packet, baseInput, options, max);
  const packets: TraceResult[] = [{
    packet: entryView(resolved.packet, resolved.entry), inferred: [...inferred, ...hostNotes(firstRun.done)], outcomes: firstRun.done.map((d) => d.outcome),
    truncated: firstRun.truncated, ...(firstRun.leftOut ? { leftOut: firstRun.leftOut } : {}), backend: compiled.backend,
  }];
  let branches: Branch[] = firstRun.done.map((f) => afterFirst(null, f, 1));
  let lastRequest = resolved;
  for (const [i, step] of steps.entries()) {
    const n = i + 2;
    const outcomes: Outcome[] = [];
    const next: Branch[] = [];
    let truncated = false;
    let shown = packets[packets.length - 1]!.packet;
    const notes: string[] = [];
    // Each packet's own inferences: a request is the first packet's again; a reply's are its own (where it
    // enters, its addresses from the connection), never the first packet's.
    const own: string[] = [];
    const runs: Finished[] = [];
    // The client's packet is the same whichever way the conversation went: the first packet's addresses and ports,
    // the next ICMP echo sequence number and IP ID.
    const request = step.direction === 'request' ? nextRequest(compiled, first, step, lastRequest) : null;
    for (const b of branches) {
      // The limit bounds the work, not only the output: past it the other branches are not traced.
      if (outcomes.length >= max) { truncated = true; break; }
      if (request) {
        const r = { ...request, packet: clonePacket(request.packet) };
        const again = b.conn === null;
        const seed = { local: b.facts.local, in: null };
        const input: PathInput = again
          ? { ...baseInput, sets: b.sets, facts: seed }
          : { ...baseInput, conn: cloneConn(b.conn!), state: b.seenReply ? 'ESTABLISHED' : 'NEW', sets: b.sets, facts: seed };
        if (again) notes.push(`packet ${n}: no confirmed connection before it, so it is a first packet again`);
        else if (!b.seenReply) notes.push(`packet ${n}: no reply seen yet, so ctstate is still NEW; the nat chains were consulted by the first packet and are skipped`);
        r.packet.ctState = input.state;
        const run = explore(compiled, r.packet, input, options, max - outcomes.length);
        truncated ||= run.truncated;
        runs.push(...run.done);
        for (const x of r.inferred) if (!own.includes(x)) own.push(x);
        shown = entryView(r.packet, r.entry);
        for (const d of run.done) {
          const after = again ? afterFirst(b, d, n) : afterLater(b, d, n, b.seenReply);
          outcomes.push(after.outcome);
          next.push(after);
        }
        continue;
      }
      const shape: ReplyShape = { error: step.error === true };
      if (step.tcpFlags !== undefined) shape.tcpFlags = step.tcpFlags;
      else if (resolved.packet.proto === 6 && b.seenReply) shape.tcpFlags = 'ACK';
      if (step.icmpType !== undefined) shape.icmpType = step.icmpType;
      const r = b.conn ? replyPacket(compiled, b.conn, b.egress, shape, lastRequest, b.facts) : null;
      if (!r) {
        const why = b.conn === null ? 'no connection: no earlier packet of it left the host with a conntrack entry' : 'no reply path: the first packet left with an unknown egress';
        const o: Outcome = {
          ...b.outcome,
          verdict: 'no-connection', summary: why, steps: [], events: [], nat: [], masquerade: false, masqueradeBy: null, egress: null,
        };
        outcomes.push(o);
        next.push(b);
        continue;
      }
      const run = explore(compiled, r.packet, { ...r.input, sets: b.sets }, options, max - outcomes.length);
      truncated ||= run.truncated;
      runs.push(...run.done);
      for (const x of r.inferred) if (!own.includes(x)) own.push(x);
      shown = entryView(r.packet, r.input.entry);
      for (const d of run.done) {
        const after = afterLater(b, d, n, b.seenReply || !shape.error);
        outcomes.push(after.outcome);
        next.push(after);
      }
    }
    if (request) lastRequest = request;
    if (outcomes.length > max || next.length > max) truncated = true;
    packets.push({
      packet: shown, inferred: [...own, ...compiled.backendNote, ...(missing ? [missing] : []), ...new Set(notes), ...hostNotes(runs)], outcomes: outcomes.slice(0, max), truncated, backend: compiled.backend,
    });
    branches = next.slice(0, max);
  }
  return { packets };
}
