// `nft list ruleset` text (and `nft -f` scripts) → Ruleset. Top level: tables, commands, define, include.
// Every error is located (line, column) and parsing resumes at the next line or block.
import { LineIndex, type Diagnostic } from '../model/diagnostic';
import { emptyRuleset, type ParseResult } from '../model/ruleset';
import { Cursor, ParseError, describe } from './cursor';
import { lex, type Token } from './lexer';
import { parseCommand, parseDefineOrInclude } from './commands';
import { braceDepth, skipToLineEnd } from './rule';
import { parseTable } from './table';

const COMMANDS = new Set(['add', 'create', 'insert', 'replace', 'flush', 'delete', 'destroy']);

export function parseNftText(text: string, file = '<input>'): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lines = new LineIndex(text);
  const { tokens, problems } = lex(text);
  for (const p of problems) diagnostics.push({ code: 'nft/syntax', severity: 'error', message: p.message, file, span: lines.span(p.start, p.end) });
  const c = new Cursor(tokens, text, file, lines, diagnostics);
  const rs = emptyRuleset();
  for (;;) {
    c.skipNewlines();
    if (c.atEnd()) break;
    const start = c.pos;
    const t = c.peek();
    try {
      if (t.kind === 'word' && t.text === 'table') {
        c.next();
        parseTable(c, rs, (cc) => parseDefineOrInclude(cc, rs));
      } else if (t.kind === 'word' && (t.text === 'define' || t.text === 'include')) parseDefineOrInclude(c, rs);
      else if (t.kind === 'word' && COMMANDS.has(t.text)) parseCommand(c, rs);
      else if (t.kind === 'punct' && t.text === '}') {
        c.report('error', 'nft/syntax', t, "unmatched '}'");
        c.next();
      } else throw new ParseError(t, `expected 'table', a command ('add', 'insert', 'flush' …), 'define' or 'include', found ${describe(t)}`);
      const after = c.peek();
      if (!(after.kind === 'newline' || after.kind === 'eof' || (after.kind === 'punct' && after.text === ';'))) {
        throw new ParseError(after, `unexpected ${describe(after)} after the ${t.text} statement`);
      }
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      const bad: Token = e.token.kind === 'eof' ? (tokens[Math.max(0, c.pos - 1)] as Token) : e.token;
      c.report('error', 'nft/syntax', bad, e.message);
      skipToLineEnd(c, braceDepth(c, start, c.pos));
      if (c.pos === start) c.next();
    }
  }
  return { ruleset: rs, diagnostics, format: 'nft-text' };
}
