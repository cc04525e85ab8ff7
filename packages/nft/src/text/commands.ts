// The command form of `nft -f` scripts (what knftables, libvirt and fw4 write): `add table`, `add chain`,
// `add|insert rule`, `add set|map`, `add element`, `flush table`, `define`, `include` (nft(8) RULESET, TABLES,
// CHAINS, RULES, SETS, ELEMENTS). Applied to the model in order, as `nft -f` would apply them.
import type { Chain, Ruleset } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import { parseSetLiteral } from './expr';
import { unquote, type Token } from './lexer';
import { parseChainBody } from './chain';
import { CT_OBJECT_TYPES, OBJECT_TYPES, parseObject, parseFlowtable } from './objects';
import { parseRule } from './rule';
import { parseSetBody } from './set';
import { ensureTable, parseTableBody, parseTableId } from './table';

/** Parses `define NAME = value` or `include "path"` at the cursor. */
export function parseDefineOrInclude(c: Cursor, rs: Ruleset): void {
  const kw = c.next();
  if (kw.text === 'include') {
    const p = c.word('a path');
    rs.includes.push(unquote(p.text));
    c.report('warning', 'nft/include-not-followed', kw, `include ${p.text} is not followed (a ruleset is read as one text); what it adds is missing`, p);
    return;
  }
  const name = c.word('a variable name');
  c.expect('=');
  const from = c.pos;
  let depth = 0;
  while (!c.atEnd()) {
    const t = c.peek();
    if (depth === 0 && (t.kind === 'newline' || (t.kind === 'punct' && t.text === ';'))) break;
    if (t.kind === 'punct' && t.text === '{') depth++;
    if (t.kind === 'punct' && t.text === '}') {
      if (depth === 0) break;
      depth--;
    }
    c.next();
  }
  if (c.pos === from) throw new ParseError(c.peek(), `expected a value for '${name.text}', found ${describe(c.peek())}`);
  rs.defines.set(name.text, c.textOf(from, c.pos));
}

export function parseCommand(c: Cursor, rs: Ruleset): void {
  const verb = c.next();
  const what = c.word('an object kind (table, chain, rule, set, map, element …)');
  const v = verb.text;
  if (v === 'flush' && what.text === 'ruleset') {
    rs.tables.clear();
    return;
  }
  if (what.text === 'table') {
    const id = parseTableId(c);
    if (v === 'delete' || v === 'destroy') {
      rs.tables.delete(`${id.family} ${id.name}`);
      return;
    }
    const table = ensureTable(rs, id.family, id.name);
    if (v === 'flush') {
      // nft(8) TABLES: "flush: Delete all chains' rules in the table" (sets keep their elements in nft 1.0.x).
      for (const ch of table.chains.values()) ch.rules = [];
      return;
    }
    if (c.eat('{')) {
      parseTableBody(c, table, (cc) => parseDefineOrInclude(cc, rs));
      c.expect('}');
    }
    return;
  }
  const id = parseTableId(c);
  if (!rs.tables.has(`${id.family} ${id.name}`)) {
    c.report('error', 'nft/unknown-table', id.at, `no table '${id.family} ${id.name}' was added before this command`);
  }
  const table = ensureTable(rs, id.family, id.name);
  switch (what.text) {
    case 'chain': {
      const nameTok = c.word('a chain name');
      const name = unquote(nameTok.text);
      if (v === 'delete' || v === 'destroy') {
        table.chains.delete(name);
        table.order = table.order.filter((o) => !(o.what === 'chain' && o.key === name));
        return;
      }
      let chain = table.chains.get(name);
      if (!chain) {
        chain = { name, rules: [] } as Chain;
        table.chains.set(name, chain);
        table.order.push({ what: 'chain', key: name });
      }
      if (v === 'flush') {
        chain.rules = [];
        return;
      }
      if (c.eat('{')) {
        parseChainBody(c, chain);
        c.expect('}');
      }
      return;
    }
    case 'rule': {
      const chainTok = c.word('a chain name');
      const chain = table.chains.get(unquote(chainTok.text));
      let position: Token | undefined;
      if (c.is('position') || c.is('handle') || c.is('index')) {
        position = c.next();
        c.word('a number');
      }
      const rule = parseRule(c);
      if (!chain) {
        c.report('error', 'nft/unknown-chain', chainTok, `no chain '${chainTok.text}' in table '${id.family} ${id.name}' was added before this rule; the rule is dropped`);
        return;
      }
      if (position) c.report('warning', 'nft/rule-position', position, `'${position.text}' places a rule relative to another by handle or index; this reader places it at the ${v === 'insert' ? 'start' : 'end'} of the chain`);
      if (v === 'insert') chain.rules.unshift(rule);
      else chain.rules.push(rule);
      return;
    }
    case 'set':
    case 'map': {
      const nameTok = c.word('a set name');
      const name = unquote(nameTok.text);
      if (v === 'delete' || v === 'destroy') {
        table.sets.delete(name);
        return;
      }
      let s = table.sets.get(name);
      if (!s) {
        s = { name, isMap: what.text === 'map', flags: [], stmts: [] };
        table.sets.set(name, s);
        table.order.push({ what: 'set', key: name });
      }
      if (v === 'flush') {
        s.elements = [];
        return;
      }
      if (c.eat('{')) {
        parseSetBody(c, s);
        c.expect('}');
      }
      return;
    }
    case 'element': {
      const nameTok = c.word('a set name');
      const s = table.sets.get(unquote(nameTok.text));
      const lit = parseSetLiteral(c);
      if (!s) {
        c.report('error', 'nft/unknown-set', nameTok, `no set or map '${nameTok.text}' in table '${id.family} ${id.name}' was added before these elements`);
        return;
      }
      if (v === 'delete' || v === 'destroy') {
        c.report('warning', 'nft/element-delete', verb, 'element deletion is not applied by this reader; the elements stay in the model');
        return;
      }
      s.elements = [...(s.elements ?? []), ...lit.elements];
      return;
    }
    case 'flowtable': {
      const f = parseFlowtable(c);
      table.flowtables.set(f.name, f);
      table.order.push({ what: 'flowtable', key: f.name });
      return;
    }
    default:
      if (OBJECT_TYPES.has(what.text) || (what.text === 'ct' && CT_OBJECT_TYPES.has(c.peek().text))) {
        const type = what.text === 'ct' ? `ct ${c.next().text}` : what.text;
        const o = parseObject(c, type);
        const key = `${type} ${o.name}`;
        table.objects.set(key, o);
        table.order.push({ what: 'object', key });
        return;
      }
      throw new ParseError(what, `unknown object kind ${describe(what)} after '${v}'`);
  }
}
