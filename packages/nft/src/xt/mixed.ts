// A host that mixes the two worlds: iptables-nft keeps its tables (ip filter, ip nat …) in nf_tables beside native
// nftables tables. `iptables-nft-save` shows only its own tables, and prints native rules added to its chains
// wrongly. Given the `nft list ruleset` of the same host and which tables the iptables-save view holds, this says
// which native tables that view omits and which rules in its tables it misprints.
//
// Observed with iptables 1.8.9 (nf_tables) and nft 1.0.6 on kernel 6.x (each rule added with `nft add rule` to
// `ip filter INPUT` of an iptables-nft-restore'd table, then `iptables-nft-save`):
//   ip saddr @s accept                     → -A INPUT -j ACCEPT      (the lookup is dropped)
//   ip saddr { 1.1.1.1, 2.2.2.2 } accept   → -A INPUT -j ACCEPT
//   ip saddr . tcp dport { … } accept      → -A INPUT -p tcp -j ACCEPT
//   tcp dport vmap { 22 : accept }         → -A INPUT -p tcp          (no target at all)
//   ct state / fib / numgen (native)       → the whole table is left out: "# Table `filter' is incompatible"
// The last kind cannot be told from nft's listing alone: nft prints the iptables-nft rules' own xt matches
// translated (-m conntrack as `ct state`, -m addrtype as `fib`, -m statistic as `numgen`, -m multiport as
// `tcp dport { 22, 80 }`, -m set as `ip saddr @name` naming an ipset the table does not hold). Only forms no xt
// translation prints are reported as misprinted.
import { xtablesTables } from '@chainsight/netfilter';
import type { Expr } from '../model/expr';
import type { Rule, Ruleset, Table } from '../model/ruleset';
import type { LocatedStmt } from '../model/stmt';
import { printRule } from '../print/expr';

/** A rule of the iptables-save view: where it is, and its line as saved. */
export interface SavedRule {
  file: string;
  line: number;
  text: string;
}

/** What an iptables-save (ip), ip6tables-save (ip6) or ebtables-save (bridge) view holds. */
export interface XtablesView {
  family: 'ip' | 'ip6' | 'arp' | 'bridge';
  tables: readonly string[];
  /** The rules of each chain in order, by table then chain name (absent: rules are not linked). */
  rules?: ReadonlyMap<string, ReadonlyMap<string, readonly SavedRule[]>>;
}

/**
 * A rule of an iptables-nft table that holds x_tables matches or targets nft cannot show natively (`xt match
 * string`): what it tests is only in the iptables-save. iptables-nft-save prints a chain's rules in the kernel's
 * order, one line each (nft-shared.c nft_rule_save), so the save's rule at the same position of the same chain is
 * this rule; that holds when both dumps were taken of the same state, which equal rule counts support (else no link).
 */
export interface XtRule {
  family: string;
  table: string;
  chain: string;
  /** 1-based position in the chain. */
  position: number;
  line?: number;
  xt: Array<{ type: 'match' | 'target' | 'watcher'; name: string }>;
  /** The save's rule at that position; absent when the save lacks the chain or its rule count differs. */
  saved?: SavedRule;
  /** Rule counts of the chain in the listing and in the save, when they differ (then nothing is linked). */
  counts?: { nft: number; save: number };
}

export interface OmittedTable {
  family: string;
  name: string;
  chains: number;
  rules: number;
  line?: number;
  /** native: not a table iptables-nft makes; incompatible: an x_tables table the save left out. */
  why: 'native' | 'incompatible';
}

export interface MisprintedRule {
  family: string;
  table: string;
  chain: string;
  line?: number;
  /** The rule as nft lists it (without handle). */
  text: string;
  /** What in it iptables-nft cannot print: `set lookup @s`, `verdict map`, `anonymous set` … */
  reasons: string[];
}

export interface MixedHostReport {
  omitted: OmittedTable[];
  misprinted: MisprintedRule[];
  xtRules: XtRule[];
}

const PORT_FIELDS = new Set(['sport', 'dport']);

/** Whether a table is one iptables-nft (or ebtables-nft, arptables-nft) makes: its family and name. */
export function isXtablesTable(family: string, name: string): boolean {
  return (family === 'ip' || family === 'ip6' || family === 'arp' || family === 'bridge') && xtablesTables('nft', family).includes(name);
}

function exprReasons(e: Expr, table: Table, left: Expr | undefined, out: Set<string>): void {
  switch (e.kind) {
    case 'setref':
      // A name the table does not hold is an ipset (-m set, translated by nft); a set of the table is native.
      if (table.sets.has(e.name)) out.add(`set lookup @${e.name}`);
      return;
    case 'set':
      // -m multiport is listed as an anonymous set of ports; any other anonymous set is native.
      if (!(left?.kind === 'payload' && PORT_FIELDS.has(left.field))) out.add('anonymous set');
      return;
    case 'map': out.add('map lookup'); return;
    case 'concat': out.add('concatenation'); return;
    default: return;
  }
}

function ruleReasons(stmts: LocatedStmt[], table: Table): string[] {
  const out = new Set<string>();
  for (const s of stmts) {
    if (s.kind === 'vmap') out.add('verdict map');
    else if (s.kind === 'match') {
      exprReasons(s.left, table, undefined, out);
      exprReasons(s.right, table, s.left, out);
    } else if (s.kind === 'setUpdate') out.add(`set update @${s.set.replace(/^@/, '')}`);
    else if (s.kind === 'verdict' && s.rules) out.add('anonymous chain');
    else if (s.kind === 'nat' && s.to && (s.to.kind === 'map' || s.to.kind === 'concat')) out.add('map lookup');
  }
  return [...out];
}

const countRules = (t: Table) => [...t.chains.values()].reduce((n, c) => n + c.rules.length, 0);
const noHandle = (r: Rule): Rule => {
  const { handle: _h, ...rest } = r;
  return rest;
};

/** Compares an nft ruleset with the x_tables views of the same host. */
export function compareWithXtables(rs: Ruleset, views: readonly XtablesView[]): MixedHostReport {
  const shown = new Map<string, ReadonlySet<string>>(views.map((v) => [v.family, new Set(v.tables)]));
  const omitted: OmittedTable[] = [];
  const misprinted: MisprintedRule[] = [];
  const xtRules: XtRule[] = [];
  const viewOf = new Map<string, XtablesView>(views.map((v) => [v.family, v]));
  for (const t of rs.tables.values()) {
    const line = t.span?.start.line;
    const base = { family: t.family, name: t.name, chains: t.chains.size, rules: countRules(t), ...(line !== undefined ? { line } : {}) };
    if (!isXtablesTable(t.family, t.name)) {
      omitted.push({ ...base, why: 'native' });
      continue;
    }
    const view = shown.get(t.family);
    if (!view) continue; // that family's save was not given: nothing to compare with
    if (!view.has(t.name)) {
      omitted.push({ ...base, why: 'incompatible' });
      continue;
    }
    for (const c of t.chains.values()) {
      const saved = viewOf.get(t.family)?.rules?.get(t.name)?.get(c.name);
      c.rules.forEach((r, i) => {
        const xt = r.stmts.flatMap((s) => (s.kind === 'xt' ? [{ type: s.type, name: s.name }] : []));
        if (!xt.length) return;
        const at = r.span?.start.line;
        const x: XtRule = { family: t.family, table: t.name, chain: c.name, position: i + 1, ...(at !== undefined ? { line: at } : {}), xt };
        if (saved && saved.length === c.rules.length) x.saved = saved[i]!;
        else if (saved) x.counts = { nft: c.rules.length, save: saved.length };
        xtRules.push(x);
      });
      for (const r of c.rules) {
        const reasons = ruleReasons(r.stmts, t);
        if (!reasons.length) continue;
        const at = r.span?.start.line;
        misprinted.push({ family: t.family, table: t.name, chain: c.name, ...(at !== undefined ? { line: at } : {}), text: printRule(noHandle(r)), reasons });
      }
    }
  }
  return { omitted, misprinted, xtRules };
}
