// Parsers for the three kernel trace formats the lab captures (formats: docs/netfilter.md §traces):
//   * legacy x_tables TRACE: `TRACE: <table>:<chain>:<rule|return|policy>:<num> IN=.. OUT=.. ...` — as printed
//     by scripts/nflog-trace.py (from nfnetlink_log group 0) and as found in a real host's kernel log;
//   * `xtables-monitor --trace`: ` TRACE: <family> <id> <table>:<chain>:rule:0x<handle>:<verdict>  <rule text>`,
//     `...:policy:<verdict>`, `...:return:<verdict>` and `PACKET: <family> <id> IN=.. OUT=.. SRC=..` lines;
//   * `nft monitor trace` (with -a for handles): `trace id <id> <family> <table> <chain> packet: ...`,
//     `... rule <nft rule> # handle N (verdict <v>)`, `... policy <v>`, `... verdict <v>`.
// The parsers only read text; turning events into per-packet, per-rule steps is normalize.ts's job.

export type LegacyTraceType = 'rule' | 'return' | 'policy';

export interface LegacyTraceEvent {
  format: 'legacy';
  table: string;
  chain: string;
  type: LegacyTraceType;
  /** 1-based position as the kernel printed it (see docs/netfilter.md §legacy-trace for the policy/return numbering). */
  rulenum: number;
  /** KEY=VALUE pairs after the prefix (IN, OUT, PHYSIN, PHYSOUT, SRC, DST, MARK, ...). A key seen a second time
   *  (e.g. the ICMP `ID=` after the IP `ID=`) is stored as KEY_2. */
  fields: Record<string, string>;
  /** Bare words such as DF, SYN, ACK. */
  flags: string[];
  /** Hook name, when the capture knew it (NFLOG header; HOOK= field of nflog-trace.py). */
  hook?: string;
  line: string;
}

export interface XtablesTraceEvent {
  format: 'xtables-monitor';
  /** NFPROTO number: 2 IPv4, 7 bridge, 10 IPv6. */
  family: number;
  id: string;
  table: string;
  chain: string;
  type: 'rule' | 'policy' | 'return';
  handle?: number;
  /** Normalised verdict: ACCEPT, DROP, CONTINUE, RETURN, JUMP:<c>, GOTO:<c>, QUEUE, STOLEN, BREAK, or as printed. */
  verdict: string;
  /** The rule re-printed in iptables syntax (`-4 -t filter -A FORWARD -j DOCKER-USER`); absent for bridge rules. */
  ruleText?: string;
  line: string;
}

export interface XtablesPacketEvent {
  format: 'xtables-monitor-packet';
  family: number;
  id: string;
  fields: Record<string, string>;
  flags: string[];
  line: string;
}

export interface PacketInfo {
  iif?: string;
  oif?: string;
  saddr?: string;
  daddr?: string;
  /** icmp, tcp, udp, ... */
  proto?: string;
  sport?: number;
  dport?: number;
  icmpType?: string;
  tcpFlags?: string;
  mark?: string;
  /** The IPv4 header's identification (ID= / `ip id`): with the trace id, it tells apart packets in flight at once. */
  ipId?: number;
}

export interface NftTraceEvent {
  format: 'nft-monitor';
  id: string;
  /** ip, ip6, inet, bridge, arp, netdev */
  family: string;
  table: string;
  chain: string;
  kind: 'packet' | 'rule' | 'policy' | 'verdict' | 'other';
  /** Normalised as for xtables-monitor (ACCEPT, DROP, CONTINUE, RETURN, JUMP:<c>, ...). */
  verdict?: string;
  handle?: number;
  /** Everything after the chain name. */
  text: string;
  /** For packet lines: what the hook saw. */
  packet?: PacketInfo;
  line: string;
}

export type TraceEvent = LegacyTraceEvent | XtablesTraceEvent | XtablesPacketEvent | NftTraceEvent;

/** KEY=VALUE words into fields (duplicates become KEY_2, KEY_3), other words into flags. */
export function parseFields(words: string[]): { fields: Record<string, string>; flags: string[] } {
  const fields: Record<string, string> = {};
  const flags: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq <= 0) {
      if (w !== '') flags.push(w);
      continue;
    }
    let key = w.slice(0, eq);
    if (key in fields) {
      let n = 2;
      while (`${key}_${n}` in fields) n++;
      key = `${key}_${n}`;
    }
    fields[key] = w.slice(eq + 1);
  }
  return { fields, flags };
}

const LEGACY_RE = /TRACE: ([^\s:]+):(\S+):(rule|return|policy):(\d+)\s?(.*)$/;

export function parseLegacyTrace(text: string): LegacyTraceEvent[] {
  const out: LegacyTraceEvent[] = [];
  for (const line of text.split('\n')) {
    const m = LEGACY_RE.exec(line);
    // Lines of the xtables-monitor format also contain "TRACE: "; they start with a family number, not table:.
    if (!m || /TRACE: \d+ [0-9a-f]+ /.test(line)) continue;
    const { fields, flags } = parseFields((m[5] ?? '').trim().split(/\s+/));
    const ev: LegacyTraceEvent = {
      format: 'legacy',
      table: m[1]!,
      chain: m[2]!,
      type: m[3] as LegacyTraceType,
      rulenum: Number(m[4]),
      fields,
      flags,
      line,
    };
    if (fields.HOOK) ev.hook = fields.HOOK;
    out.push(ev);
  }
  return out;
}

/**
 * xtables-monitor prints verdicts with print_verdict() (iptables/xtables-monitor.c): ACCEPT, DROP, QUEUE, STOLEN,
 * BREAK, CONTINUE, JUMP:<chain>, GOTO:<chain>, and any other code as hex — NFT_RETURN (-5) therefore appears as
 * 0xfffffffb (docs/netfilter.md §nft-trace). Normalised here to RETURN.
 */
export function normaliseXtablesVerdict(v: string): string {
  if (v.toLowerCase() === '0xfffffffb') return 'RETURN';
  return v;
}

const XT_TRACE_RE = /^\s*TRACE: (\d+) ([0-9a-f]+) ([^\s:]+):(.+?):(rule|policy|return):(.*)$/;
const XT_PACKET_RE = /^\s*PACKET: (\d+) ([0-9a-f]+) (.*)$/;

export function parseXtablesMonitorTrace(text: string): (XtablesTraceEvent | XtablesPacketEvent)[] {
  const out: (XtablesTraceEvent | XtablesPacketEvent)[] = [];
  for (const line of text.split('\n')) {
    const p = XT_PACKET_RE.exec(line);
    if (p) {
      const { fields, flags } = parseFields(p[3]!.trim().split(/\s+/));
      out.push({ format: 'xtables-monitor-packet', family: Number(p[1]), id: p[2]!, fields, flags, line });
      continue;
    }
    const m = XT_TRACE_RE.exec(line);
    if (!m) continue;
    const type = m[5] as XtablesTraceEvent['type'];
    const rest = m[6]!;
    const ev: XtablesTraceEvent = { format: 'xtables-monitor', family: Number(m[1]), id: m[2]!, table: m[3]!, chain: m[4]!, type, verdict: '', line };
    if (type === 'rule') {
      // 0x<handle>:<verdict>  <rule text>   (verdict itself may contain ':' as in JUMP:DOCKER)
      const r = /^0x([0-9a-f]+):(\S+)\s*(.*)$/.exec(rest);
      if (!r) continue;
      ev.handle = parseInt(r[1]!, 16);
      ev.verdict = normaliseXtablesVerdict(r[2]!);
      const txt = r[3]!.trim();
      if (txt !== '') ev.ruleText = txt;
    } else {
      ev.verdict = normaliseXtablesVerdict(rest.trim().split(/\s+/)[0] ?? '');
    }
    out.push(ev);
  }
  return out;
}

/** nft verdict words (`continue`, `jump X`, `return`, ...) in the xtables-monitor vocabulary. */
export function normaliseNftVerdict(v: string): string {
  const [word = '', target] = v.trim().split(/\s+/);
  switch (word) {
    case 'jump':
      return `JUMP:${target ?? ''}`;
    case 'goto':
      return `GOTO:${target ?? ''}`;
    default:
      return word.toUpperCase();
  }
}

const NFT_RE = /^trace id ([0-9a-f]+) (\S+) (\S+) (\S+) (.*)$/;

export function parseNftPacket(text: string): PacketInfo {
  const info: PacketInfo = {};
  const q = (re: RegExp): string | undefined => re.exec(text)?.[1];
  const iif = q(/\biif "([^"]*)"/);
  const oif = q(/\boif "([^"]*)"/);
  const saddr = q(/\bip6? saddr (\S+)/);
  const daddr = q(/\bip6? daddr (\S+)/);
  if (iif !== undefined) info.iif = iif;
  if (oif !== undefined) info.oif = oif;
  if (saddr !== undefined) info.saddr = saddr;
  const ipId = q(/\bip id (\d+)/);
  if (ipId !== undefined) info.ipId = Number(ipId);
  if (daddr !== undefined) info.daddr = daddr;
  const l4 = /\b(tcp|udp|sctp|icmp|icmpv6) /.exec(text.replace(/\bip6? protocol \S+/, ''));
  if (l4) info.proto = l4[1]!;
  const sport = q(/\b(?:tcp|udp|th) sport (\d+)/);
  const dport = q(/\b(?:tcp|udp|th) dport (\d+)/);
  if (sport !== undefined) info.sport = Number(sport);
  if (dport !== undefined) info.dport = Number(dport);
  const icmpType = q(/\bicmp(?:v6)? type (\S+)/);
  if (icmpType !== undefined) info.icmpType = icmpType;
  // nft 1.0.6 prints one flag by name (`tcp flags == syn`) and combinations as a number (`tcp flags == 0x12`).
  const named = /\btcp flags (?:== )?((?:fin|syn|rst|psh|ack|urg|ecn|ece|cwr)(?:\s*[|,]\s*(?:fin|syn|rst|psh|ack|urg|ecn|ece|cwr))*)\b/.exec(text);
  const numeric = /\btcp flags (?:== )?0x([0-9a-f]+)\b/.exec(text);
  if (numeric) {
    const bits = parseInt(numeric[1]!, 16);
    info.tcpFlags = canonicalTcpFlags(['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'].filter((_, i) => bits & (1 << i)));
  } else if (named) info.tcpFlags = canonicalTcpFlags(named[1]!.split(/\s*[|,]\s*/));
  const mark = q(/\bmeta mark (\S+)/);
  if (mark !== undefined) info.mark = mark;
  return info;
}

export function parseNftMonitorTrace(text: string): NftTraceEvent[] {
  const out: NftTraceEvent[] = [];
  for (const line of text.split('\n')) {
    const m = NFT_RE.exec(line.trimEnd());
    if (!m) continue;
    const rest = m[5]!;
    const ev: NftTraceEvent = { format: 'nft-monitor', id: m[1]!, family: m[2]!, table: m[3]!, chain: m[4]!, kind: 'other', text: rest, line };
    if (rest.startsWith('packet:')) {
      ev.kind = 'packet';
      ev.packet = parseNftPacket(rest);
    } else if (rest.startsWith('rule ')) {
      ev.kind = 'rule';
      const v = /\(verdict ([^)]*)\)\s*$/.exec(rest);
      if (v) ev.verdict = normaliseNftVerdict(v[1]!);
      const h = /# handle (\d+)/.exec(rest);
      if (h) ev.handle = Number(h[1]);
    } else if (rest.startsWith('policy ')) {
      ev.kind = 'policy';
      ev.verdict = normaliseNftVerdict(rest.slice(7));
    } else if (rest.startsWith('verdict ')) {
      ev.kind = 'verdict';
      ev.verdict = normaliseNftVerdict(rest.slice(8));
    }
    out.push(ev);
  }
  return out;
}

const TCP_FLAG_ORDER = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'ecn', 'cwr'];

/** TCP flags lower-case, comma-separated, in header bit order (fin, syn, rst, psh, ack, urg, ece, cwr), whatever
 *  order the tool printed them in (nf_log prints ACK before SYN, xtables-monitor SYN before ACK). */
export function canonicalTcpFlags(flags: string[]): string {
  const set = new Set(flags.map((f) => f.toLowerCase()));
  return TCP_FLAG_ORDER.filter((f) => set.has(f)).join(',');
}

/** PacketInfo from xtables-monitor PACKET fields or legacy TRACE fields (the same KEY=VALUE vocabulary). */
export function packetInfoFromFields(fields: Record<string, string>, flags: string[]): PacketInfo {
  const info: PacketInfo = {};
  if (fields.IN) info.iif = fields.IN;
  if (fields.OUT) info.oif = fields.OUT;
  if (fields.SRC) info.saddr = fields.SRC;
  if (fields.DST) info.daddr = fields.DST;
  if (fields.PROTO) info.proto = fields.PROTO.toLowerCase();
  const sport = fields.SPT ?? fields.SPORT;
  const dport = fields.DPT ?? fields.DPORT;
  if (sport) info.sport = Number(sport);
  if (dport) info.dport = Number(dport);
  if (fields.TYPE) info.icmpType = fields.TYPE;
  const tcp = flags.filter((f) => /^(SYN|ACK|FIN|RST|PSH|URG|ECE|CWR)$/.test(f));
  if (tcp.length) info.tcpFlags = canonicalTcpFlags(tcp);
  if (fields.MARK) info.mark = fields.MARK;
  if (fields.ID !== undefined && /^\d+$/.test(fields.ID)) info.ipId = Number(fields.ID);
  return info;
}
