// Address formatting on the hot path. IPv4 is formatted from a number (the grammar's formatter works on bigint
// bytes and is several times slower); IPv6 uses the grammar's.
import { formatIp as formatIpSlow, prefixMask } from '@chainsight/grammar';

export function formatIp(version: 4 | 6, a: bigint): string {
  if (version === 6) return formatIpSlow(6, a);
  const n = Number(a);
  return `${(n >>> 24) & 255}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Whether `addr` lies in `net`/`prefix` (masks from the grammar's shared table, one bigint per length). */
export function inPrefix(version: 4 | 6, addr: bigint, net: bigint, prefix: number): boolean {
  const m = prefixMask(version, prefix);
  return (addr & m) === (net & m);
}

/** `ipv4_is_multicast`: 224.0.0.0/4; IPv6 (`ipv6_addr_is_multicast`) ff00::/8. */
export function isMulticast(version: 4 | 6, a: bigint): boolean {
  return version === 4 ? a >> 28n === 0xen : a >> 120n === 0xffn;
}
