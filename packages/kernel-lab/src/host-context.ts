// The host-context JSON (docs/host-facts.md §host-context) as far as the lab uses it, plus the address arithmetic
// needed to place neighbours on the host's subnets. Every field is optional, as in the format.
import { isIP } from 'node:net';

export interface HostInterface {
  name: string;
  /** loopback, bridge, veth, ethernet (default), vlan, ... */
  type?: string;
  /** The bridge this interface is a port of. */
  master?: string;
  mac?: string;
  /** With prefix length, e.g. 192.168.0.1/20. */
  addresses?: string[];
  hairpin?: boolean;
}

export interface HostRoute {
  dst: string;
  via?: string;
  dev?: string;
  table?: string | number;
  metric?: number;
}

export interface HostNeighbor {
  name?: string;
  ip: string;
  mac?: string;
  dev?: string;
  /** For a bridge: the port the neighbour sits behind. */
  port?: string;
}

/** A policy-routing rule (`ip rule`), as chainsight's host context extends the format. */
export interface HostRule {
  priority?: number;
  family?: 'ipv4' | 'ipv6';
  not?: boolean;
  from?: string;
  to?: string;
  fwmark?: string | number;
  iif?: string;
  oif?: string;
  ipproto?: string | number;
  sport?: string | number;
  dport?: string | number;
  suppress_prefixlength?: number;
  action?: 'lookup' | 'blackhole' | 'unreachable' | 'prohibit' | 'goto' | 'nop';
  table?: string | number;
  goto?: number;
}

export interface HostContext {
  hostname?: string;
  interfaces?: HostInterface[];
  routes?: HostRoute[];
  rules?: HostRule[];
  neighbors?: HostNeighbor[];
  sysctl?: Record<string, number | string | boolean>;
}

export interface Cidr {
  address: string;
  prefix: number;
  family: 4 | 6;
}

export function parseCidr(text: string): Cidr {
  const [address = '', p] = text.split('/');
  const fam = isIP(address);
  if (fam === 0) throw new Error(`not an IP address: '${text}'`);
  const family = fam as 4 | 6;
  const prefix = p === undefined ? (family === 4 ? 32 : 128) : Number(p);
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
    throw new Error(`bad prefix length in '${text}'`);
  }
  return { address, prefix, family };
}

function toBigInt(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
  // Expand '::' then read eight 16-bit groups (an embedded dotted quad is converted first).
  let a = address;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (dotted) {
    const v = toBigInt(dotted[1]!, 4);
    a = a.slice(0, dotted.index) + `${(v >> 16n).toString(16)}:${(v & 0xffffn).toString(16)}`;
  }
  const [head = '', tail] = a.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** Is `ip` inside the subnet of `cidr`? */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const fam = isIP(ip);
  if (fam !== cidr.family) return false;
  const bits = cidr.family === 4 ? 32 : 128;
  const shift = BigInt(bits - cidr.prefix);
  return toBigInt(cidr.address, cidr.family) >> shift === toBigInt(ip, cidr.family) >> shift;
}
