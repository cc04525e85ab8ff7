// Auto-detects the input format and address family from the text. `--input-format` / `family` override it.
import { isFamily } from '@chainsight/netfilter';
import type { Family, InputFormat } from '../ir/nodes';

export interface Detected {
  format: InputFormat;
  family: Family;
  /** Why: shown to users with `parse` so a wrong guess is easy to spot and override. */
  reason: string;
}

const EB_HINT = /(?:^|\s)(?:--ip6?-(?:src|dst|source|destination|proto|protocol|sport|dport|tos|tclass|icmp-type|source-port|destination-port)|--arp-|--vlan-|--stp-|--among-|--802_3-|--log-ip6?\b|--logical-(?:in|out)|--mark-(?:set|target|or|and|xor)|--pkttype-type|--snat-target|--dnat-target|--redirect-target|--arpreply-|-p\s+!?\s*(?:IPv4|IPv6|ARP|RARP|Length|LENGTH|802_1Q|0x[0-9a-fA-F]{3,4})\b|-j\s+(?:CONTINUE|mark|snat|dnat|redirect|arpreply)\b|-[sd]\s+!?\s*(?:[0-9a-fA-F]{1,2}:){5}[0-9a-fA-F]{1,2}|-[sd]\s+!?\s*(?:Broadcast|Multicast|Unicast|BGA)\b)/;
const IP_HINT = /(?:^|\s)-m\s+\S|(?:^|\s)-j\s+(?:MASQUERADE|DNAT|SNAT|REJECT|LOG|MARK)\b|:\S+\s+(?:ACCEPT|DROP|-)\s+\[\d+:\d+\]/;
const ADDR_RE = /(?:^|\s)(?:-[sd]|--(?:source|destination|src|dst|to-destination|to-source|ctorig(?:src|dst)|ctrepl(?:src|dst)|src-range|dst-range))\s+(?:!\s+)?([0-9A-Fa-f:.]+[0-9A-Fa-f](?:\/[0-9.:A-Fa-f]+)?)/g;

/** IPv6 when more addresses in the rules look like IPv6 than like IPv4; modules decide only when there are none. */
export function guessIpFamily(lines: readonly string[]): Family {
  let v4 = 0;
  let v6 = 0;
  for (const l of lines) {
    for (const m of l.matchAll(ADDR_RE)) {
      // `10.0.0.1:80` (a NAT target with a port) is IPv4; IPv6 has at least two colons.
      if (/^\d+\.\d+\.\d+\.\d+/.test(m[1]!)) v4++;
      else if ((m[1]!.match(/:/g) ?? []).length >= 2) v6++;
    }
  }
  if (v4 || v6) return v6 > v4 ? 'ipv6' : 'ipv4';
  return lines.some((l) => V6_HINT.test(l)) ? 'ipv6' : 'ipv4';
}

const V6_HINT = /(?:^|\s)(?:!\s+)?-[sd]\s+!?\s*[0-9a-fA-F]*:[0-9a-fA-F:.]*(?:\/\d+)?(?:\s|$)|\b(?:icmpv6|ipv6-icmp|icmp6)\b|--icmpv6-type|-m\s+(?:hl|frag|ipv6header|rt|hbh|dst|mh)\b|icmp6-/;

/** A host capture (`chainsight capture --script`): its first line is the capture header. Its sections are read by
 *  @chainsight/trace (readCapture); it is detected here, where every input format is, so that a command can tell
 *  without loading the trace package. */
export function looksLikeCapture(text: string): boolean {
  return /^\uFEFF?# chainsight-capture format=/.test(text);
}

/** Where an nftables ruleset starts in a text given as x_tables input (detectNftRuleset). */
export interface NftRulesetStart {
  /** text: `nft list ruleset`; json: `nft -j list ruleset`. */
  form: 'text' | 'json';
  /** 1-based line and column, 0-based offset, counted in the text given (after a byte order mark, as LineReader). */
  line: number;
  column: number;
  offset: number;
  /** Length of the opening: `table inet filter {` or `{"nftables":`. */
  length: number;
}

// `nft list ruleset` (nftables src/rule.c table_print) starts every table with `table <family> <name> {`; the JSON
// form (libnftables-json(5)) is one object whose first member is "nftables". Only the first line that is not blank
// or a comment is looked at: nft may print `# Warning: table … is managed by iptables-nft` first.
const NFT_TABLE = /^([ \t]*)(table[ \t]+(\S+)[ \t]+\S+[ \t]*\{)/;
const NFT_JSON = /^([ \t]*)(\{\s*"nftables"\s*:)/;

/**
 * An nftables ruleset where iptables-save (or another x_tables format) was expected, located at its first table
 * or at the JSON object's start; null for anything else. Reads lines until the first meaningful one only.
 */
export function detectNftRuleset(text: string): NftRulesetStart | null {
  let offset = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (offset <= text.length) {
    const nl = text.indexOf('\n', offset);
    const end = nl < 0 ? text.length : nl;
    const lineText = text.slice(offset, Math.min(end, offset + 4096)).replace(/\r$/, '');
    const trimmed = lineText.trim();
    if (trimmed && !trimmed.startsWith('#')) {
      const t = NFT_TABLE.exec(lineText);
      if (t && isFamily(t[3]!)) return { form: 'text', line, column: t[1]!.length + 1, offset: offset + t[1]!.length, length: t[2]!.length };
      // The JSON object may run over several lines: its opening is matched on the rest of the text.
      const j = NFT_JSON.exec(text.slice(offset, offset + 4096));
      // A pretty-printed object (`| jq`) opens on its own line: then only the brace is marked.
      if (j) return { form: 'json', line, column: j[1]!.length + 1, offset: offset + j[1]!.length, length: j[2]!.includes('\n') ? 1 : j[2]!.length };
      return null;
    }
    if (nl < 0) break;
    offset = nl + 1;
    line++;
  }
  return null;
}

export function detectFormat(text: string): Detected {
  // A byte order mark is no part of the first line (LineReader reports it).
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const head = text.length > 2_000_000 ? text.slice(0, 2_000_000) : text;
  const lines = head.split(/\r?\n/, 20000);
  const meaningful = lines.map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const header = lines.find((l) => /^#\s*Generated by /.test(l.trim())) ?? '';
  const family = (fmt: 'ip' | 'eb'): Family => {
    if (fmt === 'eb') return 'bridge';
    if (/ip6tables/.test(header)) return 'ipv6';
    if (/iptables-save/.test(header)) return 'ipv4';
    return guessIpFamily(meaningful);
  };
  if (lines.some((l) => /^Bridge (?:table|chain): /.test(l))) {
    return { format: 'ebtables-L', family: 'bridge', reason: "'Bridge table:' lines (ebtables -L)" };
  }
  if (lines.some((l) => /^Chain \S+ \((?:policy \w+|\d+ references?)/.test(l))) {
    // ip6tables -L: IPv6 addresses, or without -n the ipv6-icmp protocol and ip6-* host names.
    const fam = lines.some((l) => /\s(?:[0-9a-f]*:[0-9a-f:]+\/\d+|::\/0)\s|\sipv6-icmp\s|\sip6-\w+/.test(l)) ? 'ipv6' : 'ipv4';
    return { format: 'iptables-L', family: fam, reason: "'Chain X (policy …)' headers (iptables -L)" };
  }
  const tools = { ipv4: 0, ipv6: 0, bridge: 0 };
  for (const l of meaningful) {
    const m = /^(?:sudo\s+)?(iptables|ip6tables|ebtables)(?:-nft|-legacy)?\s/.exec(l);
    if (m) tools[m[1] === 'ebtables' ? 'bridge' : m[1] === 'ip6tables' ? 'ipv6' : 'ipv4']++;
  }
  const cmdCount = tools.ipv4 + tools.ipv6 + tools.bridge;
  if (cmdCount > 0 && cmdCount * 2 >= meaningful.filter((l) => !/^[-\\]/.test(l) && !/\\$/.test(l)).length * 0.5) {
    const fam = (Object.entries(tools) as [Family, number][]).sort((a, b) => b[1] - a[1])[0]![0];
    const mixed = Object.values(tools).filter((n) => n > 0).length > 1;
    return { format: 'commands', family: fam, reason: `shell commands (${fam === 'bridge' ? 'ebtables' : fam === 'ipv6' ? 'ip6tables' : 'iptables'}${mixed ? ', the most frequent tool of several' : ''})` };
  }
  const hasTables = meaningful.some((l) => l.startsWith('*'));
  const ebScore = /ebtables/.test(header) ? 100
    : meaningful.filter((l) => EB_HINT.test(l) || l === '*broute' || /^:\S+\s+(?:ACCEPT|DROP|RETURN|CONTINUE)\s*$/.test(l)).length;
  const ipScore = /iptables/.test(header) ? 100 : meaningful.filter((l) => IP_HINT.test(l) || l === 'COMMIT').length;
  const eb = ebScore > ipScore;
  if (hasTables) {
    return eb
      ? { format: 'ebtables-save', family: 'bridge', reason: /ebtables/.test(header) ? 'ebtables-save header' : 'ebtables options (-p IPv4, --ip-proto, MAC addresses …)' }
      : { format: 'iptables-save', family: family('ip'), reason: header ? `'${header.trim().replace(/^#\s*/, '').replace(/ on .*/, '')}' header` : "'*table' sections" };
  }
  if (meaningful.some((l) => /^(?:-[APN]|--(?:append|policy|new-chain))\s/.test(l) || /^\[\d+:\d+\]\s+-A\s/.test(l))) {
    return eb
      ? { format: 'ebtables-save', family: 'bridge', reason: 'ebtables rules without table sections' }
      : { format: 'iptables-S', family: family('ip'), reason: "'-P/-N/-A' lines without '*table' (iptables -S)" };
  }
  return { format: 'iptables-save', family: family('ip'), reason: 'no recognisable structure; read as iptables-save' };
}
