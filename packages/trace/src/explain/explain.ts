// explainTrace(): a real kernel trace plus the snapshots of the traced host → every trace line tied to the rule
// it refers to, the lines grouped per packet, and each packet's path, verdict and NAT. Reading (read.ts), mapping
// (locate.ts), grouping (group.ts) and the path replay (path.ts) are separate; this file wires them together.
import { findChain, type Snapshot } from '@chainsight/grammar';
import { groupPackets, type PacketGroup, type StepInfo } from './group';
import { isBaseChain, isHookName } from './hooks';
import { locate } from './locate';
import { buildPath, finalVerdict, natSeen, stepVerdict, TERMINAL, type LocatedStep } from './path';
import { formatOf, readTraceLog } from './read';
import { SnapshotIndex } from './snapshot-index';
import type {
  ExplainNote, ExplainedLine, ExplainedPacket, Explanation, Mapping, PacketFields, StepLine, TraceFamily, TraceLine, TraceLog,
} from './types';

export interface ExplainOptions {
  /** Name of the log in the output (when `input` is text). */
  fileName?: string;
}

export function isStepLine(l: TraceLine): l is StepLine {
  return l.kind === 'legacy' || l.kind === 'xtables' || l.kind === 'nft';
}

function withIr(mapping: Mapping, line: StepLine, index: SnapshotIndex): LocatedStep {
  if (mapping.kind === 'unmapped') return { mapping, rule: null, chain: null, file: null };
  const table = mapping.kind === 'rule' ? mapping.rule.table : mapping.chain.table;
  const chainName = mapping.kind === 'rule' ? mapping.rule.chain : mapping.chain.chain;
  const hit = index.table(line.family, table);
  const chain = hit ? findChain(hit.table, chainName) ?? null : null;
  const rule = mapping.kind === 'rule' ? chain?.rules[mapping.rule.index - 1] ?? null : null;
  return { mapping, rule, chain, file: hit?.snapshot.fileName ?? null };
}

const idOf = (l: TraceLine): string | null => (l.kind === 'legacy' ? null : l.id);

/** The packet each line shows: its own fields, or the latest PACKET/packet: line of its trace id (xtables-monitor
 *  before 2020 printed PACKET after the rule line, so the next one is used when none came before). */
function packetsOf(lines: readonly TraceLine[]): Map<TraceLine, PacketFields> {
  const out = new Map<TraceLine, PacketFields>();
  const latest = new Map<string, PacketFields>();
  const pending: TraceLine[] = [];
  for (const l of lines) {
    const id = idOf(l);
    if (l.kind === 'legacy') {
      out.set(l, l.packet);
    } else if (l.kind === 'xtables-packet' || l.kind === 'nft-packet') {
      // Each packet line is a complete view; an nft `conntrack:` line only adds the state to the one that follows.
      const merged = l.kind === 'nft-packet' && l.packet.ctState === undefined ? { ...l.packet, ...pickCt(latest.get(l.id)) } : l.packet;
      latest.set(l.id, merged);
      out.set(l, l.packet);
      for (let k = pending.length - 1; k >= 0; k--) {
        if (idOf(pending[k]!) === l.id) {
          out.set(pending[k]!, merged);
          pending.splice(k, 1);
        }
      }
    } else if (id !== null) {
      const p = latest.get(id);
      if (p) out.set(l, p);
      else pending.push(l);
    }
  }
  for (const l of pending) out.set(l, {});
  return out;
}

function pickCt(p: PacketFields | undefined): PacketFields {
  return p?.ctState !== undefined ? { ctState: p.ctState } : {};
}

function explainPacket(g: PacketGroup, n: number, located: Map<StepLine, LocatedStep>, index: SnapshotIndex): ExplainedPacket {
  const path = buildPath(g.lines, located, index);
  const packets = packetsOf(g.lines);
  const lines: ExplainedLine[] = g.lines.map((l, i) => {
    let hook: string | null = path.hooks.get(l) ?? null;
    if (l.kind === 'nft-packet') hook = isBaseChain(index, l.family, l.table, l.chain) && isHookName(l.chain) ? l.chain : null;
    if (l.kind === 'xtables-packet') {
      const next = g.lines.slice(i + 1).find((x) => x.kind === 'xtables' && x.id === l.id);
      hook = next ? path.hooks.get(next) ?? null : null;
    }
    return { line: l, hook, mapping: isStepLine(l) ? path.mappings.get(l) ?? null : null, packet: packets.get(l) ?? {} };
  });
  const first = lines.find((l) => Object.keys(l.packet).length > 0)?.packet ?? {};
  const ct = lines.find((l) => l.packet.ctState !== undefined)?.packet.ctState;
  const packet: PacketFields = ct !== undefined ? { ...first, ctState: ct } : first;
  const lastWithOut = [...lines].reverse().find((l) => l.packet.out)?.packet ?? packet;
  const steps = g.lines.filter(isStepLine);
  const family: TraceFamily = steps.find((s) => s.family === 'ip' || s.family === 'ip6')?.family ?? steps[0]?.family ?? 'unknown';
  const hooks: string[] = [];
  for (const s of path.steps) if (s.hook && hooks[hooks.length - 1] !== s.hook) hooks.push(s.hook);
  return {
    index: n,
    format: formatOf(g.lines[0]!),
    family,
    traceIds: g.ids,
    stitched: g.stitched,
    packet,
    lines,
    path: path.steps,
    verdict: finalVerdict(path.steps, lastWithOut),
    nat: natSeen(g.lines, path),
    hooks,
  };
}

export function explainTrace(input: string | TraceLog, snapshots: readonly Snapshot[], options: ExplainOptions = {}): Explanation {
  const log = typeof input === 'string' ? readTraceLog(input, options.fileName !== undefined ? { fileName: options.fileName } : {}) : input;
  const index = new SnapshotIndex(snapshots);
  const notes: ExplainNote[] = [];
  const located = new Map<StepLine, LocatedStep>();
  for (const line of log.lines) {
    if (!isStepLine(line)) continue;
    const r = locate(line, index);
    notes.push(...r.notes);
    located.set(line, withIr(r.mapping, line, index));
  }
  const info = (l: StepLine): StepInfo => {
    const loc = located.get(l)!;
    const v = stepVerdict(l, loc) ?? '';
    const base = isBaseChain(index, l.family, l.table, l.chain);
    const policyLine = loc.mapping.kind === 'policy' || (loc.mapping.kind === 'unmapped' && l.label === 'policy' && base);
    return { base, ends: TERMINAL.has(v) || policyLine, drops: v === 'DROP' || v === 'REJECT' };
  };
  const packets = groupPackets(log.lines, info).map((g, i) => explainPacket(g, i + 1, located, index));

  let mapped = 0;
  let unmapped = 0;
  let ambiguous = 0;
  for (const p of packets) {
    for (const l of p.lines) {
      const m = l.mapping;
      if (!m) continue;
      if (m.kind === 'unmapped') {
        unmapped++;
        notes.push({ code: m.code, severity: 'warning', message: m.reason, line: l.line.line });
        continue;
      }
      mapped++;
      if (m.kind === 'rule' && m.alternatives.length > 0) {
        // Told apart by the handle: resolved; by order only: an inference the reader should know about.
        if (m.method !== 'handle') ambiguous++;
        notes.push({
          code: 'explain/ambiguous-rule', severity: 'info', line: l.line.line,
          message: `identical rules ${[m.rule, ...m.alternatives].map((r) => r.index).sort((a, b) => a - b).join(', ')} of ${m.rule.table} ${m.rule.chain}: ${m.reason}`,
        });
      }
    }
  }
  if (log.lines.length === 0) {
    notes.push({ code: 'explain/no-trace-lines', severity: 'warning', line: null, message: `no TRACE, PACKET or "trace id" line in ${log.fileName}` });
  }
  notes.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return {
    file: log.fileName,
    formats: log.formats,
    snapshots: snapshots.map((s) => ({ file: s.fileName, family: s.family, format: s.format, tables: s.tables.map((t) => t.name) })),
    packets,
    notes,
    stats: {
      totalLines: log.totalLines, traceLines: log.lines.length, skippedLines: log.skipped, joinedLines: log.joined,
      mapped, unmapped, ambiguous,
    },
  };
}
