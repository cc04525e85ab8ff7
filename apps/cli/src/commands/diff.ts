// `chainsight diff OLD NEW`: what changed between two snapshots. Exit codes follow diff(1) so CI can gate on
// them: 0 no difference, 1 differences, 2 errors.
import { diffSnapshots, renderStat, renderText, type DiffOptions } from '@chainsight/diff';
import { choice, parseArgs, UsageError } from '../args';
import { EXIT, type Command } from '../command';
import { toJson } from '../json';
import { counts, loadRulesets, pairRulesets, renderDiagnostics } from '../load';
import { DIFF_HELP } from '../messages/diff';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';
import { nativeTablesNote } from '../mixed-host';
import { readMaybeNft } from '../nft-input';

const list = (values: readonly string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export const command: Command = {
  name: 'diff',
  async run(argv, { io, colors: c, data }) {
    const args = parseArgs(argv, {
      ...INPUT_OPTION_DEFS,
      table: { value: true, repeat: true },
      chain: { value: true, repeat: true },
      'ignore-chains': { value: true, repeat: true },
      'ignore-comments': {},
      'ignore-counters': {},
      counters: {},
      stat: {},
      format: { value: true },
      verbose: { short: 'v' },
      semantic: {},
      explain: { value: true },
    });
    if (args.flags.has('help')) { io.stdout(DIFF_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length !== 2) {
      if (args.positionals.length) throw new UsageError(`diff takes two snapshots, OLD and NEW (got ${args.positionals.length})`);
      io.stderr(DIFF_HELP + '\n');
      return EXIT.error;
    }
    if (args.positionals[0] === '-' && args.positionals[1] === '-') throw new UsageError('only one of OLD and NEW can be read from stdin');
    if (args.flags.has('counters') && args.flags.has('ignore-counters')) throw new UsageError('--counters and --ignore-counters contradict each other');
    const format = choice(args, 'format', ['text', 'json', 'html'] as const, 'text');
    const tables = args.options.get('table') ?? [];
    // A listing (-S / -L) does not name its table: the first --table names it.
    const load = loadOptions({ ...args, options: new Map([...args.options].filter(([k]) => k !== 'table')) });
    if (tables.length) load.table = tables[0];
    // nftables rulesets are compared by nft-diff.ts (one of each kind is refused there, naming both).
    const inputs = [await readMaybeNft(io, args.positionals[0]!), await readMaybeNft(io, args.positionals[1]!)] as const;
    if ('nft' in inputs[0] || 'nft' in inputs[1]) {
      return (await import('./nft-diff')).nftDiff(inputs, [args.positionals[0]!, args.positionals[1]!], args, format, { io, colors: c, data });
    }
    // A host capture holds a ruleset per family: the two sides' rulesets of one family are compared.
    const [before, after] = pairRulesets(await loadRulesets(io, args.positionals[0]!, load, inputs[0].text), await loadRulesets(io, args.positionals[1]!, load, inputs[1].text));
    const verbose = args.flags.has('verbose');
    for (const f of [before, after]) renderDiagnostics(io, f, c, verbose ? 'warning' : 'error');

    const options: DiffOptions = {
      tables, chains: list(args.options.get('chain')), ignoreChains: list(args.options.get('ignore-chains')),
      ignoreComments: args.flags.has('ignore-comments'), ignoreCounters: !args.flags.has('counters'),
    };
    const result = diffSnapshots(before.result.snapshot, after.result.snapshot, options);
    // --semantic: which packets change fate (diff-semantic.ts); the rule-level result gives its change count.
    if (args.flags.has('semantic') || args.options.has('explain')) {
      const code = await (await import('./diff-semantic')).runSemanticDiff({ io, colors: c, before: before.result.snapshot, after: after.result.snapshot, rules: result, format, explain: args.options.get('explain')?.[0], semantic: args.flags.has('semantic'), data, argv, sources: new Map([[before.result.snapshot.fileName, before.text], [after.result.snapshot.fileName, after.text]]) });
      return counts([...before.result.diagnostics, ...after.result.diagnostics]).errors ? EXIT.error : code;
    }
    // iptables-nft saves cannot show native nftables tables: said once (mixed-host.ts).
    const unseen = nativeTablesNote([before, after].map((f) => ({ snapshot: f.result.snapshot, text: f.text })));
    if (unseen) result.notes.push(unseen);
    for (const n of result.notes) io.stderr(`${c.yellow('note')}: ${n.message} ${c.dim(`[${n.code}]`)}\n`);
    if (format === 'json') io.stdout(toJson(result) + '\n');
    else if (format === 'html') data((await import('./diff-html')).diffHtml(toJson(result), argv));
    else if (args.flags.has('stat')) io.stdout(renderStat(result, { style: c }));
    else io.stdout(renderText(result, { style: c, verbose }));

    if (counts([...before.result.diagnostics, ...after.result.diagnostics]).errors) return EXIT.error;
    return result.identical ? EXIT.ok : EXIT.findings;
  },
};
