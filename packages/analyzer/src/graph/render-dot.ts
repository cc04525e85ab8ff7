// Graphviz DOT text of the chain graph: one cluster per table, built-in chains in bold with their policy,
// user chains with rule counts, grouped chains as folders, undefined targets dashed red, gotos dashed, loops red.
// (DOT language: https://graphviz.org/doc/info/lang.html — IDs and labels as double-quoted strings.)
import { collapseGraph, edgeLabel, nodeLines, type CollapseOptions, type CollapsedGraph } from './collapse';
import type { ChainGraph } from './types';

/** A DOT double-quoted string: backslash and quote escaped, newlines as `\n`. */
export function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r?\n/g, '\\n')}"`;
}

export function renderDot(graph: ChainGraph, options: CollapseOptions & { tables?: readonly string[] } = {}): string {
  const views = graph.tables
    .filter((t) => !options.tables || options.tables.includes(t.name))
    .map((t) => collapseGraph(t, options));
  const out = [
    'digraph chainsight {',
    '  rankdir=LR;',
    '  node [shape=box, fontname="monospace", fontsize=10];',
    '  edge [fontname="monospace", fontsize=9];',
  ];
  for (const view of views) for (const line of cluster(view)) out.push(line);
  out.push('}');
  return out.join('\n') + '\n';
}

function cluster(view: CollapsedGraph): string[] {
  const id = (nodeId: string) => dotString(`${view.table}/${nodeId}`);
  const lines = [`  subgraph ${dotString(`cluster_${view.table}`)} {`, `    label=${dotString(`table ${view.table}`)};`];
  for (const n of view.nodes) {
    const attrs = [`label=${dotString(nodeLines(n).join('\n'))}`];
    if (n.kind === 'builtin') attrs.push('style="rounded,bold"');
    if (n.kind === 'group') attrs.push('shape=folder');
    if (n.kind === 'undefined') attrs.push('style=dashed', 'color=red', 'fontcolor=red');
    else if (n.inLoop) attrs.push('color=red');
    lines.push(`    ${id(n.id)} [${attrs.join(', ')}];`);
  }
  for (const e of view.edges) {
    const attrs = [`label=${dotString(edgeLabel(e))}`];
    if (e.goto) attrs.push('style=dashed');
    if (e.inLoop || e.to.startsWith('undefined:')) attrs.push('color=red');
    lines.push(`    ${id(e.from)} -> ${id(e.to)} [${attrs.join(', ')}];`);
  }
  lines.push('  }');
  return lines;
}
