// `chainsight diff OLD NEW`: what changed between two snapshots. Exit codes follow diff(1) so CI can gate on
// them: 0 no difference, 1 differences, 2 errors.
import { diffSnapshots, renderStat, renderText, type DiffOptions } from '@chainsight/diff';
import { choice, parseArgs, UsageError } from '../args';
import { EXIT, type Command } from '../command';
import { toJson } from '../json';
import { counts, loadRulesets, pairRulesets, renderDiagnostics } from '../load';
import { DIFF_HELP } from '../messages/diff';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

const list = (values: readonly string[] | undefined) => (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

export const command: Command = {
  name: 'diff',
  async run(argv, { io, colors: c }) {
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
    });
    if (args.flags.has('help')) { io.stdout(DIFF_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length !== 2) {
      if (args.positionals.length) throw new UsageError(`diff takes two snapshots, OLD and NEW (got ${args.positionals.length})`);
      io.stderr(DIFF_HELP + '\n');
      return EXIT.error;
    }
    if (args.positionals[0] === '-' && args.positionals[1] === '-') throw new UsageError('only one of OLD and NEW can be read from stdin');
    if (args.flags.has('counters') && args.flags.has('ignore-counters')) throw new UsageError('--counters and --ignore-counters contradict each other');
    const format = choice(args, 'format', ['text', 'json'] as const, 'text');
    const tables = args.options.get('table') ?? [];
    // A listing (-S / -L) does not name its table: the first --table names it.
    const load = loadOptions({ ...args, options: new Map([...args.options].filter(([k]) => k !== 'table')) });
    if (tables.length) load.table = tables[0];
    // A host capture holds a ruleset per family: the two sides' rulesets of one family are compared.
    const [before, after] = pairRulesets(await loadRulesets(io, args.positionals[0]!, load), await loadRulesets(io, args.positionals[1]!, load));
    const verbose = args.flags.has('verbose');
    for (const f of [before, after]) renderDiagnostics(io, f, c, verbose ? 'warning' : 'error');

    const options: DiffOptions = {
      tables, chains: list(args.options.get('chain')), ignoreChains: list(args.options.get('ignore-chains')),
      ignoreComments: args.flags.has('ignore-comments'), ignoreCounters: !args.flags.has('counters'),
    };
    const result = diffSnapshots(before.result.snapshot, after.result.snapshot, options);
    for (const n of result.notes) io.stderr(`${c.yellow('note')}: ${n.message} ${c.dim(`[${n.code}]`)}\n`);
    if (format === 'json') io.stdout(toJson(result) + '\n');
    else if (args.flags.has('stat')) io.stdout(renderStat(result, { style: c }));
    else io.stdout(renderText(result, { style: c, verbose }));

    if (counts([...before.result.diagnostics, ...after.result.diagnostics]).errors) return EXIT.error;
    return result.identical ? EXIT.ok : EXIT.findings;
  },
};
