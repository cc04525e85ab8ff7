// A small JSON reader that keeps the source position of every value, so that a host-context error can point at
// the line and column of the offending field (JSON.parse only reports a character offset for syntax errors).
import type { Span } from '@chainsight/grammar';

export type LocatedValue =
  | { kind: 'object'; span: Span; entries: { key: string; keySpan: Span; value: LocatedValue }[] }
  | { kind: 'array'; span: Span; items: LocatedValue[] }
  | { kind: 'string'; span: Span; value: string }
  | { kind: 'number'; span: Span; value: number }
  | { kind: 'boolean'; span: Span; value: boolean }
  | { kind: 'null'; span: Span };

export class JsonSyntaxError extends Error {
  constructor(message: string, readonly span: Span) {
    super(message);
  }
}

export function parseLocatedJson(text: string): LocatedValue {
  return parseValues(text, false)[0]!;
}

/** Several JSON values one after another (`ip -j addr; ip -j route` into one file), each with its position;
 *  `origin`: where `text` starts in its file (a section of a host capture), positions are counted from there. */
export function parseLocatedJsonSequence(text: string, origin: { line: number; offset: number } = { line: 1, offset: 0 }): LocatedValue[] {
  return parseValues(text, true, origin);
}

/**
 * How deep arrays and objects may nest. iproute2's deepest output (`ip -j -d addr`: array, entry, linkinfo,
 * info_data, …) nests about 6 deep; the bound keeps this recursive reader from exhausting the stack on hostile
 * input (5,000 nested brackets), with a located error instead.
 */
export const MAX_JSON_DEPTH = 100;

function parseValues(text: string, many: boolean, origin: { line: number; offset: number } = { line: 1, offset: 0 }): LocatedValue[] {
  let i = 0;
  let line = origin.line;
  let lineStart = 0;
  const pos = (offset: number) => {
    // Recount from the last known line start: callers only ask for offsets at or after `lineStart` of the
    // current scan position, except for span starts, which are recorded before advancing.
    return { line, column: offset - lineStart + 1, offset: offset + origin.offset };
  };
  const here = () => pos(i);
  const fail = (message: string): never => {
    const p = here();
    throw new JsonSyntaxError(message, { start: p, end: { ...p, column: p.column + 1, offset: p.offset + 1 } });
  };
  const ws = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 10) { i++; line++; lineStart = i; } else if (c === 32 || c === 9 || c === 13) i++;
      else break;
    }
  };
  let depth = 0;
  const value = (): LocatedValue => {
    ws();
    const start = here();
    const c = text[i];
    if ((c === '{' || c === '[') && depth >= MAX_JSON_DEPTH) fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    if (c === '{') {
      i++;
      const entries: { key: string; keySpan: Span; value: LocatedValue }[] = [];
      ws();
      if (text[i] === '}') { i++; return { kind: 'object', span: { start, end: here() }, entries }; }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expected a quoted property name');
        const keyStart = here();
        const key = str();
        const keySpan = { start: keyStart, end: here() };
        ws();
        if (text[i] !== ':') fail("expected ':' after the property name");
        i++;
        depth++;
        entries.push({ key, keySpan, value: value() });
        depth--;
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; break; }
        fail("expected ',' or '}'");
      }
      return { kind: 'object', span: { start, end: here() }, entries };
    }
    if (c === '[') {
      i++;
      const items: LocatedValue[] = [];
      ws();
      if (text[i] === ']') { i++; return { kind: 'array', span: { start, end: here() }, items }; }
      for (;;) {
        depth++;
        items.push(value());
        depth--;
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; break; }
        fail("expected ',' or ']'");
      }
      return { kind: 'array', span: { start, end: here() }, items };
    }
    if (c === '"') {
      const s = str();
      return { kind: 'string', span: { start, end: here() }, value: s };
    }
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!lit) fail(i >= text.length ? 'unexpected end of input' : `unexpected character '${text[i]}'`);
    const word = lit![0];
    i += word.length;
    const span = { start, end: here() };
    if (word === 'true' || word === 'false') return { kind: 'boolean', span, value: word === 'true' };
    if (word === 'null') return { kind: 'null', span };
    return { kind: 'number', span, value: Number(word) };
  };
  const str = (): string => {
    i++; // opening quote
    let out = '';
    for (;;) {
      const c = text[i];
      if (c === undefined || c === '\n') fail('unterminated string');
      if (c === '"') { i++; return out; }
      if (c === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else if (e !== undefined && map[e] !== undefined) {
          out += map[e];
          i += 2;
        } else fail('bad escape');
        continue;
      }
      out += c;
      i++;
    }
  };
  const values: LocatedValue[] = [];
  do {
    values.push(value());
    ws();
  } while (many && i < text.length);
  if (i < text.length) fail('unexpected text after the JSON value');
  return values;
}
