// Source locations, one convention for the whole project (architecture doc, practice 2):
// line and column are 1-based, offsets are 0-based and half-open ([start, end)).
// Chevrotain's inclusive endOffset and NaN offsets of recovered tokens are converted in `lex/` only.

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column, counted in UTF-16 code units like editors and SARIF do. */
  column: number;
  /** 0-based offset into the file text. */
  offset: number;
}

export interface Span {
  start: Position;
  /** Exclusive end. */
  end: Position;
}

export function spanOf(line: number, column: number, offset: number, length: number): Span {
  return {
    start: { line, column, offset },
    end: { line, column: column + length, offset: offset + length },
  };
}

/** A span covering `a` through `b`. */
export function joinSpans(a: Span, b: Span): Span {
  return { start: a.start, end: b.end };
}
