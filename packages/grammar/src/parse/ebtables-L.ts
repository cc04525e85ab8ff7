// Parser for `ebtables -L [--Ln] [--Lc] [--Lx]`: `Bridge table: filter`, `Bridge chain: INPUT, entries: 2,
// policy: ACCEPT`, then one rule per line in ebtables' own option syntax (ebtables.c list_em / nft-bridge.c
// nft_bridge_print_rule), optionally numbered (`1. ` in ebtables 2.0, `1 ` in ebtables-nft) and followed by
// `, pcnt = P -- bcnt = B`. `--Lx` prints the commands that rebuild the table (`ebtables -t filter -A …`).
import type { Chain, Snapshot } from '../ir/nodes';
import { spanOf, type Span } from '../ir/span';
import { lineLexer } from '../lex/tokens';
import { scanWords } from '../lex/scan';
import { toWords, type ArgWord, type LineInfo } from '../lex/words';
import { SnapshotBuilder } from './builder';
import { applyCommand } from './commands';
import { DiagnosticSink } from './diagnostics';
import { splitLines } from './lines';
import { buildRule, pieceSpan } from './listing/rule';

const TABLE_RE = /^Bridge table: (\S+)\s*$/;
const CHAIN_RE = /^Bridge chain: ([^\s,]+), entries: (\d+), policy: (\S+)\s*$/;
/** `1. ` (ebtables 2.0 --Ln) or `1 ` (ebtables-nft --Ln) before the rule. */
const NUMBER_RE = /^(\d+)\.? /;
/** `, pcnt = 0 -- bcnt = 0` after the rule (--Lc). */
const COUNTERS_RE = /\s*,\s*pcnt = (\d+) -- bcnt = (\d+)\s*$/;
const COMMAND_RE = /^ebtables(?:-legacy|-nft)?\s/;

function wordsOf(line: LineInfo, end: number): ArgWord[] {
  const sub: LineInfo = { ...line, text: line.text.slice(0, end) };
  const words = scanWords(sub) ?? toWords(lineLexer().tokenize(sub.text).tokens, sub);
  return words;
}

export function parseEbtablesListing(text: string, sink: DiagnosticSink, o: { fileName: string }): Snapshot {
  const lines = splitLines(text, sink);
  const builder = new SnapshotBuilder('bridge', sink);
  let table: { name: string; span: Span } | null = null;
  let chain: { chain: Chain; entries: number; span: Span } | null = null;
  const checkEntries = () => {
    if (chain && chain.chain.rules.length !== chain.entries) {
      sink.warning('parse/listing-entries', `chain '${chain.chain.name}' says entries: ${chain.entries} but ${chain.chain.rules.length} rules are listed (output cut?)`, chain.span);
    }
  };

  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lineSpan = spanOf(line.line, 1, line.offset, line.text.length);
    const t = TABLE_RE.exec(line.text);
    if (t) {
      checkEntries();
      chain = null;
      table = { name: t[1]!, span: lineSpan };
      builder.table(table.name, lineSpan);
      continue;
    }
    const c = CHAIN_RE.exec(line.text);
    if (c) {
      checkEntries();
      if (!table) {
        sink.error('parse/outside-table', "'Bridge chain:' before any 'Bridge table:' line; put into 'filter'", lineSpan);
        table = { name: 'filter', span: lineSpan };
      }
      const declared = builder.declareChain(builder.table(table.name, table.span), c[1]!, c[3]!, null, lineSpan);
      chain = { chain: declared, entries: Number(c[2]), span: lineSpan };
      continue;
    }
    if (COMMAND_RE.test(trimmed)) {
      readCommand(line, builder, sink, text);
      continue;
    }
    if (!chain || !table) {
      sink.error('parse/unexpected-line', `expected 'Bridge table: NAME' or 'Bridge chain: NAME, entries: N, policy: P', found '${trimmed.slice(0, 40)}'`, lineSpan);
      continue;
    }
    builder.append(builder.table(table.name, table.span), chain.chain, readRule(line, chain.chain.rules.length + 1, sink));
  }
  checkEntries();
  const snapshot = builder.finish({ fileName: o.fileName, format: 'ebtables-L', backend: 'unknown', generator: null, lossy: true });
  for (const t of snapshot.tables) t.committed = true;
  return snapshot;
}

function readRule(line: LineInfo, expected: number, sink: DiagnosticSink): ReturnType<typeof buildRule> {
  let start = line.text.length - line.text.trimStart().length;
  let end = line.text.trimEnd().length;
  const num = NUMBER_RE.exec(line.text.slice(start));
  if (num) {
    if (Number(num[1]) !== expected) {
      sink.warning('parse/listing-rule-number', `rule number ${num[1]} where ${expected} was expected (rows missing or reordered?)`, pieceSpan(line, { text: num[1]!, start, end: start + num[1]!.length }));
    }
    start += num[0].length;
  }
  let counters = null;
  const cnt = COUNTERS_RE.exec(line.text.slice(0, end));
  if (cnt) {
    counters = { packets: BigInt(cnt[1]!), bytes: BigInt(cnt[2]!) };
    end = cnt.index;
  }
  const words = wordsOf(line, end).filter((w) => w.start >= start);
  // ebtables prints `-d ! Broadcast`, `--ip-src ! 10.0.0.1` itself (the option, then `!`, then the value):
  // in its own listing that is not the deprecated form parseRuleArgs warns about.
  const local = new DiagnosticSink(sink.file, sink.origin);
  const rule = buildRule({
    family: 'bridge', line, words, opaque: [], counters,
    rowSpan: pieceSpan(line, { text: '', start, end: line.text.trimEnd().length }),
  }, local);
  for (const d of local.items) if (d.code !== 'parse/old-negation') sink.items.push(d);
  return rule;
}

/** `--Lx` output: `ebtables -t filter -P INPUT ACCEPT`, `ebtables -t filter -N X`, `ebtables -t filter -A …`. */
function readCommand(line: LineInfo, builder: SnapshotBuilder, sink: DiagnosticSink, text: string): void {
  const words = wordsOf(line, line.text.trimEnd().length).slice(1);
  let tableName = 'filter';
  let k = 0;
  if (words[0]?.text === '-t' && words[1]) {
    tableName = words[1].text;
    k = 2;
  }
  const cmd = words[k];
  const lineSpan = pieceSpan(line, { text: '', start: words[0]?.start ?? 0, end: line.text.trimEnd().length });
  if (!cmd) {
    sink.error('parse/missing-command', 'no command (-A, -N, -P …) on this line', lineSpan);
    return;
  }
  const local = new DiagnosticSink(sink.file, sink.origin);
  applyCommand({
    builder, sink: local, family: 'bridge', tableName, tableSpan: lineSpan, strictChains: false, text, counters: null,
  }, cmd, words.slice(k + 1), lineSpan);
  for (const d of local.items) if (d.code !== 'parse/old-negation') sink.items.push(d);
}
