// The packet fields a trace line prints, read into one vocabulary (PacketFields):
//   * legacy TRACE lines: nf_log_syslog.c (`IN= OUT= PHYSIN= MAC= SRC= DST= LEN= TOS= PREC= TTL= ID= [DF]
//     PROTO=TCP SPT= DPT= SEQ= ACK= WINDOW= RES= SYN URGP= … MARK=`), docs/netfilter.md §legacy-log-line;
//   * xtables-monitor `PACKET:` lines: xtables-monitor.c trace_print_packet() (`IN= OUT= MACSRC= MACDST= MACPROTO=
//     SRC= DST= LEN= TOS= TTL= ID= [DF] SPORT= DPORT= [SYN ACK …] MARK=`; no protocol field), docs/netfilter.md §nft-trace;
//   * `nft monitor trace` `packet:` lines: nft statements (`iif "eth0" ip saddr 10.0.0.1 ip id 7 tcp dport 80 …`).
import type { PacketFields } from './types';

/** KEY=VALUE words into fields (a repeated key becomes KEY_2, KEY_3) and bare words into flags. The ICMP error
 *  payload `[SRC=… ]` (nf_log prints the embedded packet in brackets) is skipped so it cannot overwrite the
 *  packet's own fields. */
export function parseKeyValues(words: readonly string[]): { fields: Record<string, string>; flags: string[] } {
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  const flags: string[] = [];
  // The next suffix to try per repeated key: a line repeating one key 20,000 times stays linear.
  const nextSuffix = new Map<string, number>();
  let depth = 0;
  for (const w of words) {
    if (w === '') continue;
    if (depth > 0 || w.startsWith('[')) {
      depth += (w.match(/\[/g)?.length ?? 0) - (w.match(/\]/g)?.length ?? 0);
      if (depth < 0) depth = 0;
      continue;
    }
    const eq = w.indexOf('=');
    if (eq <= 0) {
      flags.push(w);
      continue;
    }
    let key = w.slice(0, eq);
    if (Object.hasOwn(fields, key)) {
      let n = nextSuffix.get(key) ?? 2;
      while (Object.hasOwn(fields, `${key}_${n}`)) n++;
      nextSuffix.set(key, n + 1);
      key = `${key}_${n}`;
    }
    fields[key] = w.slice(eq + 1);
  }
  return { fields, flags };
}

const TCP_FLAG_ORDER = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

/** Flags in header bit order, whatever order the tool printed them in (nf_log prints ACK before SYN). */
export function orderTcpFlags(flags: readonly string[]): string[] {
  const set = new Set(flags.map((f) => f.toUpperCase()));
  return TCP_FLAG_ORDER.filter((f) => set.has(f));
}

const int = (s: string | undefined): number | undefined => {
  if (s === undefined || !/^(?:\d+|0x[0-9a-f]+)$/i.test(s)) return undefined;
  return s.toLowerCase().startsWith('0x') ? parseInt(s, 16) : Number(s);
};

function set<K extends keyof PacketFields>(p: PacketFields, key: K, value: PacketFields[K] | undefined): void {
  if (value !== undefined && value !== '') p[key] = value;
}

/** nf_log's `MAC=` is the raw link-layer header: destination, source, ethertype for Ethernet (14 bytes). */
function splitMac(mac: string): { dst: string; src: string } | null {
  const b = mac.split(':');
  if (b.length !== 14) return null;
  return { dst: b.slice(0, 6).join(':'), src: b.slice(6, 12).join(':') };
}

/** ether_ntoa() drops leading zeros (`2:42:ac:11:0:2`); print MACs the usual way. */
function padMac(mac: string): string {
  return mac.split(':').map((b) => b.padStart(2, '0')).join(':').toLowerCase();
}

/** Legacy TRACE fields (nf_log_syslog.c) and xtables-monitor PACKET fields share most keys. */
export function packetFromKeyValues(fields: Record<string, string>, flags: readonly string[]): PacketFields {
  const p: PacketFields = {};
  set(p, 'in', fields.IN);
  set(p, 'out', fields.OUT);
  set(p, 'physIn', fields.PHYSIN);
  set(p, 'physOut', fields.PHYSOUT);
  if (fields.MAC) {
    const m = splitMac(fields.MAC);
    if (m) {
      p.dstMac = m.dst;
      p.srcMac = m.src;
    }
  }
  if (fields.MACSRC) p.srcMac = padMac(fields.MACSRC);
  if (fields.MACDST) p.dstMac = padMac(fields.MACDST);
  set(p, 'src', fields.SRC);
  set(p, 'dst', fields.DST);
  set(p, 'length', int(fields.LEN));
  set(p, 'ttl', int(fields.TTL ?? fields.HOPLIMIT));
  // IPv4 only: nf_log's IPv6 header has no ID; the first ID= is the IP header's, the second (ID_2) the ICMP echo id.
  if (fields.SRC?.includes('.')) set(p, 'ipId', int(fields.ID));
  const proto = fields.PROTO?.toLowerCase();
  if (proto) p.proto = proto;
  set(p, 'sport', int(fields.SPT ?? fields.SPORT));
  set(p, 'dport', int(fields.DPT ?? fields.DPORT));
  if (proto === 'icmp' || proto === 'icmpv6') {
    set(p, 'icmpType', int(fields.TYPE));
    set(p, 'icmpCode', int(fields.CODE));
    const echoId = proto === 'icmp' ? fields.ID_2 : fields.ID;
    set(p, 'icmpId', int(echoId));
    set(p, 'icmpSeq', int(fields.SEQ));
  }
  const tcp = flags.filter((f) => TCP_FLAG_ORDER.includes(f));
  if (tcp.length && proto !== 'icmp') {
    p.tcpFlags = orderTcpFlags(tcp);
    // xtables-monitor prints no protocol: ports plus TCP flags can only be TCP.
    if (!p.proto && p.sport !== undefined) p.proto = 'tcp';
  }
  set(p, 'mark', int(fields.MARK));
  set(p, 'uid', int(fields.UID));
  set(p, 'gid', int(fields.GID));
  return p;
}

// nft prints ICMP types and codes by name (nftables src/proto.c icmp_type_tbl, icmp_code_tbl; src/proto.c
// icmp6_type_tbl). Code 0 of an echo is printed as `net-unreachable`, the name of code 0 in that table.
// Maps: the names come from the log (`icmp type constructor` must not find Object.prototype's).
const ICMP_TYPE_NUM: ReadonlyMap<string, number> = new Map(Object.entries({
  'echo-reply': 0, 'destination-unreachable': 3, 'source-quench': 4, redirect: 5, 'echo-request': 8,
  'router-advertisement': 9, 'router-solicitation': 10, 'time-exceeded': 11, 'parameter-problem': 12,
  'timestamp-request': 13, 'timestamp-reply': 14, 'info-request': 15, 'info-reply': 16,
  'address-mask-request': 17, 'address-mask-reply': 18,
}));
const ICMPV6_TYPE_NUM: ReadonlyMap<string, number> = new Map(Object.entries({
  'destination-unreachable': 1, 'packet-too-big': 2, 'time-exceeded': 3, 'parameter-problem': 4,
  'echo-request': 128, 'echo-reply': 129, 'mld-listener-query': 130, 'mld-listener-report': 131,
  'mld-listener-done': 132, 'nd-router-solicit': 133, 'nd-router-advert': 134, 'nd-neighbor-solicit': 135,
  'nd-neighbor-advert': 136, 'nd-redirect': 137,
}));
const ICMP_CODE_NUM: ReadonlyMap<string, number> = new Map(Object.entries({
  'net-unreachable': 0, 'host-unreachable': 1, 'prot-unreachable': 2, 'port-unreachable': 3, 'frag-needed': 4,
  'net-prohibited': 9, 'host-prohibited': 10, 'admin-prohibited': 13,
}));
const NFT_TCP_FLAGS = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ecn', 'cwr'];

/** The statements of an nft `packet:` line. */
export function packetFromNft(text: string): PacketFields {
  const p: PacketFields = {};
  const q = (re: RegExp): string | undefined => re.exec(text)?.[1];
  set(p, 'in', q(/\biif "([^"]*)"/));
  set(p, 'out', q(/\boif "([^"]*)"/));
  const smac = q(/\bether saddr (\S+)/);
  const dmac = q(/\bether daddr (\S+)/);
  if (smac) p.srcMac = padMac(smac);
  if (dmac) p.dstMac = padMac(dmac);
  set(p, 'src', q(/\bip6? saddr (\S+)/));
  set(p, 'dst', q(/\bip6? daddr (\S+)/));
  set(p, 'ipId', int(q(/\bip id (\d+)/)));
  set(p, 'ttl', int(q(/\bip ttl (\d+)/) ?? q(/\bip6 hoplimit (\d+)/)));
  set(p, 'length', int(q(/\bip length (\d+)/)));
  const l4 = /\b(tcp|udp|udplite|sctp|dccp|icmpv6|icmp) (?:sport|dport|type|flags|sequence|length)\b/.exec(text)?.[1];
  const proto = q(/\bip protocol (\S+)/) ?? q(/\bip6 nexthdr (\S+)/) ?? l4;
  if (proto) p.proto = proto === 'ipv6-icmp' ? 'icmpv6' : proto;
  set(p, 'sport', int(q(/\b(?:tcp|udp|udplite|sctp|dccp|th) sport (\d+)/)));
  set(p, 'dport', int(q(/\b(?:tcp|udp|udplite|sctp|dccp|th) dport (\d+)/)));
  const icmpType = /\b(icmpv6|icmp) type (\S+)/.exec(text);
  if (icmpType) {
    const table = icmpType[1] === 'icmp' ? ICMP_TYPE_NUM : ICMPV6_TYPE_NUM;
    set(p, 'icmpType', table.get(icmpType[2]!) ?? int(icmpType[2]));
    const code = q(/\bicmp(?:v6)? code (\S+)/);
    if (code !== undefined) set(p, 'icmpCode', ICMP_CODE_NUM.get(code) ?? int(code));
    set(p, 'icmpId', int(q(/\bicmp(?:v6)? id (\d+)/)));
    set(p, 'icmpSeq', int(q(/\bicmp(?:v6)? sequence (\d+)/)));
  }
  // nft 1.0.6 prints one flag by name (`tcp flags == syn`) and a combination as a number (`tcp flags == 0x12`);
  // newer versions print `syn | ack`.
  const flags = /\btcp flags (?:== )?((?:0x[0-9a-f]+|[a-z]+)(?:\s*\|\s*[a-z]+)*)/.exec(text)?.[1];
  if (flags) {
    const names = flags.startsWith('0x')
      ? NFT_TCP_FLAGS.filter((_, i) => parseInt(flags, 16) & (1 << i))
      : flags.split(/\s*\|\s*/);
    p.tcpFlags = orderTcpFlags(names.map((f) => (f === 'ecn' ? 'ECE' : f)));
  }
  set(p, 'mark', int(q(/\bmeta mark (0x[0-9a-f]+|\d+)/)));
  return p;
}
