// ebtables match modules (net/bridge/netfilter/ebt_*.c). Simulated frames are untagged Ethernet II frames
// carrying IPv4 or IPv6, so arp/vlan/stp/802_3 matches never hold; the watchers (log, nflog, ulog) are handled
// by the rule compiler as side effects, not as predicates.
import { parseMac } from '@chainsight/grammar';
import { assumeMatch } from './matches-fork';
import type { MatchCompiler } from './matches-packet';
import { STATE_MATCHES } from './matches-state';
import type { Pred } from './types';
import { addressTest, all, neg } from './values';

/** ebt_ip.c / ebt_ip6.c ebt_ip_mt(): tos, addresses under mask, protocol, ports and ICMP type/code ranges. */
const ipLike = (v: 4 | 6, prefix: 'ip' | 'ip6'): MatchCompiler => (m) => {
  const preds: Pred[] = [(p) => p.v === v];
  for (const o of m.options) {
    const val = o.value;
    const k = o.key.slice(prefix.length + 1);
    if ((k === 'source' || k === 'destination') && val.type === 'address') {
      const t = addressTest(val);
      preds.push(neg(o, k === 'source' ? (p) => t(p.src) : (p) => t(p.dst)));
    } else if ((k === 'tos' || k === 'tclass') && val.type === 'number') {
      const want = val.value;
      preds.push(neg(o, (p) => p.tos === want));
    } else if (k === 'protocol' && val.type === 'protocol') {
      const n = val.number;
      preds.push(neg(o, (p) => p.proto === n));
    } else if ((k === 'source-port' || k === 'destination-port') && val.type === 'port-range') {
      const { from, to } = val;
      const src = k === 'source-port';
      preds.push(neg(o, (p) => {
        const port = src ? p.sport : p.dport;
        return port !== null && port >= from && port <= to;
      }));
    } else if (k === 'icmp-type' && val.type === 'icmp-type') {
      const tLo = val.icmpType ?? 0;
      const tHi = val.icmpTypeMax ?? (val.icmpType ?? 255);
      const cLo = val.codeMin ?? 0;
      const cHi = val.codeMax ?? 255;
      preds.push(neg(o, (p) => p.icmpType !== null && p.icmpType >= tLo && p.icmpType <= tHi
        && (p.icmpCode ?? 0) >= cLo && (p.icmpCode ?? 0) <= cHi));
    }
  }
  return all(preds);
};

/** ebt_among.c: the frame's MAC (and, for `MAC=IP` entries, its IP address) is in the list. */
const among: MatchCompiler = (m, env) => {
  const preds: Pred[] = [];
  for (const o of m.options) {
    if (o.key.endsWith('-file')) { preds.push(assumeMatch(env, undefined, 'contents of the among file')); continue; }
    if (o.value.type !== 'list') continue;
    const entries = o.value.items.map((item) => {
      const [macText, ipText] = item.split('=');
      return { mac: parseMac(macText ?? ''), ip: ipText ?? null };
    });
    const dst = o.key === 'among-dst';
    preds.push(neg(o, (p) => {
      const frameMac = dst ? p.dstMac : p.srcMac;
      const ip = dst ? p.dst : p.src;
      return entries.some((e) => e.mac !== null && e.mac === frameMac
        && (e.ip === null || (p.v === 4 && ipv4Text(ip) === e.ip)));
    }));
  }
  return all(preds);
};

function ipv4Text(a: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join('.');
}


/** ebt_pkttype.c: skb->pkt_type (otherhost for frames the bridge forwards). */
const pkttype: MatchCompiler = (m) => {
  const o = m.options.find((x) => x.key === 'pkttype-type');
  if (!o || o.value.type !== 'string') return null;
  const want = o.value.value;
  return neg(o, (p) => p.pktType === want);
};

const never: MatchCompiler = () => () => false;

export const BRIDGE_MATCHES: Record<string, MatchCompiler> = {
  ip: ipLike(4, 'ip'),
  ip6: ipLike(6, 'ip6'),
  among,
  // ebt_mark_m.c: `(skb->mark & mask) == value`, as xt_mark.
  mark_m: STATE_MATCHES.mark!,
  pkttype,
  arp: never,
  vlan: never,
  stp: never,
  '802_3': never,
  limit: (_m, env) => assumeMatch(env, undefined, 'rate-limit bucket state'),
  log: () => null,
  nflog: () => null,
  ulog: () => null,
};
