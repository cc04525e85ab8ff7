// `chainsight lint`'s three outputs. Text is for people, so it is bounded: after FOLD_AFTER diagnostics of one
// code in one file the rest become one line with their count, and a finding shows at most RELATED_SHOWN related
// locations (50 MB of garbage gave 876 MB of text before). JSON and SARIF keep every diagnostic and every
// related location; they are written piece by piece, so their size is bounded by the diagnostics alone, not by
// the longest string the JavaScript engine can build.
import { RULES, sarifParts } from '@chainsight/analyzer';
import { codeFrame, type Diagnostic } from '@chainsight/grammar';
import type { Colors } from '../color';
import type { CliIo } from '../io';
import { toJson } from '../json';
import { counts, formatDiagnostic, type LoadedFile } from '../load';
import { VERSION } from '../messages/index';

/** Diagnostics of one code shown per file in text output before the rest are counted in one line. */
export const FOLD_AFTER = 20;
/** Related locations shown per finding in text output. */
export const RELATED_SHOWN = 3;

export interface FileReport {
  /** `result` is absent for an nftables ruleset (nft-lint.ts), which has no x_tables snapshot. */
  file: Pick<LoadedFile, 'path' | 'text' | 'section'> & { result?: LoadedFile['result'] };
  /** Parse errors (they make the exit code 2), then lint findings, in position order. */
  diagnostics: Diagnostic[];
}

/** A finding with its code frame, hint and first related locations (each with its own frame, from its own file). */
function formatFinding(d: Diagnostic, text: string, textOf: (file: string) => string | undefined, c: Colors): string {
  const head = formatDiagnostic({ ...d, related: [] }, text, c);
  const related = (d.related ?? []);
  const lines = related.slice(0, RELATED_SHOWN).map((r) => {
    const source = r.file === d.file ? text : textOf(r.file);
    const frame = source === undefined ? '' : '\n' + codeFrame(source, { ...d, file: r.file, span: r.span }).split('\n').map((l) => `    ${l}`).join('\n');
    return `  ${c.dim('related:')} ${r.file}:${r.span.start.line}:${r.span.start.column}: ${r.message}${frame}`;
  });
  if (related.length > RELATED_SHOWN) lines.push(`  ${c.dim(`… and ${related.length - RELATED_SHOWN} more related locations (--format json or sarif lists them all)`)}`);
  return [head, ...lines].join('\n');
}

export function renderText(io: CliIo, reports: readonly FileReport[], assumptions: readonly string[], c: Colors): void {
  for (const a of assumptions) io.stdout(`${c.cyan('Inferred:')} ${a}\n`);
  if (assumptions.length) io.stdout('\n');
  const texts = new Map<string, string>();
  for (const r of reports) if (!texts.has(r.file.path)) texts.set(r.file.path, r.file.text);
  const textOf = (file: string) => texts.get(file);
  for (const r of reports) {
    const shown = new Map<string, number>();
    for (const d of r.diagnostics) {
      const n = (shown.get(d.code) ?? 0) + 1;
      shown.set(d.code, n);
      if (n <= FOLD_AFTER) io.stdout(formatFinding(d, r.file.text, textOf, c) + '\n\n');
    }
    for (const [code, n] of shown) {
      if (n > FOLD_AFTER) io.stdout(c.dim(`${r.file.path}: … and ${n - FOLD_AFTER} more [${code}] (${n} in all; --format json or sarif lists every one)`) + '\n\n');
    }
  }
  const n = counts(reports.flatMap((r) => r.diagnostics));
  const total = n.errors + n.warnings + n.infos;
  const plural = (k: number, w: string) => `${k} ${w}${k === 1 ? '' : 's'}`;
  // A capture's rulesets are one file.
  if (!total) io.stdout(c.green(`no problems in ${plural(new Set(reports.map((r) => r.file.path)).size, 'file')}`) + '\n');
  else {
    const line = `${plural(total, 'problem')} (${plural(n.errors, 'error')}, ${plural(n.warnings, 'warning')}, ${plural(n.infos, 'note')})`;
    io.stdout((n.errors ? c.red(line) : c.yellow(line)) + '\n');
  }
}

const indent = (text: string, by: string) => text.replace(/\n/g, `\n${by}`);

/** `{ schema, assumptions, files: [{ file, section?, diagnostics }], summary }` (docs/lint-json.md), one diagnostic per write. */
export function renderJson(io: CliIo, reports: readonly FileReport[], assumptions: readonly string[]): void {
  io.stdout(`{\n  "schema": "chainsight.lint/1",\n  "assumptions": ${indent(toJson(assumptions), '  ')},\n  "files": [`);
  reports.forEach((r, i) => {
    const section = r.file.section ? `,\n      "section": ${toJson(r.file.section)}` : '';
    io.stdout(`${i ? ',' : ''}\n    {\n      "file": ${toJson(r.file.path)}${section},\n      "diagnostics": [`);
    r.diagnostics.forEach((d, k) => io.stdout(`${k ? ',' : ''}\n        ${indent(toJson(d), '        ')}`));
    io.stdout(`${r.diagnostics.length ? '\n      ' : ''}]\n    }`);
  });
  const summary = counts(reports.flatMap((r) => r.diagnostics));
  io.stdout(`${reports.length ? '\n  ' : ''}],\n  "summary": ${indent(toJson(summary), '  ')}\n}\n`);
}

/** SARIF 2.1.0 (the analyzer's sarifParts), the results written one at a time. */
export function renderSarif(io: CliIo, reports: readonly FileReport[], assumptions: readonly string[]): void {
  const { head, results } = sarifParts(reports.map((r) => ({ path: r.file.path, diagnostics: r.diagnostics })), { toolVersion: VERSION, rules: RULES, assumptions });
  const text = toJson(head);
  const hole = text.lastIndexOf('"results": []');
  if (hole < 0) throw new Error('SARIF head without an empty results list');
  io.stdout(text.slice(0, hole) + '"results": [');
  let first = true;
  for (const r of results()) {
    io.stdout(`${first ? '' : ','}\n        ${indent(toJson(r), '        ')}`);
    first = false;
  }
  io.stdout(`${first ? '' : '\n      '}]${text.slice(hole + '"results": []'.length)}\n`);
}
