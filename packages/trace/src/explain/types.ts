// Types of `explain`: the lines read from a real kernel trace (three formats, docs/netfilter.md §traces), what each
// line refers to in the user's snapshots, and the per-packet summary. Discriminated unions throughout; nothing
// here computes anything.
import type { Family } from '@chainsight/grammar';

export type TraceFormat = 'legacy' | 'xtables-monitor' | 'nft-monitor';

/** Address family of a trace line: nft family names; legacy lines are ip or ip6 by their addresses. */
export type TraceFamily = 'ip' | 'ip6' | 'bridge' | 'inet' | 'arp' | 'netdev' | 'unknown';

/** What came before the kernel's text on a log line (syslog, journalctl, dmesg, /dev/kmsg). */
export interface LogPrefix {
  /** The prefix verbatim (empty when the line starts with the kernel text). */
  text: string;
  /** Timestamp as written (`Nov 24 10:00:01`, `2026-11-24T10:00:01.123+00:00`, `12345.678901`). */
  time: string | null;
  /** Hostname of a syslog/journal line. */
  host: string | null;
}

/**
 * What a line tells about the packet, in one vocabulary for the three formats (legacy `IN= SRC=` fields,
 * xtables-monitor `PACKET:` fields, nft `packet:` expressions).
 */
export interface PacketFields {
  in?: string;
  out?: string;
  physIn?: string;
  physOut?: string;
  srcMac?: string;
  dstMac?: string;
  src?: string;
  dst?: string;
  /** Lower-case protocol name (`tcp`, `udp`, `icmp`, `icmpv6`) or the number as a string. */
  proto?: string;
  sport?: number;
  dport?: number;
  icmpType?: number;
  icmpCode?: number;
  icmpId?: number;
  icmpSeq?: number;
  /** IPv4 identification field: the same across every hook a packet crosses. */
  ipId?: number;
  ttl?: number;
  length?: number;
  /** TCP flags in header order, upper case (`SYN`, `ACK`). */
  tcpFlags?: string[];
  mark?: number;
  /** nft `conntrack:` lines (nftables ≥ 1.0.7): `new`, `established`, … */
  ctState?: string;
  uid?: number;
  gid?: number;
}

export type StepLabel = 'rule' | 'return' | 'policy';

interface LineBase {
  /** 1-based number of the (first) physical line in the log. */
  line: number;
  /** Last physical line (a wrapped line spans several). */
  endLine: number;
  /** The kernel's text, prefix removed, wrapped parts joined. */
  text: string;
  prefix: LogPrefix | null;
}

/** Legacy x_tables `TRACE: table:chain:type:num` line (ip_tables.c trace_packet(), docs/netfilter.md §legacy-trace, §legacy-log-line). */
export interface LegacyTraceLine extends LineBase {
  kind: 'legacy';
  family: 'ip' | 'ip6';
  table: string;
  chain: string;
  label: StepLabel;
  num: number;
  packet: PacketFields;
  /** The KEY=VALUE words as printed (a repeated key gets `_2`: the ICMP `ID=` after the IP `ID=`). */
  fields: Record<string, string>;
}

/** What xtables-monitor and nft monitor print about a traversal step (both read nf_tables' trace messages). */
export interface MonitorStep extends LineBase {
  family: TraceFamily;
  /** The trace id (`%08x`), one per packet and hook invocation chain. */
  id: string;
  table: string;
  chain: string;
  label: StepLabel;
  /** nft rule handle. */
  handle: number | null;
  /** Normalised: ACCEPT, DROP, CONTINUE, RETURN, JUMP:<c>, GOTO:<c>, QUEUE, STOLEN, BREAK, or as printed. */
  verdict: string | null;
  /** The rule as the tool printed it; null for policy/return lines and unknown handles. */
  ruleText: string | null;
}

/** xtables-monitor ` TRACE: <nfproto> <id> table:chain:rule|policy|return:…` (iptables xtables-monitor.c trace_cb());
 *  the rule re-printed in iptables syntax (`-4 -t filter -A FORWARD -j DOCKER-USER`). */
export interface XtablesTraceLine extends MonitorStep {
  kind: 'xtables';
}

/** xtables-monitor `PACKET: <nfproto> <id> IN=… SRC=…`. */
export interface XtablesPacketLine extends LineBase {
  kind: 'xtables-packet';
  family: TraceFamily;
  id: string;
  packet: PacketFields;
}

/** `nft monitor trace`: `trace id <id> <family> <table> <chain> rule|policy|verdict …` (nftables src/trace.c); the rule
 *  in nft syntax, counters and handle removed. */
export interface NftTraceLine extends MonitorStep {
  kind: 'nft';
}

export interface NftPacketLine extends LineBase {
  kind: 'nft-packet';
  family: TraceFamily;
  id: string;
  table: string;
  chain: string;
  packet: PacketFields;
}

export type TraceLine = LegacyTraceLine | XtablesTraceLine | XtablesPacketLine | NftTraceLine | NftPacketLine;
export type StepLine = LegacyTraceLine | XtablesTraceLine | NftTraceLine;

export interface TraceLog {
  fileName: string;
  lines: TraceLine[];
  /** Formats present, in order of first appearance. */
  formats: TraceFormat[];
  /** Physical lines that were not trace output (other log messages, blank lines). */
  skipped: number;
  /** Physical lines joined to the line before them (wrapped output). */
  joined: number;
  totalLines: number;
}

/** A rule of a snapshot, as the output shows it. */
export interface RuleRef {
  family: Family;
  table: string;
  chain: string;
  /** 1-based position in its chain. */
  index: number;
  file: string;
  line: number;
  /** The rule as written in the snapshot. */
  text: string;
  target: string | null;
}

export interface ChainRef {
  family: Family;
  table: string;
  chain: string;
  builtin: boolean;
  policy: string | null;
  rules: number;
  file: string;
  /** The chain declaration, when the snapshot has one. */
  line: number | null;
}

/**
 * How a line was tied to a rule: the legacy rule number (with the chain-end numbering of docs/netfilter.md §legacy-trace), the rule text
 * xtables-monitor printed, nft's rule text compared field by field, or the handle arithmetic of a freshly
 * restored table (docs/netfilter.md §nft-handles).
 */
export type MappingMethod = 'rulenum' | 'rule-text' | 'nft-text' | 'handle' | 'label';

/** Which reading of a legacy `type:num` applied (ip_tables.c get_chainname_rulenum()). */
export type LegacyCase =
  /** `rule:N`: rule N matched. */
  | 'rule'
  /** `policy:N` with N = rules + 1: the built-in chain's policy. */
  | 'policy'
  /** `return:N` with N = rules + 1: the implicit RETURN at the end of a user chain. */
  | 'return'
  /** `policy:N` / `return:N` with N ≤ rules: rule N is unconditional with a standard verdict (the quirk). */
  | 'unconditional-verdict';

export type Mapping =
  | {
      kind: 'rule';
      rule: RuleRef;
      method: MappingMethod;
      legacyCase: LegacyCase | null;
      /** Identical rules the line could also mean (empty when unambiguous). */
      alternatives: RuleRef[];
      /** Why this rule: one sentence for the reader. */
      reason: string;
    }
  | { kind: 'policy' | 'return'; chain: ChainRef; method: MappingMethod; legacyCase: LegacyCase | null; reason: string }
  | { kind: 'unmapped'; code: string; reason: string };

/** A problem found while reading or mapping; codes are stable (`explain/…`). */
export interface ExplainNote {
  code: string;
  severity: 'warning' | 'info';
  message: string;
  /** Log line it is about. */
  line: number | null;
}

/** One step of the path, in the vocabulary of the simulator's steps. */
export interface PathStep {
  family: TraceFamily;
  hook: string | null;
  table: string;
  chain: string;
  type: StepLabel;
  /** 1-based rule index, null for policy/return or when the line could not be mapped. */
  rule: number | null;
  /** ACCEPT, DROP, REJECT, CONTINUE, RETURN, JUMP:<c>, GOTO:<c>, QUEUE, …; null when unknown. */
  verdict: string | null;
  target: string | null;
  file: string | null;
  /** Line of the rule (or chain declaration) in the snapshot. */
  line: number | null;
  /** Log line that printed the step; null for an inferred step. */
  logLine: number | null;
  /** Not printed by the kernel: the implicit end of a user chain under nf_tables (docs/netfilter.md §nft-trace). */
  inferred: boolean;
}

/** An annotated log line. */
export interface ExplainedLine {
  line: TraceLine;
  /** The hook the line belongs to (from its base chain or the jump that led to it). */
  hook: string | null;
  mapping: Mapping | null;
  /** The packet as this line (or the PACKET line before it) shows it. */
  packet: PacketFields;
}

export type FinalVerdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | 'STOLEN' | 'left';

export interface NatSeen {
  type: string;
  hook: string | null;
  table: string;
  chain: string;
  rule: RuleRef | null;
  /** `--to-destination` / `--to-source` / `--to-ports` of the rule, when it has one. */
  to: string | null;
  logLine: number;
}

export interface ExplainedPacket {
  index: number;
  format: TraceFormat;
  family: TraceFamily;
  /** nft trace ids of the packet, in order (several when the id changed on the way, docs/netfilter.md §nft-trace). */
  traceIds: string[];
  /** How several trace ids (or unlabelled legacy lines) were joined into one packet, when they were. */
  stitched: string | null;
  /** The packet as the first traced hook saw it. */
  packet: PacketFields;
  lines: ExplainedLine[];
  path: PathStep[];
  verdict: { verdict: FinalVerdict; step: PathStep | null; text: string };
  nat: NatSeen[];
  /** Hooks in the order the packet crossed them. */
  hooks: string[];
}

export interface SnapshotInfo {
  file: string;
  family: Family;
  format: string;
  tables: string[];
}

export interface Explanation {
  file: string;
  formats: TraceFormat[];
  snapshots: SnapshotInfo[];
  packets: ExplainedPacket[];
  notes: ExplainNote[];
  stats: {
    totalLines: number;
    traceLines: number;
    skippedLines: number;
    joinedLines: number;
    mapped: number;
    unmapped: number;
    ambiguous: number;
  };
}
