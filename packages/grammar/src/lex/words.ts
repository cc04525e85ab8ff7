// Turns the tokens of one line into argument words with their spans; the only place that converts
// chevrotain's offsets (inclusive end) to the project's half-open spans.
import type { IToken } from 'chevrotain';
import type { Span } from '../ir/span';

export interface LineInfo {
  /** 1-based line number. */
  line: number;
  /** Offset of the line's first character in the file. */
  offset: number;
  text: string;
}

export interface ArgWord {
  /** The argument after quote removal. */
  text: string;
  /** As written, quotes included. */
  raw: string;
  quoted: boolean;
  /** Chevrotain token type name (`Word`, `Bang`, `Command`, …). */
  tokenType: string;
  span: Span;
}

export function tokenSpan(line: LineInfo, startInLine: number, endInLine: number): Span {
  return {
    start: { line: line.line, column: startInLine + 1, offset: line.offset + startInLine },
    end: { line: line.line, column: endInLine + 1, offset: line.offset + endInLine },
  };
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
    return {
      text,
      raw: t.image,
      quoted,
      tokenType: t.tokenType.name,
      span: tokenSpan(line, t.startOffset, t.startOffset + t.image.length),
    };
  });
}
