// `diffNftRulesets`: two nft rulesets compared table by table (family + name), chain by chain (name), rule by rule
// (handle-free text, keys.ts), aligned by a longest common subsequence as the iptables diff aligns its chains;
// rules removed at one place and added at another with the same text are moves. Sets and maps compare their
// declaration property by property and their elements as a multiset of texts.
import type { SetElement } from '../model/expr';
import type { Chain, NamedSet, Rule, Ruleset, Table } from '../model/ruleset';
import { tableGraph } from '../graph/chains';
import { chainProps, elementText, ruleText, setProps } from './keys';
import { kubeRef } from './kube';
import type { KubeRef, NftAt, NftChange, NftDiffResult } from './types';

/** One alignment step (the shape of @chainsight/diff's `align`). */
export type NftAlignOp = { op: 'equal'; b: number; a: number } | { op: 'removed'; b: number } | { op: 'added'; a: number };

export interface NftDiffOptions {
  /**
   * The sequence alignment of two chains' interned rule texts: @chainsight/diff's `align` (the `diff` package's
   * Myers LCS, cut at unique anchors for long reordered chains). Passed in so this package keeps no npm dependency.
   */
  align: (before: readonly number[], after: readonly number[]) => NftAlignOp[];
}

const lineOf = (x: { span?: { start: { line: number } } }): NftAt => (x.span ? { line: x.span.start.line } : {});
const ruleAt = (r: Rule, i: number): NftAt => ({ ...lineOf(r), position: i + 1 });
const kube = (name: string): { kube?: KubeRef } => {
  const k = kubeRef(name);
  return k ? { kube: k } : {};
};

function ruleCount(t: Table): number {
  let n = 0;
  for (const c of t.chains.values()) n += c.rules.length;
  return n;
}

export function diffNftRulesets(before: Ruleset, after: Ruleset, opts: NftDiffOptions): NftDiffResult {
  const changes: NftChange[] = [];
  for (const [key, tb] of before.tables) {
    const ta = after.tables.get(key);
    if (!ta) changes.push({ kind: 'table-removed', table: key, at: lineOf(tb), chains: tb.chains.size, rules: ruleCount(tb) });
    else diffTable(key, tb, ta, opts, changes);
  }
  for (const [key, ta] of after.tables) {
    if (!before.tables.has(key)) changes.push({ kind: 'table-added', table: key, at: lineOf(ta), chains: ta.chains.size, rules: ruleCount(ta) });
  }
  return { identical: changes.length === 0, changes, services: services(changes, endpoints(before), endpoints(after)) };
}

function diffTable(table: string, tb: Table, ta: Table, opts: NftDiffOptions, out: NftChange[]): void {
  for (const [name, sb] of tb.sets) {
    const sa = ta.sets.get(name);
    if (!sa) out.push({ kind: 'set-removed', table, set: name, map: sb.isMap, at: lineOf(sb), elements: sb.elements?.length ?? 0, ...kube(name) });
    else diffSet(table, sb, sa, out);
  }
  for (const [name, sa] of ta.sets) {
    if (!tb.sets.has(name)) out.push({ kind: 'set-added', table, set: name, map: sa.isMap, at: lineOf(sa), elements: sa.elements?.length ?? 0, ...kube(name) });
  }
  for (const [name, cb] of tb.chains) {
    const ca = ta.chains.get(name);
    if (!ca) out.push({ kind: 'chain-removed', table, chain: name, at: lineOf(cb), rules: cb.rules.length, base: !!cb.base, ...kube(name) });
    else diffChain(table, tb.family, cb, ca, opts, out);
  }
  for (const [name, ca] of ta.chains) {
    if (!tb.chains.has(name)) out.push({ kind: 'chain-added', table, chain: name, at: lineOf(ca), rules: ca.rules.length, base: !!ca.base, ...kube(name) });
  }
}

function diffProps(before: Map<string, string> | null, after: Map<string, string> | null): Array<{ property: string; from: string | null; to: string | null }> {
  if (!before !== !after) return [{ property: 'base', from: before ? 'base chain' : 'regular chain', to: after ? 'base chain' : 'regular chain' }];
  const out: Array<{ property: string; from: string | null; to: string | null }> = [];
  const b = before ?? new Map<string, string>(), a = after ?? new Map<string, string>();
  for (const k of new Set([...b.keys(), ...a.keys()])) {
    const from = b.get(k) ?? null, to = a.get(k) ?? null;
    if (from !== to) out.push({ property: k, from, to });
  }
  return out;
}

function diffChain(table: string, family: string, cb: Chain, ca: Chain, opts: NftDiffOptions, out: NftChange[]): void {
  const k = kube(ca.name);
  for (const p of diffProps(chainProps(cb, family), chainProps(ca, family))) {
    out.push({ kind: 'chain-changed', table, chain: ca.name, ...p, before: lineOf(cb), after: lineOf(ca), ...k });
  }
  const tb = cb.rules.map(ruleText), ta = ca.rules.map(ruleText);
  if (tb.length === ta.length && tb.every((t, i) => t === ta[i])) return;
  const ids = new Map<string, number>();
  const intern = (t: string) => ids.get(t) ?? ids.set(t, ids.size).get(t)!;
  const kb = tb.map(intern), ka = ta.map(intern);
  const ops = opts.align(kb, ka);
  // A text removed in one place and added in another is a move (first removed with first added of that text).
  const addedOf = new Map<number, number[]>();
  for (const o of ops) if (o.op === 'added') (addedOf.get(ka[o.a]!) ?? addedOf.set(ka[o.a]!, []).get(ka[o.a]!)!).push(o.a);
  const moveTo = new Map<number, number>(); // after index → before index
  const moved = new Set<number>();
  for (const o of ops) if (o.op === 'removed') {
    const list = addedOf.get(kb[o.b]!);
    if (list?.length) { moveTo.set(list.shift()!, o.b); moved.add(o.b); }
  }
  const base = { table, chain: ca.name, ...k };
  for (const o of ops) {
    if (o.op === 'removed' && !moved.has(o.b)) out.push({ kind: 'rule-removed', ...base, rule: tb[o.b]!, before: ruleAt(cb.rules[o.b]!, o.b) });
    if (o.op !== 'added') continue;
    const from = moveTo.get(o.a);
    if (from !== undefined) out.push({ kind: 'rule-moved', ...base, rule: ta[o.a]!, before: ruleAt(cb.rules[from]!, from), after: ruleAt(ca.rules[o.a]!, o.a) });
    else out.push({ kind: 'rule-added', ...base, rule: ta[o.a]!, after: ruleAt(ca.rules[o.a]!, o.a) });
  }
}

/** The kube-proxy chain an element's data names (`… : goto service-…`), for the service reading. */
function elementKube(el: SetElement): { kube?: KubeRef } {
  const d = el.data;
  if (d?.kind === 'verdict' && d.chain !== undefined) return kube(d.chain);
  return {};
}

function diffSet(table: string, sb: NamedSet, sa: NamedSet, out: NftChange[]): void {
  for (const p of diffProps(setProps(sb), setProps(sa))) {
    out.push({ kind: 'set-changed', table, set: sa.name, ...p, before: lineOf(sb), after: lineOf(sa), ...kube(sa.name) });
  }
  // Elements are a multiset: order means nothing to a set (nft lists them sorted by key).
  const left = new Map<string, SetElement[]>();
  for (const el of sb.elements ?? []) {
    const t = elementText(el);
    (left.get(t) ?? left.set(t, []).get(t)!).push(el);
  }
  const added: Array<[string, SetElement]> = [];
  for (const el of sa.elements ?? []) {
    const t = elementText(el);
    const list = left.get(t);
    if (list?.length) list.shift();
    else added.push([t, el]);
  }
  for (const [t, list] of left) for (const el of list) out.push({ kind: 'element-removed', table, set: sb.name, element: t, before: lineOf(el), ...elementKube(el) });
  for (const [t, el] of added) out.push({ kind: 'element-added', table, set: sa.name, element: t, after: lineOf(el), ...elementKube(el) });
}

/**
 * Each kube-proxy service's endpoints on one side: the endpoint chains its service (and local) chains pass packets
 * to (`numgen random mod N vmap { 0 : goto endpoint-… }`, proxier.go syncProxyRules). A stale endpoint chain that
 * kube-proxy flushed but has not deleted yet is no longer reached, so it is not an endpoint.
 */
function endpoints(rs: Ruleset): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const t of rs.tables.values()) {
    for (const e of tableGraph(t).edges) {
      const from = kubeRef(e.from), to = kubeRef(e.to);
      if (!from || from.endpoint !== undefined || to?.endpoint === undefined || to.service !== from.service) continue;
      (out.get(from.service) ?? out.set(from.service, new Set()).get(from.service)!).add(to.endpoint);
    }
  }
  return out;
}

function services(changes: readonly NftChange[], before: Map<string, Set<string>>, after: Map<string, Set<string>>): NftDiffResult['services'] {
  const out = new Map<string, NftDiffResult['services'][number]>();
  for (const c of changes) {
    if (!c.kube) continue;
    const name = c.kube.service;
    const s = out.get(name) ?? out.set(name, { service: name, changes: 0, endpointsAdded: [], endpointsRemoved: [] }).get(name)!;
    s.changes++;
  }
  for (const s of out.values()) {
    const b = before.get(s.service) ?? new Set<string>(), a = after.get(s.service) ?? new Set<string>();
    s.endpointsAdded = [...a].filter((e) => !b.has(e));
    s.endpointsRemoved = [...b].filter((e) => !a.has(e));
  }
  return [...out.values()];
}
