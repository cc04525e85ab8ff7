// `chainsight lint FILE...`: runs the lint rules and reports findings as text (code frames and related
// locations), JSON or SARIF 2.1.0. Exit codes: 0 clean, 1 error findings (or too many warnings), 2 bad input.
import { RULES, LintConfigError, lint, parseLintConfig, toSarif, type LintConfig } from '@chainsight/analyzer';
import { codeFrame, type Diagnostic } from '@chainsight/grammar';
import { UsageError, choice, parseArgs, type ParsedArgs } from '../args';
import type { Colors } from '../color';
import { EXIT, type Command } from '../command';
import type { CliIo } from '../io';
import { toJson } from '../json';
import { InputError, counts, formatDiagnostic, loadSnapshot, type LoadedFile } from '../load';
import { VERSION } from '../messages/index';
import { LINT_HELP } from '../messages/lint';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

const DEFAULT_CONFIG = 'chainsight.config.json';
const LEVELS = ['error', 'warning', 'warn', 'info', 'off'] as const;

/** The configuration: --config FILE, else ./chainsight.config.json when it exists; then --rule overrides. */
async function loadConfig(io: CliIo, args: ParsedArgs): Promise<LintConfig> {
  const explicit = args.options.get('config')?.[0];
  const path = explicit ?? DEFAULT_CONFIG;
  let config: LintConfig = {};
  let text: string | null = null;
  try {
    text = await io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (explicit || code !== 'ENOENT') throw new InputError(`${path}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  if (text !== null) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${path}: not valid JSON (${(e as Error).message})`);
    }
    config = parseLintConfig(json, path);
  }
  const overrides = args.options.get('rule') ?? [];
  if (overrides.length) {
    const rules: Record<string, NonNullable<LintConfig['rules']>[string]> = { ...config.rules };
    for (const o of overrides) {
      const m = /^([\w/-]+)=(\w+)$/.exec(o);
      if (!m || !(LEVELS as readonly string[]).includes(m[2]!)) throw new UsageError(`--rule expects ID=LEVEL with LEVEL one of ${LEVELS.join(', ')} (got '${o}')`);
      const previous = rules[m[1]!];
      rules[m[1]!] = Array.isArray(previous) && previous.length > 1 ? [m[2] as (typeof LEVELS)[number], previous[1]!] : (m[2] as (typeof LEVELS)[number]);
    }
    config = { ...config, rules };
  }
  return config;
}

function maxWarnings(args: ParsedArgs): number | null {
  const v = args.options.get('max-warnings')?.[0];
  if (v === undefined) return null;
  if (!/^\d+$/.test(v)) throw new UsageError(`--max-warnings must be a whole number (got '${v}')`);
  return Number(v);
}

interface FileReport {
  file: LoadedFile;
  /** Parse errors (they make the exit code 2), then lint findings. */
  diagnostics: Diagnostic[];
}

/** A finding with its code frame, hint and related locations (each with its own frame). */
function formatFinding(d: Diagnostic, text: string, c: Colors): string {
  const head = formatDiagnostic({ ...d, related: [] }, text, c);
  const related = (d.related ?? []).map((r) => {
    const frame = codeFrame(text, { ...d, span: r.span }).split('\n').map((l) => `    ${l}`).join('\n');
    return `  ${c.dim('related:')} ${r.file}:${r.span.start.line}:${r.span.start.column}: ${r.message}\n${frame}`;
  });
  return [head, ...related].join('\n');
}

function renderText(io: CliIo, reports: FileReport[], c: Colors): void {
  for (const r of reports) for (const d of r.diagnostics) io.stdout(formatFinding(d, r.file.text, c) + '\n\n');
  const n = counts(reports.flatMap((r) => r.diagnostics));
  const total = n.errors + n.warnings + n.infos;
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  if (!total) io.stdout(c.green(`no problems in ${plural(reports.length, 'file')}`) + '\n');
  else {
    const line = `${plural(total, 'problem')} (${plural(n.errors, 'error')}, ${plural(n.warnings, 'warning')}, ${plural(n.infos, 'note')})`;
    io.stdout((n.errors ? c.red(line) : c.yellow(line)) + '\n');
  }
}

function listRules(io: CliIo): void {
  const width = Math.max(...RULES.map((r) => r.id.length));
  for (const r of RULES) io.stdout(`${r.id.padEnd(width)}  ${r.defaultSeverity.padEnd(7)}  ${r.description}\n`);
}

export const command: Command = {
  name: 'lint',
  async run(argv, { io, colors: c }) {
    const args = parseArgs(argv, {
      ...INPUT_OPTION_DEFS, format: { value: true }, config: { value: true }, rule: { value: true, repeat: true },
      'max-warnings': { value: true }, quiet: {}, 'list-rules': {},
    });
    if (args.flags.has('help')) { io.stdout(LINT_HELP + '\n'); return EXIT.ok; }
    if (args.flags.has('list-rules')) { listRules(io); return EXIT.ok; }
    if (!args.positionals.length) { io.stderr(LINT_HELP + '\n'); return EXIT.error; }
    const format = choice(args, 'format', ['text', 'json', 'sarif'] as const, 'text');
    const limit = maxWarnings(args);
    const config = await loadConfig(io, args);
    const reports: FileReport[] = [];
    for (const p of args.positionals) {
      const file = await loadSnapshot(io, p, loadOptions(args));
      const parseErrors = file.result.diagnostics.filter((d) => d.severity === 'error');
      let found: Diagnostic[];
      try {
        found = lint(file.result.snapshot, config);
      } catch (e) {
        if (e instanceof LintConfigError) throw new InputError(`configuration: ${e.message}`);
        throw e;
      }
      if (args.flags.has('quiet')) found = found.filter((d) => d.severity === 'error');
      reports.push({ file, diagnostics: [...parseErrors, ...found] });
    }
    if (format === 'json') {
      io.stdout(toJson({
        schema: 1,
        files: reports.map((r) => ({ file: r.file.path, diagnostics: r.diagnostics })),
        summary: counts(reports.flatMap((r) => r.diagnostics)),
      }) + '\n');
    } else if (format === 'sarif') {
      const log = toSarif(reports.map((r) => ({ path: r.file.path, diagnostics: r.diagnostics })), { toolVersion: VERSION, rules: RULES });
      io.stdout(JSON.stringify(log, null, 2) + '\n');
    } else renderText(io, reports, c);

    if (reports.some((r) => r.diagnostics.some((d) => d.severity === 'error' && d.code.startsWith('parse/')))) return EXIT.error;
    const n = counts(reports.flatMap((r) => r.diagnostics));
    if (n.errors || (limit !== null && n.warnings > limit)) return EXIT.findings;
    return EXIT.ok;
  },
};
