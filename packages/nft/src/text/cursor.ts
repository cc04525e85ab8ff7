// A position in the token array with bounded look-ahead, and the diagnostics of one parse. Every parser of this
// folder reads through a Cursor; `limit` bounds it to one rule or block so an error never runs past it.
import { LineIndex, type Diagnostic, type Severity, type Span } from '../model/diagnostic';
import type { Token } from './lexer';

export class ParseError extends Error {
  constructor(
    readonly token: Token,
    message: string,
    readonly endToken?: Token,
  ) {
    super(message);
  }
}

export class Cursor {
  pos = 0;
  limit: number;

  constructor(
    readonly tokens: Token[],
    readonly text: string,
    readonly file: string,
    readonly lines: LineIndex,
    readonly diagnostics: Diagnostic[],
  ) {
    this.limit = tokens.length - 1; // the eof token
  }

  /** The token at pos+k; past the limit, an eof-like token at the limit. */
  peek(k = 0): Token {
    const i = this.pos + k;
    if (i >= this.limit) return this.endToken();
    return this.tokens[i] as Token;
  }

  endToken(): Token {
    const t = this.tokens[this.limit] as Token;
    return { kind: 'eof', text: '', start: t.start, end: t.start, spaced: true };
  }

  atEnd(): boolean {
    return this.pos >= this.limit;
  }

  next(): Token {
    const t = this.peek();
    if (this.pos < this.limit) this.pos++;
    return t;
  }

  /** The current token is this word or punctuation. */
  is(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.kind !== 'eof' && t.kind !== 'newline' && t.text === text;
  }

  eat(text: string): boolean {
    if (!this.is(text)) return false;
    this.pos++;
    return true;
  }

  expect(text: string, what = `'${text}'`): Token {
    const t = this.peek();
    if (!this.is(text)) throw new ParseError(t, `expected ${what}, found ${describe(t)}`);
    return this.next();
  }

  /** A word or string (names, values); not punctuation, newline or the end. */
  word(what: string): Token {
    const t = this.peek();
    if (t.kind !== 'word' && t.kind !== 'string') throw new ParseError(t, `expected ${what}, found ${describe(t)}`);
    return this.next();
  }

  skipNewlines(): void {
    while (this.peek().kind === 'newline' || this.peek().kind === 'count' || this.is(';')) this.pos++;
  }

  span(a: Token, b: Token): Span {
    return this.lines.span(a.start, Math.max(a.end, b.end));
  }

  report(severity: Severity, code: string, a: Token, message: string, b: Token = a, hint?: string): void {
    const d: Diagnostic = { code, severity, message, file: this.file, span: this.span(a, b) };
    if (hint) d.hint = hint;
    this.diagnostics.push(d);
  }

  /** Source text of tokens [from, to) with blank runs made single spaces (outside strings) and newlines kept out. */
  textOf(from: number, to: number): string {
    let out = '';
    for (let i = from; i < to; i++) {
      const t = this.tokens[i] as Token;
      if (t.kind === 'newline' || t.kind === 'handle' || t.kind === 'eof') continue;
      if (out && t.spaced) out += ' ';
      out += t.text;
    }
    return out;
  }

  /** Index after the token matching the `{` or `(` at index i (or the limit when unbalanced). */
  matching(i: number): number {
    const open = (this.tokens[i] as Token).text;
    const close = open === '{' ? '}' : ')';
    let depth = 0;
    for (let j = i; j < this.limit; j++) {
      const t = this.tokens[j] as Token;
      if (t.kind !== 'punct') continue;
      if (t.text === open) depth++;
      else if (t.text === close && --depth === 0) return j + 1;
    }
    return this.limit;
  }
}

export function describe(t: Token): string {
  if (t.kind === 'eof') return 'the end of the input';
  if (t.kind === 'newline') return 'the end of the line';
  if (t.kind === 'handle') return `'# handle ${t.text}'`;
  return `'${t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text}'`;
}
