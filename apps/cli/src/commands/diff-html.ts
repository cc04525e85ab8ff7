// `chainsight diff --format html`: the report of @chainsight/report drawn from the document `--format json`
// prints (its text read back: counters are the same decimal strings there).
import type { DiffResult } from '@chainsight/diff';
import { renderDiffReport, type SemanticSection } from '@chainsight/report';
import { commandLine } from './report-command';

export function diffHtml(json: string, argv: readonly string[], semantic?: SemanticSection): string {
  return renderDiffReport(JSON.parse(json) as DiffResult, { command: commandLine('diff', argv), ...(semantic ? { semantic } : {}) });
}
