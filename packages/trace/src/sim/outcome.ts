// From one finished run to a public Outcome: steps and events with packet views, the NAT applied, MASQUERADE,
// the verdict and its summary.
import { fmtMac } from '../packet';
import type { NatApplied, Outcome, PacketView, TraceEvent, TraceStep } from '../types';
import type { ChoicesSaid } from './choice-text';
import type { PathEnd } from './path';
import type { Run } from './run';
import type { NatBinding, SimPacket } from './state';
import { formatIp } from '../addr';

export function viewOf(p: SimPacket): PacketView {
  return {
    family: p.v === 4 ? 'ipv4' : 'ipv6',
    src: formatIp(p.v, p.src),
    dst: formatIp(p.v, p.dst),
    proto: p.proto,
    sport: p.sport,
    dport: p.dport,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    icmpId: p.icmpId,
    icmpSeq: p.icmpSeq,
    tcpFlags: p.tcpFlags,
    mark: p.mark,
    length: p.length,
    ttl: p.ttl,
    tos: p.tos,
    ipId: p.ipId,
    df: p.df,
    srcMac: p.srcMac === null ? null : fmtMac(p.srcMac),
    dstMac: p.dstMac === null ? null : fmtMac(p.dstMac),
    in: p.in,
    out: p.out,
    physIn: p.physIn,
    physOut: p.physOut,
    ctState: p.ctState,
    ctDir: p.ctDir,
    uid: p.uid,
    gid: p.gid,
  };
}

function natTo(v: 4 | 6, b: NatBinding, icmp: boolean): string {
  if (b.unknownAddr !== undefined) {
    const port = icmp || b.port === null ? '' : `, port ${b.port}`;
    return `${b.unknownAddr} (unknown without host facts${port})`;
  }
  const a = formatIp(v, b.addr);
  if (icmp || b.port === null) return a;
  return v === 6 ? `[${a}]:${b.port}` : `${a}:${b.port}`;
}

export function natApplied(v: 4 | 6, b: NatBinding, bySelf: boolean, icmp: boolean): NatApplied {
  return { type: b.type, table: b.table, chain: b.chain, rule: b.rule, file: b.file, line: b.line, to: natTo(v, b, icmp), bySelf };
}

/** A step's packet not yet turned into its view (a SimPacket has the version `v`, a view its `family`). */
function isRaw(p: SimPacket | PacketView): p is SimPacket {
  return (p as SimPacket).v !== undefined;
}

export function buildOutcome(run: Run, end: PathEnd, said: ChoicesSaid): Outcome {
  const views = new Map<SimPacket, PacketView>();
  const view = (p: SimPacket) => {
    let v = views.get(p);
    if (!v) { v = viewOf(p); views.set(p, v); }
    return v;
  };
  // The run is finished: its raw steps become the public steps in place (only the packet turns into a view). A
  // resumed run's steps before its resume point are the first run's, already public (resume.ts): shared as they are.
  const steps = run.steps as unknown as TraceStep[];
  for (const s of run.steps) if (isRaw(s.packet)) (s as unknown as { packet: PacketView }).packet = view(s.packet);
  const events: TraceEvent[] = run.events.map((e) => (e.kind === 'log'
    ? { kind: 'log', at: e.at, source: e.source, prefix: e.prefix, hook: e.hook, step: e.step, text: e.prefix, packet: view(e.packet), ...(e.logIp !== undefined ? { logIp: e.logIp } : {}), ...(e.level !== undefined ? { level: e.level } : {}), ...(e.flags ? { flags: e.flags } : {}) }
    : { kind: e.kind, at: e.at, text: e.text }) as TraceEvent);
  const p = run.p;
  const icmp = p.proto === 1 || p.proto === 58;
  const nat: NatApplied[] = [];
  const ct = p.ct;
  if (ct) {
    const self = new Set(run.natSet);
    if (ct.dnat) nat.push(natApplied(p.v, ct.dnat, self.has(ct.dnat), icmp));
    if (ct.snat) nat.push(natApplied(p.v, ct.snat, self.has(ct.snat), icmp));
  }
  const masq = p.ctDir === 'ORIGINAL' ? nat.find((n) => n.type === 'MASQUERADE') ?? null : null;
  // A packet dropped before POSTROUTING never reached the SNAT hook: only what was set up so far counts.
  const reachedPost = end.verdict === 'forwarded' || end.verdict === 'delivered';
  const { probability, assumptions, draws } = said;
  return {
    probability,
    assumptions,
    draws,
    verdict: end.verdict,
    summary: end.summary,
    decidedBy: end.step >= 0 ? steps[end.step] ?? null : null,
    nat: reachedPost ? nat : nat.filter((n) => n.bySelf),
    masquerade: reachedPost && masq !== null,
    masqueradeBy: reachedPost ? masq : null,
    egress: end.egress,
    packet: viewOf(p),
    mark: p.mark,
    steps,
    events,
  };
}
