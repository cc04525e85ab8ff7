// The hand scanner of rule lines must produce exactly the words of the chevrotain lexer: on every line of the
// corpus and on generated lines with quotes, escapes and odd spacing.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineLexer } from '../src/lex/tokens';
import { scanWords } from '../src/lex/scan';
import { toWords, type LineInfo } from '../src/lex/words';
import { sharedAvailable, snapshotFiles } from '../../../test-support/shared';

const viaChevrotain = (line: LineInfo) => {
  const lexed = lineLexer().tokenize(line.text);
  if (lexed.errors.length || lexed.tokens.some((t) => t.tokenType.name === 'Unterminated')) return null;
  return toWords(lexed.tokens, line).map((w) => [w.text, w.quoted, w.tokenType, w.start, w.end]);
};
const viaScanner = (line: LineInfo) => scanWords(line)?.map((w) => [w.text, w.quoted, w.tokenType, w.start, w.end]) ?? null;

describe('scanWords agrees with the chevrotain lexer', () => {
  it.each([
    ['-A INPUT -p tcp --dport 22 -j ACCEPT'],
    ['[12:3456] -A FORWARD ! -s 10.0.0.0/8 -j DROP'],
    ['-A X -m comment --comment "a \\"quoted\\" word" -j RETURN'],
    ['-A X -m comment --comment foo"bar baz"qux -j RETURN'],
    ['-A X -m comment --comment "" -j RETURN'],
    ['-A\tX\t\t-j   ACCEPT   '],
    ['-A X -m comment --comment "back\\\\slash" -j ACCEPT'],
    ['-A X --log-prefix "unterminated'],
  ])('%s', (text) => {
    const line = { line: 1, offset: 0, text };
    expect(viaScanner(line)).toEqual(viaChevrotain(line));
  });

  it('on generated lines', () => {
    const piece = fc.oneof(
      fc.constantFrom('-A', '-j', '!', '--dport', '[1:2]', 'COMMIT', '*nat', ':X', 'ACCEPT', '""', '"a b"', '"\\""', '-Ax'),
      fc.stringMatching(/^[a-z0-9./:,_-]{1,12}$/),
      fc.stringMatching(/^"[a-z \\"]{0,8}"?$/),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, fc.constantFrom(' ', '  ', '\t', '')), { maxLength: 12 }), (parts) => {
        const text = parts.map(([p, sp]) => p + sp).join('');
        const line = { line: 1, offset: 0, text };
        expect(viaScanner(line)).toEqual(viaChevrotain(line));
      }),
      { numRuns: 2000, seed: 42 },
    );
  });

  describe.runIf(sharedAvailable())('on every ASCII line of the corpus that starts in column 1', () => {
    it('agrees', () => {
      let lines = 0;
      for (const f of snapshotFiles()) {
        readFileSync(f, 'utf8').split(/\r?\n/).forEach((text, i) => {
          if (!/^[^\s#]/.test(text) || !/^[\x20-\x7e\t]*$/.test(text)) return;
          const line = { line: i + 1, offset: 0, text };
          expect(viaScanner(line), `${f}:${i + 1}`).toEqual(viaChevrotain(line));
          lines++;
        });
      }
      expect(lines).toBeGreaterThan(20000);
    });
  });

  describe('with asciiOnly, a line with any other character than printable ASCII and tab is left to chevrotain', () => {
    it.each([
      ['-A X -j ACCEPT', true],
      ['-A X\t-j ACCEPT', true],
      ['-A X -j ACCEPT\u00e9', false],
      ['-A X\u00a0-j ACCEPT', false],
      ['-A X\v-j ACCEPT', false],
      ['-A X -m comment --comment "caf\u00e9" -j ACCEPT', false],
      ['-A X -m comment --comment "a\\\u0001" -j ACCEPT', false],
      ['-A X -m comment --comment "tab\tinside" -j ACCEPT', true],
      ['-A X\r-j ACCEPT', false],
      ['\u0007', false],
    ])('%j → scanned: %s', (text, scanned) => {
      const line = { line: 1, offset: 0, text };
      const words = scanWords(line, true);
      expect(words !== null).toBe(scanned);
      if (words) expect(words.map((w) => [w.text, w.quoted, w.tokenType, w.start, w.end])).toEqual(viaChevrotain(line));
    });

    it('on generated lines with odd characters', () => {
      const piece = fc.oneof(
        fc.constantFrom('-A', '-j', '!', '"a b"', '"\\""', 'x', '\u00e9', '\r', '\u000b', '\u0000', '\t', '\u00a0', '"\u00e9"'),
        fc.stringMatching(/^[a-z0-9-]{1,6}$/),
      );
      fc.assert(
        fc.property(fc.array(fc.tuple(piece, fc.constantFrom(' ', '')), { maxLength: 10 }), (parts) => {
          const text = parts.map(([p, sp]) => p + sp).join('');
          const line = { line: 1, offset: 0, text };
          const printable = /^[\x20-\x7e\t]*$/.test(text);
          const words = scanWords(line, true);
          if (!printable) expect(words).toBeNull();
          else expect(words?.map((w) => [w.text, w.quoted, w.tokenType, w.start, w.end]) ?? null).toEqual(viaChevrotain(line));
        }),
        { numRuns: 2000, seed: 7 },
      );
    });
  });

  it('a CR inside a line ends the scan instead of reading empty words forever', () => {
    expect(scanWords({ line: 1, offset: 0, text: '-A X\r -j ACCEPT' })).toBeNull();
  });
});
