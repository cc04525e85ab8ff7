// Collects diagnostics for one file. Every diagnostic has a stable `parse/…` code and a location.
import type { Diagnostic, RelatedLocation, Severity } from '../ir/diagnostic';
import type { Span } from '../ir/span';

export class DiagnosticSink {
  readonly items: Diagnostic[] = [];
  constructor(readonly file: string) {}

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
