// Public result types of a trace: outcomes, steps (in the legacy TRACE vocabulary, see docs/netfilter.md §legacy-trace),
// events (routing, NAT, bridge decisions, log lines), and the packet as seen at each step.
import type { Rule } from '@chainsight/grammar';
import type { Backend } from '@chainsight/netfilter';
import type { LeftOut } from './sim/pending';

export type Hook = 'PREROUTING' | 'INPUT' | 'FORWARD' | 'OUTPUT' | 'POSTROUTING' | 'BROUTING';
export type StepFamily = 'ip' | 'ip6' | 'bridge';
export type { Backend };

/** What a hook saw: the fields the kernel logs (IN=, OUT=, PHYSIN=, …) and those rules match on. */
export interface PacketView {
  family: 'ipv4' | 'ipv6';
  src: string;
  dst: string;
  proto: number;
  sport: number | null;
  dport: number | null;
  icmpType: number | null;
  icmpCode: number | null;
  icmpId: number;
  icmpSeq: number;
  tcpFlags: number;
  mark: number;
  length: number;
  ttl: number;
  tos: number;
  ipId: number;
  df: boolean;
  srcMac: string | null;
  dstMac: string | null;
  in: string;
  out: string;
  physIn: string;
  physOut: string;
  ctState: string;
  ctDir: 'ORIGINAL' | 'REPLY' | null;
  uid: number | null;
  gid: number | null;
}

export interface TraceStep {
  family: StepFamily;
  hook: Hook;
  table: string;
  chain: string;
  /**
   * rule: a rule matched and its target ran; return: the implicit end of a user chain; policy: a built-in
   * chain's policy (or, for ebtables user chains, the chain's policy ACCEPT/DROP).
   */
  type: 'rule' | 'return' | 'policy';
  /** 1-based rule index in its chain, null for return/policy. */
  rule: number | null;
  /** ACCEPT, DROP, CONTINUE, RETURN, JUMP:<chain>, GOTO:<chain>, QUEUE, REJECT (a DROP that answers). */
  verdict: string;
  /** Target as written (`DNAT`, `KUBE-SVC-…`), or the policy for policy steps. */
  target: string | null;
  /**
   * The legacy x_tables TRACE label (ip_tables.c get_chainname_rulenum): `policy:<n+1>` / `return:<n+1>` for chain
   * ends, and the quirk that an unconditional rule with a standard verdict is labelled policy (built-in chain) or
   * return (user chain) with its own number. For ebtables steps, the same numbering without the quirk.
   */
  label: { type: 'rule' | 'return' | 'policy'; num: number };
  file: string;
  /** Source line of the rule (null for policy/return steps when the chain declaration is unknown). */
  line: number | null;
  /** The IR rule (not serialised). */
  ruleRef: Rule | null;
  /** skb->nf_trace was set when this step ran: the kernel prints a TRACE line for it. */
  traced: boolean;
  packet: PacketView;
}

export type TraceEvent =
  | { kind: 'note'; at: number; text: string }
  | { kind: 'route'; at: number; text: string }
  | { kind: 'nat'; at: number; text: string }
  | { kind: 'bridge'; at: number; text: string }
  | { kind: 'conntrack'; at: number; text: string }
  /** A LOG/NFLOG rule or an ebtables --log/--nflog watcher wrote a line. */
  | { kind: 'log'; at: number; source: 'LOG' | 'NFLOG' | 'ULOG' | 'ebt-log' | 'ebt-nflog' | 'ebt-ulog'; prefix: string; hook: Hook; step: number; text: string; packet: PacketView; logIp?: boolean; level?: string; flags?: { seq: boolean; opts: boolean; uid: boolean } };

export interface NatApplied {
  type: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'NETMAP' | 'SAME';
  table: string;
  chain: string;
  rule: number;
  file: string;
  line: number;
  /** `10.244.1.5:8080`. */
  to: string;
  /** The translation was set up by this packet's rule (false: applied from the connection's earlier binding). */
  bySelf: boolean;
}

export type Verdict =
  | 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | 'STOLEN' | 'delivered' | 'forwarded' | 'no-route' | 'no-connection';

export interface Outcome {
  /** Probability of this outcome given its assumptions (product of the random draws on its path). */
  probability: number;
  /** What this outcome assumed about state the snapshot does not hold (empty: nothing). */
  assumptions: string[];
  /** Random draws taken (`-m statistic` …), for the text output. */
  draws: string[];
  verdict: Verdict;
  /** Human summary of the verdict: `forwarded out eth0`, `DROP in filter FORWARD rule 4`. */
  summary: string;
  /** Where the packet was dropped/rejected/queued, when it was. */
  decidedBy: TraceStep | null;
  nat: NatApplied[];
  masquerade: boolean;
  /** The step of the MASQUERADE rule (or the earlier binding's rule). */
  masqueradeBy: NatApplied | null;
  egress: { dev: string; port: string | null; local: boolean } | null;
  /** The packet after NAT, as it leaves (or is delivered). */
  packet: PacketView;
  mark: number;
  steps: TraceStep[];
  events: TraceEvent[];
  /** Outcomes of the connection's first packet this one depends on (for --reply / --state ESTABLISHED). */
  via?: string;
  /** The answer a REJECT sends back (a TCP RST or an ICMP error), traced as the locally generated packet it is. */
  generated?: GeneratedPacket;
}

export interface GeneratedPacket {
  kind: 'tcp-reset' | 'icmp-error';
  description: string;
  summary: string;
  verdict: Verdict;
  packet: PacketView;
  steps: TraceStep[];
  events: TraceEvent[];
}

export interface TraceResult {
  packet: PacketView;
  /** Facts that were inferred or assumed (entry interface, route, backend, …), in order. */
  inferred: string[];
  outcomes: Outcome[];
  /** Exploration stopped at the outcome limit. */
  truncated: boolean;
  /** When it stopped: how many paths at least were not explored, and the forks they split on (sim/pending.ts). */
  leftOut?: LeftOut;
  backend: { ip: Backend; bridge: Backend };
}
