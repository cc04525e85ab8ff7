// `nft -j list ruleset` → Ruleset. The document is `{"nftables": [ {"metainfo": …}, {"table": …},
// {"chain": …}, {"rule": …}, {"set"|"map": …}, {"flowtable": …}, {"counter"|"quota"|"limit"|"ct helper"…: …} ]}`
// (libnftables-json(5)). Errors name the JSON path and the line and column of the value.
import { LineIndex, type Diagnostic } from '../model/diagnostic';
import type { Expr } from '../model/expr';
import { FAMILIES, emptyRuleset, newTable, tableKey, type Family, type NamedSet, type ParseResult, type Priority, type Ruleset, type Table } from '../model/ruleset';
import { jsonElement, jsonStmt, jsonValueText, type JsonCtx } from './expr';
import { JsonSyntaxError, field, readJson, type JsonValue } from './reader';

const OBJECT_KINDS = new Set(['counter', 'quota', 'limit', 'ct helper', 'ct timeout', 'ct expectation', 'secmark', 'synproxy', 'tunnel']);

export function parseNftJson(text: string, file = '<input>'): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = new LineIndex(text);
  const rs = emptyRuleset();
  const report = (severity: 'error' | 'warning', v: { at: number } | number, path: string, message: string) => {
    const at = typeof v === 'number' ? v : v.at;
    diagnostics.push({ code: severity === 'error' ? 'nft/json' : 'nft/json-verbatim', severity, message: `${path}: ${message}`, file, span: lines.span(at, at + 1), path });
  };
  let doc: JsonValue;
  try {
    doc = readJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    report('error', e.offset, '$', `invalid JSON: ${e.message}`);
    return { ruleset: rs, diagnostics, format: 'nft-json' };
  }
  const list = field(doc, 'nftables');
  if (!list || list.type !== 'array') {
    report('error', doc, '$', "expected an object with an 'nftables' array (the output of `nft -j list ruleset`)");
    return { ruleset: rs, diagnostics, format: 'nft-json' };
  }
  const ctx: JsonCtx = { warn: (v, path, message) => report('warning', v, path, message), span: (at) => lines.span(at, at + 1) };
  list.items.forEach((item, i) => {
    const path = `nftables[${i}]`;
    const entry = item.type === 'object' ? item.entries[0] : undefined;
    if (!entry || item.type !== 'object' || item.entries.length !== 1) {
      report('error', item, path, 'expected an object with exactly one key (table, chain, rule, set, map …)');
      return;
    }
    const [kind, body] = entry;
    const p = `${path}.${kind}`;
    try {
      readItem(rs, ctx, kind, body, p);
    } catch (e) {
      if (!(e instanceof SchemaError)) throw e;
      report('error', e.value, e.path, e.message);
    }
  });
  return { ruleset: rs, diagnostics, format: 'nft-json' };
}

class SchemaError extends Error {
  constructor(
    readonly value: JsonValue,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

function req(body: JsonValue, k: string, path: string): string {
  const f = field(body, k);
  if (f?.type === 'string') return f.value;
  if (f?.type === 'number') return f.raw;
  throw new SchemaError(f ?? body, `${path}.${k}`, `missing or not a string: '${k}'`);
}

function opt(body: JsonValue, k: string): string | undefined {
  const f = field(body, k);
  return f?.type === 'string' ? f.value : f?.type === 'number' ? f.raw : undefined;
}

function strings(v: JsonValue | undefined): string[] {
  if (!v) return [];
  if (v.type === 'string') return [v.value];
  return v.type === 'array' ? v.items.map((x) => (x.type === 'string' ? x.value : x.type === 'number' ? x.raw : '')) : [];
}

function tableOf(rs: Ruleset, body: JsonValue, path: string): Table {
  const family = req(body, 'family', path);
  const name = req(body, 'table', path);
  const t = rs.tables.get(tableKey(family, name));
  if (!t) throw new SchemaError(body, path, `no table '${family} ${name}' listed before this item`);
  return t;
}

function readItem(rs: Ruleset, ctx: JsonCtx, kind: string, body: JsonValue, p: string): void {
  switch (kind) {
    case 'metainfo': {
      const m = new Map<string, string | number>();
      for (const [k, v] of body.type === 'object' ? body.entries : []) if (v.type === 'string' || v.type === 'number') m.set(k, v.value);
      rs.metainfo = m;
      return;
    }
    case 'table': {
      const family = req(body, 'family', p);
      if (!(FAMILIES as readonly string[]).includes(family)) throw new SchemaError(field(body, 'family') ?? body, `${p}.family`, `unknown family '${family}'`);
      const t = newTable(family as Family, req(body, 'name', p));
      const h = opt(body, 'handle');
      if (h !== undefined) t.handle = Number(h);
      t.flags = strings(field(body, 'flags'));
      const c = opt(body, 'comment');
      if (c !== undefined) t.comment = c;
      rs.tables.set(tableKey(t.family, t.name), t);
      return;
    }
    case 'chain': {
      const t = tableOf(rs, body, p);
      const name = req(body, 'name', p);
      const chain: import('../model/ruleset').Chain = t.chains.get(name) ?? { name, rules: [] };
      if (ctx.span && !chain.span) chain.span = ctx.span(body.at);
      const h = opt(body, 'handle');
      if (h !== undefined) chain.handle = Number(h);
      const c = opt(body, 'comment');
      if (c !== undefined) chain.comment = c;
      const hook = opt(body, 'hook');
      if (hook !== undefined) {
        chain.base = { type: opt(body, 'type') ?? 'filter', hook, priority: priorityOf(field(body, 'prio')) };
        const dev = field(body, 'dev');
        if (dev) {
          chain.base.devices = strings(dev).map((d) => `"${d}"`);
          if (dev.type === 'array') chain.base.devicesList = true;
        }
        const pol = opt(body, 'policy');
        if (pol === 'accept' || pol === 'drop') chain.base.policy = pol;
      }
      if (!t.chains.has(name)) t.order.push({ what: 'chain', key: name });
      t.chains.set(name, chain);
      return;
    }
    case 'rule': {
      const t = tableOf(rs, body, p);
      const chainName = req(body, 'chain', p);
      const chain = t.chains.get(chainName);
      if (!chain) throw new SchemaError(body, `${p}.chain`, `no chain '${chainName}' listed before this rule`);
      const exprs = field(body, 'expr');
      if (!exprs || exprs.type !== 'array') throw new SchemaError(body, `${p}.expr`, "missing the rule's 'expr' array");
      const rule: import('../model/ruleset').Rule = { stmts: exprs.items.map((x, i) => jsonStmt(ctx, x, `${p}.expr[${i}]`)) };
      const c = opt(body, 'comment');
      if (c !== undefined) rule.comment = c;
      const h = opt(body, 'handle');
      if (h !== undefined) rule.handle = Number(h);
      // Located at the rule's object, so findings about it (lint, mixed hosts) name a line and column.
      if (ctx.span) rule.span = ctx.span(body.at);
      chain.rules.push(rule);
      return;
    }
    case 'set':
    case 'map': {
      const t = tableOf(rs, body, p);
      const s: NamedSet = { name: req(body, 'name', p), isMap: kind === 'map', flags: strings(field(body, 'flags')), stmts: [] };
      const type = field(body, 'type');
      s.keyType = type?.type === 'object' ? [JSON.stringify(type)] : strings(type);
      if (kind === 'map') s.dataType = strings(field(body, 'map'));
      for (const [k, setter] of [
        ['timeout', (v: string) => (s.timeout = `${v}s`)],
        ['gc-interval', (v: string) => (s.gcInterval = `${v}s`)],
        ['size', (v: string) => (s.size = v)],
        ['policy', (v: string) => (s.policy = v)],
        ['comment', (v: string) => (s.comment = v)],
        ['handle', (v: string) => (s.handle = Number(v))],
      ] as const) {
        const v = opt(body, k);
        if (v !== undefined) setter(v);
      }
      if (field(body, 'auto-merge')?.type === 'boolean') s.autoMerge = true;
      const elem = field(body, 'elem');
      if (elem?.type === 'array') {
        const quoted = (s.keyType ?? []).some((x) => x === 'ifname' || x === 'string');
        s.elements = elem.items.map((x, i) => jsonElement(ctx, x, `${p}.elem[${i}]`, quoted));
      }
      t.sets.set(s.name, s);
      t.order.push({ what: 'set', key: s.name });
      return;
    }
    case 'flowtable': {
      const t = tableOf(rs, body, p);
      const name = req(body, 'name', p);
      const f = { name, hook: opt(body, 'hook') ?? '', priority: priorityOf(field(body, 'prio')), devices: strings(field(body, 'dev')).map((d) => `"${d}"`), extra: [] as string[] };
      t.flowtables.set(name, f);
      t.order.push({ what: 'flowtable', key: name });
      return;
    }
  }
  if (OBJECT_KINDS.has(kind)) {
    const t = tableOf(rs, body, p);
    const name = req(body, 'name', p);
    const lines: string[][] = [];
    for (const [k, v] of body.type === 'object' ? body.entries : []) {
      if (['family', 'table', 'name', 'handle', 'comment'].includes(k)) continue;
      lines.push([k, v.type === 'string' ? jsonValueText(v.value, k === 'type') : v.type === 'number' ? v.raw : JSON.stringify(v.type === 'boolean' ? v.value : null)]);
    }
    const key = `${kind} ${name}`;
    const o: import('../model/ruleset').NftObject = { type: kind, name, lines };
    const c = opt(body, 'comment');
    if (c !== undefined) o.comment = c;
    const h = opt(body, 'handle');
    if (h !== undefined) o.handle = Number(h);
    t.objects.set(key, o);
    t.order.push({ what: 'object', key });
    ctx.warn(body, p, `the ${kind} object's properties are kept as key/value lines (JSON names), not in nft's text layout`);
    return;
  }
  ctx.warn(body, p, `JSON item '${kind}' is not read by this reader; skipped`);
}

function priorityOf(v: JsonValue | undefined): Priority {
  if (v?.type === 'number') return { offset: v.value };
  if (v?.type === 'string') return /^-?\d+$/.test(v.value) ? { offset: Number(v.value) } : { name: v.value, offset: 0 };
  return { offset: 0 };
}

