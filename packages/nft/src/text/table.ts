// `table [family] NAME { … }`: the table's items (chains, sets, maps, flowtables, objects, flags, comment).
// An item that fails is reported and skipped as a whole block, so the next item still parses.
import { FAMILIES, newTable, tableKey, type Family, type Ruleset, type Table } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import { unquote, type Token } from './lexer';
import { parseChainBlock } from './chain';
import { CT_OBJECT_TYPES, OBJECT_TYPES, parseFlowtable, parseObject } from './objects';
import { braceDepth, skipToLineEnd } from './rule';
import { parseSetBlock, wordList } from './set';

/** `[family] name`: family defaults to ip (nft(8) ADDRESS FAMILIES). */
export function parseTableId(c: Cursor): { family: Family; name: string; at: Token } {
  const first = c.word('a table family or name');
  if ((FAMILIES as readonly string[]).includes(first.text) && (c.peek().kind === 'word' || c.peek().kind === 'string')) {
    return { family: first.text as Family, name: unquote(c.next().text), at: first };
  }
  return { family: 'ip', name: unquote(first.text), at: first };
}

export function ensureTable(rs: Ruleset, family: Family, name: string): Table {
  const key = tableKey(family, name);
  let t = rs.tables.get(key);
  if (!t) {
    t = newTable(family, name);
    rs.tables.set(key, t);
  }
  return t;
}

/** After `table`: the id and, when present, the block. */
export function parseTable(c: Cursor, rs: Ruleset, defines: (c: Cursor) => void): void {
  const id = parseTableId(c);
  const table = ensureTable(rs, id.family, id.name);
  if (!c.is('{')) return; // `table inet fw4` declaration of an nft -f script
  c.next();
  if (c.peek().kind === 'handle') table.handle = Number(c.next().text);
  parseTableBody(c, table, defines);
  if (c.is('}')) c.next();
  else c.report('error', 'nft/unclosed', id.at, `table '${id.family} ${id.name}' is not closed: missing '}' before ${describe(c.peek())}`);
  table.span = c.span(id.at, c.tokens[c.pos - 1] as Token);
}

export function parseTableBody(c: Cursor, table: Table, defines: (c: Cursor) => void): void {
  for (;;) {
    c.skipNewlines();
    if (c.is('}') || c.atEnd()) return;
    if (c.is('table') && (c.is('{', 2) || c.is('{', 3))) return; // missing `}`: the caller reports it
    const start = c.pos;
    try {
      parseTableItem(c, table, defines);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      c.report('error', 'nft/syntax', e.token.kind === 'eof' ? c.tokens[Math.max(0, c.pos - 1)]! : e.token, e.message);
      skipToLineEnd(c, braceDepth(c, start, c.pos));
      if (c.is('}') && braceDepth(c, start, c.pos) > 0) c.next();
      if (c.pos === start) c.next();
    }
  }
}

function parseTableItem(c: Cursor, table: Table, defines: (c: Cursor) => void): void {
  const t = c.peek();
  const w = t.kind === 'word' ? t.text : '';
  if (w === 'chain') {
    c.next();
    const ch = parseChainBlock(c);
    addItem(c, table, 'chain', ch.name, t, () => table.chains.set(ch.name, ch), table.chains.has(ch.name));
    return;
  }
  if (w === 'set' || w === 'map') {
    c.next();
    const s = parseSetBlock(c, w === 'map');
    addItem(c, table, 'set', s.name, t, () => table.sets.set(s.name, s), table.sets.has(s.name));
    return;
  }
  if (w === 'flowtable') {
    c.next();
    const f = parseFlowtable(c);
    addItem(c, table, 'flowtable', f.name, t, () => table.flowtables.set(f.name, f), table.flowtables.has(f.name));
    return;
  }
  if (OBJECT_TYPES.has(w) || (w === 'ct' && CT_OBJECT_TYPES.has(c.peek(1).text))) {
    c.next();
    const type = w === 'ct' ? `ct ${c.next().text}` : w;
    const o = parseObject(c, type);
    const key = `${type} ${o.name}`;
    addItem(c, table, 'object', key, t, () => table.objects.set(key, o), table.objects.has(key));
    return;
  }
  if (w === 'flags') {
    c.next();
    table.flags = wordList(c, 'a table flag');
    return;
  }
  if (w === 'comment') {
    c.next();
    table.comment = unquote(c.word('a comment').text);
    return;
  }
  if (w === 'define' || w === 'include') {
    defines(c);
    return;
  }
  throw new ParseError(t, `expected a chain, set, map, flowtable or object in table '${table.family} ${table.name}', found ${describe(t)}`);
}

function addItem(c: Cursor, table: Table, what: 'chain' | 'set' | 'flowtable' | 'object', key: string, at: Token, set: () => void, exists: boolean): void {
  if (exists) {
    c.report('error', 'nft/duplicate', at, `${what} '${key}' is declared twice in table '${table.family} ${table.name}'; the second declaration is kept`);
    const i = table.order.findIndex((o) => o.what === what && o.key === key);
    if (i >= 0) table.order.splice(i, 1);
  }
  set();
  table.order.push({ what, key });
}
