// `chain NAME { … }`: the base chain line (`type T hook H [device D] priority P; policy X;`), a chain comment,
// and the rules. Priorities are kept as written (name + offset); resolving names to numbers depends on the
// family (nft(8) CHAINS, table "Standard priority names") and is left to the consumer.
import type { BaseChainSpec, Chain, Priority } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import { parseSetLiteral } from './expr';
import { unquote, type Token } from './lexer';
import { parseRule, skipToLineEnd } from './rule';

const BLOCK_KEYWORDS = new Set(['chain', 'set', 'map', 'flowtable', 'table']);

export function parseChainBlock(c: Cursor): Chain {
  const nameTok = c.word('a chain name');
  const chain: Chain = { name: unquote(nameTok.text), rules: [] };
  c.expect('{');
  if (c.peek().kind === 'handle') chain.handle = Number(c.next().text);
  parseChainBody(c, chain);
  const close = c.peek();
  if (c.is('}')) c.next();
  else c.report('error', 'nft/unclosed', nameTok, `chain '${chain.name}' is not closed: missing '}' before ${describe(close)}`);
  chain.span = c.span(nameTok, c.tokens[c.pos - 1] as Token);
  return chain;
}

/** Lines up to the closing `}` (not consumed). */
export function parseChainBody(c: Cursor, chain: Chain): void {
  for (;;) {
    c.skipNewlines();
    if (c.is('}') || c.atEnd()) return;
    if (looksLikeBlockStart(c)) return; // a missing `}`: the caller reports it
    const start = c.pos;
    try {
      if (c.is('type') && c.is('hook', 2)) {
        chain.base = parseBaseSpec(c);
        continue;
      }
      if (c.is('policy')) {
        c.next();
        const base = chain.base;
        const p = parsePolicy(c);
        if (base) base.policy = p;
        else c.report('error', 'nft/policy-without-hook', c.tokens[start]!, `'policy' is only valid in a base chain (after 'type … hook …')`);
        c.eat(';');
        continue;
      }
      if (c.is('comment') && c.peek(1).kind === 'string' && isLineEnd(c.peek(2))) {
        c.next();
        chain.comment = unquote(c.next().text);
        continue;
      }
      if (c.is('devices') && c.is('=', 1)) {
        c.next();
        c.next();
        const devices = parseSetLiteral(c).elements.map((e) => (e.key.kind === 'value' ? e.key.text : ''));
        if (chain.base) {
          chain.base.devices = devices;
          chain.base.devicesList = true;
        }
        continue;
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      c.report('error', 'nft/syntax', e.token, e.message);
      skipToLineEnd(c);
      if (c.pos === start) c.next();
      continue;
    }
    chain.rules.push(parseRule(c));
    if (c.pos === start) {
      c.report('error', 'nft/syntax', c.peek(), `unexpected ${describe(c.peek())}`);
      c.next();
    }
  }
}

const isLineEnd = (t: Token) => t.kind === 'newline' || t.kind === 'eof' || t.kind === 'handle' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));

function looksLikeBlockStart(c: Cursor): boolean {
  const t = c.peek();
  if (t.kind !== 'word' || !BLOCK_KEYWORDS.has(t.text)) return false;
  return c.is('{', 2) || c.is('{', 3);
}

/** `type filter hook input [device "x" | devices = { … }] priority filter; [policy accept;]`. */
function parseBaseSpec(c: Cursor): BaseChainSpec {
  c.expect('type');
  const type = c.word('a chain type').text;
  c.expect('hook');
  const hook = c.word('a hook').text;
  const spec: BaseChainSpec = { type, hook, priority: { offset: 0 } };
  if (c.eat('device')) spec.devices = [c.word('a device').text];
  else if (c.is('devices')) {
    c.next();
    c.expect('=');
    spec.devices = parseSetLiteral(c).elements.map((e) => (e.key.kind === 'value' ? e.key.text : ''));
    spec.devicesList = true;
  }
  if (c.eat('priority')) spec.priority = parsePriority(c);
  else throw new ParseError(c.peek(), `expected 'priority' in the base chain declaration, found ${describe(c.peek())}`);
  c.eat(';');
  if (c.eat('policy')) {
    spec.policy = parsePolicy(c);
    c.eat(';');
  }
  return spec;
}

function parsePolicy(c: Cursor): 'accept' | 'drop' {
  const t = c.word("'accept' or 'drop'");
  if (t.text !== 'accept' && t.text !== 'drop') throw new ParseError(t, `expected 'accept' or 'drop' as policy, found ${describe(t)}`);
  return t.text;
}

/** `filter`, `filter + 10`, `dstnat - 5`, `-150`, `100`. */
export function parsePriority(c: Cursor): Priority {
  const t = c.word('a priority');
  const n = Number(t.text);
  if (/^-?\d+$/.test(t.text) && Number.isFinite(n)) return { offset: n };
  if (!/^[a-z][a-z0-9_-]*$/.test(t.text)) throw new ParseError(t, `expected a priority (number or name), found ${describe(t)}`);
  const p: Priority = { name: t.text, offset: 0 };
  if ((c.is('+') || c.is('-')) && /^\d+$/.test(c.peek(1).text)) {
    const sign = c.next().text === '-' ? -1 : 1;
    p.offset = sign * Number(c.next().text);
  } else if (/^[+-]\d+$/.test(c.peek().text)) p.offset = Number(c.next().text);
  return p;
}
