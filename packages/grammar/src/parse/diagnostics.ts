// Collects diagnostics for one file. Every diagnostic has a stable `parse/…` code and a location.
import type { Diagnostic, RelatedLocation, Severity } from '../ir/diagnostic';
import type { Span } from '../ir/span';

/** Where a text starts in its file: 1-based line, 0-based offset (a section of a host capture starts mid-file). */
export interface TextOrigin {
  line: number;
  offset: number;
}

export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  /** `origin`: every line and offset the parsers report is counted from there (LineReader applies it). */
  constructor(readonly file: string, readonly origin: TextOrigin = { line: 1, offset: 0 }) {}

  add(severity: Severity, code: string, message: string, span: Span, extra: { hint?: string; related?: RelatedLocation[] } = {}): void {
    const d: Diagnostic = { code, severity, message, file: this.file, span };
    if (extra.hint) d.hint = extra.hint;
    if (extra.related) d.related = extra.related;
    this.items.push(d);
  }
  error(code: string, message: string, span: Span, hint?: string): void {
    this.add('error', code, message, span, hint ? { hint } : {});
  }
  warning(code: string, message: string, span: Span, hint?: string): void {
    this.add('warning', code, message, span, hint ? { hint } : {});
  }
  info(code: string, message: string, span: Span, hint?: string): void {
    this.add('info', code, message, span, hint ? { hint } : {});
  }
}
