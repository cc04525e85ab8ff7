// libnftables JSON expressions and statements (libnftables-json(5)) → the model of model/expr.ts and
// model/stmt.ts. Anything not typed becomes a verbatim expression/statement and a warning at its JSON path.
import type { Span } from '../model/diagnostic';
import type { Expr, SetElement } from '../model/expr';
import type { LocatedStmt, RelOp, Stmt } from '../model/stmt';
import { PRINTED_BARE_META } from '../text/vocab';
import { field, type JsonValue } from './reader';

export interface JsonCtx {
  warn(v: JsonValue, path: string, message: string): void;
  /** The span of a value that starts at `at` (rules and chains are located where their object starts). */
  span?(at: number): Span;
}

/** Selectors whose values are strings nft prints quoted (datatype string/ifname). */
const QUOTED_META = new Set(['iifname', 'oifname', 'ibrname', 'obrname', 'iifkind', 'oifkind', 'sdifname']);

export function isQuotedContext(left: Expr | undefined): boolean {
  if (!left) return false;
  if (left.kind === 'meta') return QUOTED_META.has(left.key);
  if (left.kind === 'ct') return left.key === 'helper';
  if (left.kind === 'selector') return left.family === 'osf';
  return false;
}

const BARE = /^[A-Za-z0-9_.:/\-*]+$/;

export function jsonValueText(s: string, quoted: boolean): string {
  return quoted || !BARE.test(s) ? `"${s}"` : s;
}

/** Decode an expression; `quoted`: string values are strings (ifnames), printed in quotes. */
export function jsonExpr(ctx: JsonCtx, v: JsonValue, path: string, quoted = false): Expr {
  switch (v.type) {
    case 'string':
      if (v.value.startsWith('@')) return { kind: 'setref', name: v.value.slice(1) };
      if (v.value.startsWith('$')) return { kind: 'variable', name: v.value.slice(1) };
      return { kind: 'value', text: jsonValueText(v.value, quoted) };
    case 'number':
      return { kind: 'value', text: v.raw };
    case 'boolean':
      return { kind: 'value', text: v.value ? 'exists' : 'missing' };
    case 'array':
      return { kind: 'list', items: v.items.map((x, i) => jsonExpr(ctx, x, `${path}[${i}]`, quoted)) };
    case 'null':
      ctx.warn(v, path, 'null where an expression was expected; kept as an empty verbatim expression');
      return { kind: 'verbatim', text: '' };
    case 'object':
      break;
  }
  const [key, body] = v.entries[0] ?? ['', v];
  const p = `${path}.${key}`;
  const str = (k: string) => {
    const f = field(body, k);
    return f?.type === 'string' ? f.value : f?.type === 'number' ? f.raw : undefined;
  };
  const numOf = (k: string) => {
    const f = field(body, k);
    return f?.type === 'number' ? f.value : undefined;
  };
  switch (key) {
    case 'payload': {
      const base = str('base');
      if (base !== undefined) return { kind: 'rawpayload', base, offset: numOf('offset') ?? 0, len: numOf('len') ?? 0 };
      return { kind: 'payload', protocol: str('protocol') ?? '', field: str('field') ?? '' };
    }
    case 'meta': {
      const k = str('key') ?? '';
      return { kind: 'meta', key: k, explicit: !PRINTED_BARE_META.has(k) };
    }
    case 'ct': {
      const e: Extract<Expr, { kind: 'ct' }> = { kind: 'ct', key: str('key') ?? '' };
      const dir = str('dir');
      const fam = str('family');
      if (dir === 'original' || dir === 'reply') e.dir = dir;
      if (fam === 'ip' || fam === 'ip6') e.family = fam;
      return e;
    }
    case 'fib': {
      const flags = field(body, 'flags');
      const list = flags?.type === 'array' ? flags.items.map((x) => (x.type === 'string' ? x.value : '')) : flags?.type === 'string' ? [flags.value] : [];
      return { kind: 'fib', flags: list, result: str('result') ?? '' };
    }
    case 'numgen': {
      const e: Expr = { kind: 'numgen', mode: str('mode') ?? '', mod: numOf('mod') ?? 0 };
      const off = numOf('offset');
      if (off !== undefined && off !== 0) e.offset = off;
      return e;
    }
    case 'jhash':
    case 'symhash': {
      const e: Extract<Expr, { kind: 'hash' }> = { kind: 'hash', fn: key, mod: numOf('mod') ?? 0 };
      const ex = field(body, 'expr');
      if (ex) e.expr = jsonExpr(ctx, ex, `${p}.expr`);
      const seed = field(body, 'seed');
      if (seed?.type === 'number') e.seed = `0x${seed.value.toString(16).padStart(8, '0')}`;
      const off = numOf('offset');
      if (off !== undefined && off !== 0) e.offset = off;
      return e;
    }
    case 'exthdr':
      return { kind: 'exthdr', header: str('name') ?? '', path: [str('field')].filter((x): x is string => x !== undefined) };
    case 'tcp option':
    case 'ip option':
    case 'sctp chunk':
    case 'dccp option':
      return { kind: 'exthdr', header: key, path: [str('name') ?? str('type') ?? '', ...[str('field')].filter((x): x is string => x !== undefined)] };
    case 'rt':
    case 'socket':
    case 'osf':
    case 'ipsec':
      return { kind: 'selector', family: key, words: ['family', 'dir', 'ttl', 'key'].map(str).filter((x): x is string => x !== undefined) };
    case 'prefix':
      return { kind: 'prefix', addr: jsonExpr(ctx, field(body, 'addr') ?? body, `${p}.addr`), len: numOf('len') ?? 0 };
    case 'range': {
      const items = body.type === 'array' ? body.items : [];
      return { kind: 'range', low: jsonExpr(ctx, items[0] ?? body, `${p}[0]`, quoted), high: jsonExpr(ctx, items[1] ?? body, `${p}[1]`, quoted) };
    }
    case 'set': {
      if (body.type === 'string' && body.value.startsWith('@')) return { kind: 'setref', name: body.value.slice(1) };
      const items = body.type === 'array' ? body.items : [body];
      return { kind: 'set', elements: items.map((x, i) => jsonElement(ctx, x, `${p}[${i}]`, quoted)) };
    }
    case 'concat':
      return { kind: 'concat', parts: (body.type === 'array' ? body.items : []).map((x, i) => jsonExpr(ctx, x, `${p}[${i}]`, quoted)) };
    case 'map':
      return { kind: 'map', key: jsonExpr(ctx, field(body, 'key') ?? body, `${p}.key`), map: jsonExpr(ctx, field(body, 'data') ?? body, `${p}.data`) };
    case '&':
    case '|':
    case '^':
    case '<<':
    case '>>': {
      const items = body.type === 'array' ? body.items : [];
      let e = jsonExpr(ctx, items[0] ?? body, `${p}[0]`);
      for (let i = 1; i < items.length; i++) {
        let r = jsonExpr(ctx, items[i] as JsonValue, `${p}[${i}]`);
        if (r.kind === 'binop') r = { kind: 'group', inner: r };
        e = { kind: 'binop', op: key, left: e, right: r };
      }
      return e;
    }
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
      return { kind: 'verdict', verdict: key };
    case 'jump':
    case 'goto':
      return { kind: 'verdict', verdict: key, chain: str('target') ?? '' };
    case 'elem':
      return jsonElement(ctx, v, path, quoted).key;
  }
  ctx.warn(v, p, `JSON expression '${key}' is not typed by this reader; kept verbatim`);
  return { kind: 'verbatim', text: JSON.stringify(toPlain(v)) };
}

/** A set element: a value, `{"elem": {"val", "timeout", "expires", "comment", "counter"}}`, or `[key, data]` in maps. */
export function jsonElement(ctx: JsonCtx, v: JsonValue, path: string, quoted: boolean): SetElement {
  if (v.type === 'array' && v.items.length === 2) {
    const el = jsonElement(ctx, v.items[0] as JsonValue, `${path}[0]`, quoted);
    el.data = jsonExpr(ctx, v.items[1] as JsonValue, `${path}[1]`);
    return el;
  }
  const inner = field(v, 'elem');
  if (v.type === 'object' && v.entries[0]?.[0] === 'elem' && inner) {
    const el: SetElement = { key: jsonExpr(ctx, field(inner, 'val') ?? inner, `${path}.elem.val`, quoted), options: [] };
    for (const [k, x] of inner.type === 'object' ? inner.entries : []) {
      if (k === 'timeout' || k === 'expires') el.options.push({ kind: k, value: x.type === 'number' ? `${x.value}s` : '' });
      else if (k === 'comment' && x.type === 'string') el.options.push({ kind: 'comment', value: `"${x.value}"` });
      else if (k === 'counter') {
        const pk = field(x, 'packets');
        const by = field(x, 'bytes');
        el.options.push({ kind: 'counter', packets: pk?.type === 'number' ? pk.raw : '0', bytes: by?.type === 'number' ? by.raw : '0' });
      }
    }
    return el;
  }
  return { key: jsonExpr(ctx, v, path, quoted), options: [] };
}

function toPlain(v: JsonValue): unknown {
  switch (v.type) {
    case 'object': {
      const o: Record<string, unknown> = Object.create(null);
      for (const [k, x] of v.entries) o[k] = toPlain(x);
      return o;
    }
    case 'array':
      return v.items.map(toPlain);
    case 'null':
      return null;
    default:
      return v.value;
  }
}

const OPS: ReadonlyMap<string, RelOp | 'implicit'> = new Map([
  ['==', 'implicit'], ['in', 'implicit'], ['!=', '!='], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>='],
]);

/** One statement of a rule's `expr` array. */
export function jsonStmt(ctx: JsonCtx, v: JsonValue, path: string): LocatedStmt {
  const [key, body] = v.type === 'object' && v.entries[0] ? v.entries[0] : ['', v];
  const p = `${path}.${key}`;
  const str = (k: string) => {
    const f = field(body, k);
    return f?.type === 'string' ? f.value : f?.type === 'number' ? f.raw : undefined;
  };
  const flagList = (k: string): string[] => {
    const f = field(body, k);
    return f?.type === 'array' ? f.items.map((x) => (x.type === 'string' ? x.value : '')) : f?.type === 'string' ? [f.value] : [];
  };
  switch (key) {
    case 'match': {
      const left = jsonExpr(ctx, field(body, 'left') ?? body, `${p}.left`);
      const right = jsonExpr(ctx, field(body, 'right') ?? body, `${p}.right`, isQuotedContext(left));
      const op = OPS.get(str('op') ?? '==') ?? 'implicit';
      // nft prints `==` only after a binop (expression.c must_print_eq_op).
      if (op === 'implicit') return left.kind === 'binop' ? { kind: 'match', left, op: '==', right } : { kind: 'match', left, right };
      return { kind: 'match', left, op, right };
    }
    case 'accept':
    case 'drop':
    case 'continue':
    case 'return':
      return { kind: 'verdict', verdict: key };
    case 'jump':
    case 'goto':
      return { kind: 'verdict', verdict: key, chain: str('target') ?? '' };
    case 'counter':
      if (body.type === 'string') return { kind: 'counter', name: { kind: 'value', text: `"${body.value}"` } };
      return body.type === 'object' ? { kind: 'counter', packets: str('packets') ?? '0', bytes: str('bytes') ?? '0' } : { kind: 'counter' };
    case 'vmap':
      return { kind: 'vmap', key: jsonExpr(ctx, field(body, 'key') ?? body, `${p}.key`), map: jsonExpr(ctx, field(body, 'data') ?? body, `${p}.data`) };
    case 'mangle': {
      const target = jsonExpr(ctx, field(body, 'key') ?? body, `${p}.key`);
      return { kind: 'mangle', target, value: jsonExpr(ctx, field(body, 'value') ?? body, `${p}.value`, isQuotedContext(target)) };
    }
    case 'snat':
    case 'dnat':
    case 'masquerade':
    case 'redirect': {
      const s: Extract<Stmt, { kind: 'nat' }> = { kind: 'nat', type: key, flags: flagList('flags') };
      const fam = str('family');
      if (fam === 'ip' || fam === 'ip6') s.family = fam;
      const tf = flagList('type_flags');
      if (tf.length) s.mode = tf.includes('prefix') ? 'prefix' : tf.join(' . ');
      const addr = field(body, 'addr');
      const port = field(body, 'port');
      const a = addr ? jsonExpr(ctx, addr, `${p}.addr`) : undefined;
      const portText = port ? (port.type === 'number' ? port.raw : port.type === 'object' ? printablePort(ctx, port, `${p}.port`) : '') : undefined;
      if (a && portText === undefined) s.to = a;
      else if (portText !== undefined) {
        const at = a && a.kind === 'value' ? (a.text.includes(':') ? `[${a.text}]` : a.text) : '';
        s.to = { kind: 'value', text: `${at}:${portText}` };
      }
      return s;
    }
    case 'log': {
      const options: Array<{ key: string; value?: string }> = [];
      for (const [k, x] of body.type === 'object' ? body.entries : []) {
        if (k === 'prefix' && x.type === 'string') options.push({ key: k, value: `"${x.value}"` });
        else if (k === 'flags') options.push({ key: k, value: (x.type === 'array' ? x.items : [x]).map((f) => (f.type === 'string' ? f.value : '')).join(',') });
        else options.push({ key: k, value: x.type === 'string' ? x.value : x.type === 'number' ? x.raw : '' });
      }
      return { kind: 'log', options };
    }
    case 'limit': {
      if (body.type === 'string') return { kind: 'limit', over: false, name: { kind: 'value', text: `"${body.value}"` } };
      const s: Extract<Stmt, { kind: 'limit' }> = { kind: 'limit', over: field(body, 'inv')?.type === 'boolean' && (field(body, 'inv') as { value: boolean }).value, rate: str('rate') ?? '0', per: str('per') ?? 'second' };
      const ru = str('rate_unit');
      if (ru && ru !== 'packets') s.rateUnit = ru;
      const burst = str('burst');
      if (burst !== undefined && burst !== '0') {
        s.burst = burst;
        s.burstUnit = str('burst_unit') ?? 'packets';
      }
      return s;
    }
    case 'quota': {
      if (body.type === 'string') return { kind: 'quota', over: false, name: { kind: 'value', text: `"${body.value}"` } };
      const s: Extract<Stmt, { kind: 'quota' }> = { kind: 'quota', over: field(body, 'inv')?.type === 'boolean' && (field(body, 'inv') as { value: boolean }).value, amount: str('val') ?? '0', unit: str('val_unit') ?? 'bytes' };
      const used = str('used');
      if (used !== undefined && used !== '0') {
        s.used = used;
        s.usedUnit = str('used_unit') ?? 'bytes';
      }
      return s;
    }
    case 'reject': {
      if (body.type !== 'object') return { kind: 'reject' };
      const type = str('type');
      const code = str('expr');
      if (type === 'tcp reset') return { kind: 'reject', with: 'tcp', code: 'reset' };
      return type ? { kind: 'reject', with: type, code: code ?? '' } : { kind: 'reject' };
    }
    case 'set':
    case 'map': {
      const op = str('op');
      const name = str(key === 'set' ? 'set' : 'map') ?? '';
      const s: Extract<Stmt, { kind: 'setUpdate' }> = {
        kind: 'setUpdate', op: op === 'update' || op === 'delete' ? op : 'add', set: name.replace(/^@/, ''),
        elem: jsonExpr(ctx, field(body, 'elem') ?? body, `${p}.elem`), stmts: [],
      };
      const data = field(body, 'data');
      if (data) s.data = jsonExpr(ctx, data, `${p}.data`);
      const stmts = field(body, 'stmt');
      if (stmts?.type === 'array') s.stmts = stmts.items.map((x, i) => jsonStmt(ctx, x, `${p}.stmt[${i}]`));
      return s;
    }
    case 'notrack':
      return { kind: 'notrack' };
    case 'xt': {
      // libnftables-json(5) XT: `{ "type": "match" | "target" | "watcher", "name": … }` (nft's xt_stmt_json).
      const type = str('type'), name = str('name');
      if ((type === 'match' || type === 'target' || type === 'watcher') && name !== undefined) return { kind: 'xt', type, name };
      break;
    }
    case 'queue': {
      const options: string[] = [];
      const num = field(body, 'num');
      const flags = flagList('flags');
      if (num) options.push(`num ${num.type === 'number' ? num.raw : jsonExprText(ctx, num, `${p}.num`)}`);
      if (flags.length) options.push(flags.join(','));
      return { kind: 'queue', options };
    }
    case 'tproxy': {
      const s: Extract<Stmt, { kind: 'tproxy' }> = { kind: 'tproxy', to: { kind: 'value', text: '' } };
      const fam = str('family');
      if (fam === 'ip' || fam === 'ip6') s.family = fam;
      const addr = str('addr');
      const port = str('port');
      s.to = { kind: 'value', text: `${addr ? (addr.includes(':') ? `[${addr}]` : addr) : ''}${port ? `:${port}` : ''}` };
      return s;
    }
    case 'ct helper':
    case 'ct timeout':
    case 'ct expectation': {
      const target: Expr = { kind: 'ct', key: key.slice(3) };
      return { kind: 'mangle', target, value: body.type === 'string' ? { kind: 'value', text: `"${body.value}"` } : jsonExpr(ctx, body, p, true) };
    }
    case 'flow':
      return verbatim(ctx, v, p, `flow ${str('op') ?? 'add'} ${str('flowtable') ?? ''}`);
  }
  return verbatim(ctx, v, p, JSON.stringify(toPlain(v)));
}

function verbatim(ctx: JsonCtx, v: JsonValue, path: string, text: string): LocatedStmt {
  ctx.warn(v, path, `JSON statement '${path.slice(path.lastIndexOf('.') + 1)}' is not typed by this reader; kept verbatim`);
  return { kind: 'verbatim', text };
}

function printablePort(ctx: JsonCtx, v: JsonValue, path: string): string {
  const e = jsonExpr(ctx, v, path);
  if (e.kind === 'range' && e.low.kind === 'value' && e.high.kind === 'value') return `${e.low.text}-${e.high.text}`;
  return e.kind === 'value' ? e.text : '';
}

function jsonExprText(ctx: JsonCtx, v: JsonValue, path: string): string {
  const e = jsonExpr(ctx, v, path);
  if (e.kind === 'range' && e.low.kind === 'value' && e.high.kind === 'value') return `${e.low.text}-${e.high.text}`;
  return e.kind === 'value' ? e.text : '';
}
