// Parser for `iptables -L [-n] [-v] [-x] [--line-numbers] [-t table]` and ip6tables listings: chain headers,
// the column header, and rows whose last column is the text each extension's print function writes. Every
// row becomes a Rule of the same typed model iptables-save gives: the row is turned back into the words
// iptables-save would print (listing/*.ts) and those are parsed like iptables-save input. What a listing does
// not carry is kept verbatim and reported (snapshot.lossy).
import type { Chain, Counters, Family, Rule, Snapshot } from '../ir/nodes';
import { spanOf, type Span } from '../ir/span';
import type { LineInfo } from '../lex/words';
import { SnapshotBuilder } from './builder';
import type { DiagnosticSink } from './diagnostics';
import { splitLines } from './lines';
import { chainHeader, guessLayout, headerLayout, splitRow, type Layout, type RowFields } from './listing/columns';
import { TextCursor, WordOut, type Piece } from './listing/emit';
import { readFreeText } from './listing/free-text';
import { buildRule, pieceSpan } from './listing/rule';
import { inferTable } from './listing/table';
import { addressWord, parseCount, protocolWord } from './listing/values';

export interface ListingOptions {
  fileName: string;
  family: Family;
  /** The table listed (`-t`); inferred from the chains and targets when absent. */
  table?: string | undefined;
}

interface ChainDraft {
  name: string;
  policy: string | null;
  counters: Counters | null;
  span: Span;
  rules: Rule[];
  layout: Layout | null;
}

/** One `iptables -L` output; a file may hold several (one per table). */
interface Section {
  chains: ChainDraft[];
  /** `-t nat` read from a command line in a comment or prompt before the listing. */
  hint: { table: string; span: Span } | null;
}

/** A command line quoted above a listing: `# iptables -nL --line-numbers -v -t nat`, `$ sudo ip6tables -L`. */
const COMMAND_RE = /^\s*(?:#|\$|\S*[#$>])\s*(?:sudo\s+)?(?:ip6?tables)(?:-legacy|-nft)?\s/;
const TABLE_OPT_RE = /(?:^|\s)(?:-t\s*|--table[=\s]\s*)(\w+)/;

export function parseIptablesListing(text: string, sink: DiagnosticSink, o: ListingOptions): Snapshot {
  const lines = splitLines(text, sink);
  const sections: Section[] = [{ chains: [], hint: null }];
  const current = () => sections[sections.length - 1]!;
  let chain: ChainDraft | null = null;
  /** After a chain header that cannot be read: its rows are skipped (one error, at the header). */
  let skipping = false;
  let rounded: Span | null = null;
  const count = (line: LineInfo, p: Piece | null): bigint => {
    const c = parseCount(p?.text ?? '0');
    if (c?.rounded && !rounded) rounded = pieceSpan(line, p!);
    return c?.value ?? 0n;
  };

  for (const line of lines) {
    const trimmed = line.text.trim();
    if (trimmed === '') continue;
    const lineSpan = spanOf(line.line, 1, line.offset, line.text.length);
    if (COMMAND_RE.test(line.text) || trimmed.startsWith('#')) {
      const t = COMMAND_RE.test(line.text) ? TABLE_OPT_RE.exec(trimmed) : null;
      if (t) {
        if (current().chains.length) sections.push({ chains: [], hint: null });
        current().hint = { table: t[1]!, span: lineSpan };
        chain = null;
      }
      continue;
    }
    if (/^Warning: iptables-legacy tables present/.test(trimmed)) {
      sink.info('parse/listing-note', 'iptables-nft notes that legacy tables exist too; they are not in this listing', lineSpan);
      continue;
    }
    const header = chainHeader(line.text);
    if (header) {
      if (current().chains.some((c) => c.name === header.name.text)) sections.push({ chains: [], hint: null });
      const counters = header.packets ? { packets: count(line, header.packets), bytes: count(line, header.bytes) } : null;
      skipping = false;
      chain = { name: header.name.text, policy: header.policy?.text ?? null, counters, span: lineSpan, rules: [], layout: null };
      current().chains.push(chain);
      continue;
    }
    if (/^Chain\s/.test(line.text)) {
      sink.error('parse/listing-chain', `expected 'Chain NAME (policy P [N packets, M bytes])' or 'Chain NAME (N references)', found '${trimmed.slice(0, 60)}'; its rows are skipped`, lineSpan);
      chain = null;
      skipping = true;
      continue;
    }
    if (skipping) continue;
    const layout = headerLayout(line.text);
    if (layout) {
      if (!chain) sink.error('parse/unexpected-line', "column header before any 'Chain …' line", lineSpan);
      else chain.layout = layout;
      continue;
    }
    if (!chain) {
      sink.error('parse/unexpected-line', `expected 'Chain NAME (policy …)' or 'Chain NAME (N references)', found '${trimmed.slice(0, 40)}'`, lineSpan);
      continue;
    }
    if (!chain.layout) {
      chain.layout = guessLayout(line);
      sink.info('parse/listing-no-header', `rows of chain '${chain.name}' have no column header line; columns guessed from the row`, lineSpan);
    }
    const split = splitRow(line, chain.layout);
    if (!split.ok) {
      sink.error('parse/listing-row', split.message, pieceSpan(line, split.at));
      continue;
    }
    const row = split.row;
    if (row.num && Number(row.num.text) !== chain.rules.length + 1) {
      sink.warning('parse/listing-rule-number', `rule number ${row.num.text} where ${chain.rules.length + 1} was expected (rows missing or reordered?)`, pieceSpan(line, row.num));
    }
    const counters = row.pkts ? { packets: count(line, row.pkts), bytes: count(line, row.bytes) } : null;
    chain.rules.push(readRow(line, row, counters, o.family, sink));
  }

  if (rounded) {
    sink.info('parse/listing-rounded-counters', 'counters are rounded to K/M/G (the listing was printed without -x); the model holds the rounded values', rounded);
  }
  const builder = new SnapshotBuilder(o.family, sink);
  sections.forEach((section, k) => {
    if (!section.chains.length) return;
    const first = section.chains[0]!.span;
    const table = tableOf(section, k === 0 ? o.table : undefined, o.family, sink);
    const t = builder.table(table, section.hint?.span ?? first);
    for (const draft of section.chains) {
      const c: Chain = builder.declareChain(t, draft.name, draft.policy, draft.counters, draft.span);
      for (const r of draft.rules) builder.append(t, c, r);
    }
  });
  const snapshot = builder.finish({ fileName: o.fileName, format: 'iptables-L', backend: 'unknown', generator: null, lossy: true });
  for (const t of snapshot.tables) t.committed = true;
  return snapshot;
}

function tableOf(section: Section, given: string | undefined, family: Family, sink: DiagnosticSink): string {
  if (given) return given;
  const at = section.hint?.span ?? section.chains[0]!.span;
  if (section.hint) {
    sink.info('parse/listing-table', `table '${section.hint.table}' taken from the command line above the listing`, at);
    return section.hint.table;
  }
  const { table, reason } = inferTable({
    builtins: section.chains.filter((c) => c.policy !== null).map((c) => c.name),
    targets: section.chains.flatMap((c) => c.rules.map((r) => r.target?.name ?? '')).filter(Boolean),
  }, family);
  sink.info('parse/listing-table', `the listing does not name its table; read as '${table}' (${reason})`, at,
    'give the table explicitly (--table) if this is wrong');
  return table;
}

/** One row: the fixed columns as base options, the free text through the print forms, then parseRuleArgs. */
function readRow(line: LineInfo, row: RowFields, counters: Counters | null, family: Family, sink: DiagnosticSink): Rule {
  const out = new WordOut(line);
  const bang = (p: Piece) => p.text.startsWith('!');
  const bare = (p: Piece): Piece => (bang(p) ? { text: p.text.slice(1), start: p.start + 1, end: p.end } : p);
  const base = (option: string, p: Piece, value: string) => {
    if (bang(p)) out.word('!', { text: '!', start: p.start, end: p.start + 1 });
    out.word(option, bare(p));
    out.word(value, bare(p));
  };
  for (const [option, p] of [['-s', row.source], ['-d', row.destination]] as const) {
    const a = addressWord(bare(p).text, family);
    if (a.assumed) {
      sink.warning('parse/hostname', `'${a.assumed.name}' is a name from the host's /etc/hosts or /etc/networks; read as ${a.assumed.address}, the address standard files give it`,
        pieceSpan(line, bare(p)), 'list with -n to get addresses');
    }
    if (a.text !== null) base(option, p, a.text);
  }
  for (const [option, p] of [['-i', row.in], ['-o', row.out]] as const) {
    if (p && bare(p).text !== '*' && bare(p).text !== 'any') base(option, p, bare(p).text);
  }
  const proto = protocolWord(bare(row.prot).text);
  if (proto !== null) base('-p', row.prot, proto);
  if (row.opt && row.opt.text.endsWith('f')) {
    if (row.opt.text.startsWith('!')) out.word('!', row.opt);
    out.word('-f', row.opt);
  }
  const ctx = { family, targetName: row.target?.text ?? '' };
  const free = readFreeText(new TextCursor(line, row.restStart, line.text.length), out, ctx);
  const words = out.words.slice();
  if (row.target) {
    const at = row.target;
    const t = new WordOut(line);
    t.word(free.goto ? '-g' : '-j', at);
    t.word(ctx.targetName, at);
    words.push(...t.words, ...free.target.words);
  } else if (free.target.words.length || free.goto) {
    sink.warning('parse/listing-row', 'target options without a target name', pieceSpan(line, { text: '', start: row.restStart, end: line.text.length }));
  }
  const first = row.num ?? row.pkts ?? row.target ?? row.prot;
  const end = line.text.trimEnd().length;
  return buildRule({
    family, line, words, opaque: out.opaque, caveats: out.caveats, counters,
    rowSpan: pieceSpan(line, { text: '', start: first.start, end }),
  }, sink);
}
