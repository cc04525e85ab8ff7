// What a route lookup knows of a packet (struct flowi4/flowi6), for the policy rules' selectors.
import type { RouteKey } from '../host/policy';
import type { SimPacket } from './state';

/**
 * Protocols whose first four bytes the flow dissector reads as ports (proto_ports_offset() = 0). ESP's and AH's
 * "ports" are SPI bytes, which a trace packet does not carry; ICMP has none (flowi's icmp type/code overlay only
 * exists for sockets that fill it).
 */
const PORT_PROTOCOLS = new Set([6, 17, 33, 132, 136]);

/**
 * The key of `p`'s route lookup entering through `iif` (lo for locally generated packets): its source, mark,
 * protocol and ports. A received packet gets them from fib4_rules_early_flow_dissect(), a local one from its
 * socket's flow.
 */
export function routeKey(p: SimPacket, iif: string): RouteKey {
  const ports = PORT_PROTOCOLS.has(p.proto);
  return { src: p.src, mark: p.mark, iif, proto: p.proto, sport: ports ? p.sport ?? 0 : 0, dport: ports ? p.dport ?? 0 : 0 };
}
