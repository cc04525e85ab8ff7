// The chain graph as plain JSON-ready data (no IR objects): per table the drawable view (collapsed or not),
// plus the structural findings by name. Rules are referenced by chain, 1-based index and source line.
import { collapseGraph, type CollapseOptions } from './collapse';
import type { ChainGraph } from './types';

export function graphToJson(graph: ChainGraph, options: CollapseOptions & { tables?: readonly string[] } = {}) {
  const ruleRef = (r: { chain: string; index: number; span: { start: { line: number } } }) => ({ chain: r.chain, index: r.index, line: r.span.start.line });
  return {
    schema: 'chainsight.graph/1',
    family: graph.family,
    tables: graph.tables
      .filter((t) => !options.tables || options.tables.includes(t.name))
      .map((t) => {
        const view = collapseGraph(t, options);
        return {
          name: t.name,
          collapsed: view.collapsed,
          maxDepth: t.maxDepth,
          nodes: view.nodes.map((n) => ({ id: n.id, kind: n.kind, name: n.name, policy: n.policy, chains: n.chains, rules: n.rules, hooks: n.hooks, inLoop: n.inLoop })),
          edges: view.edges.map((e) => ({ from: e.from, to: e.to, count: e.count, goto: e.goto, inLoop: e.inLoop, rules: e.rules.slice(0, 20).map(ruleRef) })),
          loops: t.cycles.map((c) => ({ chains: c.chains, rules: c.edges.map((e) => ruleRef(e.rule)) })),
          undefinedTargets: t.undefinedTargets.map((e) => ({ target: e.to, rule: ruleRef(e.rule) })),
          unreferenced: t.unreferenced.map((n) => n.name),
          unreachable: [...t.nodes.values()].filter((n) => !n.builtin && n.hooks.length === 0).map((n) => n.name),
        };
      }),
  };
}
