// `chainsight graph` of an nftables ruleset: the base chains by family and hook in the kernel's order
// (@chainsight/nft baseChainsByHook, after @chainsight/netfilter orderAtHook), and the jump, goto and verdict-map
// edges between chains (tableGraph). Formats: text, DOT (one cluster per table, base chains bold, gotos dashed, vmap
// edges dotted, undefined targets red) and JSON (`chainsight.graph-nft/1`).
import { dotString } from '@chainsight/analyzer';
import { baseChainsByHook, printPriority, tableGraph, type HookGroup, type Table, type TableGraph } from '@chainsight/nft';
import { UsageError, choice, type ParsedArgs } from '../args';
import { EXIT, type CommandContext } from '../command';
import { toJson } from '../json';
import { nftErrors, renderNftDiagnostics, type NftFile } from '../nft-input';

function tiesNote(g: HookGroup): string[] {
  return g.ties.map((t) => `Inferred: ${t.map((x) => `${x.table.name}/${x.chain.name}`).join(' and ')} share priority ${t[0]!.priority}; the kernel runs the later registration first, taken to be the later in the listing`);
}

function text(groups: HookGroup[], graphs: TableGraph[]): string {
  const out: string[] = [];
  for (const g of groups) {
    out.push(`${g.key}:`);
    g.chains.forEach((x, i) => out.push(`  ${i + 1}. ${x.table.family} ${x.table.name} ${x.chain.name}  priority ${x.priority ?? printPriority(x.chain.base!.priority)} (${x.chain.base!.type}${x.chain.base!.policy ? `, policy ${x.chain.base!.policy}` : ''})`));
    for (const n of tiesNote(g)) out.push(`  ${n}`);
  }
  for (const tg of graphs) {
    if (!tg.edges.length) continue;
    out.push('', `table ${tg.table.family} ${tg.table.name}:`);
    for (const e of tg.edges) {
      const how = e.kind === 'vmap' ? `vmap${e.map ? ` @${e.map}` : ''} ${e.verdict}` : e.kind;
      const line = e.span ? `  (line ${e.span.start.line})` : '';
      out.push(`  ${e.from} --${how}--> ${e.to}${tg.table.chains.has(e.to) ? '' : '  [undefined chain]'}${line}`);
    }
  }
  return out.join('\n') + '\n';
}

function dot(graphs: TableGraph[]): string {
  const out = ['digraph chainsight {', '  rankdir=LR;', '  node [shape=box, fontname="monospace", fontsize=10];', '  edge [fontname="monospace", fontsize=9];'];
  for (const tg of graphs) {
    const t = tg.table;
    const key = `${t.family} ${t.name}`;
    const id = (chain: string) => dotString(`${key}/${chain}`);
    out.push(`  subgraph ${dotString(`cluster_${key}`)} {`, `    label=${dotString(`table ${key}`)};`);
    for (const c of t.chains.values()) {
      const label = c.base ? `${c.name}\nhook ${c.base.hook} priority ${printPriority(c.base.priority, t.family, c.base.hook)}${c.base.policy ? `\npolicy ${c.base.policy}` : ''}` : `${c.name}\n${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}`;
      out.push(`    ${id(c.name)} [label=${dotString(label)}${c.base ? ', style="rounded,bold"' : ''}];`);
    }
    for (const to of new Set(tg.undefinedChains.map((e) => e.to))) out.push(`    ${id(to)} [label=${dotString(`${to}\n(undefined)`)}, style=dashed, color=red, fontcolor=red];`);
    // Parallel edges of one kind (a vmap with many elements to one chain) are drawn once.
    const seen = new Set<string>();
    for (const e of tg.edges) {
      const k = `${e.from}\u0000${e.to}\u0000${e.kind}\u0000${e.verdict}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const style = e.kind === 'vmap' ? ', style=dotted' : e.kind === 'goto' ? ', style=dashed' : '';
      out.push(`    ${id(e.from)} -> ${id(e.to)} [label=${dotString(e.kind === 'vmap' ? `vmap${e.map ? ` @${e.map}` : ''} ${e.verdict}` : e.kind)}${style}];`);
    }
    out.push('  }');
  }
  out.push('}');
  return out.join('\n') + '\n';
}

function json(groups: HookGroup[], graphs: TableGraph[]): unknown {
  const loc = (s: { start: { line: number; column: number } } | undefined) => (s ? { line: s.start.line, column: s.start.column } : null);
  return {
    schema: 'chainsight.graph-nft/1',
    assumptions: groups.flatMap(tiesNote).map((n) => n.replace(/^Inferred: /, '')),
    hooks: groups.map((g) => ({
      family: g.family, hook: g.hook, key: g.key,
      chains: g.chains.map((x) => ({ table: x.table.name, chain: x.chain.name, type: x.chain.base!.type, priority: x.priority, ...(x.chain.base!.policy ? { policy: x.chain.base!.policy } : {}) })),
    })),
    tables: graphs.map((tg) => ({
      family: tg.table.family, name: tg.table.name,
      chains: [...tg.table.chains.values()].map((c) => ({ name: c.name, base: c.base !== undefined, rules: c.rules.length })),
      edges: tg.edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, verdict: e.verdict, ...(e.map ? { map: e.map } : {}), defined: tg.table.chains.has(e.to), at: loc(e.span) })),
    })),
  };
}

export function nftGraph(f: NftFile, args: ParsedArgs, { io, colors: c, data }: CommandContext): number {
  const format = choice(args, 'format', ['dot', 'mermaid', 'json', 'text'] as const, 'dot');
  if (format === 'mermaid') throw new UsageError('--format mermaid is not drawn for nftables rulesets yet; use text, dot or json');
  renderNftDiagnostics(io, f, c, 'error');
  let tables: Table[] = [...f.result.ruleset.tables.values()];
  const only = args.options.get('table')?.[0];
  if (only !== undefined) {
    // `--table NAME` or `--table "FAMILY NAME"`.
    tables = tables.filter((t) => t.name === only || `${t.family} ${t.name}` === only);
    if (!tables.length) throw new UsageError(`${f.path} has no table '${only}' (tables: ${[...f.result.ruleset.tables.keys()].join(', ') || 'none'})`);
  }
  const graphs = tables.map(tableGraph);
  const keep = new Set(tables);
  const groups = baseChainsByHook(f.result.ruleset).map((g) => ({ ...g, chains: g.chains.filter((x) => keep.has(x.table)), ties: g.ties.map((t) => t.filter((x) => keep.has(x.table))).filter((t) => t.length > 1) })).filter((g) => g.chains.length);
  if (format === 'json') io.stdout(toJson(json(groups, graphs)) + '\n');
  else data(format === 'dot' ? dot(graphs) : text(groups, graphs));
  return nftErrors(f) ? EXIT.error : EXIT.ok;
}
