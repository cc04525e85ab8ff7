// The ruleset: tables of every family with their chains, sets, maps, flowtables and named objects, in the
// order nft lists them. Every collection keyed by a name from the input is a Map.
import type { Diagnostic, Span } from './diagnostic';
import type { Expr, SetElement } from './expr';
import type { LocatedStmt } from './stmt';

export type Family = 'ip' | 'ip6' | 'inet' | 'arp' | 'bridge' | 'netdev';
export const FAMILIES: readonly Family[] = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'];

/** `priority filter`, `priority dstnat + 10`, `priority -150`: the name as written, and the offset. */
export interface Priority {
  /** A named priority (`raw`, `mangle`, `dstnat`, `filter`, `security`, `srcnat`, `out`), absent for numbers. */
  name?: string;
  /** The number, or the offset added to the name (`dstnat - 5` is -5). */
  offset: number;
}

export interface BaseChainSpec {
  /** `filter`, `nat`, `route`. */
  type: string;
  hook: string;
  priority: Priority;
  /** netdev ingress/egress: the device(s) as written (`"eth0"` keeps its quotes). */
  devices?: string[];
  /** `devices = { … }` rather than `device "x"`. */
  devicesList?: boolean;
  policy?: 'accept' | 'drop';
}

export interface Rule {
  stmts: LocatedStmt[];
  comment?: string;
  handle?: number;
  span?: Span;
}

export interface Chain {
  name: string;
  base?: BaseChainSpec;
  comment?: string;
  handle?: number;
  rules: Rule[];
  span?: Span;
}

/** A named set or map (`map` when `dataType` is present). */
export interface NamedSet {
  name: string;
  isMap: boolean;
  /** `type ipv4_addr . inet_service` → ['ipv4_addr', 'inet_service']; absent with `typeof`. */
  keyType?: string[];
  /** `typeof ip saddr . tcp dport`: the key expression. */
  keyTypeof?: Expr;
  /** Map data: `verdict`, `ipv4_addr`, `ipv4_addr . inet_service` → parts; `counter`/`quota` for object maps. */
  dataType?: string[];
  dataTypeof?: Expr;
  /** `type … : interval ipv4_addr` style prefixes on the data (nft prints `interval`), kept as written. */
  dataInterval?: boolean;
  flags: string[];
  timeout?: string;
  gcInterval?: string;
  size?: string;
  /** nft's `# count N` note after `size` (elements in the set when listed). */
  count?: string;
  policy?: string;
  autoMerge?: boolean;
  /** Stateful expressions on every element (`counter`, `quota 10 mbytes` …), verbatim. */
  stmts: string[];
  comment?: string;
  handle?: number;
  /** Undefined: no `elements = { }` line. */
  elements?: SetElement[];
  span?: Span;
}

export interface Flowtable {
  name: string;
  hook: string;
  priority: Priority;
  devices: string[];
  /** Further lines (`flags offload`, `counter`), verbatim. */
  extra: string[];
  handle?: number;
  span?: Span;
}

/** Named stateful objects: counter, quota, limit, ct helper/timeout/expectation, secmark, synproxy, tunnel. */
export interface NftObject {
  /** `counter`, `quota`, `limit`, `ct helper`, `ct timeout`, `ct expectation`, `secmark`, `synproxy` … */
  type: string;
  name: string;
  /** Body lines, each as words (`['type', '"sip"', 'protocol', 'tcp']`, `['packets', '0', 'bytes', '0']`). */
  lines: string[][];
  comment?: string;
  handle?: number;
  span?: Span;
}

export interface Table {
  family: Family;
  name: string;
  flags: string[];
  comment?: string;
  handle?: number;
  chains: Map<string, Chain>;
  sets: Map<string, NamedSet>;
  flowtables: Map<string, Flowtable>;
  /** Key: `<type> <name>` (a quota and a counter may share a name). */
  objects: Map<string, NftObject>;
  /** Order of the table's items as written (nft lists objects, sets/maps, flowtables, chains). */
  order: Array<{ what: 'chain' | 'set' | 'flowtable' | 'object'; key: string }>;
  span?: Span;
}

export interface Ruleset {
  /** Key: `<family> <name>`. */
  tables: Map<string, Table>;
  /** `define name = value` of an `nft -f` script, value verbatim. */
  defines: Map<string, string>;
  /** `include "…"` paths of a script: not followed (the parser never touches files). */
  includes: string[];
  /** JSON `metainfo` (version, release_name, json_schema_version). */
  metainfo?: Map<string, string | number>;
}

export interface ParseResult {
  ruleset: Ruleset;
  diagnostics: Diagnostic[];
  format: 'nft-text' | 'nft-json';
}

export const tableKey = (family: string, name: string) => `${family} ${name}`;

export function emptyRuleset(): Ruleset {
  return { tables: new Map(), defines: new Map(), includes: [] };
}

export function newTable(family: Family, name: string): Table {
  return { family, name, flags: [], chains: new Map(), sets: new Map(), flowtables: new Map(), objects: new Map(), order: [] };
}

/** Every rule of the ruleset; with `anonymous` (default) also the rules of chains bound by `jump { … }`. */
export function countRules(rs: Ruleset, opts: { anonymous?: boolean } = {}): number {
  let n = 0;
  const visit = (rules: Rule[]) => {
    for (const r of rules) {
      n++;
      if (opts.anonymous !== false) for (const s of r.stmts) if (s.kind === 'verdict' && s.rules) visit(s.rules);
    }
  };
  for (const t of rs.tables.values()) for (const c of t.chains.values()) visit(c.rules);
  return n;
}
