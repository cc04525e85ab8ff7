// Expressions of an nftables rule, set element or map. Names follow nft(8) ("EXPRESSIONS") and the libnftables
// JSON schema (libnftables-json(5)), so a reader of either finds the same words here.
import type { Span } from './diagnostic';

/** A literal as nft prints it: a number, address, symbolic constant (`established`, `tcp`) or quoted string. */
export interface ValueExpr {
  kind: 'value';
  /** The text as written; quoted strings keep their quotes (`"eth0"`), so printing is exact. */
  text: string;
}

/** `10.0.0.0/8`, `fe80::/10`. */
export interface PrefixExpr {
  kind: 'prefix';
  addr: Expr;
  len: number;
}

/** `1-1024`, `10.0.0.1-10.0.0.9`. */
export interface RangeExpr {
  kind: 'range';
  low: Expr;
  high: Expr;
}

/** `ip saddr`, `tcp dport`, `th dport`, `ether type`, `vlan id`, `icmp type` ... (nft(8) PAYLOAD EXPRESSION). */
export interface PayloadExpr {
  kind: 'payload';
  protocol: string;
  field: string;
}

/** `@nh,0,8`: raw payload at base, bit offset, bit length. */
export interface RawPayloadExpr {
  kind: 'rawpayload';
  base: string;
  offset: number;
  len: number;
}

/** IPv6 extension headers, TCP/IP options, SCTP chunks: `tcp option maxseg size`, `frag more-fragments`. */
export interface ExthdrExpr {
  kind: 'exthdr';
  /** `tcp option`, `ip option`, `sctp chunk`, `hbh`, `rt`, `frag`, `dst`, `mh`, `srh`, `exthdr` ... */
  header: string;
  /** The words after the header: `['maxseg', 'size']`, `['more-fragments']`. */
  path: string[];
}

/** `meta mark`, and the short forms nft prints without `meta` (`iif`, `oifname`, `mark`, `skuid` ...). */
export interface MetaExpr {
  kind: 'meta';
  key: string;
  /** Whether the `meta` keyword was written (nft prints some keys bare, see print/expr.ts). */
  explicit: boolean;
}

/** `ct state`, `ct original saddr`, `ct reply ip daddr`, `ct mark`. */
export interface CtExpr {
  kind: 'ct';
  key: string;
  dir?: 'original' | 'reply';
  family?: 'ip' | 'ip6';
}

/** `fib saddr . iif oif`, `fib daddr type`. */
export interface FibExpr {
  kind: 'fib';
  flags: string[];
  result: string;
}

/** `numgen inc mod 2 offset 100`. */
export interface NumgenExpr {
  kind: 'numgen';
  mode: string;
  mod: number;
  offset?: number;
}

/** `jhash ip saddr . tcp dport mod 2 seed 0x1 offset 5`, `symhash mod 2`. */
export interface HashExpr {
  kind: 'hash';
  fn: 'jhash' | 'symhash';
  expr?: Expr;
  mod: number;
  seed?: string;
  offset?: number;
}

/**
 * Selectors of the less common families, typed by family and key words: `socket transparent`,
 * `socket cgroupv2 level 1`, `osf ttl loose name`, `rt ip nexthop`, `ipsec in reqid`, `xt match "foo"`.
 */
export interface SelectorExpr {
  kind: 'selector';
  family: 'socket' | 'osf' | 'rt' | 'ipsec' | 'xt' | 'tunnel' | 'cgroupv2';
  words: string[];
}

/** An anonymous set `{ 22, 80 }` (set literal); in a vmap or map its elements carry data. */
export interface SetLiteralExpr {
  kind: 'set';
  elements: SetElement[];
}

/** `@name`: a named set or map. */
export interface SetRefExpr {
  kind: 'setref';
  name: string;
}

/** `$name`: a variable of an `nft -f` script (its `define`). */
export interface VariableExpr {
  kind: 'variable';
  name: string;
}

/** `a . b . c`. */
export interface ConcatExpr {
  kind: 'concat';
  parts: Expr[];
}

/** `established,related`: nft's list expression (a bitmask or a comma list), printed without spaces. */
export interface ListExpr {
  kind: 'list';
  items: Expr[];
}

/** `meta mark & 0xff`, `ct mark | 0x1`, `tcp flags syn / fin,syn` (`/` is the mask shorthand). */
export interface BinopExpr {
  kind: 'binop';
  op: '&' | '|' | '^' | '<<' | '>>' | '/';
  left: Expr;
  right: Expr;
}

/** Parenthesised sub-expression, kept so `tcp flags & (fin | syn) == syn` prints as written. */
export interface GroupExpr {
  kind: 'group';
  inner: Expr;
}

/** `key map { … }` / `key map @m`: the lookup that yields a value (nat addresses, marks). */
export interface MapLookupExpr {
  kind: 'map';
  key: Expr;
  map: Expr;
}

/** A verdict as data: map values and vmap elements (`accept`, `jump chain`, `goto chain`). */
export interface VerdictExpr {
  kind: 'verdict';
  verdict: string;
  chain?: string;
}

/** Anything not typed above, as the source tokens (a warning is reported where it was found). */
export interface VerbatimExpr {
  kind: 'verbatim';
  text: string;
}

export type Expr =
  | ValueExpr
  | PrefixExpr
  | RangeExpr
  | PayloadExpr
  | RawPayloadExpr
  | ExthdrExpr
  | MetaExpr
  | CtExpr
  | FibExpr
  | NumgenExpr
  | HashExpr
  | SelectorExpr
  | SetLiteralExpr
  | SetRefExpr
  | VariableExpr
  | ConcatExpr
  | ListExpr
  | BinopExpr
  | GroupExpr
  | MapLookupExpr
  | VerdictExpr
  | VerbatimExpr;

/** One element of a set, map or set literal. */
export interface SetElement {
  key: Expr;
  /** Map data (`: accept`, `: 10.0.0.1`). */
  data?: Expr;
  /** Element options in written order: `timeout 10s`, `expires 5s`, `counter packets 0 bytes 0`, `comment "x"`. */
  options: ElementOption[];
  /** The element started a new line in the input (nft wraps named sets' elements; kept for exact printing). */
  newline?: boolean;
  span?: Span;
}

export type ElementOption =
  | { kind: 'timeout' | 'expires'; value: string }
  | { kind: 'comment'; value: string }
  | { kind: 'counter'; packets?: string; bytes?: string }
  | { kind: 'verbatim'; text: string };
