// Parser for the line-based formats: iptables-save / ip6tables-save (and everything iptables-restore
// accepts), ebtables-save, `iptables -S` and shell scripts of iptables/ebtables commands. One bad line gives a
// located diagnostic and parsing goes on with the next line.
import type { Counters, Family, GeneratorInfo, InputFormat, Snapshot } from '../ir/nodes';
import { joinSpans, spanOf, type Span } from '../ir/span';
import { lineLexer, shellLexer } from '../lex/tokens';
import { parseLineTokens } from '../lex/line-parser';
import { toWords, wordsSpan, type ArgWord, type LineInfo } from '../lex/words';
import { scanWords, WordPool } from '../lex/scan';
import { SnapshotBuilder } from './builder';
import { applyCommand, commandLetter, type CommandContext } from './commands';
import type { DiagnosticSink } from './diagnostics';
import { parseHeader } from './header';
import { LineReader } from './lines';

export interface LineParseOptions {
  fileName: string;
  format: Exclude<InputFormat, 'iptables-L' | 'ebtables-L'>;
  family: Family;
  /** Table for formats without `*table` lines (`-S` listings). */
  defaultTable: string;
}

const COUNTERS_RE = /^\[(\d+):(\d+)\]$/;
const TOOL_RE = /^(?:sudo\s+)?(iptables|ip6tables|ebtables)(?:-nft|-legacy)?(?:\s|$)/;

type LineKind = 'table' | 'chain' | 'commit' | 'command';

/** What the line grammar (lex/line-parser.ts) reads a line of these words as; null where it would fail. */
function lineKind(words: ArgWord[]): LineKind | null {
  switch (words[0]?.tokenType) {
    case 'TableHeader': return 'table';
    case 'ChainDecl': return 'chain';
    case 'Commit': return 'commit';
    case 'Command': return 'command';
    case 'Counters': return words[1]?.tokenType === 'Command' ? 'command' : null;
    default: return null;
  }
}

function lineSpan(words: ArgWord[], line: LineInfo): Span {
  if (!words.length) return spanOf(line.line, 1, line.offset, line.text.length);
  return wordsSpan(words[0]!, words[words.length - 1]!);
}

export function parseLineFormat(text: string, sink: DiagnosticSink, opts: LineParseOptions): Snapshot {
  const reader = new LineReader(text, sink);
  const builder = new SnapshotBuilder(opts.family, sink);
  const isSave = opts.format === 'iptables-save' || opts.format === 'ebtables-save';
  const bridge = opts.family === 'bridge';
  let generator: GeneratorInfo | null = null;
  let current = null as { name: string; span: Span; committed: boolean } | null;
  let sawCounterSuffix = false;
  /** Tables created for rules that came before any `*table` line (already reported). */
  const implicitTables = new Set<string>();
  /** Each line's words are done with before the next line is scanned. */
  const pool = new WordPool();

  /** iptables-restore needs COMMIT to close each table (ebtables-save has none). */
  const closeCheck = () => {
    if (current && !current.committed && !bridge && isSave) {
      sink.error('parse/missing-commit', `table '${current.name}' is not closed by COMMIT`, current.span,
        'iptables-restore applies a table only at its COMMIT line; add COMMIT at the end of the table');
    }
  };

  const handleCommand = (countersWord: ArgWord | null, cmdWord: ArgWord, args: ArgWord[], span: Span, line: LineInfo): void => {
    let counters: Counters | null = null;
    if (countersWord) {
      const m = COUNTERS_RE.exec(countersWord.text)!;
      counters = { packets: BigInt(m[1]!), bytes: BigInt(m[2]!) };
    }
    let tableName = current?.name ?? opts.defaultTable;
    let tableSpan = current?.span ?? spanOf(line.line, 1, line.offset, 0);
    if (isSave && !current) {
      if (!bridge || !builder.hasTable('filter')) {
        sink.error('parse/outside-table', "rule before any '*table' line (or after COMMIT); put into 'filter'", span,
          "start the section with '*filter'");
      }
      tableName = 'filter';
      tableSpan = span;
      current = { name: 'filter', span: tableSpan, committed: !bridge };
      implicitTables.add('filter');
      builder.table('filter', tableSpan);
    }
    if (bridge && args.some((w) => w.text === '-c')) sawCounterSuffix = true;
    const letter = commandLetter(cmdWord.text);
    const ctx: CommandContext = {
      builder, sink, family: opts.family, tableName, tableSpan,
      strictChains: isSave && !bridge && (letter === 'A' || letter === 'I'),
      text, counters,
    };
    applyCommand(ctx, cmdWord, args, span);
  };

  for (let line = reader.next(); line; line = reader.next()) {
    const trimmed = line.text.trim();
    if (trimmed === '') {
      if (line.text.length > 0) sink.info('parse/blank-line', 'line of only white space', spanOf(line.line, 1, line.offset, line.text.length));
      continue;
    }
    if (trimmed.startsWith('#')) {
      const h = parseHeader(trimmed);
      if (h && !generator) generator = h;
      if (line.text[0] !== '#') sink.info('parse/indented-comment', 'comment line does not start in column 1 (iptables-restore treats only column-1 # as a comment)', spanOf(line.line, 1, line.offset, line.text.length));
      continue;
    }
    if (opts.format === 'commands') {
      // Shell scripts: `iptables [-w] [-t table] -A …`, with backslash continuations.
      let joined = line.text;
      const parts: LineInfo[] = [line];
      while (/\\\s*$/.test(joined)) {
        const next = reader.next();
        if (!next) break;
        parts.push(next);
        joined = next.text;
      }
      handleCommandScript(parts, builder, sink, opts, text);
      continue;
    }
    // Hot path: every line that starts in column 1 is scanned by hand (the scanner yields exactly the chevrotain
    // lexer's tokens, scan.test.ts); the chevrotain lexer and grammar read the lines it declines and those whose
    // first word is not a structure token. A kube-proxy snapshot has one `:CHAIN` line for every three rules.
    let words: ArgWord[] | null = null;
    let kind: LineKind | null = null;
    const c0 = line.text.charCodeAt(0);
    if (c0 !== 32 && c0 !== 9) {
      words = scanWords(line, true, pool);
      kind = words && lineKind(words);
    }
    if (!words || !kind) {
      const lexed = lineLexer().tokenize(line.text);
      words = toWords(lexed.tokens, line);
      reportLexErrors(lexed.errors, line, sink);
      for (const w of words) {
        if (w.tokenType === 'Unterminated') sink.error('parse/unterminated-quote', 'quote is not closed on this line', w.span, 'close the "…" or escape the quote as \\"');
      }
      if (line.text[0] === ' ' || line.text[0] === '\t') {
        sink.warning('parse/leading-whitespace', 'line starts with white space (text pasted from a page?)', spanOf(line.line, 1, line.offset, line.text.length - line.text.trimStart().length));
      }
      const ast = parseLineTokens(lexed.tokens);
      kind = ast?.type ?? null;
    }
    if (!kind) {
      if (/^[$>]\s|^\S+@\S+[#$]\s|iptables-save|ebtables-save/.test(trimmed) && line.line <= 3) {
        sink.warning('parse/prompt-line', `shell prompt or command line '${trimmed.slice(0, 60)}' is not part of the rules; skipped`, lineSpan(words, line));
      } else {
        sink.error('parse/unexpected-line', `expected ${isSave ? "'*table', ':CHAIN POLICY', " : ''}a command such as '-A CHAIN …'${isSave && !bridge ? " or 'COMMIT'" : ''}, found '${words[0]?.raw ?? trimmed.slice(0, 40)}'`, words[0]?.span ?? lineSpan(words, line));
      }
      continue;
    }
    switch (kind) {
      case 'table': {
        const name = words[0]!.text.slice(1);
        const span = lineSpan(words, line);
        if (!isSave) { sink.error('parse/unexpected-line', `'*${name}' in a ${opts.format} listing`, span); continue; }
        if (!name) { sink.error('parse/missing-value', "'*' needs a table name", span); continue; }
        closeCheck();
        if (builder.hasTable(name) && !implicitTables.has(name)) sink.warning('parse/repeated-table', `table '${name}' appears twice; the second section adds to the first`, span);
        current = { name, span, committed: false };
        builder.table(name, span);
        if (words.length > 1) sink.error('parse/unexpected-argument', `unexpected text after '*${name}'`, joinSpans(words[1]!.span, words[words.length - 1]!.span));
        continue;
      }
      case 'chain': {
        const span = lineSpan(words, line);
        let rest = words.slice(1);
        let name = words[0]!.text.slice(1);
        if (name === '') {
          sink.warning('parse/space-after-colon', `': ${rest[0]?.text ?? ''}' has a space after the colon (text copied from a web page?); read as ':${rest[0]?.text ?? ''}'`, words[0]!.span);
          name = rest[0]?.text ?? '';
          rest = rest.slice(1);
        }
        if (!name) { sink.error('parse/missing-value', "':' needs a chain name", span); continue; }
        if (!current) {
          sink.error('parse/outside-table', `chain '${name}' is declared before any '*table' line; put into 'filter'`, span);
          current = { name: 'filter', span, committed: false };
          builder.table('filter', span);
        }
        const policy = rest[0]?.text ?? null;
        let counters: Counters | null = null;
        if (rest[1]) {
          const m = COUNTERS_RE.exec(rest[1].text);
          if (m) counters = { packets: BigInt(m[1]!), bytes: BigInt(m[2]!) };
          else sink.error('parse/bad-counters', `'${rest[1].text}' is not a counter pair [packets:bytes]`, rest[1].span);
        }
        if (rest.length > 2) sink.error('parse/unexpected-argument', 'unexpected text after the chain counters', joinSpans(rest[2]!.span, rest[rest.length - 1]!.span));
        if (policy === null && !bridge) sink.error('parse/missing-value', `chain '${name}' needs a policy (ACCEPT, DROP or '-')`, span);
        builder.declareChain(builder.table(current.name, current.span), name, policy, counters, span);
        continue;
      }
      case 'commit': {
        const span = lineSpan(words, line);
        if (!current) sink.error('parse/commit-outside-table', 'COMMIT without a table', span);
        else { current.committed = true; builder.table(current.name, current.span).table.committed = true; }
        if (words.length > 1) sink.error('parse/unexpected-argument', 'unexpected text after COMMIT', joinSpans(words[1]!.span, words[words.length - 1]!.span));
        current = null;
        continue;
      }
      case 'command': {
        const counters = words[0]!.tokenType === 'Counters' ? words[0]! : null;
        const cmdWord = words[counters ? 1 : 0]!;
        handleCommand(counters, cmdWord, words.slice(counters ? 2 : 1), lineSpan(words, line), line);
        continue;
      }
    }
  }
  closeCheck();
  const snapshot = builder.finish({
    fileName: opts.fileName, format: opts.format, backend: generator?.backend ?? 'unknown', generator, lossy: false,
  });
  if (sawCounterSuffix) snapshot.counterStyle = 'suffix';
  if (!isSave || bridge) for (const t of snapshot.tables) t.committed = true;
  return snapshot;
}

/** One command of a shell script, possibly continued over several lines with backslashes. */
function handleCommandScript(parts: LineInfo[], builder: SnapshotBuilder, sink: DiagnosticSink, opts: LineParseOptions, text: string): void {
  const words: ArgWord[] = [];
  for (const p of parts) {
    const body = p.text.replace(/\\\s*$/, '');
    const lexed = shellLexer().tokenize(body);
    reportLexErrors(lexed.errors, p, sink);
    words.push(...toWords(lexed.tokens, p).map(shellUnquote));
    for (const w of words) if (w.tokenType === 'Unterminated') sink.error('parse/unterminated-quote', 'quote is not closed on this line', w.span);
  }
  const first = parts[0]!;
  const span = lineSpan(words, first);
  let k = 0;
  if (words[k]?.text === 'sudo') k++;
  const tool = words[k]?.text ?? '';
  const m = TOOL_RE.exec(tool + ' ');
  if (!m) {
    sink.warning('parse/not-a-command', `'${tool}' is not an iptables/ip6tables/ebtables command; line skipped`, words[k]?.span ?? span);
    return;
  }
  const toolFamily: Family = m[1] === 'ebtables' ? 'bridge' : m[1] === 'ip6tables' ? 'ipv6' : 'ipv4';
  if (toolFamily !== opts.family) {
    // One snapshot holds one family: the other tool's commands are reported, not mixed in.
    sink.warning('parse/other-family', `${m[1]} command skipped: this script is read as ${opts.family === 'bridge' ? 'ebtables' : opts.family === 'ipv6' ? 'ip6tables' : 'iptables'}; read it again with --family ${toolFamily} for these`, words[k]!.span);
    return;
  }
  k++;
  let table = opts.family === 'bridge' ? 'filter' : 'filter';
  let tableSpan = span;
  let cmd: ArgWord | null = null;
  const rest: ArgWord[] = [];
  for (; k < words.length; k++) {
    const w = words[k]!;
    if (!cmd && (w.text === '-t' || w.text === '--table')) { table = words[++k]?.text ?? table; tableSpan = words[k]?.span ?? span; continue; }
    if (!cmd && (w.text === '-w' || w.text === '--wait' || w.text === '-W' || w.text === '--wait-interval')) {
      if (words[k + 1] && /^\d+(\.\d+)?$/.test(words[k + 1]!.text)) k++;
      continue;
    }
    if (!cmd && (w.text === '--concurrent' || w.text === '-n' || w.text === '-v' || w.text === '--atomic-commit')) continue;
    if (!cmd && commandLetter(w.text)) { cmd = w; continue; }
    rest.push(w);
  }
  if (!cmd) {
    sink.error('parse/missing-command', 'no command (-A, -I, -N, -P …) on this line', span);
    return;
  }
  applyCommand({
    builder, sink, family: opts.family, tableName: table, tableSpan, strictChains: false, text, counters: null,
  }, cmd, rest, span);
}

/**
 * Characters no word may hold (control characters, white space other than space and tab): one error per run
 * of them, naming code points (the lexer reports each UTF-16 unit on its own). A run that the lexer split is
 * joined again.
 */
function reportLexErrors(errors: readonly { offset: number; length: number }[], line: LineInfo, sink: DiagnosticSink): void {
  for (let k = 0; k < errors.length; ) {
    const start = errors[k]!.offset;
    let end = start + errors[k]!.length;
    for (k++; k < errors.length && errors[k]!.offset <= end; k++) end = Math.max(end, errors[k]!.offset + errors[k]!.length);
    const chars = [...line.text.slice(start, end)];
    const names = chars.map((c) => 'U+' + c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')).join(' ');
    sink.error('parse/lex', `unexpected character${chars.length > 1 ? 's' : ''} ${names}: not part of any word`, spanOf(line.line, start + 1, line.offset + start, end - start));
  }
}

/** Shell single quotes (`'!'`, `'a b'`) are removed by the shell before iptables sees the argument. */
function shellUnquote(w: ArgWord): ArgWord {
  if (!w.raw.includes("'") && !w.raw.includes('"') && !w.raw.includes('\\')) return w;
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < w.raw.length; i++) {
    const c = w.raw[i]!;
    if (quote === "'") { if (c === "'") quote = null; else out += c; }
    else if (quote === '"') { if (c === '\\' && i + 1 < w.raw.length) out += w.raw[++i]; else if (c === '"') quote = null; else out += c; }
    else if (c === "'" || c === '"') quote = c;
    else if (c === '\\' && i + 1 < w.raw.length) out += w.raw[++i];
    else out += c;
  }
  // The quotes only grouped words for the shell; iptables sees a plain argument ('!' is a negation).
  return w.withText(out, /\s/.test(out));
}
