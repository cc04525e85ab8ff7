// REJECT answers the sender with a packet the kernel itself generates (docs/netfilter.md §reject): a TCP RST
// (nf_reject_ipv4.c nf_send_reset: source and ports are the rejected packet's destination, spoofed) or an ICMP
// error (nf_send_unreach → icmp_send: source as __icmp_send() picks it, below). It is a locally generated packet:
// OUTPUT then POSTROUTING, with the rejected packet's conntrack attached as RELATED in the reply direction
// (nf_ct_attach). REJECT works in INPUT, FORWARD and OUTPUT (ipt_REJECT.c reject_tg_check()); in OUTPUT the
// sender is this host, so the answer comes back through loopback (PREROUTING, INPUT). A RST then meets the nat chains that the rejected packet never reached (observed: the RST of a
// SYN rejected in INPUT traverses nat POSTROUTING), an ICMP error is translated without them.
import type { Target } from '@chainsight/grammar';
import { icmpReplyType } from '../packet';
import type { Run } from './run';
import type { SimPacket } from './state';

const ICMP_CODES: Record<string, [number, number]> = {
  'icmp-net-unreachable': [3, 0], 'net-unreach': [3, 0], 'icmp-host-unreachable': [3, 1], 'host-unreach': [3, 1],
  'icmp-port-unreachable': [3, 3], 'port-unreach': [3, 3], 'icmp-proto-unreachable': [3, 2], 'proto-unreach': [3, 2],
  'icmp-net-prohibited': [3, 9], 'net-prohib': [3, 9], 'icmp-host-prohibited': [3, 10], 'host-prohib': [3, 10],
  'icmp-admin-prohibited': [3, 13], 'admin-prohib': [3, 13],
};
const ICMP6_CODES: Record<string, [number, number]> = {
  'icmp6-no-route': [1, 0], 'no-route': [1, 0], 'icmp6-adm-prohibited': [1, 1], 'adm-prohibited': [1, 1],
  'icmp6-addr-unreachable': [1, 3], 'addr-unreach': [1, 3], 'icmp6-port-unreachable': [1, 4], 'port-unreach': [1, 4],
  'icmp6-policy-fail': [1, 5], 'policy-fail': [1, 5], 'icmp6-reject-route': [1, 6], 'reject-route': [1, 6],
};

export interface Generated {
  kind: 'tcp-reset' | 'icmp-error';
  packet: SimPacket;
  /** ICMP errors are translated by nf_nat_icmp_reply_translation, never by the nat chains. */
  natChains: boolean;
  describe: string;
}

/** The answer REJECT sends for the packet `p` (as it was when rejected), or null when nothing is sent. */
export function rejectAnswer(run: Run, p: SimPacket, target: Target | null): Generated | null {
  const how = target?.options.find((o) => o.key === 'reject-with')?.words[0] ?? (p.v === 4 ? 'icmp-port-unreachable' : 'icmp6-port-unreachable');
  // ICMP errors are never sent about ICMP errors (icmp_send); RSTs never answer RSTs (nf_send_reset).
  if (how === 'tcp-reset' || how === 'tcp-rst') {
    if (p.proto !== 6 || p.tcpFlags & 0x04) return null;
    const ack = (p.tcpFlags & 0x10) !== 0;
    const q: SimPacket = {
      ...p, src: p.dst, dst: p.src, sport: p.dport, dport: p.sport, tcpFlags: ack ? 0x04 : 0x14,
      length: p.v === 4 ? 40 : 60, ttl: 64, tos: 0, ipId: 0, df: p.v === 4, mark: 0, in: '', out: '', physIn: '', physOut: '',
      bridged: false, local: true, uid: null, gid: null, trace: false, notrack: false, tcpOptions: [], mss: null,
      srcMac: null, dstMac: null, pktType: 'host',
    };
    return { kind: 'tcp-reset', packet: q, natChains: true, describe: `TCP RST from ${'the rejected destination'}` };
  }
  const isIcmpError = (p.proto === 1 || p.proto === 58) && p.icmpType !== null && icmpReplyType(p.v, p.icmpType) === null
    && !(p.v === 4 ? [0, 14, 16, 18] : [129, 140]).includes(p.icmpType);
  if (isIcmpError) return null;
  const code = (p.v === 4 ? ICMP_CODES : ICMP6_CODES)[how] ?? (p.v === 4 ? [3, 3] : [1, 4]);
  const host = run.compiled.host;
  // The answer is locally generated: its route lookup has iif lo (policy rules with `iif lo` apply) and protocol
  // ICMP (icmp_route_lookup()).
  const back = host.route(p.v, p.src, { iif: 'lo', proto: p.v === 4 ? 1 : 58 });
  const dev = back.kind === 'unicast' ? back.dev : p.in;
  // net/ipv4/icmp.c __icmp_send(): `saddr = iph->daddr` when the rejected packet was for this host (its route is
  // RTCF_LOCAL), whichever interface the error leaves by; otherwise the route back to the sender picks it (for a
  // local sender, REJECT in OUTPUT, that route is the local one and its source the sender's own address).
  const src = host.isLocal(p.v, p.dst) ? p.dst
    : back.kind === 'local' ? p.src
    : host.selectSource(p.v, dev, back.kind === 'unicast' ? back.via ?? p.src : p.src) ?? p.dst;
  const quoted = Math.min(p.length, p.v === 4 ? 548 : 1184);
  const q: SimPacket = {
    ...p, src, dst: p.src, proto: p.v === 4 ? 1 : 58, sport: null, dport: null, icmpType: code[0], icmpCode: code[1],
    icmpId: 0, icmpSeq: 0, tcpFlags: 0, length: (p.v === 4 ? 28 : 48) + quoted, ttl: 64, tos: p.v === 4 ? 0xc0 : 0,
    ipId: 0, df: false, mark: 0, in: '', out: '', physIn: '', physOut: '', bridged: false, local: true, uid: null, gid: null,
    trace: false, notrack: false, tcpOptions: [], mss: null, srcMac: null, dstMac: null, pktType: 'host',
  };
  return { kind: 'icmp-error', packet: q, natChains: false, describe: `ICMP${p.v === 6 ? 'v6' : ''} type ${code[0]} code ${code[1]} (${how})` };
}
