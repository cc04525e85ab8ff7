// The closed lexer (architecture doc, practice 3): real tokens only for the fixed structure of a line
// (`*table`, `:chain`, `COMMIT`, `[p:b]`, commands like `-A`, `!`); every option and value is a generic Word
// resolved later against the registry. A Word may contain double-quoted segments, as iptables-restore's
// add_param_to_argv() allows (`--comment "a b"`, `foo"bar baz"`); single quotes are ordinary characters there.
// Built on first use (chevrotain.ts says why): lineLexer() and shellLexer() build every token once.
import type { Lexer } from 'chevrotain';
import { chevrotain } from './chevrotain';

function build() {
  const { createToken, Lexer } = chevrotain();

  const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
  /** Every printable character may start a word; the hint keeps chevrotain's first-char optimisation. */
  // Above U+00FF chevrotain files characters by blocks of 255 (charCodeToOptimizedIndex): one character of each
  // block lets any character, a UTF-16 surrogate included, start a word (`-j 日本語`), as it may in iptables.
  const PRINTABLE = Array.from({ length: 255 - 32 }, (_, i) => String.fromCharCode(i + 33)).filter((c) => c !== '\u00a0')
    .concat(Array.from({ length: Math.ceil(65536 / 255) - 1 }, (_, k) => String.fromCharCode(Math.max(256, (k + 1) * 255))));
  const Word = createToken({ name: 'Word', pattern: /(?:[^\s"]|"(?:[^"\\]|\\[^])*")+/, start_chars_hint: PRINTABLE });
  /** A double quote that is never closed on its line. */
  const Unterminated = createToken({ name: 'Unterminated', pattern: /"(?:[^"\\]|\\[^])*/, start_chars_hint: ['"'] });
  const Counters = createToken({ name: 'Counters', pattern: /\[\d+:\d+\]/, longer_alt: Word });
  const TableHeader = createToken({ name: 'TableHeader', pattern: /\*[^\s"]*/, longer_alt: Word });
  const ChainDecl = createToken({ name: 'ChainDecl', pattern: /:[^\s"]*/, longer_alt: Word });
  const Commit = createToken({ name: 'Commit', pattern: /COMMIT/, longer_alt: Word });
  const Command = createToken({
    name: 'Command',
    pattern: /--(?:append|insert|delete-chain|delete|replace|new-chain|policy|flush|zero|rename-chain|list-rules|list)|-[AIDRNXPFZESL]/,
    longer_alt: Word,
  });
  const Bang = createToken({ name: 'Bang', pattern: /!/, longer_alt: Word });

  const allTokens = [WhiteSpace, Counters, TableHeader, ChainDecl, Commit, Command, Bang, Word, Unterminated];

  /** One lexer for every line (chevrotain performance guide). */
  const lineLexer = new Lexer(allTokens, {
    positionTracking: 'onlyOffset',
    ensureOptimizations: true,
  });

  /**
   * Shell scripts (`iptables -A … --comment 'a b'`): the shell also groups single-quoted text, and removes the
   * quotes before iptables sees the argument. A separate lexer for that dialect.
   */
  const ShellWord = createToken({
    name: 'Word',
    pattern: /(?:\\[^]|[^\s"'\\]|"(?:[^"\\]|\\[^])*"|'[^']*')+/,
    start_chars_hint: PRINTABLE,
  });
  const ShellUnterminated = createToken({ name: 'Unterminated', pattern: /["'][^]*/, start_chars_hint: ['"', "'"] });
  const shellLexer = new Lexer([WhiteSpace, ShellWord, ShellUnterminated], { positionTracking: 'onlyOffset', ensureOptimizations: true });
  return { WhiteSpace, Word, Unterminated, Counters, TableHeader, ChainDecl, Commit, Command, Bang, allTokens, lineLexer, shellLexer };
}

export type Tokens = ReturnType<typeof build>;

let tokens: Tokens | null = null;

/** The token types, the line lexer and the shell lexer, built once and reused (chevrotain performance guide). */
export function lexTokens(): Tokens {
  return (tokens ??= build());
}

export const lineLexer = (): Lexer => lexTokens().lineLexer;
export const shellLexer = (): Lexer => lexTokens().shellLexer;
