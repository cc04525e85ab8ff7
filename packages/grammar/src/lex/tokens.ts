// The closed lexer (architecture doc, practice 3): real tokens only for the fixed structure of a line
// (`*table`, `:chain`, `COMMIT`, `[p:b]`, commands like `-A`, `!`); every option and value is a generic Word
// resolved later against the registry. A Word may contain double-quoted segments, as iptables-restore's
// add_param_to_argv() allows (`--comment "a b"`, `foo"bar baz"`); single quotes are ordinary characters there.
import { createToken, Lexer } from 'chevrotain';

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /[ \t\f\v]+/, group: Lexer.SKIPPED });
/** Every printable character may start a word; the hint keeps chevrotain's first-char optimisation. */
const PRINTABLE = Array.from({ length: 255 - 32 }, (_, i) => String.fromCharCode(i + 33)).filter((c) => c !== '\u00a0');
export const Word = createToken({ name: 'Word', pattern: /(?:[^\s"]|"(?:[^"\\]|\\[^])*")+/, start_chars_hint: PRINTABLE });
/** A double quote that is never closed on its line. */
export const Unterminated = createToken({ name: 'Unterminated', pattern: /"(?:[^"\\]|\\[^])*/, start_chars_hint: ['"'] });
export const Counters = createToken({ name: 'Counters', pattern: /\[\d+:\d+\]/, longer_alt: Word });
export const TableHeader = createToken({ name: 'TableHeader', pattern: /\*[^\s"]*/, longer_alt: Word });
export const ChainDecl = createToken({ name: 'ChainDecl', pattern: /:[^\s"]*/, longer_alt: Word });
export const Commit = createToken({ name: 'Commit', pattern: /COMMIT/, longer_alt: Word });
export const Command = createToken({
  name: 'Command',
  pattern: /--(?:append|insert|delete-chain|delete|replace|new-chain|policy|flush|zero|rename-chain|list-rules|list)|-[AIDRNXPFZESL]/,
  longer_alt: Word,
});
export const Bang = createToken({ name: 'Bang', pattern: /!/, longer_alt: Word });

export const allTokens = [WhiteSpace, Counters, TableHeader, ChainDecl, Commit, Command, Bang, Word, Unterminated];

/** Built once at module load and reused (chevrotain performance guide). */
export const lineLexer = new Lexer(allTokens, {
  positionTracking: 'onlyOffset',
  ensureOptimizations: true,
});

/**
 * Shell scripts (`iptables -A … --comment 'a b'`): the shell also groups single-quoted text, and removes the
 * quotes before iptables sees the argument. A separate lexer for that dialect.
 */
export const ShellWord = createToken({
  name: 'Word',
  pattern: /(?:\\[^]|[^\s"'\\]|"(?:[^"\\]|\\[^])*"|'[^']*')+/,
  start_chars_hint: PRINTABLE,
});
export const ShellUnterminated = createToken({ name: 'Unterminated', pattern: /["'][^]*/, start_chars_hint: ['"', "'"] });
export const shellLexer = new Lexer([WhiteSpace, ShellWord, ShellUnterminated], { positionTracking: 'onlyOffset', ensureOptimizations: true });
