// Tokens of nft's text syntax (nft(8) "LEXICAL CONVENTIONS"; scanner.l in nftables). nft prints a ruleset with
// spaces between words, so a word is a maximal run of non-blank characters up to one of `{ } ; , ( )`; quoted
// strings may be glued to a word (`"10:00"-"12:00"`). `#` starts a comment to the end of the line; only
// `# handle N` (and a set's `# count N`) carry data and are kept. Newlines are tokens: they end rules in a block.

export type TokenKind = 'word' | 'string' | 'punct' | 'newline' | 'handle' | 'count' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 0-based offset of the first character, and of the one after the last. */
  start: number;
  end: number;
  /** Blank (space, tab) or a line start precedes the token. */
  spaced: boolean;
}

const PUNCT = new Set(['{', '}', ';', ',', '(', ')']);
const isBlank = (c: string) => c === ' ' || c === '\t' || c === '\r' || c === '\f' || c === '\v';

export interface LexProblem {
  start: number;
  end: number;
  message: string;
}

/** Split nft text into tokens. Never throws: an unterminated string ends at the line end and is reported. */
export function lex(text: string): { tokens: Token[]; problems: LexProblem[] } {
  const tokens: Token[] = [];
  const problems: LexProblem[] = [];
  const n = text.length;
  let i = 0;
  let spaced = true;
  while (i < n) {
    const c = text[i] as string;
    if (isBlank(c)) {
      i++;
      spaced = true;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      // Line continuation of nft -f scripts.
      i += text[i + 1] === '\n' ? 2 : 3;
      spaced = true;
      continue;
    }
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', start: i, end: i + 1, spaced });
      i++;
      spaced = true;
      continue;
    }
    if (c === '#' && spaced) {
      let j = text.indexOf('\n', i);
      if (j < 0) j = n;
      const body = text.slice(i, j);
      const m = /^#\s*handle\s+(\d+)\s*$/.exec(body.trimEnd());
      if (m) tokens.push({ kind: 'handle', text: m[1] as string, start: i, end: i + body.trimEnd().length, spaced });
      // `size 65535\t# count 1`: nft's note of a set's element count (rule.c set_print_declaration).
      const cm = /^#\s*count\s+(\d+)\s*$/.exec(body.trimEnd());
      if (cm) tokens.push({ kind: 'count', text: cm[1] as string, start: i, end: i + body.trimEnd().length, spaced });
      i = j;
      continue;
    }
    if (PUNCT.has(c)) {
      tokens.push({ kind: 'punct', text: c, start: i, end: i + 1, spaced });
      i++;
      spaced = false;
      continue;
    }
    // A word, possibly with quoted parts.
    const start = i;
    let quotedOnly = true;
    let parts = 0;
    while (i < n) {
      const d = text[i] as string;
      if (d === '"') {
        let j = i + 1;
        // nft's scanner (scanner.l `quotedstring`): `"` anything but `"` `"`; a backslash escapes nothing.
        while (j < n && text[j] !== '"' && text[j] !== '\n') j++;
        if (j >= n || text[j] !== '"') {
          problems.push({ start: i, end: j, message: 'unterminated string: missing closing \'"\'' });
          i = j;
          break;
        }
        i = j + 1;
        parts++;
        continue;
      }
      if (isBlank(d) || d === '\n' || PUNCT.has(d)) {
        // Raw payload `@nh,0,8` and queue ranges keep their commas when a digit follows.
        if (d === ',' && text[start] === '@' && /[0-9]/.test(text[i + 1] ?? '')) {
          i++;
          quotedOnly = false;
          continue;
        }
        break;
      }
      quotedOnly = false;
      i++;
    }
    const word = text.slice(start, i);
    tokens.push({ kind: quotedOnly && parts === 1 ? 'string' : 'word', text: word, start, end: i, spaced });
    spaced = false;
  }
  tokens.push({ kind: 'eof', text: '', start: n, end: n, spaced: true });
  return { tokens, problems };
}

/** The text of a quoted token without its quotes (nft strings have no escapes). */
export function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

/** nft cannot write a `"` inside a string; such a comment (only possible from JSON) prints with `'` instead. */
export function quote(s: string): string {
  return `"${s.replace(/"/g, "'")}"`;
}
