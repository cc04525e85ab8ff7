// One logical log line → a trace line of one of the three formats, or null. Each format is found by its own
// anchor anywhere in the line; whatever precedes the anchor is the log prefix (prefix.ts).
//   legacy (ip_tables.c trace_packet, nf_log_syslog.c): `TRACE: <table>:<chain>:<rule|return|policy>:<num> IN=…`
//   xtables-monitor (iptables xtables-monitor.c trace_cb): ` TRACE: <nfproto> <%08x id> <table>:<chain>:rule:0x<handle>:<verdict>  <rule>`,
//     `…:policy:<verdict>`, `…:return:[<chain>]`, and `PACKET: <nfproto> <id> IN=… SRC=…`
//   nft monitor trace (nftables src/trace.c): `trace id <%08x> <family> <table> <chain> packet: …`, `… rule <rule>
//     [# handle N] (verdict <v>)`, `… unknown rule handle N (verdict <v>)`, `… policy <v> [meta mark …]`,
//     `… verdict <v>` (end of a chain, NFT_TRACETYPE_RETURN), `… conntrack: ct state …`
import { packetFromKeyValues, packetFromNft, parseKeyValues } from './fields';
import { parsePrefix } from './prefix';
import type { LogPrefix, StepLabel, TraceFamily, TraceLine } from './types';

const LEGACY = /TRACE: ([^\s:]+):(\S+):(rule|return|policy):(\d+)(?=\s|$)/;
const XT_TRACE = /(?:^|\s)TRACE: (\d+) ([0-9a-f]{8}) ([^\s:]+):(.*)$/;
const XT_PACKET = /(?:^|\s)PACKET: (\d+) ([0-9a-f]{8}) ?(.*)$/;
const NFT = /(?:^|\s)trace id ([0-9a-f]{8}) (ip6?|inet|bridge|arp|netdev) (.*)$/;

/** NFPROTO_* numbers as xtables-monitor prints them (include/uapi/linux/netfilter.h). */
const NFPROTO: Record<string, TraceFamily> = { '1': 'inet', '2': 'ip', '3': 'arp', '5': 'netdev', '7': 'bridge', '10': 'ip6' };

/** Where the kernel text of any known format starts in the line, or -1. */
export function traceAnchor(line: string): number {
  let best = -1;
  for (const re of [LEGACY, XT_TRACE, XT_PACKET, NFT]) {
    const m = re.exec(line);
    if (!m) continue;
    // The xtables/nft patterns may match their leading space; the anchor is the keyword.
    const at = m.index + (m[0].length - m[0].trimStart().length);
    if (best < 0 || at < best) best = at;
  }
  return best;
}

/**
 * xtables-monitor's print_verdict(): NF_ACCEPT → ACCEPT, …, JUMP:<chain>, GOTO:<chain>, anything else as `0x%x`;
 * NFT_RETURN (-5) therefore prints as 0xfffffffb (docs/netfilter.md §nft-trace).
 */
export function normaliseXtablesVerdict(v: string): string {
  if (v.toLowerCase() === '0xfffffffb') return 'RETURN';
  return v;
}

/** nft verdict words (`accept`, `jump X`, `return`) in the xtables vocabulary. */
export function normaliseNftVerdict(v: string): string {
  const [word = '', target] = v.trim().split(/\s+/);
  if (word === 'jump' || word === 'goto') return `${word.toUpperCase()}:${target ?? ''}`;
  return word.toUpperCase();
}

interface Logical {
  line: number;
  endLine: number;
  text: string;
}

function prefixOf(text: string, at: number): LogPrefix | null {
  return at > 0 ? parsePrefix(text.slice(0, at)) : null;
}

function parseLegacy(l: Logical, m: RegExpExecArray, at: number): TraceLine {
  const body = l.text.slice(at);
  const rest = body.slice(m[0].length).trim();
  const { fields, flags } = parseKeyValues(rest === '' ? [] : rest.split(/\s+/));
  const packet = packetFromKeyValues(fields, flags);
  return {
    kind: 'legacy', line: l.line, endLine: l.endLine, text: body.trimEnd(), prefix: prefixOf(l.text, at),
    family: packet.src?.includes(':') ? 'ip6' : 'ip',
    table: m[1]!, chain: m[2]!, label: m[3] as StepLabel, num: Number(m[4]), packet, fields,
  };
}

function parseXtables(l: Logical, m: RegExpExecArray, at: number): TraceLine | null {
  const base = { line: l.line, endLine: l.endLine, text: l.text.slice(at).trimEnd(), prefix: prefixOf(l.text, at) };
  const family = NFPROTO[m[1]!] ?? 'unknown';
  const rest = m[4]!;
  const rule = /^(.+?):rule:0x([0-9a-f]+):(\S+)\s*(.*)$/.exec(rest);
  if (rule) {
    const text = rule[4]!.trim();
    return {
      kind: 'xtables', ...base, family, id: m[2]!, table: m[3]!, chain: rule[1]!, label: 'rule',
      handle: parseInt(rule[2]!, 16), verdict: normaliseXtablesVerdict(rule[3]!), ruleText: text === '' ? null : text,
    };
  }
  const end = /^(.+?):(policy|return):(\S*)/.exec(rest);
  if (!end) return null;
  const label = end[2] as StepLabel;
  // `:return:` prints the jump target (if any), not a verdict (trace_print_return()).
  const verdict = label === 'policy' ? normaliseXtablesVerdict(end[3]!) : 'RETURN';
  return { kind: 'xtables', ...base, family, id: m[2]!, table: m[3]!, chain: end[1]!, label, handle: null, verdict, ruleText: null };
}

function parseXtablesPacket(l: Logical, m: RegExpExecArray, at: number): TraceLine {
  const words = m[3]!.trim().split(/\s+/);
  const { fields, flags } = parseKeyValues(words);
  return {
    kind: 'xtables-packet', line: l.line, endLine: l.endLine, text: l.text.slice(at).trimEnd(), prefix: prefixOf(l.text, at),
    family: NFPROTO[m[1]!] ?? 'unknown', id: m[2]!, packet: packetFromKeyValues(fields, flags),
  };
}

/** The nft rule as printed, without the volatile parts: counter values, the handle comment, the verdict. */
export function cleanNftRule(text: string): string {
  return text
    .replace(/\bcounter packets \d+ bytes \d+/g, 'counter')
    .replace(/\s*# handle \d+\s*$/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

function parseNft(l: Logical, m: RegExpExecArray, at: number): TraceLine | null {
  const base = { line: l.line, endLine: l.endLine, text: l.text.slice(at).trimEnd(), prefix: prefixOf(l.text, at), id: m[1]!, family: m[2] as TraceFamily };
  const r = /^(\S+) (\S+) (packet:|conntrack:|rule|unknown rule handle|policy|verdict)(?: (.*))?$/.exec(m[3]!.trimEnd());
  if (!r) return null;
  const table = r[1]!;
  const chain = r[2]!;
  const what = r[3]!;
  const rest = r[4] ?? '';
  switch (what) {
    case 'packet:':
      return { kind: 'nft-packet', ...base, table, chain, packet: packetFromNft(rest) };
    case 'conntrack:': {
      const state = /\bct state (\S+)/.exec(rest)?.[1];
      return { kind: 'nft-packet', ...base, table, chain, packet: state ? { ctState: state } : {} };
    }
    case 'rule':
    case 'unknown rule handle': {
      const v = /\s*\(verdict ([^)]*)\)\s*$/.exec(rest);
      const body = v ? rest.slice(0, v.index) : rest;
      const handleText = what === 'rule' ? /# handle (\d+)\s*$/.exec(body)?.[1] : /^(\d+)/.exec(body)?.[1];
      return {
        kind: 'nft', ...base, table, chain, label: 'rule',
        handle: handleText !== undefined ? Number(handleText) : null,
        verdict: v ? normaliseNftVerdict(v[1]!) : null,
        ruleText: what === 'rule' ? cleanNftRule(body) : null,
      };
    }
    case 'policy':
      return { kind: 'nft', ...base, table, chain, label: 'policy', handle: null, verdict: normaliseNftVerdict(rest), ruleText: null };
    default:
      // NFT_TRACETYPE_RETURN: the end of a chain (printed before the policy by kernels before 6.x, docs/netfilter.md §nft-trace).
      return { kind: 'nft', ...base, table, chain, label: 'return', handle: null, verdict: normaliseNftVerdict(rest), ruleText: null };
  }
}

/** Parse one logical line; null when it is not trace output. */
export function parseTraceLine(l: Logical): TraceLine | null {
  // xtables-monitor lines also contain "TRACE: "; their family number and id come first, so try them first.
  const xt = XT_TRACE.exec(l.text);
  if (xt) return parseXtables(l, xt, xt.index + (xt[0].length - xt[0].trimStart().length));
  const pk = XT_PACKET.exec(l.text);
  if (pk) return parseXtablesPacket(l, pk, pk.index + (pk[0].length - pk[0].trimStart().length));
  const nft = NFT.exec(l.text);
  if (nft) return parseNft(l, nft, nft.index + (nft[0].length - nft[0].trimStart().length));
  const lg = LEGACY.exec(l.text);
  if (lg) return parseLegacy(l, lg, lg.index);
  return null;
}
