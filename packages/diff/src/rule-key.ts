// Canonical rule keys: two rules get the same key when the kernel stores the same thing for them, however they
// were spelled. Kept here until @chainsight/analyzer provides `canonicalRuleKey`; then it should move there.
//
// What is normalised, and why it is safe:
// * option spellings and `-m tcp` implicit vs explicit: the IR already keeps canonical keys and typed values;
// * `1.2.3.4` = `1.2.3.4/32`, host bits under the mask: iptables masks the address when parsing
//   (libxtables xtables_ipparse_multiple: `addrp[j++].s_addr &= maskp->s_addr`), the IR does the same;
// * `-s 0.0.0.0/0`, `-p all`, `-i +`: what iptables stores for "no condition" (iptables-save prints nothing);
// * order of -s/-d/-p/-i/-o: they live in one struct ipt_ip, checked together by ip_packet_match();
// * order of the options of one match: one struct per match;
// * order of matches: the kernel runs them left to right and stops at the first miss (ipt_do_table), which
//   only matters for matches with state (recent, limit, quota, statistic nth, connlimit …): their position
//   decides which packets advance the state. Stateless matches commute, so they are sorted between stateful
//   ones, and a stateful match keeps its place;
// * set-valued options (`--ctstate NEW,ESTABLISHED`, multiport lists, addrtype lists) are bitmasks or sets;
// * `--probability`: stored as lround(p · 2^31) (libxt_statistic), so 0.3333333333 = 0.33333333349;
// * documented defaults: REJECT `--reject-with icmp-port-unreachable` (libxt_REJECT), LOG `--log-level 4`
//   (libxt_LOG LOG_DEFAULT_LEVEL), recent `--rsource` and `--mask 255.255.255.255` (libxt_recent defaults).
import {
  EB_BASE, canonicalOption, findMatchModule, findTargetSpec,
  type Family, type Match, type OptionEntry, type OptionValue, type Rule,
} from '@chainsight/grammar';

export interface RuleKeyOptions {
  /** Drop `-m comment` (`--ignore-comments`). */
  ignoreComments?: boolean;
  /**
   * Name used in keys for a chain referred to by a jump target or a `-m recent --name` list: renamed hash chains
   * map to their partner's name, ignored chains to their pattern. Identity when absent.
   */
  chainAlias?: (name: string) => string;
}

export interface RulePart {
  /** How iptables-save spells the option, with its module or target: `-s`, `-m tcp --dport`, `-j DNAT --to-destination`. */
  label: string;
  /** Canonical value (`! ` first when negated); equal values mean equal kernel data. */
  value: string;
  /** The value as written, for people. */
  text: string;
  kind: 'base' | 'match' | 'target';
  /** Matches in different segments (separated by stateful matches) never commute. */
  segment: number;
}

// Maps, not objects: the words looked up come from the rules (`--log-level constructor` must not find Object.prototype's).
const IP_BASE_LABEL: ReadonlyMap<string, string> = new Map(Object.entries({
  source: '-s', destination: '-d', 'in-interface': '-i', 'out-interface': '-o', protocol: '-p', fragment: '-f',
}));

/** Matches with state: where they sit decides which packets update it (see the file header). */
const STATEFUL_MODULES = new Set(['recent', 'limit', 'hashlimit', 'dstlimit', 'quota', 'connlimit', 'nth']);

/** Options whose list value is a set (a bitmask in the kernel): order does not matter. */
const SET_OPTIONS = new Set(['ctstate', 'state', 'ctstatus', 'src-type', 'dst-type', 'weekdays', 'monthdays', 'ctevents', 'expevents']);

const LOG_LEVELS: ReadonlyMap<string, number> = new Map(Object.entries({
  emerg: 0, alert: 1, crit: 2, error: 3, err: 3, warning: 4, warn: 4, notice: 5, info: 6, debug: 7,
}));

const REJECT_ALIASES_V4: ReadonlyMap<string, string> = new Map(Object.entries({
  'net-unreach': 'icmp-net-unreachable', 'host-unreach': 'icmp-host-unreachable', 'port-unreach': 'icmp-port-unreachable',
  'proto-unreach': 'icmp-proto-unreachable', 'net-prohib': 'icmp-net-prohibited', 'host-prohib': 'icmp-host-prohibited',
  'admin-prohib': 'icmp-admin-prohibited', 'tcp-rst': 'tcp-reset', 'echo-reply': 'icmp-echo-reply',
}));
const REJECT_ALIASES_V6: ReadonlyMap<string, string> = new Map(Object.entries({
  'no-route': 'icmp6-no-route', 'adm-prohibited': 'icmp6-adm-prohibited', 'addr-unreach': 'icmp6-addr-unreachable',
  'port-unreach': 'icmp6-port-unreachable', 'policy-fail': 'icmp6-policy-fail', 'reject-route': 'icmp6-reject-route',
  'tcp-rst': 'tcp-reset',
}));

const hex = (n: number | bigint) => n.toString(16);

function rangeKey(from: number, to: number): string {
  return from === to ? String(from) : `${from}:${to}`;
}

/** Canonical text of a typed value. Not meant for people: addresses are hex, protocols numbers. */
export function valueKey(v: OptionValue, key: string): string {
  switch (v.type) {
    case 'address': return `${hex(v.address)}/${v.prefix ?? 'm' + hex(v.mask)}`;
    case 'address-range': return `${hex(v.from)}-${hex(v.to)}`;
    case 'port-range': return rangeKey(v.from, v.to);
    case 'port-list': return [...v.ranges].sort((a, b) => a.from - b.from || a.to - b.to).map((r) => rangeKey(r.from, r.to)).join(',');
    case 'mark': return `${hex(v.value)}/${hex(v.mask)}`;
    case 'interface': return v.name + (v.wildcard ? '+' : '');
    case 'mac': return `${hex(v.address)}/${hex(v.mask)}`;
    case 'protocol': return String(v.number);
    case 'ethertype': return v.number === null ? 'LENGTH' : hex(v.number);
    case 'icmp-type':
      return v.icmpType === null ? 'any'
        : `${v.icmpType}${v.icmpTypeMax !== undefined ? ':' + v.icmpTypeMax : ''}/${v.codeMin ?? '*'}-${v.codeMax ?? '*'}`;
    case 'tcp-flags': return `${v.mask}/${v.compare}`;
    case 'rate': {
      // xt_limit stores the average interval (unit / count), so 3/min = 180/hour.
      const g = gcd(v.unitSeconds, v.count);
      return `${v.unitSeconds / g}s/${v.count / g}`;
    }
    case 'number-range': return rangeKey(v.from, v.to);
    case 'number': return String(v.value);
    case 'string': return v.value;
    case 'list': return SET_OPTIONS.has(key) ? [...new Set(v.items.map((i) => i.toUpperCase()))].sort().join(',') : v.items.join(',');
    case 'flag': return '';
    case 'nat-range': {
      let s = '';
      if (v.addressFrom !== null) s += hex(v.addressFrom) + (v.addressTo !== null && v.addressTo !== v.addressFrom ? '-' + hex(v.addressTo) : '');
      if (v.prefix !== null) s += '/' + v.prefix;
      if (v.portFrom !== null) s += ':' + v.portFrom + (v.portTo !== null && v.portTo !== v.portFrom ? '-' + v.portTo : '');
      return s;
    }
    case 'raw': return v.words.join(' ');
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a || 1;
}

function optionText(o: OptionEntry): string {
  const words = o.key === 'comment' ? [`"${o.words.join(' ')}"`] : o.words;
  return (o.negated ? '! ' : '') + words.join(' ');
}

/**
 * What iptables stores when the option is absent. Returning null drops the option from the key;
 * otherwise the (possibly rewritten) canonical value.
 */
function normalise(where: string, o: OptionEntry, family: Family, canonical: string): string | null {
  const v = o.value;
  if (where === 'base') {
    if (o.negated) return canonical;
    if ((o.key === 'source' || o.key === 'destination') && v.type === 'address' && v.mask === 0n) return null;
    if (o.key === 'protocol' && v.type === 'protocol' && v.number === 0) return null;
    if ((o.key === 'in-interface' || o.key === 'out-interface') && v.type === 'interface' && v.wildcard && v.name === '') return null;
    return canonical;
  }
  if (where === 'recent') {
    if (o.key === 'rsource') return null;
    if (o.key === 'mask' && v.type === 'address' && v.prefix === (v.version === 4 ? 32 : 128)) return null;
  }
  if (where === 'statistic' && o.key === 'probability' && v.type === 'number') {
    // libxt_statistic stores lround(0x80000000 * p): kube-proxy's 0.3333333333 is saved as 0.33333333349.
    return String(Math.round(v.value * 0x80000000));
  }
  if (where === 'REJECT' && o.key === 'reject-with') {
    const long = (family === 'ipv6' ? REJECT_ALIASES_V6 : REJECT_ALIASES_V4).get(canonical) ?? canonical;
    return long === (family === 'ipv6' ? 'icmp6-port-unreachable' : 'icmp-port-unreachable') ? null : long;
  }
  if (where === 'LOG' && o.key === 'log-level') {
    const level = LOG_LEVELS.get(canonical.toLowerCase()) ?? Number(canonical);
    return level === 4 ? null : String(level);
  }
  return canonical;
}

function baseLabel(o: OptionEntry, family: Family): string {
  if (family !== 'bridge') return IP_BASE_LABEL.get(o.key) ?? o.spelling;
  return canonicalOption(EB_BASE, o.key)?.names[0] ?? o.spelling;
}

function matchOptionLabel(m: Match, o: OptionEntry, family: Family): string {
  const spec = o.known && m.known ? findMatchModule(family, m.module) : undefined;
  const name = spec ? canonicalOption(spec.options, o.key)?.names[0] ?? o.spelling : o.spelling;
  if (family === 'bridge' || m.module === '') return name;
  return `-m ${m.known ? m.module : m.spelling} ${name}`;
}

/** A match whose result depends on state it updates (see the file header). */
export function isStateful(m: Match): boolean {
  if (!m.known) return true;
  if (STATEFUL_MODULES.has(m.module)) return true;
  if (m.module === 'statistic') return m.options.some((o) => o.key === 'mode' && o.value.type === 'string' && o.value.value === 'nth');
  return false;
}

/** The rule's options as labelled parts, in canonical order (the key is built from them). */
export function ruleParts(rule: Rule, options: RuleKeyOptions = {}): RulePart[] {
  const family = rule.family;
  const alias = options.chainAlias;
  const parts: RulePart[] = [];
  for (const o of rule.base) {
    const value = normalise('base', o, family, valueKey(o.value, o.key));
    if (value === null) continue;
    parts.push({ label: baseLabel(o, family), value: (o.negated ? '! ' : '') + value, text: optionText(o), kind: 'base', segment: 0 });
  }
  let segment = 1;
  for (const m of rule.matches) {
    if (m.module === 'comment' && options.ignoreComments) continue;
    const stateful = isStateful(m);
    if (stateful) segment++;
    const where = m.known ? m.module : '';
    const own: RulePart[] = [];
    for (const o of m.options) {
      let canonical = valueKey(o.value, o.key);
      if (alias && m.module === 'recent' && o.key === 'name') canonical = alias(canonical);
      const value = normalise(where, o, family, canonical);
      if (value === null) continue;
      own.push({ label: matchOptionLabel(m, o, family), value: (o.negated ? '! ' : '') + value, text: optionText(o), kind: 'match', segment });
    }
    if (!own.length && !(family === 'bridge' && m.options.length)) {
      // A match without options still matches something (`-m tcp` fails on non-first fragments, tcp_mt).
      const label = family === 'bridge' || m.module === '' ? m.spelling : `-m ${m.known ? m.module : m.spelling}`;
      own.push({ label, value: '', text: '', kind: 'match', segment });
    }
    // Options of an unknown module keep their written order: chainsight cannot tell what they mean.
    if (m.known) own.sort(comparePart);
    parts.push(...own);
    if (stateful) segment++;
  }
  const t = rule.target;
  if (t) {
    const name = alias ? alias(t.name) : t.name;
    parts.push({ label: t.goto ? '-g' : '-j', value: name, text: t.name, kind: 'target', segment: Number.MAX_SAFE_INTEGER });
    const spec = t.type === 'extension' ? findTargetSpec(family, t.name) : undefined;
    const own: RulePart[] = [];
    for (const o of t.options) {
      const value = normalise(t.name, o, family, valueKey(o.value, o.key));
      if (value === null) continue;
      const optName = spec && o.known ? canonicalOption(spec.options, o.key)?.names[0] ?? o.spelling : o.spelling;
      own.push({ label: `-j ${t.name} ${optName}`, value: (o.negated ? '! ' : '') + value, text: optionText(o), kind: 'target', segment: Number.MAX_SAFE_INTEGER });
    }
    if (t.type !== 'unknown') own.sort(comparePart);
    parts.push(...own);
  } else if (family === 'bridge') {
    // ebtables saves a rule without target as `-j CONTINUE` (ebtables(8)).
    parts.push({ label: '-j', value: 'CONTINUE', text: 'CONTINUE', kind: 'target', segment: Number.MAX_SAFE_INTEGER });
  }
  return sortParts(parts);
}

function comparePart(a: RulePart, b: RulePart): number {
  return a.label < b.label ? -1 : a.label > b.label ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
}

/** Base parts sorted; match parts sorted within their segment; the target last with its options. */
function sortParts(parts: RulePart[]): RulePart[] {
  const out: RulePart[] = [];
  let i = 0;
  while (i < parts.length) {
    const p = parts[i]!;
    let j = i + 1;
    // Stateful segments hold one match each; options inside were already ordered.
    while (j < parts.length && parts[j]!.segment === p.segment && parts[j]!.kind === p.kind) j++;
    const run = parts.slice(i, j);
    const keepOrder = p.kind === 'target' || (p.kind === 'match' && p.segment % 2 === 0);
    out.push(...(keepOrder ? run : run.sort(comparePart)));
    i = j;
  }
  return out;
}

export function keyOfParts(parts: readonly RulePart[]): string {
  let s = '';
  let segment = -1;
  for (const p of parts) {
    if (p.segment !== segment) { s += '|'; segment = p.segment; }
    s += p.label + '\u0001' + p.value + '\u0002';
  }
  return s;
}

/** A string equal for two rules exactly when the kernel stores the same rule (counters aside). */
export function canonicalRuleKey(rule: Rule, options: RuleKeyOptions = {}): string {
  return keyOfParts(ruleParts(rule, options));
}
