// Text from the input shown on a terminal: control characters (C0 except tab and newline, DEL, C1) and the
// invisible format characters that reorder or hide text (bidi overrides and isolates, zero-width characters,
// line/paragraph separators, the byte-order mark) are written as visible escapes, so that a rule comment like
// `--comment "\x1b]0;pwned\x07"` cannot retitle the terminal, clear the screen or make a rule read differently
// from what the kernel sees ("Trojan Source", CVE-2021-42574). The single place every renderer escapes with.

/** The characters escaped by visibleText (JSON output escapes the same set as \uXXXX). */
export const INVISIBLE_CHARS = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060\u2066-\u2069\ufeff]/g;

/** `\x1b` for a character below U+0100, `\u{202e}` above: what the character is, readable and inert. */
export function escapeInvisible(ch: string): string {
  const code = ch.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** The text with every control or invisible format character escaped; other text (tab and newline too) unchanged. */
export function visibleText(text: string): string {
  INVISIBLE_CHARS.lastIndex = 0;
  if (!INVISIBLE_CHARS.test(text)) return text;
  return text.replace(INVISIBLE_CHARS, escapeInvisible);
}
