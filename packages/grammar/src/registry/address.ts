// IPv4/IPv6 and MAC address arithmetic: parse to bigint, format as inet_ntop does (glibc), which is what
// iptables-save prints.
import type { AddressMask, IpVersion, MacMask } from '../ir/values';

export class ValueError extends Error {}

/**
 * Dotted quad, each part 1–3 decimal digits up to 255 without a leading zero (what inet_pton(AF_INET) takes, and
 * what iptables-save prints). Read without a regex or intermediate bigints: a 130k-rule snapshot holds about 100k
 * addresses. iptables' own reader differs on leading zeros (see explainIpv4).
 */
export function parseIpv4(text: string): bigint | null {
  const n = text.length;
  if (n < 7 || n > 15) return null;
  let v = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 46 /* . */) {
      if (digits === 0 || part > 255) return null;
      v = v * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && part === 0)) {
      part = part * 10 + (c - 48);
      digits++;
    } else return null;
  }
  if (dots !== 3 || digits === 0 || part > 255) return null;
  return BigInt(v * 256 + part);
}

export function parseIpv6(text: string): bigint | null {
  if (text.length < 2 || text.length > 45 || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let head = text;
  let tail4: bigint | null = null;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tail4 = parseIpv4(text.slice(lastColon + 1));
    if (tail4 === null) return null;
    head = text.slice(0, lastColon + 1) + '0:0';
  }
  const parts = head.split('::');
  if (parts.length > 2) return null;
  const left = parts[0] ? parts[0]!.split(':') : [];
  const right = parts.length === 2 && parts[1] ? parts[1]!.split(':') : [];
  const groups = parts.length === 2 ? 8 - left.length - right.length : 0;
  if (parts.length === 1 && left.length !== 8) return null;
  if (parts.length === 2 && groups < 1) return null;
  const all = [...left, ...Array(groups).fill('0'), ...right];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== null) v = (v & ~0xffffffffn) | tail4;
  return v;
}

export function formatIpv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((v >> s) & 255n)).join('.');
}

/** inet_ntop(AF_INET6): the longest run (≥2) of zero groups becomes `::`; `::ffff:a.b.c.d` for mapped. */
export function formatIpv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  if (bestLen < 2) bestStart = -1;
  // IPv4-mapped / compatible addresses print their last 32 bits in dotted form.
  if (bestStart === 0 && (bestLen === 6 || (bestLen === 5 && g[5] === 0xffff))) {
    return (bestLen === 5 ? '::ffff:' : '::') + formatIpv4(v & 0xffffffffn);
  }
  const hex = (n: number) => n.toString(16);
  if (bestStart < 0) return g.map(hex).join(':');
  return g.slice(0, bestStart).map(hex).join(':') + '::' + g.slice(bestStart + bestLen).map(hex).join(':');
}

export function formatIp(version: IpVersion, v: bigint): string {
  return version === 4 ? formatIpv4(v) : formatIpv6(v);
}

export function parseIp(text: string, version: IpVersion): bigint | null {
  return version === 4 ? parseIpv4(text) : parseIpv6(text);
}

/**
 * Why `text` is no address, for the error message. A dotted quad with a leading zero (`010.0.0.1`) is the case
 * worth naming: iptables reads each part with xtables_strtoui in base 0 (libxtables/xtables.c,
 * __numeric_to_ipaddr), so `010` is octal 8, while inet_pton and most readers refuse it or take it as decimal.
 * chainsight refuses it rather than guess which was meant.
 */
function explainIp(text: string, version: IpVersion): string {
  const other = parseIp(text, version === 4 ? 6 : 4);
  if (other !== null) return `'${text}' is an IPv${version === 4 ? 6 : 4} address in an IPv${version} ruleset`;
  const parts = text.split('.');
  if (version === 4 && parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p)) && parts.some((p) => /^0\d/.test(p))) {
    const octal = parts.map((p) => (/^0[0-7]*$/.test(p) ? parseInt(p, 8) : /^0/.test(p) ? NaN : Number(p)));
    const iptables = octal.every((n) => n <= 255) ? octal.join('.') : null;
    return `'${text}' has a part with a leading zero: iptables reads such a part as octal (${iptables ? `here ${iptables}` : 'here an invalid number'}), other tools as decimal; write the address without leading zeros`;
  }
  return `'${text}' is not an IPv${version} address`;
}

/** An address, or a ValueError that says why not (leading zeros, the other family). */
export function parseIpOrExplain(text: string, version: IpVersion): bigint {
  const v = parseIp(text, version);
  if (v === null) throw new ValueError(explainIp(text, version));
  return v;
}

export function bits(version: IpVersion): number {
  return version === 4 ? 32 : 128;
}

const PREFIX_MASKS: Record<IpVersion, bigint[]> = { 4: masksFor(32), 6: masksFor(128) };

function masksFor(width: number): bigint[] {
  const all = (1n << BigInt(width)) - 1n;
  return Array.from({ length: width + 1 }, (_, p) => (p === 0 ? 0n : (all << BigInt(width - p)) & all));
}

/** The mask of a prefix length; one shared bigint per length. */
export function prefixMask(version: IpVersion, prefix: number): bigint {
  const mask = PREFIX_MASKS[version][prefix];
  if (mask === undefined) throw new RangeError(`no /${prefix} prefix for IPv${version}`);
  return mask;
}

/** The prefix length of a contiguous mask, or null. */
export function maskPrefix(version: IpVersion, mask: bigint): number | null {
  const width = bits(version);
  const masks = PREFIX_MASKS[version];
  for (let p = 0; p <= width; p++) if (masks[p] === mask) return p;
  return null;
}

/** `10.0.0.0/8`, `10.0.0.1`, `10.0.0.0/255.0.0.0`, `2001:db8::/32`. The address is masked like iptables does. */
export function parseAddressMask(text: string, version: IpVersion): AddressMask {
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const maskText = slash < 0 ? null : text.slice(slash + 1);
  const address = parseIp(addrText, version);
  if (address === null) {
    const why = explainIp(addrText, version);
    throw new ValueError(why.endsWith('address') ? `${why} (host names are resolved by iptables at load time; give the address)` : why);
  }
  let mask: bigint;
  let prefix: number | null;
  if (maskText === null) {
    prefix = bits(version);
    mask = prefixMask(version, prefix);
  } else if (/^\d{1,3}$/.test(maskText)) {
    prefix = Number(maskText);
    if (prefix > bits(version)) throw new ValueError(`prefix length /${prefix} is larger than ${bits(version)}`);
    // iptables reads the length with xtables_strtoui in base 0: `/08` is refused and `/010` would be 8.
    if (/^0\d/.test(maskText)) throw new ValueError(`prefix length /${maskText} has a leading zero, which iptables reads as octal; write it without`);
    mask = prefixMask(version, prefix);
  } else {
    const m = parseIp(maskText, version);
    if (m === null) throw new ValueError(explainIp(maskText, version).replace(' address', ' mask'));
    mask = m;
    prefix = maskPrefix(version, m);
  }
  // A full-length prefix leaves the address as it is; `&` would allocate another bigint.
  return { type: 'address', version, address: prefix === bits(version) ? address : address & mask, mask, prefix };
}

export function formatAddressMask(v: AddressMask): string {
  const addr = formatIp(v.version, v.address);
  return v.prefix !== null ? `${addr}/${v.prefix}` : `${addr}/${formatIp(v.version, v.mask)}`;
}

const MAC_RE = /^[0-9a-fA-F]{1,2}(:[0-9a-fA-F]{1,2}){5}$/;

export function parseMac(text: string): bigint | null {
  if (!MAC_RE.test(text)) return null;
  return text.split(':').reduce((acc, b) => (acc << 8n) | BigInt(parseInt(b, 16)), 0n);
}

export function formatMac(v: bigint): string {
  const out: string[] = [];
  for (let i = 5; i >= 0; i--) out.push(Number((v >> BigInt(i * 8)) & 0xffn).toString(16).padStart(2, '0'));
  return out.join(':');
}

const MAC_ALIASES: Record<string, [bigint, bigint]> = {
  // ebtables(8): "Unicast", "Multicast", "BGA" (bridge group address) and "Broadcast" keywords.
  Unicast: [0n, 0x010000000000n],
  Multicast: [0x010000000000n, 0x010000000000n],
  Broadcast: [0xffffffffffffn, 0xffffffffffffn],
  BGA: [0x0180c2000000n, 0xffffffffffffn],
};

/** ebtables `-s 01:02:03:04:05:06/ff:ff:ff:ff:ff:ff`, `Multicast`, … */
export function parseMacMask(text: string): MacMask {
  const alias = Object.hasOwn(MAC_ALIASES, text) ? MAC_ALIASES[text] : undefined;
  if (alias) return { type: 'mac', address: alias[0], mask: alias[1] };
  const parts = text.split('/');
  if (parts.length > 2) throw new ValueError(`'${text}' has more than one '/' (address/mask)`);
  const [a, m] = parts;
  const address = parseMac(a ?? '');
  if (address === null) throw new ValueError(`'${text}' is not a MAC address`);
  const mask = m === undefined ? 0xffffffffffffn : parseMac(m);
  if (mask === null) throw new ValueError(`'${m}' is not a MAC mask`);
  return { type: 'mac', address: address & mask, mask };
}

export function formatMacMask(v: MacMask): string {
  for (const [name, [a, m]] of Object.entries(MAC_ALIASES)) if (a === v.address && m === v.mask && name !== 'BGA') return name;
  return v.mask === 0xffffffffffffn ? formatMac(v.address) : `${formatMac(v.address)}/${formatMac(v.mask)}`;
}
