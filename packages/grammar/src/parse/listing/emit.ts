// Turns pieces of a listing line into the argument words iptables-save would print for the same rule, each
// word located at the listing text it was read from, so that parseRuleArgs gives the typed values (and located
// diagnostics) exactly as for iptables-save input.
import { ArgWord, type LineInfo } from '../../lex/words';

/** A piece of the line: [start, end) within the line text. */
export interface Piece {
  text: string;
  start: number;
  end: number;
}

/** The save words of one rule, in order, with opaque chunks where the listing text could not be read. */
export class WordOut {
  readonly words: ArgWord[] = [];
  /** Listing text kept verbatim, with the number of `-m` matches emitted before it (its place among the matches). */
  readonly opaque: { piece: Piece; matchIndex: number; reasons: string[] }[] = [];
  /** Text that was read, but whose print leaves something out (quota prints no `!`). */
  readonly caveats: { piece: Piece; reason: string }[] = [];
  /** The module of the last `-m` emitted, and the option keys it already has (to merge `ctstate … ctdir …`). */
  private lastModule: string | null = null;
  private lastKeys = new Set<string>();
  private matchCount = 0;

  constructor(readonly line: LineInfo) {}

  word(text: string, at: Piece, quoted = false): void {
    this.words.push(new ArgWord(text, quoted, text === '!' ? 'Bang' : 'Word', this.line, at.start, at.end));
  }

  /**
   * `-m module`, unless the previous match is the same module and does not have `key` yet: iptables prints
   * the options of one conntrack/owner match as a sequence of items, each of which could also be a match of
   * its own; one match is what iptables-save normally shows.
   */
  module(name: string, at: Piece, key?: string): void {
    if (key !== undefined && this.lastModule === name && !this.lastKeys.has(key)) {
      this.lastKeys.add(key);
      return;
    }
    this.word('-m', at);
    this.word(name, at);
    this.matchCount++;
    this.lastModule = name;
    this.lastKeys = new Set(key === undefined ? [] : [key]);
  }

  /** The state to go back to when a form turns out not to be readable after it emitted words. */
  mark(): { words: number; module: string | null; keys: Set<string>; matches: number } {
    return { words: this.words.length, module: this.lastModule, keys: new Set(this.lastKeys), matches: this.matchCount };
  }

  reset(m: ReturnType<WordOut['mark']>): void {
    this.words.length = m.words;
    this.lastModule = m.module;
    this.lastKeys = m.keys;
    this.matchCount = m.matches;
  }

  /** Ends merging: the next item starts a new match. */
  endModule(): void {
    this.lastModule = null;
  }

  keepOpaque(piece: Piece, reasons: string[]): void {
    const last = this.opaque[this.opaque.length - 1];
    if (last && last.matchIndex === this.matchCount && last.piece.end <= piece.start && /^\s*$/.test(this.line.text.slice(last.piece.end, piece.start))) {
      last.piece = { text: this.line.text.slice(last.piece.start, piece.end), start: last.piece.start, end: piece.end };
      last.reasons.push(...reasons.filter((r) => !last.reasons.includes(r)));
    } else {
      this.opaque.push({ piece, matchIndex: this.matchCount, reasons: [...reasons] });
    }
    this.endModule();
  }
}

/** A regular-expression match on the line with the positions of its named groups (`d` flag). */
export class Hit {
  constructor(
    private readonly m: RegExpExecArray,
    private readonly line: string,
  ) {}

  get whole(): Piece {
    const [s, e] = this.m.indices![0]!;
    return { text: this.line.slice(s, e), start: s, end: e };
  }

  has(name: string): boolean {
    return this.m.groups?.[name] !== undefined;
  }

  text(name: string): string {
    return this.m.groups?.[name] ?? '';
  }

  /** The group's piece, or the whole match when the group did not take part. */
  at(name: string): Piece {
    const ix = this.m.indices?.groups?.[name];
    if (!ix) return this.whole;
    return { text: this.line.slice(ix[0], ix[1]), start: ix[0], end: ix[1] };
  }
}

/** Reads the free-text column of a listing row from left to right. */
export class TextCursor {
  pos: number;
  /** The line up to `end`, so that no form reads past it. */
  private readonly bounded: string;

  constructor(
    readonly line: LineInfo,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
    this.bounded = end === line.text.length ? line.text : line.text.slice(0, end);
  }

  skipSpace(): void {
    const s = this.line.text;
    while (this.pos < this.end && (s[this.pos] === ' ' || s[this.pos] === '\t')) this.pos++;
  }

  atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.end;
  }

  /** Tries a sticky regular expression (flags `yd`) at the cursor, without moving it. */
  peek(re: RegExp): Hit | null {
    re.lastIndex = this.pos;
    const m = re.exec(this.bounded);
    return m ? new Hit(m, this.line.text) : null;
  }

  /** The next white-space separated word, consumed. */
  takeWord(): Piece {
    this.skipSpace();
    const s = this.line.text;
    const start = this.pos;
    while (this.pos < this.end && s[this.pos] !== ' ' && s[this.pos] !== '\t') this.pos++;
    return { text: s.slice(start, this.pos), start, end: this.pos };
  }
}

/** A sticky regular expression with group indices, from a source string (so forms read like the printed text). */
export function sticky(source: string): RegExp {
  return new RegExp(source, 'yd');
}
