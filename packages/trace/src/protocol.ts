// Protocol names and numbers as the tools print and accept them (/etc/protocols, plus the IPv6 ICMP spellings).
import { PROTOCOLS } from '@chainsight/grammar';

// A Map: the name comes from input, and `constructor` must be an unknown protocol, not Object's member.
const PROTO_ALIASES = new Map([['icmpv6', 58], ['ipv6-icmp', 58], ['icmp6', 58]]);

export function protocolNumber(proto: string | number | undefined): number | null {
  if (proto === undefined) return null;
  if (typeof proto === 'number') return proto;
  const lower = proto.toLowerCase();
  if (/^\d+$/.test(lower)) return Number(lower);
  return PROTO_ALIASES.get(lower) ?? PROTOCOLS.get(lower) ?? null;
}
