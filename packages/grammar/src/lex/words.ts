// Argument words of one line with their positions; the only place that converts chevrotain's offsets
// (inclusive end) to the project's half-open spans. A word is one small object and builds its Span on demand:
// a 130k-rule snapshot has about two million words.
import type { IToken } from 'chevrotain';
import { SourceSpan, type Span } from '../ir/span';

export interface LineInfo {
  /** 1-based line number. */
  line: number;
  /** Offset of the line's first character in the file. */
  offset: number;
  text: string;
}

export class ArgWord {
  // Not readonly: the scanner's WordPool reuses these objects line after line (see lex/scan.ts).
  constructor(
    /** The argument after quote removal. */
    public text: string,
    public quoted: boolean,
    /** Token type name (`Word`, `Bang`, `Command`, `Counters`, `Unterminated` …). */
    public tokenType: string,
    public lineInfo: LineInfo,
    /** Start and end (exclusive) within the line. */
    public start: number,
    public end: number,
  ) {}

  /** As written, quotes included. */
  get raw(): string {
    return this.lineInfo.text.slice(this.start, this.end);
  }

  get span(): Span {
    return tokenSpan(this.lineInfo, this.start, this.end);
  }

  /** The same word with another text (shell unquoting). */
  withText(text: string, quoted: boolean): ArgWord {
    return new ArgWord(text, quoted, this.tokenType, this.lineInfo, this.start, this.end);
  }
}

export function tokenSpan(line: LineInfo, startInLine: number, endInLine: number): Span {
  return new SourceSpan(line.line, startInLine + 1, line.offset + startInLine, line.line, endInLine + 1, line.offset + endInLine);
}

/** The span from the start of word `a` to the end of word `b`. */
export function wordsSpan(a: ArgWord, b: ArgWord): Span {
  const la = a.lineInfo;
  const lb = b.lineInfo;
  return new SourceSpan(la.line, a.start + 1, la.offset + a.start, lb.line, b.end + 1, lb.offset + b.end);
}

/** Removes double quotes; inside quotes a backslash escapes the next character (iptables-restore). */
export function unquote(raw: string): { text: string; quoted: boolean } {
  if (!raw.includes('"')) return { text: raw, quoted: false };
  let out = '';
  let inQuote = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inQuote) {
      if (c === '\\' && i + 1 < raw.length) out += raw[++i];
      else if (c === '"') inQuote = false;
      else out += c;
    } else if (c === '"') inQuote = true;
    else out += c;
  }
  return { text: out, quoted: true };
}

export function toWords(tokens: IToken[], line: LineInfo): ArgWord[] {
  return tokens.map((t) => {
    const { text, quoted } = unquote(t.image);
    return new ArgWord(text, quoted, t.tokenType.name, line, t.startOffset, t.startOffset + t.image.length);
  });
}
