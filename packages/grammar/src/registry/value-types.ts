// Value parsers of the option registry: each turns the argument words of one option into a typed value
// (what the kernel stores) and formats it back as iptables-save/ebtables-save print it.
import type { Family } from '../ir/nodes';
import type {
  AddressMask, AddressRange, EtherType, IcmpType, Interface, IpVersion, MarkMask, NatRange, NumberRange,
  NumberValue, OptionValue, PortList, PortRange, Protocol, Rate, StringValue, ListValue, TcpFlags, RawValue,
  MacMask, FlagValue,
} from '../ir/values';
import {
  ValueError, formatAddressMask, formatIp, parseAddressMask, parseIp, parseMacMask, formatMacMask,
} from './address';
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

function parseUint(text: string, max: number, what = 'number'): number {
  const t = text.trim();
  let n: number;
  if (/^0x[0-9a-fA-F]+$/.test(t)) n = parseInt(t, 16);
  else if (/^0[0-7]+$/.test(t)) n = parseInt(t, 8);
  else if (/^\d+$/.test(t)) n = Number(t);
  else throw new ValueError(`'${text}' is not a valid ${what}`);
  if (n > max) throw new ValueError(`${what} ${text} is out of range (max ${max})`);
  return n;
}

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

/** `a`, `a:b` (ttl/length/hl style ranges, also `a-b` where the tool allows it). */
export const numberRange = (max: number, sep: RegExp = /[:]/): ValueType<NumberRange> => ({
  arity: 1,
  parse: (w) => {
    const [a, b] = w[0]!.split(sep);
    const from = a === '' || a === undefined ? 0 : parseUint(a, max);
    const to = b === undefined ? from : b === '' ? max : parseUint(b, max);
    if (from > to) throw new ValueError(`range ${w[0]} is reversed`);
    return { type: 'number-range', from, to };
  },
});

export function parsePort(text: string): number {
  if (/^\d+$/.test(text)) return parseUint(text, 65535, 'port');
  const s = SERVICES.get(text);
  if (s === undefined) throw new ValueError(`'${text}' is not a port number or a known service name`);
  return s;
}

function parsePortRangeText(text: string, sep = ':'): PortRange {
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
    const ranges = w[0]!.split(',').map((p) => parsePortRangeText(p));
    const slots = ranges.reduce((n, r) => n + (r.from === r.to ? 1 : 2), 0);
    if (slots > 15) throw new ValueError(`multiport takes at most 15 ports (a range counts as two), got ${slots}`);
    return { type: 'port-list', ranges };
  },
  format: (v) => [v.ranges.map((r) => fmtPortRange(r)).join(',')],
};

/** ebtables ports: `a`, `a:b`. */
export const ebPortRange = portRange;

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

export const addressRange: ValueType<AddressRange> = {
  arity: 1,
  parse: (w, ctx) => {
    const v = ipVersion(ctx);
    const [a, b] = w[0]!.split('-');
    const from = parseIp(a ?? '', v);
    const to = b === undefined ? from : parseIp(b, v);
    if (from === null || to === null) throw new ValueError(`'${w[0]}' is not an IPv${v} address range`);
    return { type: 'address-range', version: v, from, to };
  },
  format: (r) => [r.from === r.to ? formatIp(r.version, r.from) : `${formatIp(r.version, r.from)}-${formatIp(r.version, r.to)}`],
};

export const ipAddress: ValueType<AddressMask> = address;

export const mark: ValueType<MarkMask> = {
  arity: 1,
  parse: (w) => {
    const [v, m] = w[0]!.split('/');
    return { type: 'mark', value: parseUint(v ?? '', 0xffffffff, 'mark'), mask: m === undefined ? 0xffffffff : parseUint(m, 0xffffffff, 'mask') };
  },
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
    if (/^\d+$/.test(t)) {
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

const RATE_UNITS: Record<string, [Rate['unit'], number]> = {
  s: ['second', 1], sec: ['second', 1], second: ['second', 1],
  m: ['minute', 60], min: ['minute', 60], minute: ['minute', 60],
  h: ['hour', 3600], hour: ['hour', 3600], d: ['day', 86400], day: ['day', 86400],
};

export const rate: ValueType<Rate> = {
  arity: 1,
  parse: (w) => {
    const m = /^(\d+)(?:\/(\w+))?$/.exec(w[0]!);
    const unit = RATE_UNITS[m?.[2] ?? 'sec'];
    if (!m || !unit) throw new ValueError(`'${w[0]}' is not a rate (e.g. 3/min)`);
    return { type: 'rate', count: Number(m[1]), unit: unit[0], unitSeconds: unit[1] };
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

/** NAT targets: `[ip[-ip]][:port[-port]]` (IPv6 addresses in brackets), NETMAP `ip/prefix`. */
export const natRange: ValueType<NatRange> = {
  arity: 1,
  parse: (w, ctx) => {
    const version = ipVersion(ctx);
    let text = w[0]!;
    let portPart: string | null = null;
    if (version === 6 && text.startsWith('[')) {
      const close = text.indexOf(']');
      if (close < 0) throw new ValueError(`'${text}': missing ']'`);
      portPart = text[close + 1] === ':' ? text.slice(close + 2) : null;
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
      const [a, b] = rangeText.split('-');
      addressFrom = parseIp(a ?? '', version);
      addressTo = b === undefined ? addressFrom : parseIp(b, version);
      if (addressFrom === null || addressTo === null) throw new ValueError(`'${rangeText}' is not an IPv${version} address or range`);
    }
    let portFrom: number | null = null;
    let portTo: number | null = null;
    if (portPart !== null) {
      const [a, b] = portPart.split('-');
      portFrom = parseUint(a ?? '', 65535, 'port');
      portTo = b === undefined ? portFrom : parseUint(b, 65535, 'port');
    }
    return { type: 'nat-range', version, addressFrom, addressTo, prefix, portFrom, portTo };
  },
};

/** `--to-ports 8080` / `8080-8090` (REDIRECT, MASQUERADE). */
export const natPorts: ValueType<NatRange> = {
  arity: 1,
  parse: (w, ctx) => {
    // `8080-8090`; `8080:8090` is accepted too (libxt_REDIRECT/MASQUERADE parse a range either way).
    const [a, b] = w[0]!.split(/[-:]/);
    const portFrom = parseUint(a ?? '', 65535, 'port');
    const portTo = b === undefined ? portFrom : parseUint(b, 65535, 'port');
    return { type: 'nat-range', version: ipVersion(ctx), addressFrom: null, addressTo: null, prefix: null, portFrom, portTo };
  },
};
