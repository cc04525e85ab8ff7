// Flowtables (nft(8) FLOWTABLES) and named stateful objects (nft(8) STATEFUL OBJECTS: counter, quota, limit,
// ct helper/timeout/expectation, secmark, synproxy, tunnel). Object bodies are kept as lines of words.
import type { Flowtable, NftObject } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import { parseSetLiteral } from './expr';
import { unquote, type Token } from './lexer';
import { parsePriority } from './chain';
import { skipToLineEnd } from './rule';

export const OBJECT_TYPES: ReadonlySet<string> = new Set(['counter', 'quota', 'limit', 'secmark', 'synproxy', 'tunnel']);
export const CT_OBJECT_TYPES: ReadonlySet<string> = new Set(['helper', 'timeout', 'expectation']);

export function parseFlowtable(c: Cursor): Flowtable {
  const nameTok = c.word('a flowtable name');
  const f: Flowtable = { name: unquote(nameTok.text), hook: '', priority: { offset: 0 }, devices: [], extra: [] };
  c.expect('{');
  if (c.peek().kind === 'handle') f.handle = Number(c.next().text);
  for (;;) {
    c.skipNewlines();
    if (c.is('}') || c.atEnd()) break;
    const start = c.pos;
    try {
      if (c.eat('hook')) {
        f.hook = c.word('a hook').text;
        c.expect('priority');
        f.priority = parsePriority(c);
      } else if (c.eat('devices')) {
        c.expect('=');
        f.devices = parseSetLiteral(c).elements.map((e) => (e.key.kind === 'value' ? e.key.text : ''));
      } else {
        skipToLineEnd(c);
        f.extra.push(c.textOf(start, c.pos));
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      c.report('error', 'nft/syntax', e.token, e.message);
      skipToLineEnd(c);
      if (c.pos === start) c.next();
    }
  }
  c.expect('}');
  f.span = c.span(nameTok, c.tokens[c.pos - 1] as Token);
  return f;
}

/** After the object type (`counter`, `ct helper` …): the name and the body lines. */
export function parseObject(c: Cursor, type: string): NftObject {
  const nameTok = c.word(`a ${type} name`);
  const o: NftObject = { type, name: unquote(nameTok.text), lines: [] };
  c.expect('{');
  if (c.peek().kind === 'handle') o.handle = Number(c.next().text);
  for (;;) {
    c.skipNewlines();
    if (c.is('}') || c.atEnd()) break;
    if (c.is('comment') && c.peek(1).kind === 'string') {
      c.next();
      o.comment = unquote(c.next().text);
      continue;
    }
    const line: string[] = [];
    const first = c.peek();
    while (!c.atEnd()) {
      const t = c.peek();
      if (t.kind === 'newline' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'))) break;
      if (t.kind === 'punct' && t.text === '{') {
        const end = c.matching(c.pos);
        line.push(c.textOf(c.pos, end));
        c.pos = end;
        continue;
      }
      line.push(c.next().text);
    }
    if (line.length === 0) throw new ParseError(first, `expected a ${type} property, found ${describe(first)}`);
    o.lines.push(line);
  }
  c.expect('}');
  o.span = c.span(nameTok, c.tokens[c.pos - 1] as Token);
  return o;
}
