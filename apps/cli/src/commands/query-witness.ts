// A query's witnesses, made believable: a witness is chosen to look like traffic (a first packet, an
// unprivileged source port, TTL 64 …) where the answer allows, and traced concretely by chainsight trace, whose
// matchers the kernel conformance suite checks. The check says whether the trace does what the answer claims.
import { formatIp, type Snapshot } from '@chainsight/grammar';
import { CT_STATES, PKT_TYPES, type ConcretePacket, type PacketSpace, type QueryAnswer, type QueryGoal } from '@chainsight/packet-set';
import { PacketError, compileRuleset, trace, type CompiledRuleset, type PacketSpec, type TraceResult } from '@chainsight/trace';

export interface WitnessCheck {
  /** The trace's outcomes, as `chainsight trace` summarises them. */
  summary: string;
  /** Whether the trace does what the answer claims (null: not checkable from a trace, or not traced). */
  confirms: boolean | null;
  what: string;
}

/** Sets a witness should meet where the answer allows (each applied only if the answer keeps some packet). */
export function preferredWitness(space: PacketSpace): number[] {
  const { f } = space;
  return [
    space.eq(f.ctState, CT_STATES.indexOf('NEW')),
    space.eq(f.ctReply, 0),
    space.eq(f.frag, 0),
    space.eq(f.pktType, PKT_TYPES.indexOf('host')),
    space.eq(f.mark, 0),
    space.eq(f.ctMark, 0),
    space.eq(f.tcpFlags, 0x02),
    space.range(f.sport, 40000, 65535),
    space.range(f.dport, 1, 65535),
    space.eq(f.ttl, 64),
    space.range(f.length, 60, 1500),
    space.eq(f.tos, 0),
    // Addresses a reader takes for hosts: not a network's zero address, not 0.0.0.0/8; a forwarded packet rather
    // than a local one where both are possible.
    space.masked(f.src, 1n, 1n),
    space.masked(f.dst, 1n, 1n),
    space.range(f.dst, 1n << BigInt(f.dst.width - 8), (1n << BigInt(f.dst.width)) - 1n),
    space.bdd.not(space.eq(f.iif, 0)),
  ];
}

const compiled = new WeakMap<Snapshot, CompiledRuleset>();

const TCP_FLAG_NAMES: [number, string][] = [[0x01, 'FIN'], [0x02, 'SYN'], [0x04, 'RST'], [0x08, 'PSH'], [0x10, 'ACK'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR']];

/** The witness as trace's packet options; null when trace cannot start from it (a reply packet). */
export function specOf(w: ConcretePacket, family: Snapshot['family']): PacketSpec | null {
  if (w.ctDir === 'REPLY') return null;
  const v = family === 'ipv6' ? 6 : 4;
  const spec: PacketSpec = { src: formatIp(v, w.src), dst: formatIp(v, w.dst), proto: w.proto, state: w.ctState as PacketSpec['state'] };
  if (w.sport !== null) spec.sport = w.sport;
  if (w.dport !== null) spec.dport = w.dport;
  if (w.icmpType !== null) { spec.icmpType = w.icmpType; spec.icmpCode = w.icmpCode ?? 0; }
  if (w.proto === 6) spec.tcpFlags = TCP_FLAG_NAMES.filter(([b]) => (w.tcpFlags & b) !== 0).map(([, n]) => n).join(',') || 'NONE';
  if (w.in) spec.in = w.in;
  else spec.local = true;
  if (w.out) spec.out = w.out;
  if (w.mark) spec.mark = w.mark;
  spec.length = w.length;
  spec.ttl = w.ttl;
  spec.tos = w.tos;
  return spec;
}

export function witnessTrace(snapshot: Snapshot, table: string, goal: QueryGoal, answer: QueryAnswer, w: ConcretePacket): WitnessCheck {
  const spec = specOf(w, snapshot.family);
  if (!spec) return { summary: 'not traced: the witness is a reply, which trace starts from its connection', confirms: null, what: '' };
  let c = compiled.get(snapshot);
  if (!c) compiled.set(snapshot, (c = compileRuleset([snapshot], null)));
  let result: TraceResult;
  try {
    result = trace(c, spec, {});
  } catch (e) {
    if (e instanceof PacketError) return { summary: `not traced: ${e.message}`, confirms: null, what: '' };
    throw e;
  }
  const summary = result.outcomes.map((o) => `${result.outcomes.length > 1 ? `p=${Math.round(o.probability * 1000) / 1000} ` : ''}${o.summary}`).join(' | ') || 'no outcome';
  const check = claim(result, table, goal, answer);
  return { summary, ...check };
}

function claim(result: TraceResult, table: string, goal: QueryGoal, answer: QueryAnswer): Omit<WitnessCheck, 'summary'> {
  const steps = result.outcomes.flatMap((o) => o.steps);
  switch (goal.kind) {
    case 'rule': {
      if (goal.reach) return { confirms: null, what: '' };
      const ok = steps.some((s) => s.table === table && s.chain === goal.chain && s.type === 'rule' && s.rule === goal.index);
      return { confirms: ok, what: ok ? `matches rule ${goal.index} of ${goal.chain}` : `does not match rule ${goal.index} of ${goal.chain} on its way (what comes before this table is outside the question)` };
    }
    case 'masquerade': {
      const ok = result.outcomes.some((o) => o.masquerade);
      return { confirms: ok, what: ok ? 'masqueraded' : 'not masqueraded on its way' };
    }
    case 'dnat': {
      const v = answer.space.family === 'ipv6' ? 6 : 4;
      const to = formatIp(v, goal.to);
      const ok = result.outcomes.some((o) => o.nat.some((n) => n.type === 'DNAT' && (n.to === to || n.to.startsWith(`${to}:`) || n.to.startsWith(`[${to}]`))));
      return { confirms: ok, what: ok ? `DNATed to ${to}` : `not DNATed to ${to} on its way` };
    }
    case 'verdict': {
      const policy = goal.verdict.startsWith('policy ') ? goal.verdict.slice(7) : null;
      const ok = steps.some((s) => s.table === table && (policy !== null ? s.type === 'policy' && s.verdict === policy : s.type === 'rule' && (s.verdict === goal.verdict || s.target === goal.verdict)));
      return { confirms: ok, what: ok ? `ends with ${goal.verdict} in ${table}` : `does not end with ${goal.verdict} in ${table} on its way` };
    }
  }
}
