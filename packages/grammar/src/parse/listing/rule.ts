// Builds a Rule from the save words read out of one listing row (typed through parseRuleArgs, like
// iptables-save input), plus the listing text that could not be read back, kept as opaque matches.
import type { Counters, Family, Match, Rule } from '../../ir/nodes';
import { spanOf, type Span } from '../../ir/span';
import type { ArgWord, LineInfo } from '../../lex/words';
import type { DiagnosticSink } from '../diagnostics';
import { parseRuleArgs } from '../rule-args';
import type { Piece } from './emit';

/**
 * Listing text kept verbatim is an unknown match `-m listing --text "…"`: the shape parseRuleArgs gives those
 * words, so a printed lossy snapshot reads back to the same model (and says what the listing showed).
 */
export const LISTING_MODULE = 'listing';
export const LISTING_TEXT_OPTION = '--text';

export interface OpaqueChunk {
  piece: Piece;
  /** How many matches come before it. */
  matchIndex: number;
  reasons: string[];
}

export const pieceSpan = (line: LineInfo, p: Piece): Span => spanOf(line.line, p.start + 1, line.offset + p.start, p.end - p.start);

/** The verbatim text as a match nothing can interpret (known: false). */
function opaqueMatch(line: LineInfo, chunk: OpaqueChunk): Match {
  const span = pieceSpan(line, chunk.piece);
  return {
    kind: 'match', module: LISTING_MODULE, spelling: LISTING_MODULE, known: false, explicit: true, span,
    options: [{
      kind: 'option', key: LISTING_TEXT_OPTION, spelling: LISTING_TEXT_OPTION, negated: false, known: false,
      value: { type: 'raw', words: [chunk.piece.text] }, words: [chunk.piece.text], quoted: true, span,
    }],
  };
}

export interface RuleInput {
  family: Family;
  line: LineInfo;
  /** The row from its first to its last character. */
  rowSpan: Span;
  words: ArgWord[];
  opaque: readonly OpaqueChunk[];
  /** Text read into the model whose print leaves something out. */
  caveats?: readonly { piece: Piece; reason: string }[];
  counters: Counters | null;
}

export function buildRule(input: RuleInput, sink: DiagnosticSink): Rule {
  const parts = parseRuleArgs(input.words, input.family, sink);
  const matches = parts.matches.slice();
  input.opaque.forEach((chunk, k) => matches.splice(Math.min(chunk.matchIndex + k, matches.length), 0, opaqueMatch(input.line, chunk)));
  // Unknown options right after verbatim text belong to it, as parseRuleArgs reads printed text (an unknown option
  // goes to the unknown `-m` before it): merged here, the model is the one its printed text reads back to.
  for (let k = matches.length - 1; k > 0; k--) {
    const m = matches[k]!;
    const before = matches[k - 1]!;
    if (m.module === '' && !before.known && before.module !== '') {
      before.options = [...before.options, ...m.options];
      matches.splice(k, 1);
    }
  }
  reportLossy(input.line, input.opaque, input.caveats ?? [], sink);
  const comments = matches
    .filter((m) => m.module === 'comment')
    .flatMap((m) => m.options.filter((o) => o.key === 'comment').map((o) => (o.value.type === 'string' ? o.value.value : o.words.join(' '))));
  const { start, end } = input.rowSpan;
  return {
    kind: 'rule', family: input.family, table: '', chain: '', index: 0, span: input.rowSpan,
    raw: input.line.text.slice(start.offset - input.line.offset, end.offset - input.line.offset),
    counters: input.counters ?? parts.counters, base: parts.base, matches, target: parts.target,
    comment: comments.length ? comments.join(' ') : null,
  };
}

/** One warning per rule: which text (at which column) a listing could not carry into the model, and why. */
function reportLossy(line: LineInfo, chunks: readonly OpaqueChunk[], caveats: readonly { piece: Piece; reason: string }[], sink: DiagnosticSink): void {
  const items = [
    ...chunks.map((c) => ({ piece: c.piece, text: `'${c.piece.text}' (column ${c.piece.start + 1}) kept verbatim: ${c.reasons.join('; ')}` })),
    ...caveats.map((c) => ({ piece: c.piece, text: `'${c.piece.text}' (column ${c.piece.start + 1}) read, but ${c.reason}` })),
  ].sort((a, b) => a.piece.start - b.piece.start);
  if (!items.length) return;
  sink.warning('parse/listing-lossy', `the listing does not carry this rule exactly: ${items.map((i) => i.text).join(' | ')}`, pieceSpan(line, items[0]!.piece),
    'iptables-save (or iptables -S) output carries the exact rule');
}
