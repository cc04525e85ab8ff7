// `chainsight graph FILE`: the chain graph as Graphviz DOT (default), Mermaid or JSON; large tables collapsed
// by chain-name prefix unless --expand.
import { buildChainGraph, graphToJson, renderDot, renderMermaid } from '@chainsight/analyzer';
import { UsageError, choice, parseArgs } from '../args';
import { EXIT, type Command } from '../command';
import { toJson } from '../json';
import { counts, loadRulesets, oneRuleset, renderDiagnostics } from '../load';
import { GRAPH_HELP } from '../messages/graph';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';
import { readMaybeNft } from '../nft-input';

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
    // `text` is for nftables rulesets, `mermaid` for x_tables ones (checked once the file says which it is).
    const format = choice(args, 'format', ['dot', 'mermaid', 'json', 'text'] as const, 'dot');
    // An nftables ruleset has its own drawing (nft-graph.ts: base chains by hook, jump/goto/vmap edges).
    const input = await readMaybeNft(io, args.positionals[0]!);
    if ('nft' in input) return (await import('./nft-graph')).nftGraph(input.nft, args, { io, colors: c, data });
    if (format === 'text') throw new UsageError('--format text draws nftables rulesets; for iptables-save use dot, mermaid or json');
    const file = oneRuleset(await loadRulesets(io, args.positionals[0]!, loadOptions(args), input.text));
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
