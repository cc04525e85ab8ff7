// Which lines belong to the same packet.
//   xtables-monitor and nft monitor: the trace id (`%08x`) — except that the kernel gives a frame a new id when a
//   bridge hands it up to the IP stack (docs/netfilter.md §nft-trace: raw PREROUTING under one id, filter FORWARD under
//   another). A group whose first IP hook is not where packets enter (PREROUTING, or OUTPUT for local ones) is
//   joined to the latest earlier packet it continues: same addresses (one side may be NATed), same IPv4 ID, same
//   ports, and an earlier hook.
//   legacy TRACE lines carry no id: a line continues the latest open packet with the same identity whose last
//   visited (hook, table) comes before this one's in the path (docs/netfilter.md §traversal-order), or whose traversal of this table is still
//   open (user chains have no hook of their own); otherwise it starts a new packet. Interleaved packets of
//   different flows are kept apart by their fields.
import { HOOK_STAGE, visitRank } from './hooks';
import type { PacketFields, StepLine, TraceLine } from './types';

export interface StepInfo {
  /** The line is in a base chain (its chain name is the hook). */
  base: boolean;
  /** The line ends its table's traversal of the hook (ACCEPT, DROP, REJECT, QUEUE, or the policy). */
  ends: boolean;
  /** The packet was dropped or rejected here. */
  drops: boolean;
}

export interface PacketGroup {
  lines: TraceLine[];
  ids: string[];
  stitched: string | null;
}

/** Could `b` be the same packet as `a`, seen at a later hook? NAT rewrites one side at a time. */
export function sameIdentity(a: PacketFields, b: PacketFields): boolean {
  const eq = <T>(x: T | undefined, y: T | undefined) => x === undefined || y === undefined || x === y;
  if (!eq(a.proto, b.proto) || !eq(a.ipId, b.ipId) || !eq(a.icmpType, b.icmpType) || !eq(a.icmpSeq, b.icmpSeq)) return false;
  if (a.src !== undefined && b.src !== undefined && a.dst !== undefined && b.dst !== undefined && a.src !== b.src && a.dst !== b.dst) return false;
  if (a.sport !== undefined && b.sport !== undefined && a.dport !== undefined && b.dport !== undefined && a.sport !== b.sport && a.dport !== b.dport) return false;
  return true;
}

/** How many open packets a line is compared with, newest first: packets interleave in a log only over a short
 *  stretch, and the bound keeps a long log linear. */
const LOOKBACK = 256;

interface Open {
  group: PacketGroup;
  first: number;
  lastRank: number | null;
  packet: PacketFields;
  /** `family:table` traversals still running. */
  open: Set<string>;
  dropped: boolean;
}

function isStep(l: TraceLine): l is StepLine {
  return l.kind === 'legacy' || l.kind === 'xtables' || l.kind === 'nft';
}

function groupLegacy(lines: readonly TraceLine[], info: (l: StepLine) => StepInfo, out: Open[]): void {
  const live: Open[] = [];
  for (const line of lines) {
    if (line.kind !== 'legacy') continue;
    const i = info(line);
    const rank = visitRank(i.base ? line.chain : null, line.table);
    const key = `${line.family}:${line.table}`;
    let target: Open | undefined;
    for (let k = live.length - 1; k >= Math.max(0, live.length - LOOKBACK) && !target; k--) {
      const o = live[k]!;
      if (o.dropped || !sameIdentity(o.packet, line.packet)) continue;
      if (rank !== null) {
        if (o.lastRank !== null && rank < o.lastRank) continue;
        if (o.lastRank !== null && rank === o.lastRank && !o.open.has(key)) continue;
      } else if (!o.open.has(key)) continue;
      target = o;
    }
    if (!target) {
      target = { group: { lines: [], ids: [], stitched: null }, first: line.line, lastRank: null, packet: {}, open: new Set(), dropped: false };
      live.push(target);
      out.push(target);
    }
    target.group.lines.push(line);
    target.packet = { ...target.packet, ...line.packet };
    if (rank !== null && (target.lastRank === null || rank > target.lastRank)) {
      target.open.add(key);
      target.lastRank = rank;
    }
    if (i.ends) target.open.delete(key);
    if (i.drops) target.dropped = true;
  }
}

interface IdGroup {
  id: string;
  lines: TraceLine[];
  first: number;
  /** Stage of the first / last IP hook seen (HOOK_STAGE), null when none. */
  firstStage: number | null;
  firstHook: string | null;
  lastStage: number | null;
  firstPacket: PacketFields;
  lastPacket: PacketFields;
  dropped: boolean;
  /** Latest (hook, table) rank per family, the base chain each table is in, and the traversals that ended. */
  rank: Map<string, number>;
  current: Map<string, string>;
  ended: Set<string>;
}

/** Rank of a base-chain line in its family's path; null for other lines. Bridge hooks are ordered by stage only. */
function lineRank(l: TraceLine, info: (l: StepLine) => StepInfo): number | null {
  if (l.kind === 'legacy' || l.kind === 'xtables-packet') return null;
  const stage = HOOK_STAGE.get(l.chain);
  if (stage === undefined || (l.kind !== 'nft-packet' && !info(l).base)) return null;
  return l.family === 'ip' || l.family === 'ip6' ? visitRank(l.chain, l.table) : stage * 1000;
}

/**
 * nf_tables_trace.c nft_trace_init() hashes the skb's address, its flow hash and skb_iif into the trace id (the
 * kernel's own comment: an address alone gives "a limited number of values (and quick reuse)"), so a later packet can
 * still get an id seen before: a line that goes back in the path of its family, or restarts a traversal that already
 * ended, belongs to a new packet. (skb_iif is also why the id changes when a bridge hands a frame up to IP.)
 */
function reusesId(g: IdGroup, l: TraceLine, rank: number | null): boolean {
  if (rank === null || l.kind === 'legacy' || l.kind === 'xtables-packet') return false;
  const last = g.rank.get(l.family);
  if (last === undefined) return false;
  if (rank < last) return true;
  return rank === last && g.ended.has(`${l.family}:${l.table}:${l.chain}`);
}

function ipHookOf(l: TraceLine, info: (l: StepLine) => StepInfo): string | null {
  if (l.kind === 'nft-packet') return (l.family === 'ip' || l.family === 'ip6') && HOOK_STAGE.has(l.chain) ? l.chain : null;
  if (l.kind === 'xtables' || l.kind === 'nft') {
    if (l.family !== 'ip' && l.family !== 'ip6') return null;
    return info(l).base && HOOK_STAGE.has(l.chain) ? l.chain : null;
  }
  return null;
}

function groupById(lines: readonly TraceLine[], info: (l: StepLine) => StepInfo, out: Open[]): void {
  const byId = new Map<string, IdGroup>();
  const order: IdGroup[] = [];
  for (const line of lines) {
    if (line.kind === 'legacy') continue;
    let g = byId.get(line.id);
    const rank = lineRank(line, info);
    if (!g || reusesId(g, line, rank)) {
      g = {
        id: line.id, lines: [], first: line.line, firstStage: null, firstHook: null, lastStage: null, firstPacket: {}, lastPacket: {},
        dropped: false, rank: new Map(), current: new Map(), ended: new Set(),
      };
      byId.set(line.id, g);
      order.push(g);
    }
    g.lines.push(line);
    if (rank !== null && line.kind !== 'xtables-packet') {
      g.rank.set(line.family, Math.max(g.rank.get(line.family) ?? rank, rank));
      g.current.set(`${line.family}:${line.table}`, line.chain);
    }
    if (isStep(line) && info(line).ends) {
      const base = g.current.get(`${line.family}:${line.table}`);
      if (base !== undefined) g.ended.add(`${line.family}:${line.table}:${base}`);
    }
    const hook = ipHookOf(line, info);
    if (hook !== null) {
      const stage = HOOK_STAGE.get(hook)!;
      if (g.firstStage === null) {
        g.firstStage = stage;
        g.firstHook = hook;
      }
      g.lastStage = Math.max(g.lastStage ?? stage, stage);
    }
    if (line.kind === 'xtables-packet' || line.kind === 'nft-packet') {
      if (Object.keys(g.firstPacket).length === 0) g.firstPacket = line.packet;
      g.lastPacket = { ...g.lastPacket, ...line.packet };
    }
    if (isStep(line) && info(line).drops) g.dropped = true;
  }
  const merged: { open: Open; lastStage: number | null; packet: PacketFields; dropped: boolean; ids: string[] }[] = [];
  for (const g of order) {
    const entry = g.firstHook === null || g.firstHook === 'PREROUTING' || g.firstHook === 'OUTPUT';
    let into: (typeof merged)[number] | undefined;
    if (!entry) {
      for (let k = merged.length - 1; k >= Math.max(0, merged.length - LOOKBACK) && !into; k--) {
        const m = merged[k]!;
        if (m.dropped || m.lastStage === null || g.firstStage === null || m.lastStage >= g.firstStage) continue;
        if (!sameIdentity(m.packet, g.firstPacket)) continue;
        into = m;
      }
    }
    if (into) {
      const prev = into.ids[into.ids.length - 1]!;
      into.open.group.lines.push(...g.lines);
      into.open.group.lines.sort((a, b) => a.line - b.line);
      into.ids.push(g.id);
      into.open.group.ids.push(g.id);
      const why = `trace id ${prev} became ${g.id} at ${g.firstHook}: the kernel gives a frame a new id when a bridge hands it up to IP (docs/netfilter.md §nft-trace); joined by addresses, IPv4 ID and ports`;
      into.open.group.stitched = into.open.group.stitched ? `${into.open.group.stitched}; ${why}` : why;
      into.lastStage = Math.max(into.lastStage ?? 0, g.lastStage ?? 0);
      into.packet = { ...into.packet, ...g.lastPacket };
      into.dropped ||= g.dropped;
      continue;
    }
    const open: Open = { group: { lines: [...g.lines], ids: [g.id], stitched: null }, first: g.first, lastRank: null, packet: g.lastPacket, open: new Set(), dropped: g.dropped };
    merged.push({ open, lastStage: g.lastStage, packet: g.lastPacket, dropped: g.dropped, ids: [g.id] });
    out.push(open);
  }
}

/** Split the lines of a log into packets, in order of each packet's first line. */
export function groupPackets(lines: readonly TraceLine[], info: (l: StepLine) => StepInfo): PacketGroup[] {
  const all: Open[] = [];
  groupLegacy(lines, info, all);
  groupById(lines, info, all);
  return all.sort((a, b) => a.first - b.first).map((o) => o.group);
}
