// `chainsight explain LOG --rules FILE...`: a real kernel trace, annotated with the rules it refers to.
import { looksLikeCapture, looksLikeIpsetSave, type IpSet, type Snapshot } from '@chainsight/grammar';
import {
  compareWithSimulation, explainTrace, explanationJson, readHostInputs, renderExplanation, type HostContext, type PacketComparison,
} from '@chainsight/trace';
import { choice, optionValue, parseArgs, UsageError } from '../args';
import { EXIT, type Command } from '../command';
import { toJson } from '../json';
import { counts, formatDiagnostic, InputError, loadIpsets, parseLoaded, readInput, renderDiagnostics } from '../load';
import { loadCapture } from '../capture-input';
import { EXPLAIN_HELP, EXPLAIN_NO_RULES } from '../messages/explain';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

export const command: Command = {
  name: 'explain',
  async run(argv, { io, colors: c }) {
    const args = parseArgs(argv, {
      ...INPUT_OPTION_DEFS,
      rules: { value: true, repeat: true },
      format: { value: true },
      compare: {},
      host: { value: true },
      verbose: { short: 'v' },
    });
    if (args.flags.has('help')) {
      io.stdout(EXPLAIN_HELP + '\n');
      return EXIT.ok;
    }
    const [logPath, ...extraRules] = args.positionals;
    if (logPath === undefined) {
      io.stderr(EXPLAIN_HELP + '\n');
      return EXIT.error;
    }
    const rulePaths = [...(args.options.get('rules') ?? []), ...extraRules];
    if (rulePaths.length === 0) throw new UsageError(EXPLAIN_NO_RULES);
    if (logPath === '-' && rulePaths.includes('-')) throw new UsageError('only one of LOG and the rules can be read from stdin');
    const format = choice(args, 'format', ['text', 'json'] as const, 'text');
    const verbose = args.flags.has('verbose');
    const hostPath = optionValue(args, 'host');
    if (hostPath !== undefined && !args.flags.has('compare')) throw new UsageError('--host is only used with --compare');

    const text = await readInput(io, logPath);
    const snapshots: Snapshot[] = [];
    const ipsets: IpSet[] = [];
    let parseErrors = 0;
    /** The host facts of a capture among the rules: --compare uses them when --host is not given. */
    let captured: HostContext | null = null;
    for (const p of rulePaths) {
      const ruleText = await readInput(io, p);
      // A host capture: its rules and ipsets, and its host facts for --compare.
      if (looksLikeCapture(ruleText)) {
        const r = await loadCapture(io, p, ruleText, c, loadOptions(args).family);
        parseErrors += r.errors;
        snapshots.push(...r.snapshots);
        ipsets.push(...r.ipsets);
        captured ??= r.host;
        continue;
      }
      // `ipset save` beside the rules: --compare decides -m set from the sets' contents.
      if (looksLikeIpsetSave(ruleText)) {
        const r = loadIpsets(io, p, ruleText, c);
        parseErrors += r.errors;
        ipsets.push(...r.sets);
        continue;
      }
      const f = parseLoaded(p, ruleText, loadOptions(args));
      renderDiagnostics(io, f, c, verbose ? 'warning' : 'error');
      parseErrors += counts(f.result.diagnostics).errors;
      snapshots.push(f.result.snapshot);
    }
    let host: HostContext | null = args.flags.has('compare') ? captured : null;
    if (hostPath !== undefined) {
      const hostText = await readInput(io, hostPath);
      if (looksLikeCapture(hostText)) {
        host = (await loadCapture(io, hostPath, hostText, c)).host;
        if (!host) throw new InputError(`${hostPath}: the capture holds no usable host facts`);
      } else {
        const r = readHostInputs([{ text: hostText, fileName: hostPath }]);
        for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, hostText, c) + '\n');
        if (!r.context || r.diagnostics.some((d) => d.severity === 'error')) throw new InputError(`${hostPath}: not a usable host context`);
        host = r.context;
      }
    }
    const explanation = explainTrace(text, snapshots, { fileName: logPath === '-' ? '<stdin>' : logPath });
    if (explanation.stats.traceLines === 0) {
      throw new InputError(`${explanation.file}: no trace line found (legacy 'TRACE: table:chain:…', xtables-monitor 'TRACE: 2 <id> …' / 'PACKET:', or nft 'trace id …')`);
    }
    const comparisons: PacketComparison[] | undefined = args.flags.has('compare') ? compareWithSimulation(explanation, snapshots, host, ipsets.length ? { ipsets } : {}) : undefined;
    if (format === 'json') io.stdout(toJson(explanationJson(explanation, comparisons)) + '\n');
    else io.stdout(renderExplanation(explanation, { style: c, verbose, ...(comparisons ? { comparisons } : {}) }));
    if (parseErrors) return EXIT.error;
    const differs = comparisons?.some((x) => x.diverge !== null || x.verdictDiffers || x.error !== null) ?? false;
    return differs || explanation.notes.some((n) => n.severity === 'warning') ? EXIT.findings : EXIT.ok;
  },
};

