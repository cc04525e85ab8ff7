// The compiled ruleset: each chain becomes an array of rules with a predicate closure and an action, built once
// per snapshot (compileRuleset) and reused for every packet.
import type { Chain, Family, IpSet, Match, Rule, Snapshot } from '@chainsight/grammar';
import type { HostModel } from '../host/model';
import type { Chooser } from '../sim/choices';
import type { HostFacts } from '../sim/host-facts';
import type { SetChanges } from '../sim/set-changes';
import type { SimPacket } from '../sim/state';
import type { Backend, Hook } from '../types';

/** What a predicate or target may consult besides the packet. */
export interface EvalCtx {
  host: HostModel;
  hook: Hook;
  table: string;
  chooser: Chooser;
  /** The ipset changes SET targets made on this path so far (-m set tests the sets as they left them). */
  sets: SetChanges;
  /** Called by targets with side effects the path must know about (NAT bindings, log lines, notes). */
  effects: Effects;
  /** The host facts of this run: without a host context, what it assumed or forked on. */
  facts: HostFacts;
}

export interface Effects {
  log(source: 'LOG' | 'NFLOG' | 'ULOG' | 'ebt-log' | 'ebt-nflog' | 'ebt-ulog', prefix: string, extra?: { logIp?: boolean; level?: string; flags?: { seq: boolean; opts: boolean; uid: boolean } }): void;
  note(text: string): void;
  /** A NAT target ran: the path sets up the binding. Returns false when the translation is impossible (drop). */
  nat(req: NatRequest): boolean;
}

export interface NatRequest {
  type: 'DNAT' | 'SNAT' | 'MASQUERADE' | 'REDIRECT' | 'NETMAP' | 'SAME';
  addrFrom: bigint | null;
  addrTo: bigint | null;
  /** NETMAP prefix. */
  prefix: number | null;
  portFrom: number | null;
  portTo: number | null;
}

export type Pred = (p: SimPacket, c: EvalCtx) => boolean;

export type Action =
  | { kind: 'verdict'; verdict: 'ACCEPT' | 'DROP' | 'RETURN' | 'QUEUE' | 'CONTINUE' }
  | { kind: 'jump'; chain: string; goto: boolean }
  /** An extension target: returns CONTINUE or a verdict ending the table. */
  | { kind: 'ext'; name: string; run: (p: SimPacket, c: EvalCtx) => ExtVerdict };

export type ExtVerdict = 'CONTINUE' | 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | 'STOLEN' | 'RETURN';

export interface CRule {
  rule: Rule;
  /** null: matches everything (no base options, no matches). */
  pred: Pred | null;
  action: Action;
  /** Legacy TRACE label type (docs/netfilter.md §legacy-trace: the unconditional standard verdict quirk). */
  labelType: 'rule' | 'return' | 'policy';
  /** ebtables watchers (--log, --nflog, --ulog): run after the matches, before the target. */
  watch: Watch | null;
}

export type Watch = (p: SimPacket, c: EvalCtx) => void;

export interface CChain {
  name: string;
  builtin: boolean;
  policy: string | null;
  chain: Chain;
  /** Number of rules. */
  readonly size: number;
  /** Rule k (0-based), compiled on first use (compile/lazy-chain.ts). */
  rule(k: number): CRule;
  /** Every rule compiled. */
  readonly rules: CRule[];
  /** For long chains: rule indices per exact destination address (`-d a/32`), see ruleset.ts. */
  readonly index: DstIndex | null;
}

export interface DstIndex {
  /** Rules with an exact positive destination (`-d a/32`), by address. */
  byDst: Map<bigint, number[]>;
  /** Other rules with a positive single destination port (`-p tcp -m tcp --dport 30001`), by port. */
  byDport: Map<number, number[]>;
  /** Everything else, in order. */
  rest: number[];
  /** byDst lists merged with `rest`, filled on first use. */
  merged: Map<bigint, number[]>;
}

export interface CTable {
  name: string;
  /** The file the table was read from (the tables of one family may come from several files). */
  file: string;
  chains: Map<string, CChain>;
  /** Why the kernel refuses to load the table (a loop a built-in chain reaches, compile/loops.ts), or null. */
  refused: string | null;
}

export interface CFamily {
  family: Family;
  snapshot: Snapshot;
  file: string;
  tables: Map<string, CTable>;
  /** Some rule needs conntrack in this family, so the conntrack hooks run (docs/netfilter.md §conntrack-active). */
  conntrackActive: boolean;
}

export interface MatchEnv {
  family: Family;
  rule: Rule;
  match: Match;
  file: string;
  /** `module@line` etc., the keys `--assume` may use for this match. */
  assumeKeys: string[];
  /** The match as iptables-save prints it, for assumption texts. */
  text: string;
  /** The backend the rules are loaded with (some matches differ, e.g. mergedInvertedPorts). */
  backend: Backend;
  /** The host's ipsets when given (`ipset save`), by name. */
  ipsets: ReadonlyMap<string, IpSet> | null;
}
