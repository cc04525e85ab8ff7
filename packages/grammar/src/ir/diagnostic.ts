// Diagnostics shared by every phase. Codes are stable and carry a phase prefix
// (`parse/…`, `graph/…`, `lint/<rule-id>`, `trace/…`), see the architecture doc, practice 7.
import type { Span } from './span';

export type Severity = 'error' | 'warning' | 'info';

export interface RelatedLocation {
  file: string;
  span: Span;
  message: string;
}

export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  file: string;
  span: Span;
  /** Optional hint: what to do about it. */
  hint?: string;
  related?: RelatedLocation[];
}
