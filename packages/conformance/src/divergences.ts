// Known divergences between the simulator and the kernel. Each has a section in docs/divergences.md (anchor =
// the id) with its cause and a reproduction. A scenario flow that shows one says so in flows.json
// (`"divergence": "<id>"`): the suite then expects that flow to differ, and fails when it agrees (the divergence
// is fixed: update the doc and the flow). The random generator stays away from the constructs behind the ones
// marked `generator`, so that a random mismatch is always news; CONFORMANCE_INCLUDE_KNOWN=1 lets a long local run
// generate them anyway, to see whether one has been fixed.
export const KNOWN_DIVERGENCES = {
  'raw-conntrack-state': {
    summary: '-m conntrack / -m connmark in the raw table see no connection in the kernel (raw runs before conntrack)',
    generator: 'conntrack and connmark matches in raw chains',
  },
  'reject-in-output': {
    summary: 'REJECT in OUTPUT: the kernel answers the local sender, the simulator traces no answer',
    generator: 'REJECT in chains reached from OUTPUT',
  },
  'notrack-reject-answer': {
    summary: 'the answer a REJECT sends is not untracked by CT --notrack in raw OUTPUT (it already has a connection)',
    generator: 'CT --notrack in raw chains reached from OUTPUT',
  },
  'icmp-error-source': {
    summary: 'the ICMP error REJECT sends about a packet to one of the host\'s addresses has that address as source; the simulator picks the route\'s source',
    generator: 'packets to a host address other than the one on the interface facing the sender',
  },
  'nft-inverted-ports': {
    summary: 'iptables-nft 1.8.9 merges `! --sport A ! --dport B` into one comparison that matches when either port differs',
    generator: 'a tcp/udp match with both --sport and --dport inverted',
  },
  'physdev-out-negated': {
    summary: '`! --physdev-out X` does not match a bridged-in packet that has no bridge output port (routed or delivered); the simulator compares an empty name',
    generator: '! --physdev-out',
  },
  'connection-history': {
    summary: 'a later packet of a connection sees the connection as its first packet left it, not as the packets in between changed it (CONNMARK --save-mark by a reply)',
    generator: null,
  },
  'retransmitted-first-packet': {
    summary: 'a retransmitted first packet of a connection that left the host (ctstate NEW, nat chains skipped) cannot be asked',
    generator: null,
  },
} as const;

export type KnownDivergence = keyof typeof KNOWN_DIVERGENCES;

export function isKnownDivergence(id: string): id is KnownDivergence {
  return Object.hasOwn(KNOWN_DIVERGENCES, id);
}

/** The divergences the random generator avoids by default. */
export const GENERATOR_AVOIDS: ReadonlySet<KnownDivergence> = new Set(
  (Object.keys(KNOWN_DIVERGENCES) as KnownDivergence[]).filter((k) => KNOWN_DIVERGENCES[k].generator !== null),
);
