// Expressions and statements back to nft's text, as nft prints them (expression.c *_expr_print,
// statement.c *_stmt_print in nftables): single spaces, ` . ` in concatenations, `,` in lists, `{ a, b }` sets.
import type { ElementOption, Expr, SetElement } from '../model/expr';
import type { Stmt } from '../model/stmt';
import type { Rule } from '../model/ruleset';
import { quote } from '../text/lexer';

export function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'value':
      return e.text;
    case 'prefix':
      return `${printExpr(e.addr)}/${e.len}`;
    case 'range':
      return `${printExpr(e.low)}-${printExpr(e.high)}`;
    case 'payload':
      return `${e.protocol} ${e.field}`;
    case 'rawpayload':
      return `@${e.base},${e.offset},${e.len}`;
    case 'exthdr':
      return [e.header, ...e.path].join(' ');
    case 'meta':
      return e.explicit ? `meta ${e.key}` : e.key;
    case 'ct':
      return ['ct', e.dir, e.family, e.key].filter((x) => x !== undefined).join(' ');
    case 'fib':
      return `fib ${e.flags.join(' . ')} ${e.result}`;
    case 'numgen':
      return `numgen ${e.mode} mod ${e.mod}${e.offset !== undefined ? ` offset ${e.offset}` : ''}`;
    case 'hash': {
      let s = e.fn === 'jhash' && e.expr ? `jhash ${printExpr(e.expr)} mod ${e.mod}` : `${e.fn} mod ${e.mod}`;
      if (e.seed !== undefined) s += ` seed ${e.seed}`;
      if (e.offset !== undefined) s += ` offset ${e.offset}`;
      return s;
    }
    case 'selector':
      return `${e.family} ${e.words.join(' ')}`;
    case 'set':
      return printElements(e.elements, 'inline');
    case 'setref':
      return `@${e.name}`;
    case 'variable':
      return `$${e.name}`;
    case 'concat':
      return e.parts.map(printExpr).join(' . ');
    case 'list':
      return e.items.map(printExpr).join(',');
    case 'binop':
      return `${printExpr(e.left)} ${e.op} ${printExpr(e.right)}`;
    case 'group':
      return `(${printExpr(e.inner)})`;
    case 'map':
      return `${printExpr(e.key)} map ${printExpr(e.map)}`;
    case 'verdict':
      return e.chain !== undefined ? `${e.verdict} ${e.chain}` : e.verdict;
    case 'verbatim':
      return e.text;
  }
}

/** nft's element separator for named sets: `,\n\t\t\t     ` (expression.c calculate_delim). */
export const ELEMENT_NEWLINE = ',\n\t\t\t     ';

/**
 * `{ a, b }`. 'inline': anonymous sets (always one line). A function: named sets, deciding per element
 * whether it starts a new line (see print/ruleset.ts).
 */
export function printElements(elements: SetElement[], layout: 'inline' | ((el: SetElement, i: number) => boolean)): string {
  if (elements.length === 0) return '{ }';
  let s = '{ ';
  elements.forEach((el, i) => {
    if (i > 0) s += layout !== 'inline' && layout(el, i) ? ELEMENT_NEWLINE : ', ';
    s += printElement(el);
  });
  return `${s} }`;
}

export function printElement(el: SetElement): string {
  let s = printExpr(el.key);
  for (const o of el.options) s += ` ${printElementOption(o)}`;
  if (el.data) s += ` : ${printExpr(el.data)}`;
  return s;
}

function printElementOption(o: ElementOption): string {
  switch (o.kind) {
    case 'timeout':
    case 'expires':
    case 'comment':
      return `${o.kind} ${o.value}`;
    case 'counter':
      return ['counter', o.packets !== undefined ? `packets ${o.packets}` : '', o.bytes !== undefined ? `bytes ${o.bytes}` : ''].filter(Boolean).join(' ');
    case 'verbatim':
      return o.text;
  }
}

/** A statement; `indent` is the rule's indentation (for the rules of an anonymous chain). */
export function printStmt(s: Stmt, indent = '\t\t'): string {
  switch (s.kind) {
    case 'match':
      return s.op ? `${printExpr(s.left)} ${s.op} ${printExpr(s.right)}` : `${printExpr(s.left)} ${printExpr(s.right)}`;
    case 'verdict':
      if (s.rules) return `${s.verdict} {\n${s.rules.map((r) => `${indent}\t${printRule(r, `${indent}\t`)}\n`).join('')}${indent}}`;
      return s.chain !== undefined ? `${s.verdict} ${s.chain}` : s.verdict;
    case 'vmap':
      return `${printExpr(s.key)} vmap ${printExpr(s.map)}`;
    case 'counter':
      if (s.name) return `counter name ${printExpr(s.name)}`;
      return ['counter', s.packets !== undefined ? `packets ${s.packets}` : '', s.bytes !== undefined ? `bytes ${s.bytes}` : ''].filter(Boolean).join(' ');
    case 'nat': {
      const parts: string[] = [s.type];
      if (s.family) parts.push(s.family);
      if (s.mode) parts.push(s.mode);
      if (s.to) parts.push(...(s.withoutTo ? [] : ['to']), printExpr(s.to));
      let out = parts.join(' ');
      if (s.flags.length) out += ` ${s.flags.join(',')}`;
      return out;
    }
    case 'mangle':
      return `${printExpr(s.target)} set ${printExpr(s.value)}`;
    case 'log':
      return ['log', ...s.options.map((o) => (o.value !== undefined ? `${o.key} ${o.value}` : o.key))].join(' ');
    case 'limit': {
      if (s.name) return `limit name ${printExpr(s.name)}`;
      let out = `limit rate ${s.over ? 'over ' : ''}${s.rateUnit ? `${s.rate} ${s.rateUnit}/${s.per}` : `${s.rate}/${s.per}`}`;
      if (s.burst !== undefined) out += ` burst ${s.burst}${s.burstUnit ? ` ${s.burstUnit}` : ''}`;
      return out;
    }
    case 'quota': {
      if (s.name) return `quota name ${printExpr(s.name)}`;
      let out = `quota ${s.over ? 'over ' : ''}${s.amount} ${s.unit}`;
      if (s.used !== undefined) out += ` used ${s.used} ${s.usedUnit}`;
      return out;
    }
    case 'setUpdate': {
      let inner = printExpr(s.elem);
      if (s.timeout !== undefined) inner += ` timeout ${s.timeout}`;
      if (s.data) inner += ` : ${printExpr(s.data)}`;
      for (const st of s.stmts) inner += ` ${printStmt(st, indent)}`;
      return `${s.op} @${s.set} { ${inner} }`;
    }
    case 'reject':
      return s.with ? `reject with ${s.with} ${s.code ?? ''}`.trimEnd() : 'reject';
    case 'queue':
      return ['queue', ...s.options].join(' ');
    case 'tproxy':
      return `tproxy ${s.family ? `${s.family} ` : ''}to ${printExpr(s.to)}`;
    case 'notrack':
      return 'notrack';
    case 'xt':
      return `xt ${s.type} ${s.quoted ? `"${s.name}"` : s.name}`;
    case 'verbatim':
      return s.text;
  }
}

/** A rule on one line (nft's rule_print): statements, ` comment "…"`, ` # handle N`. */
export function printRule(r: Rule, indent = '\t\t'): string {
  let s = r.stmts.map((st) => printStmt(st, indent)).join(' ');
  if (r.comment !== undefined) s += `${s ? ' ' : ''}comment ${quote(r.comment)}`;
  if (r.handle !== undefined) s += ` # handle ${r.handle}`;
  return s;
}
