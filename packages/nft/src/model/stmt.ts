// Statements of an nftables rule: relational matches and the actions of nft(8) "STATEMENTS".
import type { Span } from './diagnostic';
import type { Expr } from './expr';
import type { Rule } from './ruleset';

export type RelOp = '==' | '!=' | '<' | '>' | '<=' | '>=';

/**
 * `left [op] right`. `op` is undefined when no operator was written (nft prints equality, and membership in a
 * set, without one); `'=='` when it was (nft writes it after a binop: `meta mark & 0xff == 0x1`).
 */
export interface MatchStmt {
  kind: 'match';
  left: Expr;
  op?: RelOp;
  right: Expr;
}

/** accept, drop, continue, return; jump/goto a named chain or an anonymous one (`jump { … }`). */
export interface VerdictStmt {
  kind: 'verdict';
  verdict: 'accept' | 'drop' | 'continue' | 'return' | 'jump' | 'goto';
  chain?: string;
  /** The rules of an anonymous chain (`jump { … }`, nft's chain binding). */
  rules?: Rule[];
}

/** `key vmap { a : accept, b : jump c }` / `key vmap @m`. */
export interface VmapStmt {
  kind: 'vmap';
  key: Expr;
  map: Expr;
}

/** `counter`, `counter packets 1 bytes 2`, `counter name "c"` (named object). Numbers kept as written text. */
export interface CounterStmt {
  kind: 'counter';
  packets?: string;
  bytes?: string;
  name?: Expr;
}

/** snat/dnat/masquerade/redirect (nft(8) NAT STATEMENTS). */
export interface NatStmt {
  kind: 'nat';
  type: 'snat' | 'dnat' | 'masquerade' | 'redirect';
  /** `snat ip to …`, `dnat ip6 to …` (inet tables). */
  family?: 'ip' | 'ip6';
  /** `prefix`, `addr . port` before `to` (`snat ip prefix to …`, `dnat ip addr . port to …`). */
  mode?: string;
  /** The expression after `to`: address, `addr:port`, `:port`, a map lookup; absent for bare masquerade. */
  to?: Expr;
  /** The address was written without `to` (`dnat 10.0.0.2:22`, accepted by nft, printed with `to`). */
  withoutTo?: boolean;
  /** `random`, `fully-random`, `persistent`, `netmap` ... */
  flags: string[];
}

/** `meta mark set 0x1`, `ct mark set meta mark`, `ip dscp set cs1`, `meta nftrace set 1`, `ct helper set "ftp"`. */
export interface MangleStmt {
  kind: 'mangle';
  target: Expr;
  value: Expr;
}

/** `log prefix "x" level info flags all`: options in written order. */
export interface LogStmt {
  kind: 'log';
  options: Array<{ key: string; value?: string }>;
}

/** `limit rate [over] 10/second [burst 5 packets]`, bytes: `limit rate 1 mbytes/second`; `limit name "x"`. */
export interface LimitStmt {
  kind: 'limit';
  over: boolean;
  rate?: string;
  /** Unit of a byte limit (`mbytes`), absent for packet limits. */
  rateUnit?: string;
  per?: string;
  burst?: string;
  burstUnit?: string;
  name?: Expr;
}

/** `quota [over] 25 mbytes [used 1 kbytes]`; `quota name "x"`. */
export interface QuotaStmt {
  kind: 'quota';
  over: boolean;
  amount?: string;
  unit?: string;
  used?: string;
  usedUnit?: string;
  name?: Expr;
}

/** `add @s { ip saddr timeout 10s }`, `update @s { ip saddr counter }`, `delete @s { … }` (nft(8) SET STATEMENT). */
export interface SetUpdateStmt {
  kind: 'setUpdate';
  op: 'add' | 'update' | 'delete';
  set: string;
  elem: Expr;
  /** Statements attached to the element (counter, limit, timeout is in elem's options). */
  stmts: Stmt[];
  timeout?: string;
  /** Map data of `update @m { key : data }`. */
  data?: Expr;
}

/** `reject`, `reject with icmp port-unreachable`, `reject with tcp reset`, `reject with icmpx admin-prohibited`. */
export interface RejectStmt {
  kind: 'reject';
  /** `icmp`, `icmpv6`, `icmpx`, `tcp`. */
  with?: string;
  code?: string;
}

/** `queue`, `queue num 1-3 fanout,bypass`, `queue flags bypass to 1-3`. Options kept in written order. */
export interface QueueStmt {
  kind: 'queue';
  options: string[];
}

/** `tproxy to :8080`, `tproxy ip to 1.2.3.4:80`. */
export interface TproxyStmt {
  kind: 'tproxy';
  family?: 'ip' | 'ip6';
  to: Expr;
}

export interface NotrackStmt {
  kind: 'notrack';
}

/**
 * `xt match string`, `xt target "TPROXY"`: an x_tables match or target that iptables-nft put in the rule and nft
 * cannot show as native expressions (nftables statement.h `xt_stmt`; printed by xt.c `xt_stmt_xlate`: nft 1.0.6
 * writes the name bare, later releases quote it; JSON `{"xt": {"type": "match", "name": "string"}}`). What the
 * match tests is not in the listing: the iptables-save of the same host shows it (xt/mixed.ts links the two).
 */
export interface XtStmt {
  kind: 'xt';
  /** `watcher`: ebtables' watchers (log, nflog) in bridge tables. */
  type: 'match' | 'target' | 'watcher';
  name: string;
  /** The name was written in quotes (nft ≥ 1.0.7). */
  quoted?: boolean;
}

/**
 * A statement nft prints that this package does not type (synproxy, dup, fwd, flow add, secmark, last …): its tokens, exactly as written. The parser reports a warning where it keeps one.
 */
export interface VerbatimStmt {
  kind: 'verbatim';
  text: string;
}

export type Stmt =
  | MatchStmt
  | VerdictStmt
  | VmapStmt
  | CounterStmt
  | NatStmt
  | MangleStmt
  | LogStmt
  | LimitStmt
  | QuotaStmt
  | SetUpdateStmt
  | RejectStmt
  | QueueStmt
  | TproxyStmt
  | NotrackStmt
  | XtStmt
  | VerbatimStmt;

/** A statement with where it was written (absent for statements built in code). */
export type LocatedStmt = Stmt & { span?: Span };
