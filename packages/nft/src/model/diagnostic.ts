// Locations and diagnostics. Same shape and conventions as @chainsight/grammar's Span and Diagnostic (1-based
// line and column in UTF-16 code units, 0-based half-open offsets), declared here so this package stays
// dependency-free: a Diagnostic from this package is assignable to grammar's.

export interface Position {
  line: number;
  column: number;
  offset: number;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface Diagnostic {
  /** Stable code, `nft/<what>` (see README.md, "Diagnostics"). */
  code: string;
  severity: Severity;
  message: string;
  file: string;
  span: Span;
  hint?: string;
  /** JSON input only: where in the document, e.g. `nftables[3].rule.expr[0].match.left`. */
  path?: string;
}

/** Line/column of offsets in one text, computed once (binary search over line starts). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] as number) <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - (this.starts[lo] as number) + 1, offset: o };
  }

  span(start: number, end: number): Span {
    return { start: this.position(start), end: this.position(Math.max(start, end)) };
  }
}
