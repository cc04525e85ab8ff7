// JSON output: bigints (addresses, counters) become decimal strings; Maps become objects. The control and
// invisible characters a terminal would act on are written as \uXXXX escapes (JSON.stringify leaves DEL, C1 and
// the bidi controls raw): the same set visibleText shows escaped in text output, and the same JSON value.
import { INVISIBLE_CHARS } from '@chainsight/grammar';

const unicodeEscape = (ch: string) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;

export function toJson(value: unknown, indent = 2): string {
  const text = JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v), indent);
  return text.replace(INVISIBLE_CHARS, unicodeEscape);
}
