// User-facing text of `chainsight trace`.
import { COMMON_INPUT_OPTIONS } from './index';

export const TRACE_HELP = `Usage: chainsight trace [options] FILE... [packet options]

Follows a packet through netfilter as the kernel does: every rule it reaches, grouped by hook and table, the
routing and bridge decisions, conntrack state and NAT, and the verdict. FILE... is any mix of iptables-save
(IPv4/IPv6), ebtables-save and the host's facts (detected): a host context (JSON: interfaces, bridges, routes,
neighbours, sysctls) and/or iproute2's JSON, captured on the host with
  { ip -j -d addr; ip -j route show table all; ip -j rule; ip -j neigh; bridge -j fdb; } > host.iproute.json
and \`ipset save\` output (the sets -m set rules test are then decided instead of assumed).
Where a rule's result depends on chance (-m statistic) or on state the snapshot does not hold (recent, limit,
set, …) the trace forks: every outcome is shown with its probability and the assumptions it made.

Packet:
  --src ADDR / --dst ADDR      addresses (IPv4 or IPv6)
  --from NAME / --to NAME      a neighbour of the host context (its address, interface, bridge port, MAC)
  --proto P                    tcp | udp | icmp | icmpv6 | sctp | dccp | udplite | NUMBER (default icmp echo)
  --sport N / --dport N        ports (default source port 40000)
  --icmp-type T                echo-request, 8, 3/3, … (default echo request); --icmp-code N its code
  --tcp-flags F                SYN,ACK,… (default SYN for a new connection)
  --state S                    NEW (default) | ESTABLISHED | RELATED | INVALID | UNTRACKED
  --reply                      trace the reply of the connection described by the other options
  --then P                     then trace packet P of the same connection, against the connection as the
                               packets before it left it (marks saved, NAT bindings, a reply seen or not):
                               request[:FLAGS] (the client again), reply[:FLAGS], error[:TYPE] (an ICMP error
                               from the other side); repeatable, in order; --expect checks the last packet
  --mark N                     skb mark as it arrives
  --length N / --ttl N / --tos N / --uid N / --gid N / --src-mac MAC / --dst-mac MAC
                               each checked against what the header carries (ports 0-65535, mark 32 bits, …);
                               a --batch line's values are checked the same way

Where it enters and leaves (inferred from the host context when not given; the output says what was):
  --in IFACE [--phys-in PORT]  received on IFACE (a bridge with --phys-in: arrives on that bridge port)
  --local                      sent by a local process
  --bound-src                  the local sender's socket is bound to --src (bind()): a broadcast to
                               255.255.255.255 or a multicast leaves by the device that owns it; without it
                               the route chooses the device (docs/host-facts.md §local-broadcast)
  --out IFACE / --phys-out P   pin the egress interface / bridge port (a local packet: the socket's device,
                               SO_BINDTODEVICE or IP_MULTICAST_IF)
  --local-addr IP              without host facts: an address of this host (repeatable); given, these are all
                               of them. Not given, whether a destination is the host's forks the trace (each
                               outcome says which it assumes; --assume local=false or local:IP=BOOL pins it)

Output:
  --format F                   text (default) | json (schema chainsight.trace/1, docs/trace-json.md) | kernel (the log lines the
                               kernel writes: legacy TRACE lines, LOG and ebtables --log lines) | html (one
                               self-contained page: the path drawn on the netfilter diagram, each step's rule)
  --trace-all                  with --format kernel: as if a raw TRACE rule had matched the packet first
  --expect V                   exit 1 unless every outcome is V: ACCEPT (got through) | DROP | REJECT |
                               delivered | forwarded | masquerade | no-masquerade
  --assume KEY=true|false      pin a forked match: KEY is a module (limit), module:name (set:blocklist,
                               recent:KUBE-SEP-…), module@LINE or module@FILE:LINE; repeatable
  --max-outcomes N             stop exploring after N outcomes (default 256)
  --backend B                  nft | legacy: table order and TRACE labels (default: from the snapshot header)
  --batch FILE.jsonl           trace one packet per line ({"src": …, "dst": …, "dport": …}); one result per line

${COMMON_INPUT_OPTIONS}
  -h, --help

Exit codes: 0 traced, 1 an outcome disagrees with --expect, 2 bad input or usage.`;

export const TRACE_NO_RULES = 'no iptables or ebtables snapshot among the files: give at least one ruleset';
