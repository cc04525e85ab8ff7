// `--format kernel`: the lines the kernel would write to its log for this packet, in order — the legacy
// x_tables `TRACE: table:chain:type:num ` lines (ip_tables.c trace_packet() → nf_log_trace()), the lines of LOG
// rules (xt_LOG → nf_log_syslog.c), and ebtables --log watchers (ebt_log.c ebt_log_packet()). Field layout from
// nf_log_syslog.c (docs/netfilter.md §legacy-log-line). Values the snapshot cannot know are fixed: IP ID 0, TCP SEQ/ACK 0,
// WINDOW 64240 (Linux's initial window), timestamps 0, UID/GID 0 unless given.
import type { Outcome, PacketView, TraceEvent, TraceResult, TraceStep } from '../types';

const TCP_FLAG_NAMES: [number, string][] = [[0x80, 'CWR'], [0x40, 'ECE'], [0x20, 'URG'], [0x10, 'ACK'], [0x08, 'PSH'], [0x04, 'RST'], [0x02, 'SYN'], [0x01, 'FIN']];

function macField(p: PacketView): string {
  const hex = (m: string | null) => m ?? '00:00:00:00:00:00';
  return `MAC=${hex(p.dstMac)}:${hex(p.srcMac)}:${p.family === 'ipv4' ? '08:00' : '86:dd'} `;
}

function ip6Full(a: string): string {
  // %pI6: eight groups of four hex digits, no compression.
  const [head, tail] = a.includes('::') ? a.split('::') as [string, string] : [a, null];
  const h = head ? head.split(':') : [];
  const t = tail === null ? [] : tail ? tail.split(':') : [];
  const fill = tail === null ? [] : Array(8 - h.length - t.length).fill('0');
  return [...h, ...fill, ...t].map((g) => g.padStart(4, '0')).join(':');
}

/** nf_log_dump_tcp_header() with the flags of the log rule (TRACE: NF_LOG_DEFAULT_MASK = seq, options, uid). */
function tcpFields(p: PacketView, seq: boolean, opts: boolean): string {
  let s = `PROTO=TCP SPT=${p.sport} DPT=${p.dport} `;
  if (seq) s += 'SEQ=0 ACK=0 ';
  s += 'WINDOW=64240 RES=0x00 ';
  for (const [bit, name] of TCP_FLAG_NAMES) if (p.tcpFlags & bit) s += `${name} `;
  s += 'URGP=0 ';
  if (opts) {
    // Linux's option block: SYN: MSS 1460, SACK permitted, timestamps, NOP, window scale 7; else NOP NOP timestamps.
    s += p.tcpFlags & 0x02 ? 'OPT (020405B40402080A000000000000000001030307) ' : 'OPT (0101080A0000000000000000) ';
  }
  return s;
}

function l4Fields(p: PacketView, seq: boolean, opts: boolean): string {
  switch (p.proto) {
    case 6: return tcpFields(p, seq, opts);
    case 17: return `PROTO=UDP SPT=${p.sport} DPT=${p.dport} LEN=${p.length - (p.family === 'ipv4' ? 20 : 40)} `;
    case 136: return `PROTO=UDPLITE SPT=${p.sport} DPT=${p.dport} LEN=${p.length - (p.family === 'ipv4' ? 20 : 40)} `;
    case 1: {
      let s = `PROTO=ICMP TYPE=${p.icmpType} CODE=${p.icmpCode} `;
      if (p.icmpType === 0 || p.icmpType === 8) s += `ID=${p.icmpId} SEQ=${p.icmpSeq} `;
      return s;
    }
    case 58: {
      let s = `PROTO=ICMPv6 TYPE=${p.icmpType} CODE=${p.icmpCode} `;
      if (p.icmpType === 128 || p.icmpType === 129) s += `ID=${p.icmpId} SEQ=${p.icmpSeq} `;
      return s;
    }
    default: return `PROTO=${p.proto} `;
  }
}

/** nf_log_dump_packet_common() + nf_log_ip_packet()/nf_log_ip6_packet(). */
export function packetFields(p: PacketView, flags: { seq: boolean; opts: boolean; uid: boolean }): string {
  let s = `IN=${p.in} OUT=${p.out} `;
  if (p.physIn && p.physIn !== p.in) s += `PHYSIN=${p.physIn} `;
  if (p.physOut && p.physOut !== p.out) s += `PHYSOUT=${p.physOut} `;
  if (p.in) s += macField(p);
  if (p.family === 'ipv4') {
    s += `SRC=${p.src} DST=${p.dst} LEN=${p.length} TOS=0x${hex2(p.tos & 0x1e)} PREC=0x${hex2(p.tos & 0xe0)} TTL=${p.ttl} ID=${p.ipId} `;
    if (p.df) s += 'DF ';
  } else {
    s += `SRC=${ip6Full(p.src)} DST=${ip6Full(p.dst)} LEN=${p.length} TC=${p.tos} HOPLIMIT=${p.ttl} FLOWLBL=0 `;
  }
  s += l4Fields(p, flags.seq, flags.opts);
  if (flags.uid && p.uid !== null) s += `UID=${p.uid} GID=${p.gid ?? 0} `;
  else if (flags.uid && !p.in && isLocal(p)) s += 'UID=0 GID=0 ';
  if (p.mark) s += `MARK=0x${p.mark.toString(16)} `;
  return s;
}

function isLocal(p: PacketView): boolean {
  return p.in === '' && p.physIn === '';
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function traceLine(s: TraceStep): string {
  return `TRACE: ${s.table}:${s.chain}:${s.label.type}:${s.label.num} ${packetFields(s.packet, { seq: true, opts: true, uid: true })}`;
}

/** ebt_log.c ebt_log_packet(). */
function ebtLogLine(e: Extract<TraceEvent, { kind: 'log' }>): string {
  const p = e.packet;
  let s = `${e.prefix} IN=${p.in} OUT=${p.out} MAC source = ${p.srcMac ?? '00:00:00:00:00:00'} MAC dest = ${p.dstMac ?? '00:00:00:00:00:00'} proto = 0x${p.family === 'ipv4' ? '0800' : '86dd'}`;
  if (e.logIp && p.family === 'ipv4') {
    s += ` IP SRC=${p.src} IP DST=${p.dst}, IP tos=0x${hex2(p.tos)}, IP proto=${p.proto}`;
    if (p.sport !== null && p.dport !== null) s += ` SPT=${p.sport} DPT=${p.dport}`;
  }
  return s;
}

/**
 * The kernel log lines of one outcome, then those of the packet a REJECT sent back (the target runs after the
 * REJECT rule's TRACE line and sends its answer through OUTPUT at once).
 */
export function kernelLogLines(o: Outcome, bridgeBackend: 'nft' | 'legacy' = 'legacy'): string[] {
  const lines = linesOf(o.steps, o.events, bridgeBackend);
  if (o.generated) lines.push(...linesOf(o.generated.steps, o.generated.events, bridgeBackend));
  return lines;
}

function linesOf(steps: TraceStep[], events: TraceEvent[], bridgeBackend: 'nft' | 'legacy'): string[] {
  const lines: string[] = [];
  const logsAt = new Map<number, Extract<TraceEvent, { kind: 'log' }>[]>();
  for (const e of events) {
    if (e.kind !== 'log') continue;
    const list = logsAt.get(e.at) ?? [];
    list.push(e);
    logsAt.set(e.at, list);
  }
  const flushLogs = (at: number) => {
    for (const e of logsAt.get(at) ?? []) {
      if (e.source === 'LOG') lines.push(`${e.prefix}${packetFields(e.packet, e.flags ?? { seq: false, opts: false, uid: false })}`);
      // ebtables-nft turns --log into an nft `log` statement: nf_log_syslog's bridge logger prints the IP packet
      // like a LOG rule (nf_log_bridge_packet → nf_log_ip_packet); legacy ebtables prints ebt_log's own format.
      else if (e.source === 'ebt-log') lines.push(bridgeBackend === 'nft' ? `${e.prefix}${packetFields(e.packet, { seq: false, opts: false, uid: false })}` : ebtLogLine(e));
    }
  };
  flushLogs(0);
  steps.forEach((s, i) => {
    if (s.traced && s.family !== 'bridge') lines.push(traceLine(s));
    flushLogs(i + 1);
  });
  return lines.map((l) => l.trimEnd());
}

/** `--format kernel` for a whole result: one block per outcome, introduced by a comment when there are several. */
export function renderKernelLog(result: TraceResult): string {
  const out: string[] = [];
  const many = result.outcomes.length > 1;
  result.outcomes.forEach((o, i) => {
    if (many) out.push(`# outcome ${i + 1}/${result.outcomes.length} (p=${Math.round(o.probability * 1000) / 1000}${o.assumptions.length ? `; assuming ${o.assumptions.join('; ')}` : ''}): ${o.summary}`);
    const lines = kernelLogLines(o, result.backend.bridge);
    if (!lines.length) out.push('# no kernel log lines: no TRACE rule matched (try --trace-all) and no LOG rule was reached');
    out.push(...lines);
  });
  return out.join('\n') + (out.length ? '\n' : '');
}
