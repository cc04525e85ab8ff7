// A host capture read as what chainsight models: each section goes to the reader of its output (parseSnapshot
// for iptables-save, ip6tables-save and ebtables-save; parseIpsetSave; hostContextFromIproute for the `ip -j`
// and `bridge -j` outputs; the sysctl lines here), each told where its section starts so that every message
// cites the capture's own line and column. The nftables ruleset is kept and reported, not modelled.
import { parseIpsetSave, parseSnapshot, spanOf, type Backend, type Diagnostic, type Family, type IpSet, type ParseResult, type Span } from '@chainsight/grammar';
import type { HostContext } from './context';
import { hostContextFromIproute, type IprouteInput } from './iproute';
import { splitCapture, type CaptureSection } from './capture-sections';

export interface CaptureRules {
  /** iptables-save, ip6tables-save or ebtables-save. */
  section: string;
  family: Family;
  result: ParseResult;
}

export interface CaptureRead {
  format: number | null;
  sections: CaptureSection[];
  /** The rules sections that printed a ruleset (an empty output is an empty ruleset: no rules in that family). */
  rules: CaptureRules[];
  /** The sets of `ipset save`; null when it was not captured. */
  ipsets: IpSet[] | null;
  /** The host facts of the iproute2 sections, with the hostname and the sysctls; null when none was captured or
   *  they hold errors. */
  host: HostContext | null;
  /** The iptables backend `iptables -V` names, and how it was told. */
  backend: { backend: Backend; how: string } | null;
  hostname: string | null;
  kernel: string | null;
  /** Everything but the rules sections' own parse diagnostics (those are in `rules`). */
  diagnostics: Diagnostic[];
}

const RULES: ReadonlyMap<string, { family: Family; format: 'iptables-save' | 'ebtables-save'; what: string }> = new Map([
  ['iptables-save', { family: 'ipv4', format: 'iptables-save', what: 'IPv4 rules' }],
  ['ip6tables-save', { family: 'ipv6', format: 'iptables-save', what: 'IPv6 rules' }],
  ['ebtables-save', { family: 'bridge', format: 'ebtables-save', what: 'bridge rules (ebtables)' }],
] as const);

/** The iproute2 sections, with the family of those printed for one (`ip -4 rule`), and what is lost without them. */
const IPROUTE: ReadonlyMap<string, { family?: 'ipv4' | 'ipv6'; what: string }> = new Map([
  ['ip-addr', { what: "the host's interfaces and addresses" }],
  ['ip-route', { family: 'ipv4', what: 'IPv4 routes' }],
  ['ip6-route', { family: 'ipv6', what: 'IPv6 routes' }],
  ['ip-rule', { family: 'ipv4', what: 'IPv4 policy-routing rules' }],
  ['ip6-rule', { family: 'ipv6', what: 'IPv6 policy-routing rules' }],
  ['ip-neigh', { what: 'neighbours' }],
  ['ip-maddr', { what: 'multicast group memberships' }],
  ['bridge-fdb', { what: 'the bridge ports neighbours sit behind' }],
] as const);

const OTHER: ReadonlyMap<string, string> = new Map([
  ['hostname', 'the host name'],
  ['kernel', 'the kernel version'],
  ['iptables-version', "the iptables backend (the iptables-save header still names it)"],
  ['ipset-save', 'ipsets: -m set is assumed, not decided'],
  ['nft-ruleset', 'the nftables ruleset'],
  ['sysctl', "sysctls: the kernel's defaults are assumed"],
]);

/** Tables iptables-nft, ip6tables-nft and ebtables-nft create: iptables-save shows them. */
const XTABLES_NFT = new Set(['ip filter', 'ip nat', 'ip mangle', 'ip raw', 'ip security', 'ip6 filter', 'ip6 nat', 'ip6 mangle', 'ip6 raw', 'ip6 security',
  'bridge filter', 'bridge nat', 'bridge broute', 'arp filter']);

export function readCapture(text: string, fileName: string): CaptureRead {
  const split = splitCapture(text, fileName);
  const diagnostics: Diagnostic[] = [...split.diagnostics];
  const report = (severity: Diagnostic['severity'], code: string, message: string, span: Span, hint?: string) => {
    diagnostics.push({ code: `capture/${code}`, severity, message, file: fileName, span, ...(hint ? { hint } : {}) });
  };
  const section = (name: string) => split.sections.find((s) => s.name === name && s.status !== 'missing');
  const firstLine = (name: string) => {
    const s = section(name);
    const l = s?.text.split('\n')[0]?.trim();
    return s && s.status !== 'failed' && l ? l : null;
  };

  // What each section's absence or failure costs, said once per section.
  for (const s of split.sections) {
    const what = RULES.get(s.name)?.what ?? IPROUTE.get(s.name)?.what ?? OTHER.get(s.name);
    if (what === undefined) { report('warning', 'unknown-section', `section '${s.name}' is not one chainsight reads; ignored`, s.begin); continue; }
    if (s.status === 'missing') {
      // Without iptables-save a host has no view of its IPv4/IPv6 rules; ebtables is often absent with no bridge rules.
      report(s.name === 'iptables-save' || s.name === 'ip6tables-save' ? 'warning' : 'info', 'missing-tool', `'${s.command.split(' ')[0]}' is not installed on the captured host: no ${what} in this capture`, s.end ?? s.begin);
    } else if (s.status === 'failed') {
      const why = s.stderr[0]?.text;
      report('warning', 'command-failed', `'${s.command}' exited with status ${s.exit}${why ? `: ${why}` : ''}; ${RULES.has(s.name) ? 'its rules are read only if it printed any, and may be incomplete' : `no ${what} from it`}`, s.end ?? s.begin);
    } else {
      for (const e of s.stderr.slice(0, 5)) report('warning', 'stderr', `'${s.command}' said: ${e.text}`, e.span);
    }
  }

  const hostname = firstLine('hostname');
  const kernel = firstLine('kernel');
  const backend = backendOf(section('iptables-version'));

  const rules: CaptureRules[] = [];
  for (const [name, r] of RULES) {
    const s = section(name);
    if (!s || (s.status === 'failed' && !s.text.trim())) continue;
    const result = parseSnapshot(s.text, { fileName, format: r.format, family: r.family, origin: s.origin });
    result.detected = { ...result.detected, reason: `section '${name}' of a chainsight capture` };
    // iptables before 1.8 printed no backend in its header (there was only the legacy one): `iptables -V` says it.
    if (result.snapshot.backend === 'unknown' && backend && r.family !== 'bridge') result.snapshot = { ...result.snapshot, backend: backend.backend };
    for (const m of s.text.matchAll(/^# Table `(\S+)' is incompatible, use 'nft' tool\.$/gm)) {
      report('warning', 'incompatible-table', `${name} could not show table '${m[1]}' (it holds rules only nft can print): those rules are not in the capture`,
        at(text, s.origin.offset + m.index), 'look at the nft-ruleset section; chainsight does not model nftables rules yet');
    }
    rules.push({ section: name, family: r.family, result });
  }

  let ipsets: IpSet[] | null = null;
  const ipset = section('ipset-save');
  if (ipset && ipset.status === 'ok') {
    const r = parseIpsetSave(ipset.text, fileName, ipset.origin);
    diagnostics.push(...r.diagnostics);
    ipsets = r.sets;
  }

  const nft = section('nft-ruleset');
  if (nft && nft.status === 'ok') diagnostics.push(...nftNotes(nft, text, fileName));

  const inputs: IprouteInput[] = [];
  for (const [name, r] of IPROUTE) {
    const s = section(name);
    if (s && s.status === 'ok' && s.text.trim()) inputs.push({ text: s.text, fileName, origin: s.origin, ...(r.family ? { family: r.family } : {}) });
  }
  let host: HostContext | null = null;
  if (inputs.length) {
    const r = hostContextFromIproute(inputs);
    diagnostics.push(...r.diagnostics);
    host = r.context;
  } else {
    report('warning', 'no-host-facts', 'no iproute2 section of this capture holds output: interfaces, routes and neighbours are unknown', split.sections[0]?.begin ?? spanOf(1, 1, 0, 0));
  }
  const sysctl = section('sysctl');
  const sys = sysctl && sysctl.status === 'ok' ? readSysctls(sysctl, fileName) : { values: {}, diagnostics: [] };
  diagnostics.push(...sys.diagnostics);
  if (host) host = { ...host, ...(hostname ? { hostname } : {}), sysctl: sys.values };

  diagnostics.sort((a, b) => a.span.start.offset - b.span.start.offset);
  return { format: split.format, sections: split.sections, rules, ipsets, host, backend, hostname, kernel, diagnostics };
}

/** `iptables v1.8.9 (nf_tables)` or `(legacy)`; before 1.8 iptables printed no backend: it had only legacy. */
function backendOf(s: CaptureSection | undefined): CaptureRead['backend'] {
  if (!s || s.status !== 'ok') return null;
  const line = s.text.trim();
  if (/\(nf_tables\)/.test(line)) return { backend: 'nft', how: `'${line}'` };
  if (/\(legacy\)/.test(line)) return { backend: 'legacy', how: `'${line}'` };
  const v = /\bv1\.(\d+)\./.exec(line);
  if (v && Number(v[1]) < 8) return { backend: 'legacy', how: `'${line}': iptables before 1.8 had only the legacy backend` };
  return null;
}

/** A span of one character at `offset` of `text`. */
function at(text: string, offset: number): Span {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < lineStart; i = text.indexOf('\n', i + 1)) line++;
  return spanOf(line, offset - lineStart + 1, offset, 1);
}

/**
 * The nftables ruleset is kept, not modelled (an nftables reader is future work). The tables iptables-nft made
 * are the ones iptables-save already showed; any other table (firewalld's `inet firewalld`, a hand-written
 * `inet filter`) holds chains whose verdicts the trace does not see: each is named.
 */
function nftNotes(s: CaptureSection, text: string, fileName: string): Diagnostic[] {
  const out: Diagnostic[] = [];
  const others: { name: string; offset: number }[] = [];
  // `nft -j` prints one line: {"nftables": [{"metainfo": …}, {"table": {"family": "inet", "name": "x", …}}, …]}
  for (const m of s.text.matchAll(/\{"table": ?\{"family": ?"([^"]+)", ?"name": ?"([^"]+)"/g)) {
    const key = `${m[1]} ${m[2]}`;
    if (!XTABLES_NFT.has(key)) others.push({ name: key, offset: s.origin.offset + m.index });
  }
  const where = others[0] ? at(text, others[0].offset) : s.begin;
  if (others.length) {
    out.push({
      code: 'capture/nft-not-modelled', severity: 'warning', file: fileName, span: where,
      message: `nftables table${others.length > 1 ? 's' : ''} ${others.map((o) => `'${o.name}'`).join(', ')} ${others.length > 1 ? 'are' : 'is'} not modelled: ${others.length > 1 ? 'their' : 'its'} chains can accept or drop packets the trace does not show`,
      hint: 'chainsight reads iptables-save, ip6tables-save and ebtables-save; an nftables reader is planned',
    });
  } else {
    out.push({
      code: 'capture/nft-not-modelled', severity: 'info', file: fileName, span: where,
      message: 'nftables ruleset kept, not modelled: it holds only the tables iptables-nft made, which the rules sections show',
    });
  }
  return out;
}

/**
 * The sysctl section: `PATH = VALUE` or `PATH absent`, PATH below /proc/sys. Keys become the dotted names the
 * model reads (`net/ipv4/conf/eth0.100/rp_filter` → `net.ipv4.conf.eth0.100.rp_filter`: the interface name is
 * kept as it is, as HostModel.confFlag builds it).
 */
export function readSysctls(s: CaptureSection, fileName: string): { values: Record<string, number | string>; diagnostics: Diagnostic[] } {
  const values: Record<string, number | string> = Object.create(null) as Record<string, number | string>;
  const diagnostics: Diagnostic[] = [];
  const absent: string[] = [];
  let offset = s.origin.offset;
  let firstBridgeSpan: Span | null = null;
  const lines = s.text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const line = raw.replace(/\r$/, '');
    const span = spanOf(s.origin.line + i, 1, offset, line.length);
    offset += raw.length + 1;
    if (!line.trim()) continue;
    const m = /^([\w./@:-]+) (?:= (.*)|absent)$/.exec(line);
    if (!m) {
      diagnostics.push({ code: 'capture/sysctl', severity: 'warning', file: fileName, span, message: 'not a sysctl line (PATH = VALUE or PATH absent); ignored' });
      continue;
    }
    const key = toKey(m[1]!);
    if (key.startsWith('net.bridge.')) firstBridgeSpan ??= span;
    if (m[2] === undefined) { absent.push(key); continue; }
    const v = m[2].trim();
    values[key] = /^-?\d+$/.test(v) ? Number(v) : v;
  }
  // br_netfilter registers net.bridge.*; without it bridged packets never reach iptables (br_netfilter_hooks.c
  // is what calls NF_INET_* hooks for bridged frames).
  const brnf = ['net.bridge.bridge-nf-call-iptables', 'net.bridge.bridge-nf-call-ip6tables'];
  if (brnf.every((k) => absent.includes(k))) {
    for (const k of brnf) values[k] = 0;
    diagnostics.push({
      code: 'capture/br-netfilter', severity: 'info', file: fileName, span: firstBridgeSpan ?? s.begin,
      message: 'br_netfilter is not loaded on the captured host: bridged packets do not pass iptables (read as net.bridge.bridge-nf-call-iptables = 0 and -ip6tables = 0)',
    });
  }
  diagnostics.push(...rpFilterNotes(values, s, fileName));
  return { values, diagnostics };
}

function toKey(path: string): string {
  return path.split('/').join('.');
}

/**
 * The kernel filters a packet by reverse path with max(conf/all/rp_filter, conf/DEV/rp_filter)
 * (IN_DEV_RPFILTER, include/linux/inetdevice.h), strict at 1 and loose at 2; chainsight models the strict mode
 * of `all` only (sim/path.ts routeInput). What the capture holds beyond that is said, not dropped silently.
 */
function rpFilterNotes(values: Record<string, number | string>, s: CaptureSection, fileName: string): Diagnostic[] {
  const all = Number(values['net.ipv4.conf.all.rp_filter'] ?? 0);
  const stricter: string[] = [];
  for (const [k, v] of Object.entries(values)) {
    const m = /^net\.ipv4\.conf\.(.+)\.rp_filter$/.exec(k);
    if (!m || m[1] === 'all' || m[1] === 'default' || m[1] === 'lo') continue;
    if (Number(v) > all) stricter.push(`${m[1]} (${v})`);
  }
  const out: Diagnostic[] = [];
  if (all === 2 || stricter.length) {
    out.push({
      code: 'capture/rp-filter', severity: 'warning', file: fileName, span: s.begin,
      message: `reverse-path filtering not modelled: ${[all === 2 ? 'net.ipv4.conf.all.rp_filter = 2 (loose)' : '', stricter.length ? `rp_filter on ${stricter.join(', ')}` : ''].filter(Boolean).join('; ')}`
        + ' — chainsight applies only net.ipv4.conf.all.rp_filter = 1 (strict); the kernel may drop packets with no route back that the trace forwards',
    });
  }
  return out;
}
