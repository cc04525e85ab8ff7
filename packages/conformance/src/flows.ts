// From a flow to what each side needs: the kernel lab's flow (what to send), and, for every packet the kernel
// traced in that flow, the simulator's question (a PacketSpec) and the role the packet plays in the connection.
//
// Roles, and why each becomes the PacketSpec it does (docs/netfilter.md §conntrack-nat):
//   first          the flow's first request packet: the connection's first packet, ctstate NEW, nat chains run.
//   retransmission a request packet before any reply: still NEW (a dropped first packet leaves no confirmed
//                  conntrack entry, so the next one is a first packet again; when the first copy left the host,
//                  the connection exists and its nat chains are skipped).
//   later          a request packet after a reply: ESTABLISHED.
//   reply          a packet in the other direction: addresses from the reply tuple, entering where the first packet
//                  left, with the TCP flags the kernel saw.
//   error          an ICMP error in the other direction about a TCP/UDP flow (a closed UDP port): RELATED.
// Every packet after the first is asked as the last packet of a conversation (trace's traceConversation): the
// first packet, then every packet the kernel traced before it, so what those packets changed in the connection
// (its mark, whether a reply was seen) is known. `spec` is the same packet as a single question (`--state`,
// `--reply`), for messages and for the answers asked without a connection.
// Any packet may also be the answer a REJECT of the packet before it sent (a TCP RST or an ICMP error generated
// by the host): the simulator traces that answer with the rejected packet (Outcome.generated), and the comparison
// offers it as a candidate too. An answer to a packet conntrack has no entry for is asked as a packet of its own
// (simulate.ts standaloneAnswer).
import { hookOfHookChain, hookStage } from '@chainsight/netfilter';
import type { ConversationStep, PacketSpec } from '@chainsight/trace';
import type { KnownDivergence } from './divergences.js';
import type { LabFlow, LabFlowResult, LabPacket, LabPacketInfo } from './kernel-types.js';
import type { Step } from './steps.js';

/** A scenario flow (flows.json): the kernel lab's flow plus a note on what it shows, and the known divergence
 *  it demonstrates (then it is expected to differ, src/divergences.ts). */
export interface Flow extends LabFlow {
  note?: string;
  divergence?: KnownDivergence;
}

/** The kernel lab's flow for a scenario flow (note and divergence stay here). */
export function toLabFlow(flow: Flow): LabFlow {
  const { note: _note, divergence: _divergence, ...lab } = flow;
  return lab;
}

export type PacketRole = 'first' | 'retransmission' | 'later' | 'reply' | 'error';

export interface PacketQuestion {
  role: PacketRole;
  spec: PacketSpec;
  /** The first packet of the connection (what `reply`/`later` questions are relative to). */
  first: PacketSpec;
  /** The connection's addresses as the client sent its first packet. */
  client: string;
  server: string;
  /** The kernel's view of this packet. */
  observed: LabPacketInfo;
  /** For every packet after the first: the packets after the first one up to and including this one. */
  conversation?: ConversationStep[];
}

/** How the simulator names the flow's endpoints: neighbour names of the host context. */
export interface Endpoints {
  isNeighbour(name: string): boolean;
}

const SCAPY_FLAGS: Record<string, string> = { F: 'FIN', S: 'SYN', R: 'RST', P: 'PSH', A: 'ACK', U: 'URG', E: 'ECE', C: 'CWR' };

/** Scapy's flag letters (`SA`) as the simulator's flag list (`SYN,ACK`). */
export function flagsFromLetters(letters: string): string {
  // No letters: a segment with no flag set, which the simulator spells NONE (as iptables does).
  if (letters === '') return 'NONE';
  return [...letters].map((l) => {
    const w = SCAPY_FLAGS[l];
    if (w === undefined) throw new Error(`unknown TCP flag letter '${l}'`);
    return w;
  }).join(',');
}

/** The kernel's flag list (`syn,ack`) as the simulator's (`SYN,ACK`). */
export function flagsFromKernel(flags: string): string {
  return flags.split(',').filter(Boolean).map((f) => f.toUpperCase()).join(',') || 'NONE';
}

/** The connection's first packet as the simulator's question; `observed` is what the kernel saw of it. */
export function firstPacketSpec(flow: LabFlow, client: string, server: string, endpoints: Endpoints, observed?: LabPacketInfo): PacketSpec {
  const spec: PacketSpec = { proto: flow.proto, dst: server };
  if (flow.from === 'host') {
    spec.local = true;
    spec.src = client;
  } else if (endpoints.isNeighbour(flow.from)) {
    spec.from = flow.from;
  } else {
    spec.src = client;
  }
  if (flow.proto !== 'icmp') {
    // nc picks its own source port: the kernel's view is the truth.
    spec.sport = observed?.sport ?? flow.sport ?? 40000;
    const dport = observed?.dport ?? flow.dport;
    if (dport === undefined) throw new Error(`flow '${flow.name}': a ${flow.proto} flow needs a dport`);
    spec.dport = dport;
  } else if (flow.icmpType !== undefined) {
    spec.icmpType = flow.icmpType;
  }
  if (flow.proto === 'tcp') {
    if (observed?.tcpFlags) spec.tcpFlags = flagsFromKernel(observed.tcpFlags);
    else if (flow.tcpFlags !== undefined) spec.tcpFlags = flagsFromLetters(flow.tcpFlags);
  }
  return spec;
}

/** Is this reply-direction packet an ICMP error about a TCP/UDP flow? (xtables-monitor prints no protocol for
 *  ICMP, so a packet without ports in a TCP/UDP flow is one; the other tools name the protocol.) */
function isIcmpError(flow: LabFlow, p: LabPacketInfo): boolean {
  if (flow.proto === 'icmp') return p.icmpType !== undefined && !/^(echo-reply|0)$/.test(p.icmpType) && /unreach|exceeded|problem|^(3|11|12)$/.test(p.icmpType);
  if (p.proto !== undefined) return p.proto === 'icmp';
  return p.sport === undefined && p.dport === undefined;
}

/**
 * The packet's direction in its connection. The lab calls every packet from the client's address a request, but
 * the client's address is also the source of the answers when a host talks to itself: a container reaching
 * itself through its own published port (told apart by ports: a request keeps the first packet's source port),
 * the host answering its own packet with a REJECT (an ICMP packet in a TCP/UDP flow is always an answer), and the
 * host answering a packet it sent to an address DNAT turned into its own (a request is first seen before NAT,
 * sent to the flow's destination; the answer is sent to the host's own address).
 */
export function directionOf(p: LabPacket, firstRequest: LabPacket | undefined, flow?: LabFlow): 'request' | 'reply' {
  const a = p.packet;
  const f = firstRequest?.packet;
  if (p.direction === 'request' && p !== firstRequest) {
    if (flow !== undefined && flow.proto !== 'icmp' && (a.proto === 'icmp' || (a.proto === undefined && a.sport === undefined && a.dport === undefined))) return 'reply';
    if (f && a.sport !== undefined && f.sport !== undefined && a.sport !== f.sport) return 'reply';
    if (f && a.saddr !== undefined && a.daddr === a.saddr && f.daddr !== f.saddr) return 'reply';
  }
  return p.direction;
}

/** Packet `index` of a flow as a step of the conversation that starts with the flow's first request. */
function conversationStep(result: LabFlowResult, index: number, firstRequest: LabPacket | undefined): ConversationStep {
  const p = result.packets[index]!;
  const tcp = result.flow.proto === 'tcp' && p.packet.tcpFlags ? { tcpFlags: flagsFromKernel(p.packet.tcpFlags) } : {};
  if (directionOf(p, firstRequest, result.flow) === 'request') return { direction: 'request', ...tcp };
  if (isIcmpError(result.flow, p.packet)) {
    const type = p.packet.icmpType !== undefined && /^\d+$/.test(p.packet.icmpType) ? { icmpType: Number(p.packet.icmpType) } : {};
    return { direction: 'reply', error: true, ...type };
  }
  return { direction: 'reply', ...tcp };
}

/** The simulator's question for packet `index` of a flow the kernel traced. */
export function questionFor(result: LabFlowResult, index: number, endpoints: Endpoints): PacketQuestion {
  const packets = result.packets;
  const p = packets[index];
  if (p === undefined) throw new Error(`flow '${result.name}' has no packet ${index + 1}`);
  const firstRequest = packets.find((q) => q.direction === 'request');
  const first = firstPacketSpec(result.flow, result.client, result.server, endpoints, firstRequest?.packet);
  const earlierReplies = packets.slice(0, index).filter((q) => directionOf(q, firstRequest, result.flow) === 'reply').length;
  const step = conversationStep(result, index, firstRequest);
  const start = firstRequest === undefined ? -1 : packets.indexOf(firstRequest);
  const conversation = start >= 0 && index > start
    ? [...packets.slice(start + 1, index).map((_, k) => conversationStep(result, start + 1 + k, firstRequest)), step]
    : undefined;
  const base = { first, client: result.client, server: result.server, observed: p.packet, ...(conversation ? { conversation } : {}) };
  if (p === firstRequest) return { role: 'first', spec: first, ...base };
  // The same packet as a single question (`--state`, `--reply`), from its step, so both say the same.
  const { tcpFlags: _flags, ...withoutFlags } = first;
  const flags = step.tcpFlags !== undefined ? { tcpFlags: step.tcpFlags } : {};
  if (step.direction === 'request') {
    const spec: PacketSpec = { ...first, ...flags };
    if (earlierReplies === 0) return { role: 'retransmission', spec, ...base };
    return { role: 'later', spec: { ...spec, state: 'ESTABLISHED' }, ...base };
  }
  if (step.error) {
    const spec: PacketSpec = { ...withoutFlags, reply: true, state: 'RELATED', ...(step.icmpType !== undefined ? { icmpType: step.icmpType } : {}) };
    return { role: 'error', spec, ...base };
  }
  return { role: 'reply', spec: { ...first, reply: true, ...flags }, ...base };
}

const TERMINAL = new Set(['ACCEPT', 'DROP', 'QUEUE', 'STOLEN']);

function endsTraversal(steps: readonly Step[]): boolean {
  const last = steps[steps.length - 1];
  return last === undefined || last.type === 'policy' || (last.verdict !== undefined && TERMINAL.has(last.verdict));
}

export interface MendOptions {
  /** Mend the REJECT ordering below: the trace came from nf_tables and was not reordered already. */
  nft: boolean;
  /** Is this step's rule a REJECT rule (its target in the ruleset)? */
  isReject: (step: Step) => boolean;
}

/**
 * The lab's packets of one flow, mended where its packet splitter cuts a packet in two:
 *
 * * A packet a host sends to itself leaves through OUTPUT/POSTROUTING and comes back in on `lo` through
 *   PREROUTING/INPUT; the nft trace gives it a new id at PREROUTING, so the lab splits it. One packet again
 *   (the part after `lo` may have no step at all: its nat chains are skipped, the translation was set up in
 *   OUTPUT).
 * * With nf_tables the trace event of a REJECT rule is emitted after its target ran, i.e. after the events of the
 *   RST / ICMP error the target sent (docs/netfilter.md §reject), so the rule's step lands in a packet of its own
 *   after the answer. It goes back to the end of the rejected packet: the latest earlier packet that stopped at
 *   that hook either in the middle of a table (its last step neither a policy nor a terminal verdict) or before
 *   reaching the REJECT rule's table.
 */
export function mendPackets(packets: readonly LabPacket[], options: MendOptions): LabPacket[] {
  const joined: LabPacket[] = [];
  for (const p of packets) {
    const prev = joined[joined.length - 1];
    const lastHook = prev?.steps[prev.steps.length - 1]?.hook;
    const firstHook = p.steps[0]?.hook;
    if (prev && p.packet.iif === 'lo' && (firstHook === undefined || firstHook === 'PREROUTING' || firstHook === 'INPUT') && (lastHook === 'POSTROUTING' || lastHook === 'OUTPUT')) {
      joined[joined.length - 1] = { ...prev, steps: [...prev.steps, ...p.steps] };
    } else {
      joined.push(p);
    }
  }
  if (!options.nft) return joined;
  const out: LabPacket[] = [];
  for (const p of joined) {
    const head = p.steps[0];
    const target = head !== undefined && head.type === 'rule' && options.isReject(head) ? rejectedPacket(out, head, p.direction) : undefined;
    if (target) {
      const hook = target.steps[target.steps.length - 1]?.hook;
      const moved = p.steps.map((s) => (s.hook === undefined && hook !== undefined ? { ...s, hook } : s));
      out[out.indexOf(target)] = { ...target, steps: [...target.steps, ...moved] };
    } else {
      out.push(p);
    }
  }
  return out;
}

/** Position of a hook chain in an IPv4 packet's path (PREROUTING/OUTPUT 0, INPUT/FORWARD 1, POSTROUTING 2). */
function hookPosition(chain: string): number | undefined {
  const hook = hookOfHookChain(chain);
  return hook === undefined ? undefined : hookStage(hook);
}

/**
 * The packet a REJECT step cut short: the latest earlier packet whose trace stops either at the REJECT's hook,
 * unfinished or before reaching the REJECT's table there, or (REJECT in INPUT/FORWARD) at PREROUTING without
 * having been dropped; or a packet in the same direction without any step (every table it passed before the
 * REJECT is one the user's rules do not have).
 */
function rejectedPacket(earlier: readonly LabPacket[], reject: Step, direction: 'request' | 'reply'): LabPacket | undefined {
  for (let i = earlier.length - 1; i >= 0; i--) {
    const q = earlier[i]!;
    const last = q.steps[q.steps.length - 1];
    if (last === undefined) {
      if (q.direction === direction) return q;
      continue;
    }
    if (reject.hook === undefined) {
      if (!endsTraversal(q.steps)) return q;
      continue;
    }
    if (last.hook === reject.hook) {
      const reached = q.steps.some((s) => s.family === reject.family && s.table === reject.table && s.hook === reject.hook);
      if (!endsTraversal(q.steps) || !reached) return q;
    } else if (last.hook === 'PREROUTING' && hookPosition(reject.hook) === 1 && last.verdict !== 'DROP') {
      return q;
    }
  }
  return undefined;
}
