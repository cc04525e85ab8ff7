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
  readonly start: Position;
  /** Exclusive end. */
  readonly end: Position;
}

/**
 * The Span every parser creates: six numbers in one object, positions built on access. A 130k-rule snapshot
 * has millions of spans; three objects each made the garbage collector the parser's main cost.
 */
export class SourceSpan implements Span {
  constructor(
    readonly startLine: number,
    readonly startColumn: number,
    readonly startOffset: number,
    readonly endLine: number,
    readonly endColumn: number,
    readonly endOffset: number,
  ) {}

  get start(): Position {
    return { line: this.startLine, column: this.startColumn, offset: this.startOffset };
  }

  get end(): Position {
    return { line: this.endLine, column: this.endColumn, offset: this.endOffset };
  }

  toJSON(): { start: Position; end: Position } {
    return { start: this.start, end: this.end };
  }
}

export function spanOf(line: number, column: number, offset: number, length: number): Span {
  return new SourceSpan(line, column, offset, line, column + length, offset + length);
}

/** A span covering `a` through `b`. */
export function joinSpans(a: Span, b: Span): Span {
  if (a instanceof SourceSpan && b instanceof SourceSpan) {
    return new SourceSpan(a.startLine, a.startColumn, a.startOffset, b.endLine, b.endColumn, b.endOffset);
  }
  const s = a.start;
  const e = b.end;
  return new SourceSpan(s.line, s.column, s.offset, e.line, e.column, e.offset);
}

/** A span's start and end offsets without building its Position objects. */
export function startOffset(s: Span): number {
  return s instanceof SourceSpan ? s.startOffset : s.start.offset;
}

export function endOffset(s: Span): number {
  return s instanceof SourceSpan ? s.endOffset : s.end.offset;
}

/** Plain-object form, for tests and serialisation. */
export function plainSpan(s: Span): { start: Position; end: Position } {
  return { start: s.start, end: s.end };
}
