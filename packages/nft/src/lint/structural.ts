// The structural lint checks on an nftables ruleset, with the ids and meaning of chainsight's iptables rules
// (@chainsight/analyzer): a jump, goto or verdict map naming a chain the table lacks (no-undefined-target), a
// lookup of a set or map the table lacks (no-undefined-set), chains passing packets to each other in a circle
// (no-chain-loop), a regular chain nothing names (no-unreferenced-chain), rules after a rule that ends every packet
// (no-unreachable-rule). Pure: a ruleset in, diagnostics (code `lint/<id>`) out, sorted by position.
import type { Diagnostic, Span } from '../model/diagnostic';
import type { Chain, Rule, Ruleset, Table } from '../model/ruleset';
import type { Stmt } from '../model/stmt';
import { tableGraph, type ChainEdge, type TableGraph } from '../graph/chains';

export const NFT_LINT_RULES = ['no-undefined-target', 'no-undefined-set', 'no-chain-loop', 'no-unreferenced-chain', 'no-unreachable-rule'] as const;
export type NftLintRule = (typeof NFT_LINT_RULES)[number];

export interface NftLintOptions {
  /** Rules turned off. */
  off?: ReadonlySet<string>;
  /** A severity per rule id, replacing the default. */
  severity?: ReadonlyMap<string, 'error' | 'warning' | 'info'>;
  /** Chain names other software creates or jumps to by name (not reported as unreferenced or undefined). */
  isAllowedChain?: (name: string) => boolean;
}

const DEFAULT_SEVERITY = new Map<NftLintRule, 'error' | 'warning'>([
  ['no-undefined-target', 'error'],
  ['no-undefined-set', 'error'],
  ['no-chain-loop', 'error'],
  ['no-unreferenced-chain', 'warning'],
  ['no-unreachable-rule', 'warning'],
]);

const START: Span = { start: { line: 1, column: 1, offset: 0 }, end: { line: 1, column: 1, offset: 0 } };

export function lintNftRuleset(rs: Ruleset, file: string, opts: NftLintOptions = {}): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report = (id: NftLintRule, span: Span | undefined, message: string, hint: string, cap?: 'warning') => {
    if (opts.off?.has(id)) return;
    let severity = opts.severity?.get(id) ?? DEFAULT_SEVERITY.get(id)!;
    if (cap && severity === 'error') severity = cap;
    out.push({ code: `lint/${id}`, severity, message, file, span: span ?? START, hint });
  };
  const allowed = (name: string) => opts.isAllowedChain?.(name) ?? false;
  for (const table of rs.tables.values()) {
    const g = tableGraph(table);
    const where = `table ${table.family} ${table.name}`;
    for (const e of g.undefinedChains) {
      if (allowed(e.to)) continue;
      // nft -f refuses the whole script: "Could not process rule: No such file or directory" (the kernel's
      // nft_verdict_init finds no chain, nf_tables_api.c).
      report('no-undefined-target', e.span ?? e.rule.span, `${describeEdge(e)}: ${where} has no chain '${e.to}'`,
        `nft -f refuses the ruleset ("No such file or directory"); add the chain or fix the name`);
    }
    for (const u of g.undefinedSets) {
      report('no-undefined-set', u.span ?? u.rule.span, `@${u.name} in chain ${u.chain}: ${where} has no set or map '${u.name}'`,
        `nft -f refuses the rule ("Could not process rule: No such file or directory"); declare the set or fix the name`);
    }
    loops(g, where, report);
    for (const c of g.unreferenced) {
      if (allowed(c.name)) continue;
      const n = c.rules.length;
      report('no-unreferenced-chain', c.span, n ? `chain '${c.name}' of ${where} is never jumped to: ${n === 1 ? '1 rule never runs' : `${n} rules never run`}` : `chain '${c.name}' of ${where} is empty and never jumped to`,
        'delete it, add the missing jump, or list it in allowChains if other software jumps to it by name');
    }
    for (const c of table.chains.values()) afterCatchAll(table, c, report);
  }
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}

const describeEdge = (e: ChainEdge) => (e.kind === 'vmap' ? `vmap element '${e.verdict} ${e.to}'${e.map ? ` of @${e.map}` : ''} in chain ${e.from}` : `${e.kind} ${e.to} in chain ${e.from}`);

type Report = (id: NftLintRule, span: Span | undefined, message: string, hint: string, cap?: 'warning') => void;

/**
 * Circles of jumps, gotos and vmap elements (strongly connected components with an edge inside). The kernel refuses
 * a rule that closes a loop reachable from a base chain (nf_tables_check_loops, net/netfilter/nf_tables_api.c,
 * "Too many links"); a loop no base chain reaches is loaded and fails the day a jump into it is added (a warning).
 */
function loops(g: TableGraph, where: string, report: Report): void {
  const out = new Map<string, ChainEdge[]>();
  for (const e of g.edges) if (g.table.chains.has(e.to)) (out.get(e.from) ?? out.set(e.from, []).get(e.from)!).push(e);
  // Tarjan's algorithm, iterative (a kube-proxy table has tens of thousands of chains).
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const sccs: string[][] = [];
  let next = 0;
  for (const root of g.table.chains.keys()) {
    if (index.has(root)) continue;
    const work: Array<{ v: string; i: number }> = [{ v: root, i: 0 }];
    index.set(root, next); low.set(root, next); next++; stack.push(root); onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1]!;
      const edges = out.get(top.v) ?? [];
      if (top.i < edges.length) {
        const w = edges[top.i++]!.to;
        if (!index.has(w)) {
          index.set(w, next); low.set(w, next); next++; stack.push(w); onStack.add(w);
          work.push({ v: w, i: 0 });
        } else if (onStack.has(w)) low.set(top.v, Math.min(low.get(top.v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) { const p = work[work.length - 1]!.v; low.set(p, Math.min(low.get(p)!, low.get(top.v)!)); }
      if (low.get(top.v) === index.get(top.v)) {
        const scc: string[] = [];
        let w: string;
        do { w = stack.pop()!; onStack.delete(w); scc.push(w); } while (w !== top.v);
        sccs.push(scc);
      }
    }
  }
  const reached = reachableFromBase(g, out);
  const order = new Map([...g.table.chains.keys()].map((k, i) => [k, i]));
  for (const scc of sccs) {
    const members = new Set(scc);
    const inner = scc.flatMap((v) => (out.get(v) ?? []).filter((e) => members.has(e.to)));
    if (!inner.length) continue;
    // Start at the loop's chain listed first, so the message reads in the order the table is written.
    const first = inner.reduce((a, b) => (order.get(b.from)! < order.get(a.from)! ? b : a));
    const path = loopPath(first, members, out);
    const base = scc.some((v) => reached.has(v));
    if (base) report('no-chain-loop', first.span ?? first.rule.span, `loop ${path} in ${where}, reached from a base chain: the kernel refuses it ("Too many links")`, 'break the loop: one of these jumps should be a return or go to another chain');
    else report('no-chain-loop', first.span ?? first.rule.span, `loop ${path} in ${where}: accepted only because no base chain reaches it yet`, 'break the loop before anything jumps into it', 'warning');
  }
}

/** `A → B → A`: from the first edge, along edges inside the loop to chains not yet on the path, back to A. */
function loopPath(first: ChainEdge, members: Set<string>, out: Map<string, ChainEdge[]>): string {
  const path = [first.from, first.to];
  const on = new Set(path);
  let at = first.to;
  while (at !== first.from) {
    const edges = (out.get(at) ?? []).filter((e) => members.has(e.to));
    const step = edges.find((e) => e.to === first.from) ?? edges.find((e) => !on.has(e.to));
    if (!step) break;
    path.push(step.to);
    on.add(step.to);
    at = step.to;
  }
  return path.join(' → ');
}

function reachableFromBase(g: TableGraph, out: Map<string, ChainEdge[]>): Set<string> {
  const seen = new Set<string>();
  const todo = [...g.table.chains.values()].filter((c) => c.base).map((c) => c.name);
  while (todo.length) {
    const v = todo.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    for (const e of out.get(v) ?? []) todo.push(e.to);
  }
  return seen;
}

/**
 * A rule that ends every packet it sees: no match and nothing that can fail to apply (limit, quota, a verdict map,
 * a set update), and a statement that ends the chain for every packet — accept, drop, return, goto, reject,
 * queue, or NAT (nft's nat statements accept the packet, nft_nat_eval). The rules after it never run.
 */
function catchAll(r: Rule): string | null {
  let end: string | null = null;
  for (const s of r.stmts) {
    if (end) return null;
    const ends = ending(s);
    if (ends) { end = ends; continue; }
    if (!PASSIVE.has(s.kind)) return null;
    if (s.kind === 'counter' && s.name) return null;
  }
  return end;
}

const PASSIVE = new Set<Stmt['kind']>(['counter', 'log', 'mangle', 'notrack']);

function ending(s: Stmt): string | null {
  if (s.kind === 'verdict') return s.verdict === 'accept' || s.verdict === 'drop' || s.verdict === 'return' || (s.verdict === 'goto' && !s.rules) ? (s.chain ? `${s.verdict} ${s.chain}` : s.verdict) : null;
  if (s.kind === 'reject') return 'reject';
  if (s.kind === 'queue') return s.options.some((o) => o.includes('bypass')) ? null : 'queue';
  if (s.kind === 'nat') return s.type;
  return null;
}

function afterCatchAll(table: Table, c: Chain, report: Report): void {
  const i = c.rules.findIndex((r) => catchAll(r) !== null);
  if (i < 0 || i === c.rules.length - 1) return;
  const verdict = catchAll(c.rules[i]!)!;
  const hidden = c.rules.slice(i + 1);
  const first = hidden[0]!;
  const which = hidden.length === 1 ? `rule ${i + 2}` : `rules ${i + 2}-${c.rules.length}`;
  report('no-unreachable-rule', first.span,
    `${which} of chain ${c.name} (table ${table.family} ${table.name}) ${hidden.length === 1 ? 'is' : 'are'} never reached: rule ${i + 1} before ${hidden.length === 1 ? 'it' : 'them'} (${verdict}) ends every packet`,
    `move the rule${hidden.length === 1 ? '' : 's'} above rule ${i + 1}, or delete ${hidden.length === 1 ? 'it' : 'them'}`);
}
