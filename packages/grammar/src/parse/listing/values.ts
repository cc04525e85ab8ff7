// Values as `iptables -L` prints them, turned into the words iptables-save prints for the same kernel data:
// service names back to port numbers, `0x17` TCP flag masks to flag names, host masks to `/32`, `K`/`M`
// counters to numbers. What cannot be turned back is reported by the caller as lossy.
import type { Family } from '../../ir/nodes';
import { parseIp } from '../../registry/address';
import { PROTOCOL_PRINT_NAMES, SERVICES } from '../../registry/names';

/** A port as printed (`22`, or a service name without -n); null when the name is not known. */
export function portNumber(text: string): string | null {
  if (/^\d+$/.test(text)) return text;
  const n = SERVICES.get(text);
  return n === undefined ? null : String(n);
}

/** `a`, `a:b` (ports or service names) in save form, or null when a name is not known. */
export function portRange(text: string): string | null {
  const parts = text.split(':');
  if (parts.length > 2) return null;
  const out = parts.map(portNumber);
  return out.includes(null) ? null : out.join(':');
}

/** A comma list of port ranges (multiport). */
export function portList(text: string): string | null {
  const out = text.split(',').map(portRange);
  return out.includes(null) ? null : out.join(',');
}

/** The first service name of `text` that is not known, for the lossy note. */
export function unknownService(text: string): string {
  return text.split(/[,:]/).find((p) => portNumber(p) === null) ?? text;
}

const TCP_FLAG_ORDER = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];

/**
 * TCP flags as iptables-save prints them (libxt_tcp.c print_tcpf, lowest bit first, `NONE` for 0). The listing
 * has `0x17` with -n and the same names without.
 */
export function tcpFlagNames(text: string): string | null {
  if (/^0x[0-9a-fA-F]{1,2}$/.test(text)) {
    const v = parseInt(text, 16);
    if (v === 0) return 'NONE';
    return TCP_FLAG_ORDER.filter((_, i) => v & (1 << i)).join(',');
  }
  const names = text.split(',');
  return names.every((n) => n === 'NONE' || n === 'ALL' || TCP_FLAG_ORDER.includes(n)) ? text : null;
}

/** The `-p` word iptables-save prints for the prot column, or null for any protocol (`all`, `0`). */
export function protocolWord(text: string): string | null {
  const t = text.toLowerCase();
  if (t === 'all' || t === '0' || t === 'ip') return null;
  if (/^\d+$/.test(t)) return PROTOCOL_PRINT_NAMES.get(Number(t)) ?? t;
  return t;
}

/**
 * Names standard /etc/hosts and /etc/networks files (Debian netbase, Fedora setup) give to fixed addresses;
 * `iptables -L` without -n prints them (getnameinfo/getnetbyaddr). Other names depend on the host.
 */
const WELL_KNOWN_HOSTS: Record<'ipv4' | 'ipv6', Record<string, string>> = {
  ipv4: { localhost: '127.0.0.1', 'localhost.localdomain': '127.0.0.1', loopback: '127.0.0.0', 'link-local': '169.254.0.0' },
  ipv6: {
    localhost: '::1', 'ip6-localhost': '::1', 'ip6-loopback': '::1', 'localhost6': '::1',
    'localhost6.localdomain6': '::1', 'ip6-allnodes': 'ff02::1', 'ip6-allrouters': 'ff02::2',
  },
};

export interface AddressWord {
  /** The word for -s/-d, or null for any address (`0.0.0.0/0`, `::/0`, `anywhere`). */
  text: string | null;
  /** Set when a well-known name was replaced by its address. */
  assumed?: { name: string; address: string };
}

/**
 * An address column as iptables-save would print it. iptables -L drops `/32` (`/128`) of host addresses
 * (xtables_ipmask_to_numeric prints nothing for a full mask); iptables-save keeps it.
 */
export function addressWord(text: string, family: Family): AddressWord {
  if (text === 'anywhere' || text === '0.0.0.0/0' || text === '::/0') return { text: null };
  const slash = text.indexOf('/');
  let host = slash < 0 ? text : text.slice(0, slash);
  const mask = slash < 0 ? null : text.slice(slash + 1);
  const version = family === 'ipv6' ? 6 : 4;
  let assumed: AddressWord['assumed'];
  // The host name comes from the input: own keys only (`toString` is no host).
  const hosts = WELL_KNOWN_HOSTS[family === 'ipv6' ? 'ipv6' : 'ipv4'];
  const known = Object.hasOwn(hosts, host) ? hosts[host] : undefined;
  if (known !== undefined) {
    assumed = { name: host, address: known };
    host = known;
  }
  if (parseIp(host, version) === null) return { text };
  const full = mask ?? String(version === 4 ? 32 : 128);
  return assumed ? { text: `${host}/${full}`, assumed } : { text: `${host}/${full}` };
}

/** Counters as printed: exact digits (-x), or rounded with a K/M/G/T suffix (xtables_print_num, powers of 1000). */
export function parseCount(text: string): { value: bigint; rounded: boolean } | null {
  const m = /^(\d+)([KMGT]?)$/.exec(text);
  if (!m) return null;
  const scale = { '': 0n, K: 1n, M: 2n, G: 3n, T: 4n }[m[2] as '' | 'K' | 'M' | 'G' | 'T'];
  return { value: BigInt(m[1]!) * 1000n ** scale, rounded: scale > 0n };
}

/** Quote flag for a string value: iptables-save quotes anything but [A-Za-z0-9_-] (xtables_save_string). */
export function needsQuotes(value: string): boolean {
  return !/^[A-Za-z0-9_-]+$/.test(value);
}
