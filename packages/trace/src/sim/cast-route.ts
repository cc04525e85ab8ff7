// The output device of a broadcast or multicast packet a local process sends. The kernel does not loop these
// back through `lo`: ip_route_output_key_hash_rcu() (net/ipv4/route.c) picks the device, and __mkroute_output()
// marks the route RTCF_BROADCAST / RTCF_MULTICAST, whose output ip_mc_output() sends the packet out of that device
// and loops a copy back in on it (path.ts castOut()).
import type { HostModel, RouteKey, Version } from '../host/model';
import { formatIp, isMulticast } from '../addr';

export interface CastRoute {
  kind: 'broadcast' | 'multicast';
  /** The output device; `lo` (or a loopback device) means plain loopback, without copies. */
  dev: string;
  /** Why this device, for the Inferred line and the trace. */
  why: string;
}

export type CastAnswer = CastRoute | { kind: 'none'; why: string } | null;

/** 224.0.0.0/24 (ipv4_is_local_multicast()). */
const isLocalMulticast = (a: bigint) => a >> 8n === 0xe00000n;

/**
 * The device a local broadcast/multicast packet leaves by, or null when `dst` is neither (ordinary unicast
 * routing), or `{kind: 'none'}` when the kernel finds no device (the sender gets ENETUNREACH).
 * `bound` is the socket's bound source address (null: the route chooses it), `oif` the socket's device
 * (SO_BINDTODEVICE, IP_MULTICAST_IF, IP_PKTINFO; `--out`).
 *
 * IPv4, in ip_route_output_key_hash_rcu()'s order: a bound source and no device, for 255.255.255.255 or multicast:
 * the device owning the source (__ip_dev_find(), "user can direct multicasts and limited broadcast via necessary
 * interface"); the socket's device; else the route lookup (fib_lookup(): the local table's `broadcast` route for a
 * subnet broadcast, another table's route for the rest) whose gateway __mkroute_output() drops (fi = NULL for
 * RTN_BROADCAST; multicast is sent on-link). IPv6 multicast is only taken out of the socket's device here
 * (ip6_finish_output2()); without one it keeps the ordinary lookup.
 */
export function castRoute(host: HostModel, v: Version, dst: bigint, bound: bigint | null, oif: string | null, key: RouteKey): CastAnswer {
  const mc = isMulticast(v, dst);
  if (v === 6) return mc && oif ? { kind: 'multicast', dev: oif, why: `the socket's device (--out ${oif})` } : null;
  const lbcast = dst === 0xffffffffn;
  const subnet = lbcast || mc ? null : host.broadcastDev(dst);
  if (!lbcast && !mc && subnet === null) return null;
  const kind = mc ? 'multicast' : 'broadcast';
  const d = formatIp(4, dst);
  if (bound !== null && oif === null && (lbcast || mc)) {
    const dev = host.localDev(4, bound);
    if (dev === null) return { kind: 'none', why: `the bound source ${formatIp(4, bound)} is not an address of this host (__ip_dev_find() finds no device)` };
    return { kind, dev, why: `the device that owns the bound source ${formatIp(4, bound)} (__ip_dev_find(), --bound-src)` };
  }
  if (oif !== null) {
    const onLink = lbcast || isLocalMulticast(dst) || subnet !== null ? '' : ', on-link';
    return { kind, dev: oif, why: `the socket's device (--out ${oif}${onLink})` };
  }
  const r = host.route(4, dst, key, true);
  const source = bound === null ? 'the source is chosen by the route (--bound-src: the socket is bound to --src)' : 'a subnet broadcast is routed even from a bound source';
  if (r.kind === 'local') return { kind, dev: r.dev, why: `${d} is the broadcast address of ${r.dev} (local table); ${source}` };
  if (r.kind === 'unicast') {
    const gw = r.via !== null ? `, without its gateway ${formatIp(4, r.via)}` : '';
    return { kind, dev: r.dev, why: `the route to ${d} (${r.route.prefix === 0 ? 'default route' : `${formatIp(4, r.route.dst)}/${r.route.prefix}`}${gw}: ${kind} is sent on-link); ${source}` };
  }
  return { kind: 'none', why: `no route to ${d} (${r.kind}) and no socket device or bound source: the sender gets ENETUNREACH` };
}

const BROADCAST_MAC = 0xffffffffffffn;

/** The destination MAC of a broadcast (ff:ff:ff:ff:ff:ff) or multicast packet (ip_eth_mc_map(), ipv6_eth_mc_map()). */
export function castMac(v: Version, dst: bigint, kind: CastRoute['kind']): bigint {
  if (kind === 'broadcast') return BROADCAST_MAC;
  return v === 4 ? 0x01005e000000n | (dst & 0x7fffffn) : 0x333300000000n | (dst & 0xffffffffn);
}

/** The packet type eth_type_trans() gives a received frame by its destination MAC (group bit; all ones). */
export function pktTypeOfMac(mac: bigint | null): 'host' | 'broadcast' | 'multicast' {
  if (mac === BROADCAST_MAC) return 'broadcast';
  return mac !== null && ((mac >> 40n) & 1n) === 1n ? 'multicast' : 'host';
}

/** Is `dev` a loopback device (IFF_LOOPBACK: ip_mc_output() is not used, the packet loops back as usual)? */
export function isLoopbackDev(host: HostModel, dev: string): boolean {
  return dev === 'lo' || host.interfaces.get(dev)?.type === 'loopback';
}
