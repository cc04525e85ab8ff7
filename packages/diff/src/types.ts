// The change model of `diffSnapshots`: options in, a discriminated union of changes out. Every change names its
// table (and chain when it has one), points at the source on both sides (file + span), and says which built-in
// chains reach the changed place. The JSON format (docs/diff-json.md) is this model, versioned by DIFF_SCHEMA.
import type { Backend, Counters, Family, InputFormat, Span } from '@chainsight/grammar';

/** Version of the result shape; bump the number when a field changes meaning or disappears. */
export const DIFF_SCHEMA = 'chainsight.diff/1';

/** Chains whose names are hashes of what they serve; renamed ones are paired by content and comments. */
export const HASH_CHAIN_PATTERNS: readonly string[] = [
  'KUBE-SVC-*', 'KUBE-SVL-*', 'KUBE-SEP-*', 'KUBE-EXT-*', 'KUBE-FW-*', 'KUBE-XLB-*',
  'cali-pi-*', 'cali-po-*', 'cali-pri-*', 'cali-pro-*', 'cali-tw-*', 'cali-fw-*', 'cali-sm-*',
];

export interface DiffOptions {
  /** Compare only these tables (default: all). */
  tables?: readonly string[];
  /** Compare only chains whose name (on either side) matches one of these globs (`*`, `?`). */
  chains?: readonly string[];
  /**
   * Leave chains matching these globs out of the comparison. Jumps into them compare by the pattern, so
   * `--ignore-chains 'KUBE-SEP-*'` also makes `-j KUBE-SEP-A` equal to `-j KUBE-SEP-B`.
   */
  ignoreChains?: readonly string[];
  /** Drop `-m comment` from rule keys: a rule whose comment alone changed is equal. */
  ignoreComments?: boolean;
  /** Default true. False: report `counters-changed` for aligned rules and built-in chain policies. */
  ignoreCounters?: boolean;
  /** Globs of hash-named chains (default HASH_CHAIN_PATTERNS). */
  hashChains?: readonly string[];
  /**
   * Upper bound on rule-pair checks spent deciding whether moved rules can change behaviour (default 5e6).
   * Past it, moves are reported with behaviour 'unknown' and the reason says so.
   */
  moveCheckBudget?: number;
}

export interface SideInfo {
  file: string;
  format: InputFormat;
  family: Family;
  backend: Backend;
}

export interface TableRef {
  file: string;
  table: string;
  span: Span;
  chains: number;
  rules: number;
}

export interface ChainRef {
  file: string;
  table: string;
  chain: string;
  /** The `:CHAIN` declaration; null when the chain was only implied. */
  span: Span | null;
  builtin: boolean;
  policy: string | null;
  rules: number;
}

export interface RuleRef {
  file: string;
  table: string;
  chain: string;
  /** 1-based position in its chain. */
  index: number;
  span: Span;
  /** The rule line as written. */
  text: string;
  counters: Counters | null;
}

/** Built-in chains of the table (kernel hooks) from which the changed chain is reachable through jumps/gotos. */
export interface Reach {
  /** null: the place does not exist on that side. [] : it exists but no built-in chain reaches it. */
  before: readonly string[] | null;
  after: readonly string[] | null;
}

/** One option that differs between the two sides of a modified rule (`-m tcp --dport`: `22` → `2222`). */
export interface OptionChange {
  /** The option as iptables-save spells it, with its module or target: `-s`, `-m tcp --dport`, `-j`. */
  option: string;
  /** null: absent on that side. Several occurrences are joined with `, `. */
  before: string | null;
  after: string | null;
}

export type OverlapVerdict = 'disjoint' | 'overlap' | 'unknown';

/** Whether some packet can match both rules, decided syntactically and conservatively. */
export interface Overlap {
  verdict: OverlapVerdict;
  /** Why: the field that separates them, or the matches that could not be reasoned about. */
  reason: string;
  /** For 'unknown': the matches/options that were not understood. */
  unknown?: string[];
}

/** A rule the moved rule passed over (their relative order changed). */
export interface Crossing {
  rule: RuleRef;
  overlap: Overlap;
  /** Both rules end with the same terminating target and have no stateful match: their order cannot matter. */
  sameEffect: boolean;
}

export type MoveBehaviour = 'unchanged' | 'may-change' | 'unknown';

interface ChangeBase {
  /** Position of the change in `changes` (stable within one result). */
  id: number;
  table: string;
  /** The chain as named after the change (the before name when it was removed); null for table-level changes. */
  chain: string | null;
  reach: Reach;
  /** The id of a summarising change (e.g. a service's endpoint change) that accounts for this one. */
  explainedBy?: number;
}

export interface TableAdded extends ChangeBase { kind: 'table-added'; after: TableRef; chains: ChainRef[] }
export interface TableRemoved extends ChangeBase { kind: 'table-removed'; before: TableRef; chains: ChainRef[] }

export interface ChainAdded extends ChangeBase { kind: 'chain-added'; after: ChainRef; rules: RuleRef[] }
export interface ChainRemoved extends ChangeBase { kind: 'chain-removed'; before: ChainRef; rules: RuleRef[] }

/** A hash-named chain present under another name, paired by what it serves (its identity). */
export interface ChainRenamed extends ChangeBase {
  kind: 'chain-renamed';
  before: ChainRef;
  after: ChainRef;
  /** How it was paired: 'service' / 'endpoint' (kube-proxy comments and DNAT), 'content' (identical rules). */
  pairedBy: 'service' | 'endpoint' | 'content' | 'comments';
  /** Human description of the identity: `service ns/svc:http`, `endpoint 10.0.0.5:80 of ns/svc:http`. */
  identity: string;
}

export interface PolicyChanged extends ChangeBase {
  kind: 'policy-changed';
  before: ChainRef;
  after: ChainRef;
  from: string | null;
  to: string | null;
}

export interface RuleAdded extends ChangeBase { kind: 'rule-added'; after: RuleRef }
export interface RuleRemoved extends ChangeBase { kind: 'rule-removed'; before: RuleRef }

export interface RuleModified extends ChangeBase {
  kind: 'rule-modified';
  before: RuleRef;
  after: RuleRef;
  options: OptionChange[];
}

export interface RuleMoved extends ChangeBase {
  kind: 'rule-moved';
  before: RuleRef;
  after: RuleRef;
  /** 'unchanged': every rule it passed is disjoint from it or has the same terminating effect. */
  behaviour: MoveBehaviour;
  /** Number of rules whose order relative to this one changed. */
  crossedCount: number;
  /** The crossed rules that overlap it or could not be decided (at most 20), most relevant first. */
  crossed: Crossing[];
  /** Why behaviour is 'unknown' when it is not because of a crossed rule (the check budget ran out). */
  note?: string;
}

export interface CountersChanged extends ChangeBase {
  kind: 'counters-changed';
  before: RuleRef | ChainRef;
  after: RuleRef | ChainRef;
  from: Counters | null;
  to: Counters | null;
}

/** A kube-proxy endpoint as DNAT writes it (`10.244.1.5:80`), with the KUBE-SEP chain that does it. */
export interface Endpoint {
  address: string;
  chain: string;
}

interface ServiceChangeBase extends ChangeBase {
  /** kube-proxy's service port name, `ns/svc:port` (or `ns/svc` for an unnamed port). */
  service: string;
  /** KUBE-SVC/SVL/EXT/FW chains of the service on each side. */
  chains: { before: string[]; after: string[] };
}

/** The endpoints a service load-balances to changed (including none ↔ some). */
export interface ServiceEndpoints extends ServiceChangeBase {
  kind: 'service-endpoints';
  before: Endpoint[];
  after: Endpoint[];
  added: string[];
  removed: string[];
  /**
   * Endpoints on this node (externalTrafficPolicy: Local, the KUBE-SVL chain), when the service has such a
   * chain on either side. Addresses of `before`/`after`.
   */
  local?: { before: string[]; after: string[] };
}
export interface ServiceAdded extends ServiceChangeBase { kind: 'service-added'; after: Endpoint[] }
export interface ServiceRemoved extends ServiceChangeBase { kind: 'service-removed'; before: Endpoint[] }

export type Change =
  | TableAdded | TableRemoved
  | ChainAdded | ChainRemoved | ChainRenamed | PolicyChanged
  | RuleAdded | RuleRemoved | RuleModified | RuleMoved
  | CountersChanged
  | ServiceEndpoints | ServiceAdded | ServiceRemoved;

export type ChangeKind = Change['kind'];

export interface DiffNote {
  code: string;
  message: string;
}

export interface TableStat {
  table: string;
  counts: Partial<Record<ChangeKind, number>>;
  /** Changes summarised by another change (explainedBy set). */
  explained: number;
}

export interface DiffResult {
  schema: typeof DIFF_SCHEMA;
  before: SideInfo;
  after: SideInfo;
  /** In output order: by table, then services, then chains in the after snapshot's order, then by position. */
  changes: Change[];
  /** Per table counts, in the order of `changes`. */
  stats: TableStat[];
  /** True when there is no change at all (explained or not). */
  identical: boolean;
  notes: DiffNote[];
}
