// Statements of a rule (nft(8) STATEMENTS; parser_bison.y stmt). parseStatement reads one statement at the
// cursor; a statement it does not type is kept verbatim up to the next statement or selector, with a warning.
import type { LocatedStmt, Stmt } from '../model/stmt';
import type { Rule } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import {
  isBoundary, isSelectorStart, parseConcatOfSelectors, parseMapRef, parseValue,
} from './expr';
import type { Token } from './lexer';
import { NAT_FLAGS, REL_OPS } from './vocab';

/** Parses the rules of an anonymous chain `{ … }`; provided by rule.ts (which owns rule boundaries). */
export type BlockParser = (c: Cursor) => Rule[];

export function parseStatement(c: Cursor, block: BlockParser): LocatedStmt {
  const first = c.peek();
  const startPos = c.pos;
  const s = parseStatementInner(c, block) as LocatedStmt;
  s.span = c.span(first, c.tokens[Math.max(startPos, c.pos - 1)] as Token);
  return s;
}

function parseStatementInner(c: Cursor, block: BlockParser): Stmt {
  const t = c.peek();
  const w = t.kind === 'word' ? t.text : '';
  switch (w) {
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
      c.next();
      return { kind: 'verdict', verdict: w };
    case 'jump':
    case 'goto': {
      c.next();
      if (c.is('{')) return { kind: 'verdict', verdict: w, rules: block(c) };
      return { kind: 'verdict', verdict: w, chain: c.word('a chain name').text };
    }
    case 'counter':
      return parseCounter(c);
    case 'log':
      return parseLog(c);
    case 'limit':
      return parseLimit(c);
    case 'quota':
      return parseQuota(c);
    case 'notrack':
      c.next();
      return { kind: 'notrack' };
    case 'xt':
      if (['match', 'target', 'watcher'].includes(c.peek(1).text)) return parseXt(c);
      break;
    case 'reject':
      return parseReject(c);
    case 'snat':
    case 'dnat':
    case 'masquerade':
    case 'redirect':
      return parseNat(c);
    case 'tproxy':
      return parseTproxy(c);
    case 'queue':
      return parseQueue(c);
    case 'add':
    case 'update':
    case 'delete':
      if (c.peek(1).text.startsWith('@')) return parseSetUpdate(c, block);
      break;
  }
  if (isSelectorStart(c) && !(w === 'ct' && c.is('count', 1))) return parseSelectorStatement(c);
  return parseVerbatim(c);
}

/** Statement words that are never a value (`dnat`, `redirect` are: `ct status dnat`, `icmp type redirect`). */
const NOT_VALUES = new Set(['accept', 'drop', 'continue', 'return', 'jump', 'goto', 'counter', 'log', 'limit', 'quota', 'notrack', 'reject', 'masquerade', 'tproxy', 'comment']);

/** `selector [op] value`, `selector set value`, `selector vmap map`. */
function parseSelectorStatement(c: Cursor): Stmt {
  const left = parseConcatOfSelectors(c);
  if (c.eat('set')) return { kind: 'mangle', target: left, value: parseValue(c, true) };
  if (c.eat('vmap')) return { kind: 'vmap', key: left, map: parseMapRef(c) };
  const opTok = c.peek();
  const op = opTok.kind === 'word' ? REL_OPS.get(opTok.text) : undefined;
  if (op) c.next();
  const v = c.peek();
  if (v.kind === 'eof' || v.kind === 'newline' || v.kind === 'handle' || (v.kind === 'punct' && v.text !== '{' && v.text !== '(')) {
    throw new ParseError(v, `expected a value to compare with, found ${describe(v)}`);
  }
  if (v.kind === 'word' && NOT_VALUES.has(v.text)) throw new ParseError(v, `expected a value to compare with, found the statement ${describe(v)}`);
  const right = parseValue(c, false);
  return op ? { kind: 'match', left, op, right } : { kind: 'match', left, right };
}

function parseCounter(c: Cursor): Stmt {
  c.next();
  if (c.eat('name')) return { kind: 'counter', name: parseValue(c, true) };
  const s: Extract<Stmt, { kind: 'counter' }> = { kind: 'counter' };
  if (c.eat('packets')) s.packets = c.word('a packet count').text;
  if (c.eat('bytes')) s.bytes = c.word('a byte count').text;
  return s;
}

const LOG_KEYS = new Set(['prefix', 'level', 'group', 'snaplen', 'queue-threshold', 'flags']);

function parseLog(c: Cursor): Stmt {
  c.next();
  const options: Array<{ key: string; value?: string }> = [];
  while (c.peek().kind === 'word' && LOG_KEYS.has(c.peek().text)) {
    const key = c.next().text;
    if (key === 'flags') {
      // `flags all`, `flags skuid`, `flags ether`, `flags ip options`, `flags tcp sequence,options`.
      const from = c.pos;
      if (c.is('tcp') || c.is('ip')) c.next();
      c.word('log flags');
      while (c.is(',') && !c.peek().spaced) {
        c.next();
        c.word('log flags');
      }
      options.push({ key, value: c.textOf(from, c.pos) });
    } else options.push({ key, value: c.word(`the log ${key}`).text });
  }
  return { kind: 'log', options };
}

function parseLimit(c: Cursor): Stmt {
  c.next();
  if (c.eat('name')) return { kind: 'limit', over: false, name: parseValue(c, true) };
  c.expect('rate');
  const s: Extract<Stmt, { kind: 'limit' }> = { kind: 'limit', over: false };
  if (c.eat('over')) s.over = true;
  else if (c.eat('until')) s.over = false;
  const r = c.word('a rate');
  const slash = r.text.indexOf('/');
  if (slash > 0) {
    s.rate = r.text.slice(0, slash);
    s.per = r.text.slice(slash + 1);
  } else {
    s.rate = r.text;
    const u = c.word("a unit ('bytes/second' …)");
    const us = u.text.indexOf('/');
    if (us <= 0) throw new ParseError(u, `expected '<unit>/<period>', found ${describe(u)}`);
    s.rateUnit = u.text.slice(0, us);
    s.per = u.text.slice(us + 1);
  }
  if (c.eat('burst')) {
    s.burst = c.word('a burst').text;
    if (c.is('packets') || /bytes$/.test(c.peek().text)) s.burstUnit = c.next().text;
  }
  return s;
}

function parseQuota(c: Cursor): Stmt {
  c.next();
  if (c.eat('name')) return { kind: 'quota', over: false, name: parseValue(c, true) };
  const s: Extract<Stmt, { kind: 'quota' }> = { kind: 'quota', over: false };
  if (c.eat('over')) s.over = true;
  else c.eat('until');
  s.amount = c.word('a quota amount').text;
  s.unit = c.word("a unit ('bytes', 'kbytes', 'mbytes' …)").text;
  if (c.eat('used')) {
    s.used = c.word('the used amount').text;
    s.usedUnit = c.word('a unit').text;
  }
  return s;
}

function parseReject(c: Cursor): Stmt {
  c.next();
  if (!c.eat('with')) return { kind: 'reject' };
  const kind = c.word("'icmp', 'icmpv6', 'icmpx' or 'tcp'").text;
  const from = c.pos;
  if (kind === 'tcp') c.expect('reset');
  else {
    c.eat('type');
    c.word('an ICMP code');
  }
  return { kind: 'reject', with: kind, code: c.textOf(from, c.pos) };
}

function parseNat(c: Cursor): Stmt {
  const type = c.next().text as 'snat' | 'dnat' | 'masquerade' | 'redirect';
  const s: Extract<Stmt, { kind: 'nat' }> = { kind: 'nat', type, flags: [] };
  if ((c.is('ip') || c.is('ip6')) && (c.is('to', 1) || c.is('prefix', 1) || c.is('addr', 1))) s.family = c.next().text as 'ip';
  if (c.is('prefix')) s.mode = c.next().text;
  else if (c.is('addr') && c.is('.', 1)) {
    const from = c.pos;
    c.next();
    c.next();
    c.expect('port');
    s.mode = c.textOf(from, c.pos);
  }
  if (c.eat('to')) s.to = parseValue(c, true);
  else if ((type === 'snat' || type === 'dnat') && !isBoundary(c) && !NAT_FLAGS.has(c.peek().text)) {
    // Old syntax without `to` (`dnat 10.0.0.2:22`), still accepted by nft and written by fw4.
    s.to = parseValue(c, true);
    s.withoutTo = true;
  }
  parseFlags(c, s.flags);
  return s;
}

function parseFlags(c: Cursor, out: string[]): void {
  while (c.peek().kind === 'word' && NAT_FLAGS.has(c.peek().text)) {
    out.push(c.next().text);
    if (c.is(',') && !c.peek().spaced) c.next();
  }
}

function parseTproxy(c: Cursor): Stmt {
  c.next();
  const s: Extract<Stmt, { kind: 'tproxy' }> = { kind: 'tproxy', to: { kind: 'value', text: '' } };
  if (c.is('ip') || c.is('ip6')) s.family = c.next().text as 'ip';
  c.expect('to');
  s.to = parseValue(c, false);
  return s;
}

const QUEUE_WORDS = new Set(['num', 'flags', 'to', 'fanout', 'bypass']);

function parseQueue(c: Cursor): Stmt {
  c.next();
  const options: string[] = [];
  while (c.peek().kind === 'word' && QUEUE_WORDS.has(c.peek().text)) {
    const from = c.pos;
    const w = c.next().text;
    if (w === 'num' || w === 'to' || w === 'flags') {
      if (c.is('{') || isSelectorStart(c)) parseValue(c, true);
      else c.word(`the queue ${w}`);
    }
    while (c.is(',') && !c.peek().spaced) {
      c.next();
      c.word('a queue flag');
    }
    options.push(c.textOf(from, c.pos));
  }
  return { kind: 'queue', options };
}

function parseSetUpdate(c: Cursor, block: BlockParser): Stmt {
  const op = c.next().text as 'add' | 'update' | 'delete';
  const name = c.next().text.slice(1);
  c.expect('{');
  const elem = parseConcatOfSelectors(c);
  const s: Extract<Stmt, { kind: 'setUpdate' }> = { kind: 'setUpdate', op, set: name, elem, stmts: [] };
  if (c.eat('timeout')) s.timeout = c.word('a timeout').text;
  if (c.eat(':')) s.data = parseConcatOfSelectors(c);
  while (!c.is('}')) {
    if (c.atEnd() || c.peek().kind === 'newline') throw new ParseError(c.peek(), `expected '}' to close the set element, found ${describe(c.peek())}`);
    s.stmts.push(parseStatement(c, block));
  }
  c.expect('}');
  return s;
}

/** `xt match NAME` / `xt target "NAME"` (model/stmt.ts XtStmt). */
function parseXt(c: Cursor): Stmt {
  c.next();
  const type = c.next().text as 'match' | 'target' | 'watcher';
  const t = c.peek();
  if (t.kind === 'string') {
    c.next();
    return { kind: 'xt', type, name: t.text.slice(1, -1), quoted: true };
  }
  return { kind: 'xt', type, name: c.word(`the name of the x_tables ${type}`).text };
}

/** An untyped statement: its first word, then everything up to the next statement or selector. */
function parseVerbatim(c: Cursor): Stmt {
  const first = c.peek();
  if (first.kind !== 'word' && first.kind !== 'string' && !(first.kind === 'punct' && (first.text === '{' || first.text === '('))) {
    throw new ParseError(first, `expected a statement, found ${describe(first)}`);
  }
  const from = c.pos;
  skipOne(c);
  // `flow add @ft`, `flow offload @ft`: `add` would otherwise start a set statement.
  if (first.text === 'flow') {
    skipOne(c);
    skipOne(c);
  }
  while (!isBoundary(c)) skipOne(c);
  // `synproxy name ip saddr map { … }`: an object reference by a selector's value belongs to the statement.
  if (c.tokens[c.pos - 1]?.text === 'name' && !c.atEnd()) parseValue(c, true);
  const text = c.textOf(from, c.pos);
  c.report('warning', 'nft/verbatim-statement', first, `statement '${text}' is not typed by this reader; kept verbatim`, c.tokens[c.pos - 1] as Token);
  return { kind: 'verbatim', text };
}

function skipOne(c: Cursor): void {
  const t = c.peek();
  if (t.kind === 'punct' && (t.text === '{' || t.text === '(')) {
    c.pos = c.matching(c.pos);
    return;
  }
  c.next();
}
