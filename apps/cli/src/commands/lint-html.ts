// `chainsight lint --format html`: the report of @chainsight/report drawn from the document `--format json`
// writes (the very bytes renderJson produces, read back), with each file's text for the code frames and the
// parsed snapshots to name the chain a finding's line belongs to.
import { RULES } from '@chainsight/analyzer';
import { renderLintReport, type LintJson } from '@chainsight/report';
import type { CliIo } from '../io';
import { renderJson, type FileReport } from './lint-output';
import { commandLine } from './report-command';

/** The JSON document of the reports, as `--format json` prints it. */
function lintJson(reports: readonly FileReport[], assumptions: readonly string[]): LintJson {
  let text = '';
  const sink = { stdout: (t: string) => { text += t; } } as CliIo;
  renderJson(sink, reports, assumptions);
  return JSON.parse(text) as LintJson;
}

/** file → line → the table and chain of the rule or chain declaration on that line. */
function chainsByLine(reports: readonly FileReport[]): Map<string, Map<number, { table: string; chain: string }>> {
  const out = new Map<string, Map<number, { table: string; chain: string }>>();
  for (const r of reports) {
    let lines = out.get(r.file.path);
    if (!lines) out.set(r.file.path, (lines = new Map()));
    for (const t of r.file.result?.snapshot.tables ?? []) {
      for (const c of t.chains) {
        if (c.span) lines.set(c.span.start.line, { table: t.name, chain: c.name });
        for (const rule of c.rules) lines.set(rule.span.start.line, { table: t.name, chain: c.name });
      }
    }
  }
  return out;
}

export function lintHtml(reports: readonly FileReport[], assumptions: readonly string[], argv: readonly string[]): string {
  const sources = new Map<string, string>();
  for (const r of reports) if (!sources.has(r.file.path)) sources.set(r.file.path, r.file.text);
  const chains = chainsByLine(reports);
  return renderLintReport(lintJson(reports, assumptions), {
    sources,
    locate: (file, line) => chains.get(file)?.get(line) ?? null,
    ruleDescriptions: new Map(RULES.map((r) => [r.id, r.description])),
    command: commandLine('lint', argv),
  });
}
