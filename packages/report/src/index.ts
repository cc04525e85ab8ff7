// @chainsight/report: self-contained HTML pages of chainsight's answers, rendered from the JSON documents the
// CLI prints (trace, lint, diff): inline CSS and SVG, no script, nothing fetched.
export { renderTraceReport, type TraceConversationJson, type TraceReportOptions } from './trace';
export { renderLintReport, type LintJson, type LintReportOptions } from './lint';
export { renderDiffReport, type DiffReportOptions } from './diff';
export { renderSemanticSection, type SemanticJson, type SemanticSection } from './semantic';
export { buildDiagram, rowKey, type Diagram, type Row, type Card } from './diagram';
export { visitsOf, stepRow, tupleChanges, numberRanges } from './path';
export { esc } from './html';
