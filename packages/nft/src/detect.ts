// Which of nft's two listings a text is: JSON starts with `{` (after blanks); anything else is nft syntax.
import type { ParseResult } from './model/ruleset';
import { parseNftJson } from './json/parse';
import { parseNftText } from './text/parse';

export function detectNftFormat(text: string): 'nft-json' | 'nft-text' {
  return /^\s*\{/.test(text) && !/^\s*\{\s*\n\s*(table|chain|add)\b/.test(text) ? 'nft-json' : 'nft-text';
}

/** Parse either form, detected from the text. */
export function parseNft(text: string, file = '<input>'): ParseResult {
  return detectNftFormat(text) === 'nft-json' ? parseNftJson(text, file) : parseNftText(text, file);
}
