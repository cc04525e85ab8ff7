// `chainsight lint FILE...`: runs the lint rules and reports findings as text (code frames and related
// locations), JSON or SARIF 2.1.0 (lint-output.ts). Files that are parts of one host are linted as one ruleset
// (lint-rulesets.ts); the configuration is read and checked with positions (lint-config.ts).
// Exit codes: 0 clean, 1 error findings (or too many warnings), 2 bad input or configuration.
import { RULES, LintConfigError } from '@chainsight/analyzer';
import type { Diagnostic } from '@chainsight/grammar';
import { UsageError, choice, parseArgs, type ParsedArgs } from '../args';
import { EXIT, type Command } from '../command';
import type { CliIo } from '../io';
import { InputError, formatDiagnostic, loadRulesets, counts, type LoadedFile } from '../load';
import { LINT_HELP } from '../messages/lint';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';
import { readMaybeNft, type NftFile } from '../nft-input';
import { mixedHostNotes, nativeTablesNote } from '../mixed-host';
import { loadConfig } from './lint-config';
import { renderJson, renderSarif, renderText, type FileReport } from './lint-output';
import { groupFiles, lintGroup, type MergeMode } from './lint-rulesets';

function maxWarnings(args: ParsedArgs): number | null {
  const v = args.options.get('max-warnings')?.[0];
  if (v === undefined) return null;
  if (!/^\d+$/.test(v)) throw new UsageError(`--max-warnings must be a whole number (got '${v}')`);
  return Number(v);
}

function mergeMode(args: ParsedArgs): MergeMode {
  if (args.flags.has('merge') && args.flags.has('no-merge')) throw new UsageError('--merge and --no-merge contradict each other');
  return args.flags.has('merge') ? 'always' : args.flags.has('no-merge') ? 'never' : 'auto';
}

function listRules(io: CliIo): void {
  const width = Math.max(...RULES.map((r) => r.id.length));
  for (const r of RULES) io.stdout(`${r.id.padEnd(width)}  ${r.defaultSeverity.padEnd(7)}  ${r.description}\n`);
}

/**
 * Diagnostics that come before the findings: parse errors, and the warnings the findings rest on — a capture's,
 * an empty input's (nothing was linted), and text that was not valid UTF-8 (what was linted is not what was
 * written).
 */
const INPUT_WARNINGS = ['capture/', 'input/', 'parse/invalid-utf8'];
const inputProblems = (file: LoadedFile) =>
  file.result.diagnostics.filter((d) => d.severity === 'error' || (d.severity === 'warning' && INPUT_WARNINGS.some((p) => d.code.startsWith(p))));

const byPosition = (a: Diagnostic, b: Diagnostic) => a.span.start.offset - b.span.start.offset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

export const command: Command = {
  name: 'lint',
  async run(argv, { io, colors: c, data }) {
    const args = parseArgs(argv, {
      ...INPUT_OPTION_DEFS, format: { value: true }, config: { value: true }, rule: { value: true, repeat: true },
      'max-warnings': { value: true }, quiet: {}, 'list-rules': {}, merge: {}, 'no-merge': {},
    });
    if (args.flags.has('help')) { io.stdout(LINT_HELP + '\n'); return EXIT.ok; }
    if (args.flags.has('list-rules')) { listRules(io); return EXIT.ok; }
    if (!args.positionals.length) { io.stderr(LINT_HELP + '\n'); return EXIT.error; }
    const format = choice(args, 'format', ['text', 'json', 'sarif', 'html'] as const, 'text');
    const limit = maxWarnings(args);
    const merge = mergeMode(args);
    const loaded = await loadConfig(io, args);
    if ('errors' in loaded) {
      for (const d of loaded.errors) io.stderr(formatDiagnostic(d, loaded.text, c) + '\n');
      io.stderr(`${c.red('error')}: ${loaded.path}: the configuration has ${loaded.errors.length === 1 ? 'an error' : `${loaded.errors.length} errors`}; nothing was linted\n`);
      return EXIT.error;
    }
    const config = loaded.config;
    // A host capture gives one ruleset per rules section (iptables-save, ip6tables-save, ebtables-save).
    const files: LoadedFile[] = [];
    // nftables rulesets are linted with the nft checks (nft-lint.ts); iptables-nft saves given without them are
    // said to hide native tables, with them compared to them (mixed-host.ts).
    const nftFiles: NftFile[] = [];
    for (const p of args.positionals) {
      const input = await readMaybeNft(io, p);
      if ('nft' in input) nftFiles.push(input.nft);
      else files.push(...(await loadRulesets(io, p, loadOptions(args), input.text)));
    }
    const { groups, assumptions } = groupFiles(files, merge);
    const unseen = nativeTablesNote(files.map((f) => ({ snapshot: f.result.snapshot, text: f.text })), nftFiles.length > 0);
    const hostNotes = [...(unseen ? [unseen] : []), ...mixedHostNotes(files.map((f) => f.result.snapshot).filter((s) => s.tables.length), nftFiles)];
    assumptions.push(...hostNotes.map((n) => `${n.message} [${n.code}]`));
    const found = new Map<LoadedFile, Diagnostic[]>();
    for (const g of groups) {
      try {
        for (const [f, d] of lintGroup(g, config).found) found.set(f, d);
      } catch (e) {
        if (e instanceof LintConfigError) throw new InputError(`configuration: ${e.message}`);
        throw e;
      }
    }
    const reports: FileReport[] = files.map((file) => {
      let lintFound = found.get(file) ?? [];
      if (args.flags.has('quiet')) lintFound = lintFound.filter((d) => d.severity === 'error');
      return { file, diagnostics: [...inputProblems(file), ...lintFound.sort(byPosition)] };
    });
    if (nftFiles.length) {
      const { nftLintReport } = await import('./nft-lint');
      for (const f of nftFiles) reports.push(nftLintReport(f, config, args.flags.has('quiet')));
    }
    if (format === 'json') renderJson(io, reports, assumptions);
    else if (format === 'sarif') renderSarif(io, reports, assumptions);
    else if (format === 'html') data((await import('./lint-html')).lintHtml(reports, assumptions, argv));
    else renderText(io, reports, assumptions, c);

    if (reports.some((r) => r.diagnostics.some((d) => d.severity === 'error' && (d.code.startsWith('parse/') || d.code.startsWith('capture/') || d.code.startsWith('nft/'))))) return EXIT.error;
    const n = counts(reports.flatMap((r) => r.diagnostics));
    if (n.errors || (limit !== null && n.warnings > limit)) return EXIT.findings;
    return EXIT.ok;
  },
};
