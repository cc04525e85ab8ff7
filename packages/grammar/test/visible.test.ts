// Input text shown on a terminal: control and invisible format characters escaped (visible.ts), in code frames
// with the caret moved to match.
import { describe, expect, it } from 'vitest';
import { codeFrame, spanOf, visibleText, type Diagnostic } from '@chainsight/grammar';

describe('visibleText', () => {
  it.each([
    ['plain text, tabs and newlines stay', 'a\tb\nc — é 日本', 'a\tb\nc — é 日本'],
    ['ESC and BEL (a terminal title)', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['CR, NUL, DEL', 'a\rb\x00c\x7f', 'a\\x0db\\x00c\\x7f'],
    ['C1 controls (CSI as one byte)', '\x9b2J\x85', '\\x9b2J\\x85'],
    ['bidi overrides and isolates (Trojan Source)', 'x\u202eyz\u2066', 'x\\u{202e}yz\\u{2066}'],
    ['zero-width characters and the BOM', '\ufeffa\u200bb', '\\u{feff}a\\u{200b}b'],
  ])('%s', (_what, text, shown) => {
    expect(visibleText(text)).toBe(shown);
  });
});

describe('codeFrame', () => {
  const at = (line: number, column: number, offset: number, length: number): Diagnostic => ({ code: 'x', severity: 'error', message: 'm', file: 'f', span: spanOf(line, column, offset, length) });
  it.each([
    ['the caret follows the escapes before it', 'a\x1b\x07 -j X\n', at(1, 6, 5, 1), '1 | a\\x1b\\x07 -j X\n  |            ^'],
    ['the underline covers the escaped text', '-c "\x1b[2J" X\n', at(1, 4, 3, 6), '1 | -c "\\x1b[2J" X\n  |    ^^^^^^^^^'],
    ['a line of another line context is escaped too', 'a\x1bb\nX\n', at(2, 1, 4, 1), '  | a\\x1bb\n2 | X\n  | ^'],
  ])('%s', (_what, text, d, frame) => {
    expect(codeFrame(text, d, frame.startsWith('  |') ? 1 : 0)).toBe(frame);
  });
});
