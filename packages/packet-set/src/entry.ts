// The packets that enter a built-in chain: what its hook and table can see (as every set, not yet restricted
// to the universe of well-formed packets).
import type { PacketSpace } from './space';

/**
 * Devices: NF_INET_PRE_ROUTING and LOCAL_IN have an input device and no output device, LOCAL_OUT an output
 * device and no input device, FORWARD both, POST_ROUTING an output device and, for a forwarded packet, the input
 * device too (ip_output() passes skb->dev as indev) — the hook arguments of ip_rcv, ip_local_deliver,
 * __ip_local_out, ip_forward and ip_output. Conntrack: the nat table sees only a connection's first packet
 * (nf_nat_inet_fn consults the chains while the NAT binding is not set up), in the original direction; raw
 * PREROUTING runs before conntrack (priority -300 against -200), so no packet there has an entry yet — raw
 * OUTPUT can see one: a REJECT's answer carries its connection from the start (nf_ct_attach).
 */
export function hookEntry(space: PacketSpace, table: string, hook: string): number {
  const { bdd, f } = space;
  const none = space.eq(f.iif, 0);
  const noOut = space.eq(f.oif, 0);
  let s = 1;
  switch (hook) {
    case 'PREROUTING':
    case 'INPUT':
      s = bdd.and(bdd.diff(s, none), noOut);
      break;
    case 'OUTPUT':
      s = bdd.diff(bdd.and(s, none), noOut);
      break;
    case 'POSTROUTING':
      s = bdd.diff(s, noOut);
      break;
    case 'FORWARD':
      s = bdd.diff(bdd.diff(s, none), noOut);
      break;
  }
  if (table === 'nat') s = bdd.and(s, bdd.and(space.ctStates(['NEW']), space.eq(f.ctReply, 0)));
  if (table === 'raw' && hook === 'PREROUTING') s = bdd.and(s, space.ctStates(['INVALID']));
  return s;
}
