// Multicast group membership per interface: what decides whether a received multicast packet is delivered to
// this host (IPv4 ip_route_input_rcu() → ip_check_mc_rcu(); IPv6 ip6_mc_input() → ipv6_chk_mcast_addr()); a
// packet for a group the host has not joined on the interface it arrived on is dropped after PREROUTING.
import { prefixMask } from '@chainsight/grammar';
import type { IfaceModel, Version } from './model';

/** ff02::1:ff00:0/104, the solicited-node prefix (RFC 4291, "Multicast Addresses"; addrconf_addr_solict_mult()). */
const SOLICITED = 0xff0200000000000000000001ff000000n;

/**
 * The groups the kernel joins by itself on an interface that is up (as `ip maddr` lists them on 6.18):
 * 224.0.0.1 (ip_mc_up(): IGMP_ALL_HOSTS); ff01::1 and ff02::1 (ipv6_add_dev(): all nodes), the solicited-node group
 * of each IPv6 address (addrconf_join_solict()); with forwarding on, ff01::2, ff02::2 and ff05::2
 * (dev_forward_change(): all routers) and the solicited-node group of each prefix's subnet-router anycast address
 * (addrconf_join_anycast(), not for /127 and /128).
 */
export function kernelGroups(iface: IfaceModel, version: Version, forwarding: boolean): bigint[] {
  if (version === 4) return [0xe0000001n];
  const out = [0xff010000000000000000000000000001n, 0xff020000000000000000000000000001n];
  for (const a of iface.addresses) {
    if (a.version !== 6) continue;
    out.push(SOLICITED | (a.address & 0xffffffn));
    const anycast = a.address & prefixMask(6, a.prefix);
    if (forwarding && a.prefix < 127 && anycast !== 0n) out.push(SOLICITED | (anycast & 0xffffffn));
  }
  if (forwarding) out.push(0xff010000000000000000000000000002n, 0xff020000000000000000000000000002n, 0xff050000000000000000000000000002n);
  return out;
}

/**
 * Has the host joined `group` on `iface`? true or false when the host context lists the interface's groups
 * (`multicast`, from `ip maddr`) or the group is one the kernel always joins; null (unknown) otherwise.
 */
export function joined(iface: IfaceModel, version: Version, group: bigint, forwarding: boolean): boolean | null {
  if (kernelGroups(iface, version, forwarding).includes(group)) return true;
  if (iface.multicast === null) return null;
  return iface.multicast.some((g) => g.version === version && g.address === group);
}
