// The chain graph of one nftables table: which chain passes packets to which (jump, goto, and verdict maps, whose
// elements jump or go to chains), which chains and sets rules name that the table does not hold, and the base
// chains by hook in the kernel's order. The lint checks (lint/*.ts), `chainsight graph` and the mixed-host report
// read it; it walks the rules once.
import { isFamily, isHook, orderAtHook, parsePriority, priorityTies, type Hook } from '@chainsight/netfilter';
import type { Span } from '../model/diagnostic';
import type { Expr } from '../model/expr';
import type { Chain, Rule, Ruleset, Table } from '../model/ruleset';
import type { LocatedStmt } from '../model/stmt';

export interface ChainEdge {
  from: string;
  to: string;
  /** `jump`/`goto` statements; `vmap` for a verdict map's element (anonymous `vmap { … }` or a named map). */
  kind: 'jump' | 'goto' | 'vmap';
  /** For `vmap`: whether the element jumps or goes to the chain. */
  verdict: 'jump' | 'goto';
  /** The rule that passes the packet on (for a named map's element: the rule with `vmap @map`). */
  rule: Rule;
  /** The statement (or map element) that names the target. */
  span?: Span;
  /** A named verdict map the element belongs to (`vmap @name`). */
  map?: string;
}

export interface SetUse {
  name: string;
  chain: string;
  rule: Rule;
  span?: Span;
}

export interface BaseChainAt {
  table: Table;
  chain: Chain;
  hook: string;
  /** The priority as a number (named priorities resolved for the table's family and the hook); null if unknown. */
  priority: number | null;
}

export interface TableGraph {
  table: Table;
  edges: ChainEdge[];
  /** Edges whose target is not a chain of the table. */
  undefinedChains: ChainEdge[];
  /** `@name` lookups, set updates and map lookups, in rule order. */
  setUses: SetUse[];
  /** Uses of sets and maps the table does not hold. */
  undefinedSets: SetUse[];
  /** Chains (regular ones) that no rule and no map element names. */
  unreferenced: Chain[];
}

/** A named map's element verdicts: a `vmap @m` rule passes packets to each of them. */
function mapVerdicts(table: Table, name: string): Array<{ verdict: 'jump' | 'goto'; chain: string; span?: Span }> {
  const out: Array<{ verdict: 'jump' | 'goto'; chain: string; span?: Span }> = [];
  for (const el of table.sets.get(name)?.elements ?? []) {
    const d = el.data;
    if (d?.kind === 'verdict' && (d.verdict === 'jump' || d.verdict === 'goto') && d.chain !== undefined) out.push({ verdict: d.verdict, chain: d.chain, ...(el.span ? { span: el.span } : {}) });
  }
  return out;
}

/** Every `@name` in an expression (set lookups, map lookups, concatenations …). */
function setRefs(e: Expr | undefined, out: string[]): void {
  if (!e) return;
  switch (e.kind) {
    case 'setref': out.push(e.name); return;
    case 'prefix': setRefs(e.addr, out); return;
    case 'range': setRefs(e.low, out); setRefs(e.high, out); return;
    case 'concat': for (const p of e.parts) setRefs(p, out); return;
    case 'list': for (const p of e.items) setRefs(p, out); return;
    case 'binop': setRefs(e.left, out); setRefs(e.right, out); return;
    case 'group': setRefs(e.inner, out); return;
    case 'map': setRefs(e.key, out); setRefs(e.map, out); return;
    case 'hash': setRefs(e.expr, out); return;
    case 'set': for (const el of e.elements) { setRefs(el.key, out); setRefs(el.data, out); } return;
    default: return;
  }
}

/** Expressions a statement reads or writes, for set references. */
function stmtExprs(s: LocatedStmt): Array<Expr | undefined> {
  switch (s.kind) {
    case 'match': return [s.left, s.right];
    case 'vmap': return [s.key, s.map];
    case 'nat': return [s.to];
    case 'mangle': return [s.target, s.value];
    case 'setUpdate': return [s.elem, s.data];
    case 'tproxy': return [s.to];
    case 'counter': case 'limit': case 'quota': return [s.name];
    default: return [];
  }
}

export function tableGraph(table: Table): TableGraph {
  const edges: ChainEdge[] = [];
  const setUses: SetUse[] = [];
  const visitRules = (chain: string, rules: Rule[], top?: Rule) => {
    for (const rule of rules) {
      const owner = top ?? rule;
      for (const s of rule.stmts) {
        const span = s.span ?? rule.span;
        const at = span ? { span } : {};
        if (s.kind === 'verdict' && (s.verdict === 'jump' || s.verdict === 'goto')) {
          // `jump { … }` binds an anonymous chain: its rules run as part of this chain.
          if (s.rules) visitRules(chain, s.rules, owner);
          else if (s.chain !== undefined) edges.push({ from: chain, to: s.chain, kind: s.verdict, verdict: s.verdict, rule: owner, ...at });
        }
        if (s.kind === 'vmap') {
          if (s.map.kind === 'set') {
            for (const el of s.map.elements) {
              const d = el.data;
              if (d?.kind === 'verdict' && (d.verdict === 'jump' || d.verdict === 'goto') && d.chain !== undefined) {
                edges.push({ from: chain, to: d.chain, kind: 'vmap', verdict: d.verdict, rule: owner, ...(el.span ?? span ? { span: el.span ?? span } : {}) });
              }
            }
          } else if (s.map.kind === 'setref') {
            for (const v of mapVerdicts(table, s.map.name)) edges.push({ from: chain, to: v.chain, kind: 'vmap', verdict: v.verdict, rule: owner, map: s.map.name, ...at });
          }
        }
        const names: string[] = [];
        for (const e of stmtExprs(s)) setRefs(e, names);
        if (s.kind === 'setUpdate') names.push(s.set.replace(/^@/, ''));
        for (const name of names) setUses.push({ name, chain, rule: owner, ...at });
      }
    }
  };
  for (const c of table.chains.values()) visitRules(c.name, c.rules);

  const undefinedChains = edges.filter((e) => !table.chains.has(e.to));
  const undefinedSets = setUses.filter((u) => !table.sets.has(u.name));
  // A chain named by a map element is referenced (the kernel counts the element's use of it), even if no rule
  // looks the map up.
  const named = new Set(edges.map((e) => e.to));
  for (const s of table.sets.values()) for (const el of s.elements ?? []) if (el.data?.kind === 'verdict' && el.data.chain !== undefined) named.add(el.data.chain);
  const unreferenced = [...table.chains.values()].filter((c) => !c.base && !named.has(c.name));
  return { table, edges, undefinedChains, setUses, undefinedSets, unreferenced };
}

/** The numeric priority of a base chain: a number as written, or the named priority resolved for the family. */
export function priorityValue(family: string, hook: string, p: { name?: string; offset: number }): number | null {
  if (p.name === undefined) return p.offset;
  if (!isFamily(family) || !isHook(hook)) return null;
  const r = parsePriority(p.name, family, hook as Hook);
  return r.ok ? r.value + p.offset : null;
}

export interface HookGroup {
  /** `ip input`, `inet prerouting`, `netdev ingress "eth0"`: the family's hook (and device) the chains share. */
  key: string;
  family: string;
  hook: string;
  chains: BaseChainAt[];
  /** Chains of equal priority: their relative order is the order of registration, which no listing shows. */
  ties: BaseChainAt[][];
}

/**
 * Every base chain of the ruleset, grouped by family, hook (and device for netdev) and ordered as the kernel runs
 * them: ascending priority, and among equal priorities the later registration first (orderAtHook, after
 * nf_hook_entries_grow in net/netfilter/core.c), taking the listing order as the registration order; such ties are
 * reported. Chains whose priority cannot be resolved come last.
 */
export function baseChainsByHook(rs: Ruleset): HookGroup[] {
  const groups = new Map<string, HookGroup>();
  for (const table of rs.tables.values()) {
    for (const c of table.chains.values()) {
      if (!c.base) continue;
      const dev = table.family === 'netdev' && c.base.devices?.length ? ` ${c.base.devices.join(',')}` : '';
      const key = `${table.family} ${c.base.hook}${dev}`;
      const at: BaseChainAt = { table, chain: c, hook: c.base.hook, priority: priorityValue(table.family, c.base.hook, c.base.priority) };
      const g = groups.get(key);
      if (g) g.chains.push(at);
      else groups.set(key, { key, family: table.family, hook: c.base.hook, chains: [at], ties: [] });
    }
  }
  for (const g of groups.values()) {
    const known = g.chains.filter((x) => x.priority !== null) as Array<BaseChainAt & { priority: number }>;
    // Listing order stands in for registration order (nft lists tables and chains in the order they were added);
    // the ties it decides are reported, so a caller can say what it assumed.
    const ordered = orderAtHook(known);
    g.ties = priorityTies(ordered);
    g.chains = [...ordered, ...g.chains.filter((x) => x.priority === null)];
  }
  return [...groups.values()];
}
