// `chainsight trace --format html`: the report of @chainsight/report drawn from the very document
// `--format json` prints, with the inputs' text for the rule line of each step.
import { renderTraceReport, type TraceConversationJson } from '@chainsight/report';
import type { TraceJson } from '@chainsight/trace';
import { commandLine } from './report-command';

export function traceHtml(doc: TraceJson | TraceConversationJson, texts: ReadonlyMap<string, string>, argv: readonly string[]): string {
  return renderTraceReport(doc, { sources: texts, command: commandLine('trace', argv) });
}
