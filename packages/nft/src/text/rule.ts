// One rule: statements up to the end of the line (or `;`, or the `}` of the block), then `comment "…"` and
// `# handle N`. On a syntax error the rest of the rule is kept verbatim and parsing resumes at the next line.
import type { LocatedStmt } from '../model/stmt';
import type { Rule } from '../model/ruleset';
import { Cursor, ParseError } from './cursor';
import type { Token } from './lexer';
import { unquote } from './lexer';
import { parseStatement } from './stmt';

const endsRule = (t: Token) => t.kind === 'eof' || t.kind === 'newline' || t.kind === 'handle' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));

export function parseRule(c: Cursor): Rule {
  const first = c.peek();
  const rule: Rule = { stmts: [] };
  let stmtStart = c.pos;
  try {
    while (!endsRule(c.peek())) {
      stmtStart = c.pos;
      if (c.is('comment') && (c.peek(1).kind === 'string' || c.peek(1).kind === 'word')) {
        c.next();
        rule.comment = unquote(c.next().text);
        continue;
      }
      rule.stmts.push(parseStatement(c, parseAnonymousChain));
    }
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    // The failing statement and the rest of the line are kept verbatim: nothing is dropped.
    const from = stmtStart;
    const bad = e.token.kind === 'eof' ? (c.tokens[Math.max(0, c.pos - 1)] as Token) : e.token;
    c.report('error', 'nft/syntax', bad, e.message);
    // Rules are one line (nft prints anonymous sets on one line; `jump {` blocks recover inside): resume at the
    // line end even inside an unclosed `{`, so the chain's `}` on a later line still closes the chain.
    skipToLineEnd(c);
    if (c.pos > from) {
      const kept: LocatedStmt = { kind: 'verbatim', text: c.textOf(from, c.pos) };
      kept.span = c.span(c.tokens[from] as Token, c.tokens[c.pos - 1] as Token);
      rule.stmts.push(kept);
    }
  }
  if (c.peek().kind === 'handle') rule.handle = Number(c.next().text);
  const last = c.tokens[Math.max(0, c.pos - 1)] as Token;
  rule.span = c.span(first, last.start >= first.start ? last : first);
  return rule;
}

/** `{` rules `}` after jump/goto: nft's anonymous chain (chain binding). */
export function parseAnonymousChain(c: Cursor): Rule[] {
  c.expect('{');
  const rules: Rule[] = [];
  for (;;) {
    c.skipNewlines();
    if (c.is('}') || c.atEnd()) break;
    const before = c.pos;
    rules.push(parseRule(c));
    if (c.pos === before) c.next();
  }
  c.expect('}');
  return rules;
}

/** To the end of the line, over balanced braces; stops before a `}` that closes an enclosing block. */
export function skipToLineEnd(c: Cursor, open = 0): void {
  let depth = open;
  while (!c.atEnd()) {
    const t = c.peek();
    if (depth === 0 && (t.kind === 'newline' || t.kind === 'handle' || (t.kind === 'punct' && t.text === ';'))) return;
    if (t.kind === 'punct' && t.text === '{') depth++;
    if (t.kind === 'punct' && t.text === '}') {
      if (depth === 0) return;
      depth--;
    }
    c.next();
  }
}

/** Braces opened and not closed in tokens [from, to). */
export function braceDepth(c: Cursor, from: number, to: number): number {
  let d = 0;
  for (let i = from; i < to; i++) {
    const t = c.tokens[i] as Token;
    if (t.kind === 'punct' && t.text === '{') d++;
    else if (t.kind === 'punct' && t.text === '}' && d > 0) d--;
  }
  return d;
}
