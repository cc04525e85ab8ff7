// Mermaid flowchart text of the chain graph (https://mermaid.js.org/syntax/flowchart.html): one subgraph per
// table; node ids are generated (chain names may hold characters Mermaid reserves); labels are quoted with
// `"` written as `#quot;`. Gotos are dotted arrows.
import { collapseGraph, edgeLabel, nodeLines, type CollapseOptions } from './collapse';
import type { ChainGraph } from './types';

const text = (s: string) => `"${s.replace(/"/g, '#quot;').replace(/[<>]/g, (c) => (c === '<' ? '#lt;' : '#gt;'))}"`;

export function renderMermaid(graph: ChainGraph, options: CollapseOptions & { tables?: readonly string[] } = {}): string {
  const out = ['flowchart LR'];
  let next = 0;
  for (const t of graph.tables) {
    if (options.tables && !options.tables.includes(t.name)) continue;
    const view = collapseGraph(t, options);
    const ids = new Map<string, string>();
    for (const n of view.nodes) ids.set(n.id, `n${next++}`);
    out.push(`  subgraph t${next++}[${text(`table ${t.name}`)}]`);
    for (const n of view.nodes) {
      const label = text(nodeLines(n).join('<br/>').replace(/#/g, '#35;')).replace(/#lt;br\/#gt;/g, '<br/>');
      const shape = n.kind === 'builtin' ? `([${label}])` : n.kind === 'group' ? `[[${label}]]` : `[${label}]`;
      out.push(`    ${ids.get(n.id)}${shape}`);
    }
    for (const e of view.edges) {
      const arrow = e.goto ? '-.->' : '-->';
      out.push(`    ${ids.get(e.from)} ${arrow}|${text(edgeLabel(e).replace(/#/g, '#35;'))}| ${ids.get(e.to)}`);
    }
    out.push('  end');
    const undefinedIds = view.nodes.filter((n) => n.kind === 'undefined').map((n) => ids.get(n.id));
    if (undefinedIds.length) out.push(`  style ${undefinedIds.join(',')} stroke:#c00,stroke-dasharray:4`);
  }
  return out.join('\n') + '\n';
}
