// `set NAME { … }` and `map NAME { … }` blocks (nft(8) SETS, MAPS): key and data types (`type`/`typeof`,
// concatenations with ` . `), flags, timeouts, size, policy, stateful expressions and elements.
import type { NamedSet } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import { parseConcatOfSelectors, parseSetLiteral } from './expr';
import { unquote } from './lexer';
import { braceDepth, skipToLineEnd } from './rule';

const endOfItem = (c: Cursor) => {
  const t = c.peek();
  return t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
};

/** After `set`/`map`: the name and the block. */
export function parseSetBlock(c: Cursor, isMap: boolean): NamedSet {
  const nameTok = c.word(`a ${isMap ? 'map' : 'set'} name`);
  const s: NamedSet = { name: unquote(nameTok.text), isMap, flags: [], stmts: [] };
  c.expect('{');
  if (c.peek().kind === 'handle') s.handle = Number(c.next().text);
  parseSetBody(c, s);
  c.expect('}');
  s.span = c.span(nameTok, c.tokens[c.pos - 1] as typeof nameTok);
  return s;
}

/** Items up to the closing `}` (not consumed). Each item error is reported and the next line read. */
export function parseSetBody(c: Cursor, s: NamedSet): void {
  for (;;) {
    c.skipNewlines();
    if (c.is('}') || c.atEnd()) return;
    const start = c.pos;
    try {
      parseSetItem(c, s);
      if (!endOfItem(c)) throw new ParseError(c.peek(), `unexpected ${describe(c.peek())} in ${s.isMap ? 'map' : 'set'} '${s.name}'`);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      c.report('error', 'nft/syntax', e.token.kind === 'eof' ? c.tokens[Math.max(0, c.pos - 1)]! : e.token, e.message);
      skipToLineEnd(c, braceDepth(c, start, c.pos));
      if (c.pos === start) c.next();
    }
  }
}

function parseSetItem(c: Cursor, s: NamedSet): void {
  const t = c.word('a set property');
  switch (t.text) {
    case 'type':
    case 'typeof': {
      const typeofForm = t.text === 'typeof';
      if (typeofForm) s.keyTypeof = parseConcatOfSelectors(c);
      else s.keyType = typeList(c);
      if (c.eat(':')) {
        if (c.eat('interval')) s.dataInterval = true;
        if (c.is('ct') && ['helper', 'timeout', 'expectation'].includes(c.peek(1).text)) {
          // Object maps to ct objects: `: ct helper` (two words, one type).
          const a = c.next().text;
          s.dataType = [`${a} ${c.next().text}`];
        } else if (typeofForm && !isTypeName(c)) s.dataTypeof = parseConcatOfSelectors(c);
        else s.dataType = typeList(c);
      }
      return;
    }
    case 'flags':
      s.flags = wordList(c, 'a set flag');
      return;
    case 'timeout':
      s.timeout = c.word('a timeout').text;
      return;
    case 'gc-interval':
      s.gcInterval = c.word('an interval').text;
      return;
    case 'size':
      s.size = c.word('a size').text;
      if (c.peek().kind === 'count') s.count = c.next().text;
      return;
    case 'policy':
      s.policy = c.word("'performance' or 'memory'").text;
      return;
    case 'auto-merge':
      s.autoMerge = true;
      return;
    case 'comment':
      s.comment = unquote(c.word('a comment').text);
      return;
    case 'elements':
      c.expect('=');
      s.elements = parseSetLiteral(c).elements;
      return;
    case 'counter':
    case 'quota':
    case 'limit':
    case 'last':
    case 'ct': {
      // Stateful expressions attached to every element (nft 1.0: `counter`, `quota 10 mbytes`, `limit rate …`).
      const from = c.pos - 1;
      while (!endOfItem(c)) c.next();
      s.stmts.push(c.textOf(from, c.pos));
      return;
    }
    default:
      throw new ParseError(t, `unknown ${s.isMap ? 'map' : 'set'} property ${describe(t)}`);
  }
}

/** `a . b . c` of type names. */
function typeList(c: Cursor): string[] {
  const out = [c.word('a data type').text];
  while (c.is('.')) {
    c.next();
    out.push(c.word('a data type').text);
  }
  return out;
}

/** `typeof … : verdict` / `: counter`: a type name where a selector would otherwise be read. */
function isTypeName(c: Cursor): boolean {
  const w = c.peek().text;
  return w === 'verdict' || w === 'counter' || w === 'quota' || w === 'limit' || w === 'ct' && !c.is('mark', 1) && !c.is('state', 1);
}

/** `a,b,c` (nft prints flags without blanks; scripts may write `a, b`). */
export function wordList(c: Cursor, what: string): string[] {
  const out = [c.word(what).text];
  while (c.is(',')) {
    c.next();
    out.push(c.word(what).text);
  }
  return out;
}
