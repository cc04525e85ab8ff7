// `-m set --match-set NAME FLAGS` decided from the host's ipsets (`ipset save`), as xt_set.c and the set types'
// kadt functions (net/netfilter/ipset/ip_set_hash_*.c, ip_set_bitmap_*.c, ip_set_list_set.c) test a packet:
// dimension k of the set takes the packet's source or destination by flag k (missing flags are `dst`); an address
// family other than the set's never matches; ports carry their protocol (a bare port is TCP; ICMP is type/code);
// MAC addresses need an Ethernet header (not for locally generated packets); `iface` is the input device for `src`
// and the output device for `dst` (`physdev:` entries never match from iptables); `mark` is the skb mark. In a hash:net*
// set the most specific matching entry decides, and a `nomatch` entry there means no match (a match with
// --return-nomatch). list:set tests its member sets in order.
import type { IpSet, IpSetDimension, IpSetMember, IpSetValue, Match } from '@chainsight/grammar';
import type { SetChanges } from '../sim/set-changes';
import type { SimPacket } from '../sim/state';
import { assumeMatch } from './matches-fork';
import type { MatchEnv, Pred } from './types';

export type Flag = 'src' | 'dst';

/** Protocols with ports: TCP, UDP, SCTP, UDP-Lite. */
const PORT_PROTOS = new Set([6, 17, 132, 136]);
type Result = 'match' | 'nomatch' | 'none';

/** What the packet offers for one dimension; null: nothing (no ports, no MAC header). */
export function fieldOf(p: SimPacket, dim: IpSetDimension, flag: Flag): IpSetValue | { kind: 'addr-of'; version: 4 | 6; a: bigint } | null {
  const src = flag === 'src';
  switch (dim) {
    case 'ip':
    case 'net':
      return { kind: 'addr-of', version: p.v, a: src ? p.src : p.dst };
    case 'port': {
      if (p.proto === 1 || p.proto === 58) {
        if (p.icmpType === null) return null;
        const v = p.icmpType * 256 + (p.icmpCode ?? 0);
        return { kind: 'port', proto: p.proto, from: v, to: v };
      }
      const port = src ? p.sport : p.dport;
      return port === null ? null : { kind: 'port', proto: p.proto, from: port, to: port };
    }
    case 'mac': {
      const mac = src ? p.srcMac : p.dstMac;
      return mac === null ? null : { kind: 'mac', address: mac };
    }
    case 'iface':
      return { kind: 'iface', name: src ? p.in : p.out, physdev: false };
    case 'mark':
      return { kind: 'mark', value: p.mark };
    case 'set':
      return null;
  }
}

type Field = ReturnType<typeof fieldOf>;

/** Whether a member's value for one dimension holds the packet's field for it. */
function holds(entry: IpSetValue, f: Field): boolean {
  if (f === null) return false;
  switch (entry.kind) {
    case 'addr':
      return f.kind === 'addr-of' && f.version === entry.version && f.a >= entry.from && f.a <= entry.to;
    case 'port':
      return f.kind === 'port' && (f.proto === entry.proto || (entry.proto === -1 && PORT_PROTOS.has(f.proto))) && f.from >= entry.from && f.from <= entry.to;
    case 'mac':
      // bitmap_ipmac_do_test(): a member without its MAC answers -EAGAIN, and ip_set_test() fills the MAC in from
      // this packet and counts it as a match (a packet without an Ethernet header was refused before: -EINVAL).
      return f.kind === 'mac' && (entry.address === null || f.address === entry.address);
    case 'iface':
      // hash_netiface4_kadt(): the key has physdev set only when the caller asks for bridge ports
      // (IPSET_FLAG_PHYSDEV), which xt_set never does: a `physdev:` entry never matches from iptables. A packet
      // without the device (no input device for local output) is no match either (-EINVAL).
      return !entry.physdev && f.kind === 'iface' && f.name !== '' && f.name === entry.name;
    case 'mark':
      return f.kind === 'mark' && f.value === entry.value;
    case 'set':
      return false;
  }
}

/** How specific an entry is: the sum of its address prefixes (exact addresses and ranges count as full). */
function specificity(values: readonly IpSetValue[]): number {
  let n = 0;
  for (const v of values) if (v.kind === 'addr') n += v.prefix < 0 ? (v.version === 4 ? 32 : 128) : v.prefix;
  return n;
}

/** How deep list:set sets may nest (in sets, tests and changes alike). */
export const LIST_DEPTH = 8;

/** Tests `set` as the SET targets of this path (`changes`) left it; fills in a bitmap:ip,mac member's MAC. */
export function testSet(set: IpSet, sets: ReadonlyMap<string, IpSet>, p: SimPacket, flags: readonly Flag[], changes: SetChanges, depth = 0): Result {
  const flagOf = (k: number): Flag => flags[k] ?? 'dst';
  if (set.family !== null && set.family !== p.v) return 'none';
  if (set.dimensions[0] === 'set') {
    // list:set: the first member set that matches decides (ip_set_list_set.c list_set_ktest).
    if (depth > LIST_DEPTH) return 'none';
    for (const m of changes.members(set)) {
      const v = m.values[0];
      const inner = v?.kind === 'set' ? sets.get(v.name) : undefined;
      if (inner && testSet(inner, sets, p, flags, changes, depth + 1) === 'match') return 'match';
    }
    return 'none';
  }
  // The packet's side of each dimension once per test, not once per member (a set may hold thousands).
  const fields = set.dimensions.map((dim, k) => fieldOf(p, dim, flagOf(k)));
  const members = changes.members(set);
  let best: { member: IpSetMember; spec: number } | null = null;
  for (const m of members) {
    let ok = true;
    for (let k = 0; k < m.values.length && ok; k++) ok = holds(m.values[k]!, fields[k] ?? null);
    if (!ok) continue;
    const spec = specificity(m.values);
    if (!best || spec > best.spec) best = { member: m, spec };
  }
  if (best === null) return 'none';
  // ip_set_test(): a bitmap:ip,mac member without its MAC is filled in from the packet that matched it (the
  // kadt's -EAGAIN triggers an add), so later packets from another MAC no longer match.
  const unfilled = best.member.values.findIndex((v) => v.kind === 'mac' && v.address === null);
  const field = fields[unfilled];
  if (unfilled >= 0 && field?.kind === 'mac') {
    const filled: IpSetMember = { ...best.member, values: best.member.values.map((v, k) => (k === unfilled ? field : v)) };
    changes.replace(set, members.map((m) => (m === best!.member ? filled : m)));
  }
  return best.member.nomatch ? 'nomatch' : 'match';
}

export function compileKnownSet(m: Match, env: MatchEnv, set: IpSet): Pred {
  const o = m.options.find((x) => x.key === 'match-set')!;
  const flags = (o.words[1] ?? 'src').split(',').map((f): Flag => (f === 'src' ? 'src' : 'dst'));
  const returnNomatch = m.options.some((x) => x.key === 'return-nomatch');
  const counters = m.options.filter((x) => /^(packets|bytes)-(eq|lt|gt)$/.test(x.key));
  // Counter conditions depend on the packets the entry has seen: state the save file does not hold.
  const countersFork = counters.length ? assumeMatch(env, set.name, `counters of the matching entry of ipset '${set.name}'`) : null;
  const sets = env.ipsets!;
  return (p, c) => {
    const r = testSet(set, sets, p, flags, c.sets);
    const inSet = r === 'match' || (r === 'nomatch' && returnNomatch);
    const hit = inSet !== o.negated;
    return hit && countersFork ? countersFork(p, c) : hit;
  };
}
