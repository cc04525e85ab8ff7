// Value tests shared by the base match and the match modules, each as the kernel computes it.
import type { AddressMask, OptionEntry, PortList, PortRange } from '@chainsight/grammar';
import { interfaceMatcher } from '@chainsight/grammar';
import type { SimPacket } from '../sim/state';
import type { Pred } from './types';

/** `(addr & mask) == net` (ip_packet_match, IPv6 ipv6_masked_addr_cmp). */
export function addressTest(v: AddressMask): (a: bigint) => boolean {
  const net = v.address & v.mask;
  const mask = v.mask;
  return (a) => (a & mask) === net;
}

/** Interface names as the kernel compares them: the grammar's one test (ifname_compare_aligned). */
export const interfaceTest = interfaceMatcher;

export function portInRange(r: PortRange, port: number | null): boolean {
  return port !== null && port >= r.from && port <= r.to;
}

export function portInList(l: PortList, port: number | null): boolean {
  if (port === null) return false;
  for (const r of l.ranges) if (port >= r.from && port <= r.to) return true;
  return false;
}

/** Applies an option's `!`. */
export function neg(o: OptionEntry, p: Pred): Pred {
  return o.negated ? (pk, c) => !p(pk, c) : p;
}

export function all(preds: Pred[]): Pred | null {
  if (preds.length === 0) return null;
  if (preds.length === 1) return preds[0]!;
  if (preds.length === 2) {
    const [a, b] = preds as [Pred, Pred];
    return (p, c) => a(p, c) && b(p, c);
  }
  return (p, c) => {
    for (const f of preds) if (!f(p, c)) return false;
    return true;
  };
}

export const ALWAYS: Pred = () => true;
export const NEVER: Pred = () => false;

/** The transport ports exist only for the first fragment of TCP/UDP/UDPLITE/SCTP/DCCP packets. */
export function hasPorts(p: SimPacket): boolean {
  return p.sport !== null && p.dport !== null;
}
