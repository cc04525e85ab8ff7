// `--format json`, schema chainsight.trace/1 (documented in docs/trace-json.md): plain data, no IR objects, stable field order.
import type { NatApplied, Outcome, PacketView, TraceEvent, TraceResult } from '../types';

export const TRACE_JSON_SCHEMA = 'chainsight.trace/1';

export interface TraceJsonStep {
  hook: string;
  family: string;
  table: string;
  chain: string;
  rule: number | null;
  type: 'rule' | 'return' | 'policy';
  /** The legacy TRACE label (`policy:5`), see docs/trace-json.md. */
  trace: string;
  target: string | null;
  verdict: string;
  file: string;
  line: number | null;
  in: string;
  out: string;
  physin: string;
  physout: string;
  src: string;
  dst: string;
  mark: number;
}

export interface TraceJsonOutcome {
  probability: number;
  assumptions: string[];
  draws: string[];
  verdict: string;
  summary: string;
  nat: { type: string; table: string; chain: string; rule: number; file: string; line: number; to: string; by_this_packet: boolean }[];
  masquerade: boolean;
  egress: { dev: string; port: string | null; local: boolean } | null;
  packet: PacketView;
  mark: number;
  via: string | null;
  steps: TraceJsonStep[];
  events: { kind: string; after_step: number; text: string }[];
}

export interface TraceJson {
  schema: typeof TRACE_JSON_SCHEMA;
  packet: PacketView;
  inferred: string[];
  backend: { ip: string; bridge: string };
  truncated: boolean;
  /** When truncated: at least how many paths were not explored, and the forks they split on. */
  left_out?: { at_least: number; split_by: { assume: string | null; match: string; matches: number; paths: number }[] };
  outcomes: TraceJsonOutcome[];
}

function nat(n: NatApplied): TraceJsonOutcome['nat'][number] {
  return { type: n.type, table: n.table, chain: n.chain, rule: n.rule, file: n.file, line: n.line, to: n.to, by_this_packet: n.bySelf };
}

function event(e: TraceEvent): TraceJsonOutcome['events'][number] {
  return { kind: e.kind === 'log' ? `log:${e.source}` : e.kind, after_step: e.at, text: e.kind === 'log' ? e.prefix : e.text };
}

export function outcomeJson(o: Outcome): TraceJsonOutcome {
  return {
    probability: o.probability,
    assumptions: o.assumptions,
    draws: o.draws,
    verdict: o.verdict,
    summary: o.summary,
    nat: o.nat.map(nat),
    masquerade: o.masquerade,
    egress: o.egress,
    packet: o.packet,
    mark: o.mark,
    via: o.via ?? null,
    steps: o.steps.map((s) => ({
      hook: s.hook, family: s.family, table: s.table, chain: s.chain, rule: s.rule, type: s.type,
      trace: `${s.label.type}:${s.label.num}`, target: s.target, verdict: s.verdict, file: s.file, line: s.line,
      in: s.packet.in, out: s.packet.out, physin: s.packet.physIn, physout: s.packet.physOut,
      src: s.packet.src, dst: s.packet.dst, mark: s.packet.mark,
    })),
    events: o.events.map(event),
  };
}

export function toTraceJson(r: TraceResult): TraceJson {
  const leftOut = r.leftOut
    ? { left_out: { at_least: r.leftOut.atLeast, split_by: r.leftOut.splitBy.map((s) => ({ assume: s.assume, match: s.what, matches: s.matches, paths: s.paths })) } }
    : {};
  return { schema: TRACE_JSON_SCHEMA, packet: r.packet, inferred: r.inferred, backend: r.backend, truncated: r.truncated, ...leftOut, outcomes: r.outcomes.map(outcomeJson) };
}
