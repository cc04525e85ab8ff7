// `nft monitor trace` prints the rule that matched in nft syntax (`iifname "docker0" oifname != "docker0" counter
// accept`), not in iptables syntax. iptables-nft translates most of what Docker and kube-proxy use into native
// expressions, so both forms can be reduced to the same facts and compared field by field:
//   -i/-o            iifname/oifname ["!="] "name"   (`eth+` ↔ `"eth*"`)
//   -s/-d            ip saddr/daddr ["!="] a.b.c.d[/len]   (/32 printed without the length)
//   -p P             meta l4proto P | ip protocol P, or implied by `tcp dport …` (iptables-nft drops the
//                    `meta l4proto` dependency when a tcp/udp expression follows)
//   --dport/--sport  tcp|udp|th dport N[-M] | { a, b }     --ctstate  ct state a,b     addrtype  fib daddr type t
//   targets          accept drop return jump X goto X masquerade dnat snat redirect reject queue `meta mark set`
//                    `meta nftrace set 1` (TRACE) log; no target → only `counter`
// (observed with iptables 1.8.9 / nftables 1.0.6 on the fixtures in fixtures/explain). `-m comment` is not printed by
// nft 1.0.6, so comments only count when the trace shows one. Categories that iptables-nft always translates
// natively (interfaces, addresses, protocol, verdict) must agree; the others must agree when both sides have them.
import { formatIp, type OptionEntry, type Rule } from '@chainsight/grammar';

export type Facts = Map<string, string>;

const CORE = ['iif', 'oif', 'saddr', 'daddr', 'proto', 'verdict'];

function neg(negated: boolean, v: string): string {
  return negated ? `!${v}` : v;
}

function normAddr(a: string): string {
  return a.replace(/\/(32|128)$/, '');
}

function normList(s: string): string {
  return s.replace(/[{}\s]/g, '').split(',').filter(Boolean).map((x) => x.toLowerCase()).sort().join(',');
}

function nftVerdict(t: string): string {
  const end = /\b(accept|drop|return|continue|queue)\s*$/.exec(t) ?? /\b(jump|goto) (\S+)\s*$/.exec(t);
  if (end) return end[2] !== undefined ? `${end[1]}:${end[2]}` : end[1]!;
  for (const [re, v] of [
    [/\bmasquerade\b/, 'masquerade'], [/\bdnat\b/, 'dnat'], [/\bsnat\b/, 'snat'], [/\bredirect\b/, 'redirect'],
    // CONNMARK --restore-mark is `meta mark set ct mark` (a mark set from the connection), not MARK.
    [/\breject\b/, 'reject'], [/\bqueue\b/, 'queue'], [/\bmeta nftrace set 1\b/, 'nftrace'], [/\bmeta mark set ct mark\b/, 'connmark'], [/\bmeta mark set\b/, 'mark'],
    [/\bct mark set\b/, 'connmark'], [/\bnotrack\b/, 'notrack'], [/\blog\b/, 'log'],
  ] as const) {
    if (re.test(t)) return v;
  }
  const xt = /\bxt target "([^"]+)"/.exec(t);
  return xt ? xt[1]!.toLowerCase() : 'none';
}

/** Facts of a rule as `nft monitor trace` printed it (counters and handle already removed). */
export function nftFacts(text: string): Facts {
  const f: Facts = new Map();
  const put = (k: string, re: RegExp, map: (m: RegExpExecArray) => string): void => {
    const m = re.exec(text);
    if (m) f.set(k, map(m));
  };
  const iface = (m: RegExpExecArray) => neg(!!m[1], m[2]!.replace(/\*$/, '+'));
  put('iif', /\biif(?:name)? (!= )?"([^"]*)"/, iface);
  put('oif', /\boif(?:name)? (!= )?"([^"]*)"/, iface);
  put('saddr', /\bip6? saddr (!= )?(\S+)/, (m) => neg(!!m[1], normAddr(m[2]!)));
  put('daddr', /\bip6? daddr (!= )?(\S+)/, (m) => neg(!!m[1], normAddr(m[2]!)));
  const l4 = /\b(tcp|udp|udplite|sctp|dccp|icmpv6|icmp) (?:dport|sport|type|flags|option|code)\b/.exec(text);
  put('proto', /\b(?:meta l4proto|ip protocol|ip6 nexthdr) (!= )?(\S+)/, (m) => neg(!!m[1], m[2]!));
  if (!f.has('proto') && l4) f.set('proto', l4[1]!);
  put('dport', /\b(?:tcp|udp|udplite|sctp|dccp|th) dport (!= )?(\{[^}]*\}|\S+)/, (m) => neg(!!m[1], normList(m[2]!)));
  put('sport', /\b(?:tcp|udp|udplite|sctp|dccp|th) sport (!= )?(\{[^}]*\}|\S+)/, (m) => neg(!!m[1], normList(m[2]!)));
  put('ctstate', /\bct state (!= )?(\{[^}]*\}|\S+)/, (m) => neg(!!m[1], normList(m[2]!)));
  put('addrtype-dst', /\bfib daddr (?:\. \S+ )?type (!= )?(\S+)/, (m) => neg(!!m[1], m[2]!));
  put('addrtype-src', /\bfib saddr (?:\. \S+ )?type (!= )?(\S+)/, (m) => neg(!!m[1], m[2]!));
  put('comment', /\bcomment "([^"]*)"/, (m) => m[1]!);
  put('ethertype', /\bether type (!= )?(\S+)/, (m) => neg(!!m[1], m[2]!));
  f.set('verdict', nftVerdict(text));
  return f;
}

function addr(o: OptionEntry): string | null {
  const v = o.value;
  if (v.type !== 'address' || v.prefix === null) return null;
  const full = v.version === 4 ? 32 : 128;
  return neg(o.negated, v.prefix === full ? formatIp(v.version, v.address) : `${formatIp(v.version, v.address)}/${v.prefix}`);
}

function ports(o: OptionEntry): string {
  const v = o.value;
  const one = (r: { from: number; to: number }) => (r.from === r.to ? `${r.from}` : `${r.from}-${r.to}`);
  if (v.type === 'port-range') return neg(o.negated, one(v));
  if (v.type === 'port-list') return neg(o.negated, v.ranges.map(one).sort().join(','));
  return neg(o.negated, o.words.join(',').replace(/:/g, '-'));
}

// Maps: target names and option keys come from the user's rules (`-j constructor` must not find Object.prototype's).
const TARGET_FACT: ReadonlyMap<string, string> = new Map(Object.entries({
  ACCEPT: 'accept', DROP: 'drop', RETURN: 'return', QUEUE: 'queue', NFQUEUE: 'queue', MASQUERADE: 'masquerade', CONTINUE: 'none',
  DNAT: 'dnat', SNAT: 'snat', REDIRECT: 'redirect', REJECT: 'reject', MARK: 'mark', CONNMARK: 'connmark',
  TRACE: 'nftrace', LOG: 'log', NOTRACK: 'notrack',
}));

/** nft's names of the ethertypes ebtables rules use most (`-p IPv4` → `ether type ip`). */
const ETHER_NAME: ReadonlyMap<number, string> = new Map([[0x0800, 'ip'], [0x86dd, 'ip6'], [0x0806, 'arp'], [0x8100, 'vlan'], [0x8035, 'rarp']]);

/** ebtables' IP matches (`--ip-proto`, `--ip-src`, …) in the same categories as iptables' base options. */
const EB_IP_KEYS: ReadonlyMap<string, string> = new Map(Object.entries({
  'ip-protocol': 'proto', 'ip6-protocol': 'proto', 'ip-source': 'saddr', 'ip6-source': 'saddr', 'ip-destination': 'daddr',
  'ip6-destination': 'daddr', 'ip-source-port': 'sport', 'ip6-source-port': 'sport', 'ip-destination-port': 'dport', 'ip6-destination-port': 'dport',
}));

const irCache = new WeakMap<Rule, Facts>();

/** The same facts from an iptables rule of the snapshot. */
export function ruleFacts(rule: Rule): Facts {
  const cached = irCache.get(rule);
  if (cached) return cached;
  const f: Facts = new Map();
  for (const o of rule.base) {
    const v = o.value;
    if (o.key === 'in-interface' && v.type === 'interface') f.set('iif', neg(o.negated, v.wildcard ? `${v.name}+` : v.name));
    if (o.key === 'out-interface' && v.type === 'interface') f.set('oif', neg(o.negated, v.wildcard ? `${v.name}+` : v.name));
    if (o.key === 'source' || o.key === 'destination') {
      const a = addr(o);
      // 0.0.0.0/0 is no condition (iptables-nft emits nothing for it).
      if (a !== null && !(o.value.type === 'address' && o.value.mask === 0n)) f.set(o.key === 'source' ? 'saddr' : 'daddr', a);
    }
    if (o.key === 'protocol' && v.type === 'protocol' && v.number !== 0) f.set('proto', neg(o.negated, v.name ?? String(v.number)));
    if (o.key === 'protocol' && v.type === 'ethertype' && v.number !== null) f.set('ethertype', neg(o.negated, ETHER_NAME.get(v.number) ?? (v.name ?? String(v.number)).toLowerCase()));
  }
  for (const m of rule.matches) {
    for (const o of m.options) {
      const eb = rule.family === 'bridge' ? EB_IP_KEYS.get(o.key) : undefined;
      if (eb) {
        const v = o.value;
        const text = eb === 'saddr' || eb === 'daddr' ? addr(o) : eb === 'proto' && v.type === 'protocol' ? neg(o.negated, v.name ?? String(v.number)) : ports(o);
        if (text !== null) f.set(eb, text);
      } else if (o.key === 'dport' || o.key === 'dports' || (o.key === 'ports' && m.module === 'multiport')) f.set('dport', ports(o));
      else if (o.key === 'sport' || o.key === 'sports') f.set('sport', ports(o));
      else if ((m.module === 'conntrack' && o.key === 'ctstate') || (m.module === 'state' && o.key === 'state')) {
        f.set('ctstate', neg(o.negated, normList(o.words.join(','))));
      } else if (m.module === 'addrtype' && (o.key === 'dst-type' || o.key === 'src-type')) {
        f.set(o.key === 'dst-type' ? 'addrtype-dst' : 'addrtype-src', neg(o.negated, o.words.join(',').toLowerCase()));
      } else if (m.module === 'comment' && o.key === 'comment') f.set('comment', o.words.join(' '));
    }
  }
  const t = rule.target;
  f.set('verdict', !t ? 'none' : t.type === 'chain' ? `${t.goto ? 'goto' : 'jump'}:${t.name}` : TARGET_FACT.get(t.name) ?? t.name.toLowerCase());
  irCache.set(rule, f);
  return f;
}

/**
 * Whether the nft text can be this rule: every fact nft printed must hold for the rule (iptables-nft prints what
 * it translated natively), and the core facts must be equal both ways. The score counts the rule's facts nft did
 * not show (0 is a perfect fit; more negative is looser). null when a fact contradicts.
 */
export function compareFacts(nft: Facts, rule: Facts): number | null {
  for (const k of CORE) if ((nft.get(k) ?? '') !== (rule.get(k) ?? '')) return null;
  for (const [k, v] of nft) if (rule.get(k) !== v) return null;
  let score = 0;
  for (const k of rule.keys()) if (!nft.has(k)) score--;
  return score;
}
