// `chainsight graph FILE`: the chain graph as Graphviz DOT (default), Mermaid or JSON; large tables collapsed
// by chain-name prefix unless --expand.
import { buildChainGraph, graphToJson, renderDot, renderMermaid } from '@chainsight/analyzer';
import { UsageError, choice, parseArgs } from '../args';
import { EXIT, type Command } from '../command';
import { toJson } from '../json';
import { counts, loadRulesets, oneRuleset, renderDiagnostics } from '../load';
import { GRAPH_HELP } from '../messages/graph';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

export const command: Command = {
  name: 'graph',
  async run(argv, { io, colors: c, data }) {
    const args = parseArgs(argv, { ...INPUT_OPTION_DEFS, format: { value: true }, expand: {} });
    if (args.flags.has('help')) { io.stdout(GRAPH_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length !== 1) {
      if (args.positionals.length > 1) throw new UsageError('graph draws one file at a time');
      io.stderr(GRAPH_HELP + '\n');
      return EXIT.error;
    }
    const format = choice(args, 'format', ['dot', 'mermaid', 'json'] as const, 'dot');
    const file = oneRuleset(await loadRulesets(io, args.positionals[0]!, loadOptions(args)));
    renderDiagnostics(io, file, c, 'error');
    const graph = buildChainGraph(file.result.snapshot);
    const table = args.options.get('table')?.[0];
    const names = graph.tables.map((t) => t.name);
    if (table !== undefined && !names.includes(table)) {
      throw new UsageError(`${file.path} has no table '${table}' (tables: ${names.join(', ') || 'none'})`);
    }
    const options = { expand: args.flags.has('expand'), ...(table !== undefined ? { tables: [table] } : {}) };
    if (format === 'json') io.stdout(toJson(graphToJson(graph, options)) + '\n');
    else data(format === 'dot' ? renderDot(graph, options) : renderMermaid(graph, options));
    return counts(file.result.diagnostics).errors ? EXIT.error : EXIT.ok;
  },
};
