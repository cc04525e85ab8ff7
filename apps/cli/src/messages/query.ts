// User-facing text of `chainsight query`.
import { COMMON_INPUT_OPTIONS } from './index';

export const QUERY_HELP = `Usage: chainsight query [options] FILE QUESTION [packet constraints]

Answers a question about every packet at once, within one table: which packets reach a rule or are matched by
it, which get a verdict, which are masqueraded, which are DNATed to an address. The answer is the exact set,
shown as a few regions (addresses, ports, protocols, devices, states), largest first, each with the number of
packets in it, one witness packet, and the witness traced concretely (chainsight trace) as a check.
Matches the file cannot decide (-m set without its contents, -m recent, -m limit, -m statistic …) are unknowns:
a packet is in the answer when some outcome of them puts it there, and the unknowns are listed.

Question (exactly one):
  --hits CHAIN:N          the packets rule N of CHAIN matches (those its target acts on)
  --reaches CHAIN:N       the packets that arrive at rule N of CHAIN
  --verdict V             the packets the table's built-in chains end with V: ACCEPT | DROP | REJECT | QUEUE |
                          DNAT | … | "policy ACCEPT" | "policy DROP"
  --masquerade            the packets a MASQUERADE rule takes (table nat)
  --dnat-to ADDR          the packets a DNAT rule sends to ADDR (table nat)

Where:
  --table T               the table (default: the chain's table for --hits/--reaches, nat for --masquerade and
                          --dnat-to, filter for --verdict)
  --hook H                enter from this built-in chain only (PREROUTING, INPUT, FORWARD, OUTPUT, POSTROUTING);
                          repeatable; default every built-in chain of the table

Packet constraints (what the packets entering are known to be; iptables syntax and meaning):
  --in IFACE / --out IFACE    devices (a trailing + is a prefix, as -i/-o)
  --proto P                   tcp | udp | icmp | … | NUMBER
  --src CIDR / --dst CIDR     addresses or prefixes
  --sport N[:M] / --dport N[:M]   ports or ranges (need --proto tcp, udp, sctp, dccp or udplite)
  --state S[,S…]              NEW | ESTABLISHED | RELATED | INVALID | UNTRACKED
  --mark V[/M]                skb mark as the packet enters

Output:
  --format F              text (default) | json (schema chainsight.query/1, docs/query.md)
  --regions N             show at most N regions (default 8)
  --no-trace              do not trace the witnesses

${COMMON_INPUT_OPTIONS}
  -h, --help

Exit codes: 0 some packet is in the answer, 1 no packet is, 2 bad input or usage.`;
