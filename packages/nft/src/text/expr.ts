// Expressions of the text syntax: selectors (what a rule reads from the packet) and values (what it compares
// with). Grammar from nft(8) EXPRESSIONS and parser_bison.y (primary_expr, concat_expr, set_expr, map_expr).
import type { ElementOption, Expr, SetElement } from '../model/expr';
import { Cursor, ParseError, describe } from './cursor';
import type { Token } from './lexer';
import {
  BARE_META_KEYS, BINOPS, BINOP_CANON, CT_KEYS, EXTHDR_FIELDS, META_KEYS, OPTION_FIELDS, PAYLOAD_PROTOCOLS,
  SELECTOR_STARTS, STATEMENT_STARTS,
} from './vocab';

const RAW_PAYLOAD = /^@(ll|nh|th|ih),(\d+),(\d+)$/;
const ROUTING_KEYS = new Set(['classid', 'nexthop', 'mtu', 'ipsec', 'ip', 'ip6']);

/** Does the token start a selector (so a value cannot be read here)? */
export function isSelectorStart(c: Cursor, k = 0): boolean {
  const t = c.peek(k);
  if (t.kind !== 'word') return false;
  if (RAW_PAYLOAD.test(t.text)) return true;
  if (!SELECTOR_STARTS.has(t.text)) return false;
  // `ct`, `meta` … are selectors; a payload protocol needs a field word after it (`ip saddr`, not `ip to`).
  if (PAYLOAD_PROTOCOLS.has(t.text)) {
    const f = c.peek(k + 1);
    return f.kind === 'word' && f.text !== 'to' && !STATEMENT_STARTS.has(f.text);
  }
  return true;
}

export function isBoundary(c: Cursor): boolean {
  const t = c.peek();
  if (t.kind === 'eof' || t.kind === 'newline' || t.kind === 'handle') return true;
  if (t.kind === 'punct') return t.text === ';' || t.text === '}';
  return t.kind === 'word' && (STATEMENT_STARTS.has(t.text) || isSelectorStart(c));
}

/** A selector: payload, exthdr, raw payload, meta, ct, fib, numgen, hashes, socket/osf/rt/ipsec. */
export function parseSelector(c: Cursor): Expr {
  const t = c.word('a selector');
  const w = t.text;
  const raw = RAW_PAYLOAD.exec(w);
  if (raw) return { kind: 'rawpayload', base: raw[1] as string, offset: Number(raw[2]), len: Number(raw[3]) };
  if (w === 'meta') {
    const k = c.word('a meta key');
    if (!META_KEYS.has(k.text)) c.report('warning', 'nft/unknown-meta-key', k, `meta key '${k.text}' is not one nft 1.0.x knows; kept as written`);
    return { kind: 'meta', key: k.text, explicit: true };
  }
  if (BARE_META_KEYS.has(w) && !(w === 'ipsec' && (c.is('in') || c.is('out')))) return { kind: 'meta', key: w, explicit: false };
  if (w === 'ct') return parseCt(c);
  if (w === 'fib') {
    const flags = [c.word('a fib flag').text];
    while (c.is('.')) {
      c.next();
      flags.push(c.word('a fib flag').text);
    }
    return { kind: 'fib', flags, result: c.word("the fib result ('oif', 'oifname' or 'type')").text };
  }
  if (w === 'numgen') {
    const mode = c.word("'inc' or 'random'").text;
    c.expect('mod');
    const mod = num(c, c.word('the modulus'));
    const e: Expr = { kind: 'numgen', mode, mod };
    if (c.eat('offset')) e.offset = num(c, c.word('the offset'));
    return e;
  }
  if (w === 'jhash' || w === 'symhash') {
    const e: Extract<Expr, { kind: 'hash' }> = { kind: 'hash', fn: w, mod: 0 };
    if (w === 'jhash') e.expr = parseConcatOfSelectors(c);
    c.expect('mod');
    e.mod = num(c, c.word('the modulus'));
    if (c.eat('seed')) e.seed = c.word('the seed').text;
    if (c.eat('offset')) e.offset = num(c, c.word('the offset'));
    return e;
  }
  if (w === 'rt' && ROUTING_KEYS.has(c.peek().text)) {
    const words = [c.word('a routing key').text];
    if (words[0] === 'ip' || words[0] === 'ip6') words.push(c.word('a routing key').text);
    return { kind: 'selector', family: 'rt', words };
  }
  if (EXTHDR_FIELDS.has(w)) {
    const fields = EXTHDR_FIELDS.get(w) as ReadonlySet<string>;
    const path: string[] = [];
    if (fields.has(c.peek().text)) path.push(c.next().text);
    return { kind: 'exthdr', header: w, path };
  }
  if (w === 'exthdr') return { kind: 'exthdr', header: 'exthdr', path: [c.word('an extension header').text] };
  if ((w === 'tcp' || w === 'ip' || w === 'dccp') && c.is('option')) return parseOption(c, `${w} ${c.next().text}`);
  if (w === 'sctp' && c.is('chunk')) return parseOption(c, `sctp ${c.next().text}`);
  if (PAYLOAD_PROTOCOLS.has(w)) return { kind: 'payload', protocol: w, field: c.word(`a ${w} header field`).text };
  if (w === 'socket') {
    const words = [c.word('a socket key').text];
    if (words[0] === 'cgroupv2') words.push(c.expect('level').text, c.word('the level').text);
    return { kind: 'selector', family: 'socket', words };
  }
  if (w === 'osf') {
    const words: string[] = [];
    if (c.is('ttl')) words.push(c.next().text, c.word("'loose' or 'skip'").text);
    words.push(c.word("'name' or 'version'").text);
    return { kind: 'selector', family: 'osf', words };
  }
  if (w === 'ipsec') {
    const words = [c.word("'in' or 'out'").text];
    if (c.is('spnum')) words.push(c.next().text, c.word('the spnum').text);
    if (c.is('ip') || c.is('ip6')) words.push(c.next().text);
    words.push(c.word('an ipsec key').text);
    return { kind: 'selector', family: 'ipsec', words };
  }
  if (w === 'tunnel') return { kind: 'selector', family: 'tunnel', words: [c.word('a tunnel key').text] };
  throw new ParseError(t, `expected a selector, found ${describe(t)}`);
}

function parseCt(c: Cursor): Expr {
  const e: Extract<Expr, { kind: 'ct' }> = { kind: 'ct', key: '' };
  if (c.is('original') || c.is('reply')) e.dir = c.next().text as 'original' | 'reply';
  if ((c.is('ip') || c.is('ip6')) && e.dir) e.family = c.next().text as 'ip' | 'ip6';
  const k = c.word('a ct key');
  if (!CT_KEYS.has(k.text)) c.report('warning', 'nft/unknown-ct-key', k, `ct key '${k.text}' is not one nft 1.0.x knows; kept as written`);
  e.key = k.text;
  return e;
}

function parseOption(c: Cursor, header: string): Expr {
  const path = [c.word('an option name').text];
  if (OPTION_FIELDS.has(c.peek().text) && !c.is('set', 1) && c.peek(1).kind !== 'eof') path.push(c.next().text);
  else if (OPTION_FIELDS.has(c.peek().text) && c.is('set', 1)) path.push(c.next().text);
  return { kind: 'exthdr', header, path };
}

/** `a . b . c` of selectors (the lhs of a match, a jhash or a map key). */
export function parseConcatOfSelectors(c: Cursor): Expr {
  const parts = [parseSelectorWithBinops(c)];
  while (c.is('.')) {
    c.next();
    parts.push(parseSelectorWithBinops(c));
  }
  return parts.length === 1 ? (parts[0] as Expr) : { kind: 'concat', parts };
}

function parseSelectorWithBinops(c: Cursor): Expr {
  let left = isSelectorStart(c) ? parseSelector(c) : parsePrimary(c, false);
  while (c.peek().kind === 'word' && BINOPS.has(c.peek().text) && c.peek(1).kind !== 'eof') {
    const op = BINOP_CANON.get(c.next().text) as '&';
    left = { kind: 'binop', op, left, right: parsePrimary(c, false) };
  }
  return left;
}

/**
 * A value expression: primaries joined by binops, `,` lists, `.` concatenations, optionally followed by
 * `map { … }`. `selectors` allows selectors as primaries (statement arguments: `set ct mark`, `to ip saddr map`).
 */
export function parseValue(c: Cursor, selectors: boolean): Expr {
  const parts = [parseBinop(c, selectors)];
  while (c.is('.') && c.peek(1).kind !== 'eof') {
    c.next();
    parts.push(parseBinop(c, selectors));
  }
  let e: Expr = parts.length === 1 ? (parts[0] as Expr) : { kind: 'concat', parts };
  if (c.is('map')) {
    c.next();
    e = { kind: 'map', key: e, map: parseMapRef(c) };
  }
  return e;
}

/** `{ … }` or `@name` after `map`/`vmap`. */
export function parseMapRef(c: Cursor): Expr {
  if (c.is('{')) return parseSetLiteral(c);
  const t = c.word("a map ('{ … }' or '@name')");
  if (t.text.startsWith('@')) return { kind: 'setref', name: t.text.slice(1) };
  if (t.text.startsWith('$')) return { kind: 'variable', name: t.text.slice(1) };
  throw new ParseError(t, `expected a map ('{ … }' or '@name'), found ${describe(t)}`);
}

function parseBinop(c: Cursor, selectors: boolean): Expr {
  let left = parseList(c, selectors);
  while (c.peek().kind === 'word' && BINOPS.has(c.peek().text) && c.peek(1).kind !== 'eof') {
    const op = BINOP_CANON.get(c.next().text) as '&';
    left = { kind: 'binop', op, left, right: parseList(c, selectors) };
  }
  return left;
}

/** `a,b,c` written without blanks: nft's list (bitmask values). */
function parseList(c: Cursor, selectors: boolean): Expr {
  const first = parsePrimary(c, selectors);
  if (!(c.is(',') && !c.peek().spaced && !c.peek(1).spaced && c.peek(1).kind === 'word')) return first;
  const items = [first];
  while (c.is(',') && !c.peek().spaced && !c.peek(1).spaced && c.peek(1).kind === 'word') {
    c.next();
    items.push(parsePrimary(c, selectors));
  }
  return { kind: 'list', items };
}

export function parsePrimary(c: Cursor, selectors: boolean): Expr {
  const t = c.peek();
  if (t.kind === 'punct' && t.text === '{') return parseSetLiteral(c);
  if (t.kind === 'punct' && t.text === '(') {
    c.next();
    const inner = parseValue(c, true);
    c.expect(')');
    return { kind: 'group', inner };
  }
  if (selectors && isSelectorStart(c)) return parseSelector(c);
  const w = c.word('a value');
  return valueOf(w);
}

/** A single word as a value: `@set`, `$var`, prefix, range or literal. */
export function valueOf(w: Token): Expr {
  const s = w.text;
  if (w.kind === 'string') return { kind: 'value', text: s };
  if (s.startsWith('@') && s.length > 1 && !RAW_PAYLOAD.test(s)) return { kind: 'setref', name: s.slice(1) };
  if (s.startsWith('$') && s.length > 1) return { kind: 'variable', name: s.slice(1) };
  const slash = s.lastIndexOf('/');
  if (slash > 0 && /^\d+$/.test(s.slice(slash + 1)) && /^[0-9a-fA-F:.]+$/.test(s.slice(0, slash)) && /[.:]/.test(s.slice(0, slash))) {
    return { kind: 'prefix', addr: rangeOrValue(s.slice(0, slash)), len: Number(s.slice(slash + 1)) };
  }
  return rangeOrValue(s);
}

const RANGE_SIDE = /^(?:\d[\w.:]*|[0-9a-fA-F]*:[0-9a-fA-F:.]*|"[^"]*")$/;

function rangeOrValue(s: string): Expr {
  // A range `low-high`: split at the '-' whose two sides both look like numbers/addresses/strings, so names
  // with dashes (`echo-request`, `nd-router-advert`) stay values.
  for (let i = s.indexOf('-'); i > 0; i = s.indexOf('-', i + 1)) {
    const a = s.slice(0, i);
    const b = s.slice(i + 1);
    if (RANGE_SIDE.test(a) && RANGE_SIDE.test(b)) return { kind: 'range', low: { kind: 'value', text: a }, high: { kind: 'value', text: b } };
  }
  return { kind: 'value', text: s };
}

function num(c: Cursor, t: Token): number {
  const n = Number(t.text);
  if (!Number.isFinite(n)) throw new ParseError(t, `expected a number, found ${describe(t)}`);
  return n;
}

/** `{ a, b : c, … }`: an anonymous set or map literal, or the elements of a named set. Newlines are blanks here. */
export function parseSetLiteral(c: Cursor): Extract<Expr, { kind: 'set' }> {
  c.expect('{');
  const elements: SetElement[] = [];
  let sawNewline = false;
  const skip = () => {
    while (c.peek().kind === 'newline') {
      c.next();
      sawNewline = true;
    }
  };
  skip();
  while (!c.is('}')) {
    if (c.atEnd()) throw new ParseError(c.peek(), "expected '}' to close the set");
    const start = c.peek();
    const el: SetElement = { key: parseElementKey(c), options: [] };
    if (elements.length > 0) el.newline = sawNewline;
    sawNewline = false;
    parseElementOptions(c, el.options);
    if (c.is(':')) {
      c.next();
      el.data = parseElementData(c);
      parseElementOptions(c, el.options);
    }
    el.span = c.span(start, c.tokens[c.pos - 1] as Token);
    elements.push(el);
    skip();
    if (c.eat(',')) {
      skip();
      continue;
    }
    if (!c.is('}')) throw new ParseError(c.peek(), `expected ',' or '}' in the set, found ${describe(c.peek())}`);
  }
  c.expect('}');
  return { kind: 'set', elements };
}

function parseElementKey(c: Cursor): Expr {
  // Elements are values; a selector may appear in a dynamic set's element (`add @s { ip saddr }`) and is read there.
  return parseValue(c, false);
}

function parseElementData(c: Cursor): Expr {
  const t = c.peek();
  if (t.kind === 'word' && (t.text === 'jump' || t.text === 'goto')) {
    c.next();
    return { kind: 'verdict', verdict: t.text, chain: c.word('a chain name').text };
  }
  if (t.kind === 'word' && ['accept', 'drop', 'continue', 'return', 'queue'].includes(t.text)) {
    c.next();
    return { kind: 'verdict', verdict: t.text };
  }
  return parseValue(c, false);
}

const ELEMENT_OPTIONS = new Set(['timeout', 'expires', 'comment', 'counter', 'limit', 'quota', 'last']);
const ELEMENT_STATEFUL = new Set(['limit', 'quota', 'last']);

function parseElementOptions(c: Cursor, out: ElementOption[]): void {
  for (;;) {
    const t = c.peek();
    if (t.kind !== 'word' || !ELEMENT_OPTIONS.has(t.text)) return;
    const from = c.pos;
    c.next();
    if (ELEMENT_STATEFUL.has(t.text)) {
      // Per-element stateful expressions (`limit rate 1/second`, `quota 10 mbytes`, `last used never`): kept as
      // written up to the next element option, `,`, `:` or `}`.
      while (!c.atEnd() && c.peek().kind === 'word' && !ELEMENT_OPTIONS.has(c.peek().text) && c.peek().text !== ':') c.next();
      out.push({ kind: 'verbatim', text: c.textOf(from, c.pos) });
    } else if (t.text === 'counter') {
      const o: ElementOption = { kind: 'counter' };
      if (c.eat('packets')) o.packets = c.word('a packet count').text;
      if (c.eat('bytes')) o.bytes = c.word('a byte count').text;
      out.push(o);
    } else out.push({ kind: t.text as 'timeout', value: c.word(`the ${t.text}`).text });
  }
}
