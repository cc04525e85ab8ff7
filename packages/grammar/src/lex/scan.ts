// A hand-written scanner for the lines of save files, the hot path of large snapshots. It produces exactly the
// words the chevrotain lexer in tokens.ts produces (a test checks this on every corpus line); the chevrotain
// lexer and line grammar still read every line this scanner declines or whose first word is no structure token.
// Why two: on a 130k-rule kube-proxy snapshot the per-token objects of the chevrotain lexer alone took longer
// than the whole parse may (benchmark target: twice as fast as iptables-restore-translate).
import { ArgWord, type LineInfo } from './words';

const LONG_COMMANDS = new Set([
  '--append', '--insert', '--delete-chain', '--delete', '--replace', '--new-chain', '--policy', '--flush', '--zero',
  '--rename-chain', '--list-rules', '--list',
]);
/** The letters of the short commands: -A -I -D -R -N -X -P -F -Z -E -S -L. */
const SHORT_COMMANDS = new Set([65, 73, 68, 82, 78, 88, 80, 70, 90, 69, 83, 76]);

/** Same token types as the chevrotain lexer (tokens.ts), without a regex per word. */
function typeOf(raw: string): string {
  const c0 = raw.charCodeAt(0);
  if (c0 === 45 /* - */) {
    if (raw.length === 2) return SHORT_COMMANDS.has(raw.charCodeAt(1)) ? 'Command' : 'Word';
    return raw.charCodeAt(1) === 45 && LONG_COMMANDS.has(raw) ? 'Command' : 'Word';
  }
  if (c0 === 33 /* ! */) return raw.length === 1 ? 'Bang' : 'Word';
  if (c0 === 91 /* [ */) return isCounters(raw) ? 'Counters' : 'Word';
  if (c0 === 42 /* * */) return 'TableHeader';
  if (c0 === 58 /* : */) return 'ChainDecl';
  if (c0 === 67 /* C */ && raw === 'COMMIT') return 'Commit';
  return 'Word';
}

/** `[digits:digits]`. */
function isCounters(raw: string): boolean {
  const n = raw.length;
  if (n < 5 || raw.charCodeAt(n - 1) !== 93 /* ] */) return false;
  let colon = -1;
  for (let i = 1; i < n - 1; i++) {
    const c = raw.charCodeAt(i);
    if (c === 58 /* : */ && colon < 0 && i > 1) colon = i;
    else if (c < 48 || c > 57) return false;
  }
  return colon > 0 && colon < n - 2;
}

/** Forces a flat string (V8 keeps `a + b` as a rope until something reads it character by character). */
function flat(s: string): string {
  void s.charCodeAt(0);
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * Word objects reused from one line to the next: the hot path scans about two million words in a 130k-rule
 * snapshot and keeps none of them (the model keeps their texts). Whoever scans with a pool must be done with a
 * line's words, and with the array holding them, before scanning the next line.
 */
export class WordPool {
  private readonly all: ArgWord[] = [];
  private readonly out: ArgWord[] = [];

  begin(): ArgWord[] {
    this.out.length = 0;
    return this.out;
  }

  add(text: string, quoted: boolean, tokenType: string, line: LineInfo, start: number, end: number): void {
    const k = this.out.length;
    let w = this.all[k];
    if (w) {
      w.text = text;
      w.quoted = quoted;
      w.tokenType = tokenType;
      w.lineInfo = line;
      w.start = start;
      w.end = end;
    } else this.all.push((w = new ArgWord(text, quoted, tokenType, line, start, end)));
    this.out.push(w);
  }
}

const isSpace = (c: number) => c === 32 || c === 9 || c === 11 || c === 12;

/**
 * Words of a line, or null when the line has an unterminated quote (left to the chevrotain path). With
 * `asciiOnly`, also null when the line has a character other than printable ASCII and tab (checked in the same
 * pass: the lines the scanner is proven on, scan.test.ts). With a `pool`, the words and the array are the pool's
 * and are reused by the next call.
 */
export function scanWords(line: LineInfo, asciiOnly = false, pool?: WordPool): ArgWord[] | null {
  const s = line.text;
  const n = s.length;
  const out: ArgWord[] = pool ? pool.begin() : [];
  let i = 0;
  // Every character is looked at once, by one of the loops below, and each checks for non-ASCII then.
  while (i < n) {
    let c = s.charCodeAt(i);
    while (isSpace(c)) {
      if (asciiOnly && c !== 32 && c !== 9) return null;
      if (++i >= n) break;
      c = s.charCodeAt(i);
    }
    if (i >= n) break;
    const start = i;
    let quoted = false;
    let text = '';
    /** Number of slices `text` is made of: one is a plain slice of the line and needs no flattening. */
    let pieces = 0;
    let plainFrom = i;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (isSpace(c) || c === 10 || c === 13) break;
      if (asciiOnly && (c < 32 || c > 126)) return null;
      if (c === 34 /* " */) {
        quoted = true;
        if (i > plainFrom) { text += s.slice(plainFrom, i); pieces++; }
        i++;
        // Copy runs between escapes in one slice each (appending character by character would keep a long
        // chain of cons-strings alive in the model).
        let runFrom = i;
        let closed = false;
        while (i < n) {
          const q = s.charCodeAt(i);
          if (asciiOnly && ((q < 32 && q !== 9) || q > 126)) return null;
          if (q === 92 /* \ */ && i + 1 < n) {
            const e = s.charCodeAt(i + 1);
            if (asciiOnly && ((e < 32 && e !== 9) || e > 126)) return null;
            text += s.slice(runFrom, i) + s[i + 1];
            pieces += 2;
            i += 2;
            runFrom = i;
            continue;
          }
          if (q === 34) {
            if (i > runFrom) { text = pieces === 0 ? s.slice(runFrom, i) : text + s.slice(runFrom, i); pieces++; }
            closed = true;
            i++;
            break;
          }
          i++;
        }
        if (!closed) return null;
        plainFrom = i;
        continue;
      }
      i++;
    }
    // A CR or LF inside the line (a lone CR that splitLines kept): the chevrotain lexer reports it, and the
    // scanner would otherwise read an empty word there again and again.
    if (i < n && (s.charCodeAt(i) === 10 || s.charCodeAt(i) === 13)) return null;
    if (quoted) {
      // `"abc"` alone is one slice of the line; only words made of several pieces need flattening.
      if (i > plainFrom) { text = pieces === 0 ? s.slice(plainFrom, i) : text + s.slice(plainFrom, i); pieces++; }
      if (pieces > 1) text = flat(text);
    } else text = s.slice(start, i);
    const type = quoted ? 'Word' : typeOf(text);
    if (pool) pool.add(text, quoted, type, line, start, i);
    else out.push(new ArgWord(text, quoted, type, line, start, i));
  }
  return out;
}
