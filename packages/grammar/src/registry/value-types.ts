// Value parsers of the option registry: each turns the argument words of one option into a typed value
// (what the kernel stores) and formats it back as iptables-save/ebtables-save print it.
import type { Family } from '../ir/nodes';
import type {
  AddressMask, AddressRange, EtherType, IcmpType, Interface, IpVersion, MarkMask, NatRange, NumberRange,
  NumberValue, OptionValue, PortList, PortRange, Protocol, Rate, StringValue, ListValue, TcpFlags, RawValue,
  MacMask, FlagValue,
} from '../ir/values';
import {
  ValueError, formatAddressMask, formatIp, parseAddressMask, parseIp, parseIpOrExplain, parseMacMask, formatMacMask,
} from './address';
import { TOS_NAMES } from './tos';
import { ETHERTYPES, ICMP_TYPES, ICMPV6_TYPES, PROTOCOLS, PROTOCOL_PRINT_NAMES, SERVICES, TCP_FLAGS } from './names';

export { ValueError };

export interface ValueContext {
  family: Family;
}

/** Value parsers report recoverable oddities here; the rule parser turns them into located warnings. */
let pendingWarnings: string[] = [];
export function noteWarning(message: string): void {
  pendingWarnings.push(message);
}
const NO_WARNINGS: readonly string[] = Object.freeze([]);

/** The warnings of the last parse (a shared empty list when there were none: the usual case allocates nothing). */
export function takeWarnings(): readonly string[] {
  if (!pendingWarnings.length) return NO_WARNINGS;
  const w = pendingWarnings;
  pendingWarnings = [];
  return w;
}

/** Host names (`-d example.org`) are resolved by iptables when the rule is loaded; a snapshot cannot know to what. */
export const HOSTNAME_RE = /^(?=.*[A-Za-z])[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?:\/\d+)?$/;
/** Placeholders that anonymised published rulesets use instead of real values (`XX:XX:XX:XX:XX:XX`). */
export const PLACEHOLDER_RE = /^(?:[Xx]{1,4}[:.]?)+$|^<[^>]*>$|^[Xx]{2,}/;

export interface ValueType<V extends OptionValue = OptionValue> {
  /** Number of argument words (0 for flags). */
  arity: number;
  parse(words: string[], ctx: ValueContext): V;
  /** Values that are addresses, where a host name may stand instead (resolved by iptables at load time). */
  addressLike?: boolean;
  /** Canonical words; absent: the words are printed as read. */
  format?(value: V, words: string[], ctx: ValueContext): string[];
}

export const ipVersion = (ctx: ValueContext): IpVersion => (ctx.family === 'ipv6' ? 6 : 4);

/**
 * A number as libxtables reads one (xtables_strtoui → strtoumax with base 0, libxtables/xtables.c): decimal,
 * `0x` hexadecimal, or octal after a leading `0` (so `010` is 8 and `08` is refused: strtoumax stops at the `8`
 * and the trailing character fails the whole value). An optional `+`; no `-` (xtables_strtoul_base refuses it);
 * nothing after the digits.
 */
export function parseUint(text: string, max: number, what = 'number'): number {
  const t = text.trim();
  const m = /^\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(t);
  if (!m) {
    if (/^-/.test(t)) throw new ValueError(`${what} ${text} is negative`);
    if (/^\+?0[0-7]*[89]/.test(t)) throw new ValueError(`'${text}' is not a valid ${what}: a leading 0 makes it octal (as strtoul reads it), and 8 and 9 are not octal digits`);
    throw new ValueError(`'${text}' is not a valid ${what}`);
  }
  // Exact with BigInt: Number() of a 20-digit text rounds, and a huge value must be refused, not read as 1e+23.
  const big = m[1] !== undefined ? BigInt('0x' + m[1]) : m[2] !== undefined ? BigInt('0o' + (m[2].slice(1) || '0')) : BigInt(m[3]!);
  if (big > BigInt(max)) throw new ValueError(`${what} ${text} is out of range (max ${max})`);
  return Number(big);
}

/** Splits `text` at `sep` into at most `max` parts, else a located "too many parts" error (no part is ignored). */
export function splitParts(text: string, sep: string, max: number, what: string): string[] {
  const parts = text.split(sep);
  if (parts.length > max) {
    throw new ValueError(`'${text}' has ${parts.length - 1} '${sep}' where ${what} allows ${max - 1}; nothing after the ${ordinal(max)} part may follow`);
  }
  return parts;
}

const ordinal = (n: number) => (n === 1 ? 'first' : n === 2 ? 'second' : `${n}th`);

export const flag: ValueType<FlagValue> = { arity: 0, parse: () => ({ type: 'flag' }), format: () => [] };

export const raw = (arity = 1): ValueType<RawValue> => ({ arity, parse: (words) => ({ type: 'raw', words }) });

export const string: ValueType<StringValue> = { arity: 1, parse: (w) => ({ type: 'string', value: w[0]! }) };

/** Strings iptables-save prints through xtables_save_string (quoted unless plain). */
export const quotedString: ValueType<StringValue> = string;

export const uint = (max = 0xffffffff, what = 'number'): ValueType<NumberValue> => ({
  arity: 1,
  parse: (w) => ({ type: 'number', value: parseUint(w[0]!, max, what) }),
  format: (v) => [String(v.value)],
});

export const hexUint = (max = 0xffffffff): ValueType<NumberValue> => ({
  arity: 1,
  parse: (w) => ({ type: 'number', value: parseUint(w[0]!, max) }),
  format: (v) => ['0x' + v.value.toString(16)],
});

/**
 * `a`, `a:b`, `a:`, `:b` (length/ttl/spi style ranges): libxtables xtopt_parse_mint reads at most two
 * components ("Too many components"), an empty one is 0 or the maximum, and a reversed range is refused (iptables
 * ≥ 1.8.8; older versions loaded one that never matches).
 */
export const numberRange = (max: number, sep = ':'): ValueType<NumberRange> => ({
  arity: 1,
  parse: (w) => {
    const [a, b] = splitParts(w[0]!, sep, 2, 'a range');
    const from = a === '' || a === undefined ? 0 : parseUint(a, max);
    const to = b === undefined ? from : b === '' ? max : parseUint(b, max);
    if (from > to) throw new ValueError(`range ${w[0]} is reversed`);
    return { type: 'number-range', from, to };
  },
});

/** xtables_parse_port: a service name, else a number as xtables_strtoui reads it. */
export function parsePort(text: string): number {
  if (/^\+?\d|^\+?0[xX]/.test(text)) return parseUint(text, 65535, 'port');
  const s = SERVICES.get(text);
  if (s === undefined) throw new ValueError(`'${text}' is not a port number or a known service name`);
  return s;
}

function parsePortRangeText(text: string, sep = ':', swap = true): PortRange {
  const i = text.indexOf(sep);
  if (i < 0) {
    const p = parsePort(text);
    return { type: 'port-range', from: p, to: p };
  }
  const a = text.slice(0, i);
  const b = text.slice(i + 1);
  const from = a === '' ? 0 : parsePort(a);
  const to = b === '' ? 65535 : parsePort(b);
  // iptables swaps a reversed range silently (libxtables xtables_parse_port_range); so does chainsight, with a warning.
  if (from > to) {
    if (!swap) throw new ValueError(`port range ${text} is reversed (iptables: "invalid portrange specified")`);
    noteWarning(`port range ${text} is reversed; read as ${to}:${from} like iptables does`);
    return { type: 'port-range', from: to, to: from };
  }
  return { type: 'port-range', from, to };
}

const fmtPortRange = (r: PortRange, sep = ':') => (r.from === r.to ? String(r.from) : `${r.from}${sep}${r.to}`);

export const portRange: ValueType<PortRange> = {
  arity: 1,
  parse: (w) => parsePortRangeText(w[0]!),
  format: (v) => [fmtPortRange(v)],
};

export const portList: ValueType<PortList> = {
  arity: 1,
  parse: (w) => {
    const ranges = w[0]!.split(',').map((p) => {
      splitParts(p, ':', 2, 'a port range');
      // libxt_multiport.c parse_multi_ports_v1 refuses a reversed range ("invalid portrange specified"); unlike
      // -p tcp --dport it does not swap it.
      return parsePortRangeText(p, ':', false);
    });
    const slots = ranges.reduce((n, r) => n + (r.from === r.to ? 1 : 2), 0);
    if (slots > 15) throw new ValueError(`multiport takes at most 15 ports (a range counts as two), got ${slots}`);
    return { type: 'port-list', ranges };
  },
  format: (v) => [v.ranges.map((r) => fmtPortRange(r)).join(',')],
};

/** ebtables ports: `a`, `a:b`; a reversed range is refused (libebt_ip.c parse_port_range: "invalid portrange (min > max)"). */
export const ebPortRange: ValueType<PortRange> = {
  arity: 1,
  parse: (w) => {
    splitParts(w[0]!, ':', 2, 'a port range');
    return parsePortRangeText(w[0]!, ':', false);
  },
  format: portRange.format,
};

export const address: ValueType<AddressMask> = {
  arity: 1,
  addressLike: true,
  parse: (w, ctx) => parseAddressMask(w[0]!, ipVersion(ctx)),
  // iptables before 1.4.x printed host addresses without `/32`; an address written without a prefix stays so.
  format: (v, words) =>
    [words.length === 1 && !words[0]!.includes('/') && v.prefix === (v.version === 4 ? 32 : 128) ? formatIp(v.version, v.address) : formatAddressMask(v)],
};

/** A bare address or netmask (`-m recent --mask 255.255.255.255`), printed without a prefix. */
export const plainAddress: ValueType<AddressMask> = {
  arity: 1,
  parse: (w, ctx) => {
    const a = parseIp(w[0]!, ipVersion(ctx));
    if (a === null) throw new ValueError(`'${w[0]}' is not an IPv${ipVersion(ctx)} address`);
    const full = ipVersion(ctx) === 4 ? 0xffffffffn : (1n << 128n) - 1n;
    return { type: 'address', version: ipVersion(ctx), address: a, mask: full, prefix: ipVersion(ctx) === 4 ? 32 : 128 };
  },
  format: (v) => [formatIp(v.version, v.address)],
};

/** `-s a,b,c`: iptables expands the list into one rule per address; chainsight keeps one rule with a list. */
export const addressList: ValueType<ListValue & { addresses: AddressMask[] } & OptionValue> = {
  arity: 1,
  parse: (w, ctx) => {
    const parts = w[0]!.split(',');
    const addresses = parts.map((p) => parseAddressMask(p, ipVersion(ctx)));
    return { type: 'list', items: parts, addresses } as never;
  },
};

/** libxt_iprange.c iprange_parse_range: one `-`; each side an address; a reversed range "will never match". */
export const addressRange: ValueType<AddressRange> = {
  arity: 1,
  parse: (w, ctx) => {
    const v = ipVersion(ctx);
    const [a, b] = splitParts(w[0]!, '-', 2, 'an address range');
    const from = parseIpOrExplain(a ?? '', v);
    const to = b === undefined ? from : parseIpOrExplain(b, v);
    if (from > to) noteWarning(`range ${w[0]} is reversed and will never match (xt_iprange: "range is reversed")`);
    return { type: 'address-range', version: v, from, to };
  },
  format: (r) => [r.from === r.to ? formatIp(r.version, r.from) : `${formatIp(r.version, r.from)}-${formatIp(r.version, r.to)}`],
};

export const ipAddress: ValueType<AddressMask> = address;

/**
 * `value[/mask]` (libxtables xtables_parse_mark_mask, XTTYPE_MARKMASK32): both 32-bit numbers as
 * xtables_strtoui reads them, and "trailing garbage" after them refused.
 */
export function parseMarkMask(text: string, what = 'mark'): MarkMask {
  const [v, m] = splitParts(text, '/', 2, `a ${what} (value/mask)`);
  return { type: 'mark', value: parseUint(v ?? '', 0xffffffff, what), mask: m === undefined ? 0xffffffff : parseUint(m, 0xffffffff, 'mask') };
}

export const mark: ValueType<MarkMask> = {
  arity: 1,
  parse: (w) => parseMarkMask(w[0]!),
  format: (v) => ['0x' + v.value.toString(16) + (v.mask === 0xffffffff ? '' : '/0x' + v.mask.toString(16))],
};

/** MARK/CONNMARK `--set-xmark v/m` as iptables-save prints it: the mask is always shown. */
export const xmark: ValueType<MarkMask> = {
  arity: 1,
  parse: mark.parse,
  format: (v) => [`0x${v.value.toString(16)}/0x${v.mask.toString(16)}`],
};

export const iface: ValueType<Interface> = {
  arity: 1,
  parse: (w) => {
    const t = w[0]!;
    if (t.length > 15) throw new ValueError(`interface name '${t}' is longer than 15 characters (IFNAMSIZ)`);
    return t.endsWith('+') ? { type: 'interface', name: t.slice(0, -1), wildcard: true } : { type: 'interface', name: t, wildcard: false };
  },
  format: (v) => [v.name + (v.wildcard ? '+' : '')],
};

export const protocol: ValueType<Protocol> = {
  arity: 1,
  parse: (w) => {
    const t = w[0]!.toLowerCase();
    const named = PROTOCOLS.get(t);
    if (named !== undefined) return { type: 'protocol', number: named, name: named === 0 ? 'all' : t };
    if (/^\+?\d/.test(t)) {
      const n = parseUint(t, 255, 'protocol number');
      return { type: 'protocol', number: n, name: null };
    }
    throw new ValueError(`unknown protocol '${w[0]}'`);
  },
  // A name stays the name written (iptables versions differ: `icmpv6` vs `ipv6-icmp`); a number is printed as the
  // name iptables-save shows for it.
  format: (v) => [v.number === 0 ? 'all' : v.name ?? PROTOCOL_PRINT_NAMES.get(v.number) ?? String(v.number)],
};

/** conntrack `--ctproto`: libxt_conntrack prints the number. */
export const protocolNumber: ValueType<Protocol> = {
  arity: 1,
  parse: protocol.parse,
  format: (v) => [v.name ?? String(v.number)],
};

export const ethertype: ValueType<EtherType> = {
  arity: 1,
  parse: (w) => {
    const t = w[0]!;
    if (t.toUpperCase() === 'LENGTH') return { type: 'ethertype', number: null, name: 'Length' };
    for (const [name, n] of ETHERTYPES) if (name.toLowerCase() === t.toLowerCase()) return { type: 'ethertype', number: n, name };
    if (/^(0x)?[0-9a-fA-F]{1,4}$/.test(t)) {
      const n = parseInt(t.replace(/^0x/, ''), 16);
      if (n < 0x0600) throw new ValueError(`ethertype ${t} is below 0x0600 (use LENGTH for 802.3 frames)`);
      return { type: 'ethertype', number: n, name: null };
    }
    throw new ValueError(`unknown ethertype '${t}'`);
  },
  format: (v) => {
    if (v.number === null) return ['Length'];
    for (const [name, n] of ETHERTYPES) if (n === v.number) return [name];
    return ['0x' + v.number.toString(16)];
  },
};

export const macMask: ValueType<MacMask> = {
  arity: 1,
  parse: (w) => parseMacMask(w[0]!),
  format: (v) => [formatMacMask(v)],
};

function icmpTypeParser(table: ReadonlyMap<string, readonly [number, number | null]>, what: string): ValueType<IcmpType> {
  return {
    arity: 1,
    parse: (w) => {
      const t = w[0]!;
      const named = table.get(t);
      if (named) {
        return named[0] < 0
          ? { type: 'icmp-type', icmpType: null, codeMin: null, codeMax: null, name: t }
          : { type: 'icmp-type', icmpType: named[0], codeMin: named[1], codeMax: named[1], name: t };
      }
      const m = /^(\d+)(?:\/(\d+))?$/.exec(t);
      if (!m) throw new ValueError(`unknown ${what} type '${t}'`);
      const type = parseUint(m[1]!, 255, `${what} type`);
      const code = m[2] === undefined ? null : parseUint(m[2], 255, `${what} code`);
      return { type: 'icmp-type', icmpType: type, codeMin: code, codeMax: code, name: null };
    },
    // iptables-save prints numbers (`--icmp-type 8`, `--icmp-type 3/4`) except for `any`.
    format: (v) => [v.icmpType === null ? 'any' : v.codeMin === null ? String(v.icmpType) : `${v.icmpType}/${v.codeMin}`],
  };
}

export const icmpType = icmpTypeParser(ICMP_TYPES, 'ICMP');

/** ebtables `--ip-icmp-type` / `--ip6-icmp-type`: `type[:type][/code[:code]]` or a name (ebt_ip.c, ebt_ip6.c). */
function ebIcmpTypeParser(named: ValueType<IcmpType>, what: string): ValueType<IcmpType> {
  return {
    arity: 1,
    parse: (w, ctx) => {
      const m = /^(\d+)(?::(\d+))?(?:\/(\d+)(?::(\d+))?)?$/.exec(w[0]!);
      if (!m) return named.parse(w, ctx);
      const t = parseUint(m[1]!, 255, `${what} type`);
      const tMax = m[2] === undefined ? t : parseUint(m[2], 255, `${what} type`);
      const cMin = m[3] === undefined ? null : parseUint(m[3], 255, `${what} code`);
      const cMax = m[4] === undefined ? cMin : parseUint(m[4], 255, `${what} code`);
      const v: IcmpType = { type: 'icmp-type', icmpType: t, codeMin: cMin, codeMax: cMax, name: null };
      if (tMax !== t) v.icmpTypeMax = tMax;
      return v;
    },
  };
}
export const ebIcmpType = ebIcmpTypeParser(icmpTypeParser(ICMP_TYPES, 'ICMP'), 'ICMP');
export const ebIcmpv6Type = ebIcmpTypeParser(icmpTypeParser(ICMPV6_TYPES, 'ICMPv6'), 'ICMPv6');
export const icmpv6Type = icmpTypeParser(ICMPV6_TYPES, 'ICMPv6');

function parseFlagList(text: string): number {
  let v = 0;
  for (const f of text.split(',')) {
    const bit = TCP_FLAGS.get(f.toUpperCase());
    if (bit === undefined) throw new ValueError(`unknown TCP flag '${f}'`);
    v |= bit;
  }
  return v;
}

function formatFlags(v: number): string {
  if (v === 0) return 'NONE';
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG'];
  return names.filter((_, i) => v & (1 << i)).join(',');
}

export const tcpFlags: ValueType<TcpFlags> = {
  arity: 2,
  parse: (w) => ({ type: 'tcp-flags', mask: parseFlagList(w[0]!), compare: parseFlagList(w[1]!) }),
  format: (v) => [formatFlags(v.mask), formatFlags(v.compare)],
};

/** Rate units with their seconds; a unit may be given as any prefix of its name (`3/s`, `3/sec`, `3/min`). */
const RATE_UNITS: readonly [Rate['unit'], number][] = [['second', 1], ['minute', 60], ['hour', 3600], ['day', 86400]];

/**
 * libxt_limit.c parse_rate (ebtables' libebt_limit.c the same): `N[/unit]`, the unit any prefix of second, minute,
 * hour or day (strncasecmp), N at least 1. A name from the input is never an object key: `3/constructor` is
 * no unit.
 */
export const rate: ValueType<Rate> = {
  arity: 1,
  parse: (w) => {
    const m = /^(\d+)(?:\/([A-Za-z]+))?$/.exec(w[0]!);
    const u = m?.[2]?.toLowerCase() ?? 'second';
    const unit = RATE_UNITS.find(([name]) => name.startsWith(u));
    if (!m || !unit) throw new ValueError(`'${w[0]}' is not a rate (e.g. 3/min)`);
    const count = Number(m[1]);
    if (count < 1) throw new ValueError(`rate ${w[0]} is zero (iptables: "bad rate")`);
    return { type: 'rate', count, unit: unit[0], unitSeconds: unit[1] };
  },
  format: (v) => [`${v.count}/${v.unit === 'second' ? 'sec' : v.unit === 'minute' ? 'min' : v.unit}`],
};

/** Comma-separated keywords checked against a closed set (`--ctstate NEW,ESTABLISHED`). */
export const keywordList = (allowed: readonly string[], caseInsensitive = true): ValueType<ListValue> => ({
  arity: 1,
  parse: (w) => {
    const items = w[0]!.split(',').map((s) => (caseInsensitive ? s.toUpperCase() : s));
    for (const i of items) if (!allowed.includes(i)) throw new ValueError(`'${i}' is not one of ${allowed.join(', ')}`);
    return { type: 'list', items };
  },
});

export const list: ValueType<ListValue> = { arity: 1, parse: (w) => ({ type: 'list', items: w[0]!.split(',') }) };

export const keyword = (allowed: readonly string[]): ValueType<StringValue> => ({
  arity: 1,
  parse: (w) => {
    if (!allowed.includes(w[0]!)) throw new ValueError(`'${w[0]}' is not one of ${allowed.join(', ')}`);
    return { type: 'string', value: w[0]! };
  },
});

/** `port[-port]` of a NAT target: one `-`, each side a port or service name, not reversed ("Port range … funky"). */
function natPortRange(text: string, seps: string): [number, number] {
  const sep = seps.split('').find((c) => text.includes(c)) ?? seps[0]!;
  const [a, b] = splitParts(text, sep, 2, 'a port range');
  const from = parsePort(a ?? '');
  const to = b === undefined ? from : parsePort(b);
  if (to < from) throw new ValueError(`port range ${text} is reversed`);
  return [from, to];
}

/**
 * NAT targets: `[ip[-ip]][:port[-port]]` (IPv6 addresses in brackets), NETMAP `ip/prefix` (libipt_DNAT.c /
 * libxt_NAT.c parse_to). Every part is checked: a third address or port, a reversed port range, or text after
 * the brackets is an error, not dropped.
 */
export const natRange: ValueType<NatRange> = {
  arity: 1,
  parse: (w, ctx) => {
    const version = ipVersion(ctx);
    let text = w[0]!;
    let portPart: string | null = null;
    if (version === 6 && text.startsWith('[')) {
      const close = text.indexOf(']');
      if (close < 0) throw new ValueError(`'${text}': missing ']'`);
      const after = text.slice(close + 1);
      if (after !== '' && !after.startsWith(':')) throw new ValueError(`'${text}': unexpected '${after}' after ']'`);
      portPart = after.startsWith(':') ? after.slice(1) : null;
      text = text.slice(1, close);
    } else if (version === 4) {
      const colon = text.indexOf(':');
      if (colon >= 0) { portPart = text.slice(colon + 1); text = text.slice(0, colon); }
    }
    let addressFrom: bigint | null = null;
    let addressTo: bigint | null = null;
    let prefix: number | null = null;
    if (text !== '') {
      const slash = text.indexOf('/');
      const rangeText = slash >= 0 ? text.slice(0, slash) : text;
      if (slash >= 0) prefix = parseUint(text.slice(slash + 1), version === 4 ? 32 : 128, 'prefix');
      const [a, b] = splitParts(rangeText, '-', 2, 'an address range');
      addressFrom = parseIpOrExplain(a ?? '', version);
      addressTo = b === undefined ? addressFrom : parseIpOrExplain(b, version);
      if (addressTo < addressFrom) noteWarning(`address range ${rangeText} is reversed`);
    }
    let portFrom: number | null = null;
    let portTo: number | null = null;
    if (portPart !== null) [portFrom, portTo] = natPortRange(portPart, '-');
    return { type: 'nat-range', version, addressFrom, addressTo, prefix, portFrom, portTo };
  },
};

/**
 * `--to-ports 8080` / `8080-8090` (REDIRECT, MASQUERADE; libxt_REDIRECT.c parse_ports): a port or service name,
 * `-` and a second one not below the first; `8080:8090` is read the same way.
 */
export const natPorts: ValueType<NatRange> = {
  arity: 1,
  parse: (w, ctx) => {
    const [portFrom, portTo] = natPortRange(w[0]!, '-:');
    return { type: 'nat-range', version: ipVersion(ctx), addressFrom: null, addressTo: null, prefix: null, portFrom, portTo };
  },
};

/**
 * `--tos value[/mask]` or a TOS name (libxt_tos.c, tos_parse_symbolic / tos_parse_numeric): 8-bit numbers as
 * xtables_strtoui reads them, one `/`, nothing after. Kept as the words written (their meaning is read by the
 * matcher), once checked.
 */
export const tosValue: ValueType<RawValue> = {
  arity: 1,
  parse: (w) => {
    const t = w[0]!;
    if (TOS_NAMES.has(t.toLowerCase())) return { type: 'raw', words: w };
    const [v, m] = splitParts(t, '/', 2, 'a TOS value (value/mask)');
    parseUint(v ?? '', 255, 'TOS value');
    if (m !== undefined) parseUint(m, 255, 'TOS mask');
    return { type: 'raw', words: w };
  },
};

/**
 * `--tos value[/mask]` or a name: xt_dscp.c tos_mt compares `(tos & mask) == value`; names imply mask 0x3f, a bare
 * number mask 0xff (libxt_tos.c tos_parse_symbolic / tos_parse_numeric). Names are case-insensitive.
 */
export function parseTos(word: string): { value: number; mask: number } | null {
  const named = TOS_NAMES.get(word.toLowerCase());
  if (named !== undefined) return { value: named, mask: 0x3f };
  const [a, b, extra] = word.split('/');
  if (extra !== undefined || a === undefined || a === '') return null;
  // Numbers as xtables_strtoui reads them (0x hex, a leading 0 octal), as the parser checked them.
  try {
    return { value: parseUint(a, 0xff), mask: b === undefined ? 0xff : parseUint(b, 0xff) };
  } catch {
    return null;
  }
}

/** An 8-bit number kept as written (TOS target `--and-tos` etc., XTTYPE_UINT8). */
export const checkedUint8: ValueType<RawValue> = {
  arity: 1,
  parse: (w) => {
    parseUint(w[0]!, 255);
    return { type: 'raw', words: w };
  },
};

/**
 * LOG `--log-level` (libxtables xtopt_parse_sysloglevel): 0–7 as xtables_strtoui reads it, or one of the syslog
 * names it knows (compared case-sensitively, bsearch with strcmp). Kept as written.
 */
const SYSLOG_LEVELS: readonly string[] = ['alert', 'crit', 'debug', 'emerg', 'error', 'info', 'notice', 'panic', 'warning'];
export const syslogLevel: ValueType<StringValue> = {
  arity: 1,
  parse: (w) => {
    const t = w[0]!;
    if (!SYSLOG_LEVELS.includes(t)) {
      try { parseUint(t, 7, 'log level'); } catch { throw new ValueError(`log level '${t}' is neither 0–7 nor one of ${SYSLOG_LEVELS.join(', ')}`); }
    }
    return { type: 'string', value: t };
  },
};

/** ebtables `--log-level` (libebt_log.c): one of the eight syslog names, or 0–7. Kept as written. */
const EB_LOG_LEVELS: readonly string[] = ['emerg', 'alert', 'crit', 'error', 'warning', 'notice', 'info', 'debug'];
export const ebLogLevel: ValueType<StringValue> = {
  arity: 1,
  parse: (w) => {
    const t = w[0]!;
    if (!EB_LOG_LEVELS.includes(t) && !/^[0-7]$/.test(t)) throw new ValueError(`log level '${t}' is neither 0–7 nor one of ${EB_LOG_LEVELS.join(', ')}`);
    return { type: 'string', value: t };
  },
};
