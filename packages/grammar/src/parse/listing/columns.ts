// The fixed columns of an `iptables -L` row (iptables.c / ip6tables.c print_firewall): [num] [pkts bytes]
// target prot opt [in out] source destination, then the free text of the extensions. Columns are padded but
// overflow when a value is long (`DOCKER-ISOLATION  all`), so a row is split into words, not by position.
import type { LineInfo } from '../../lex/words';
import type { Piece } from './emit';

export interface Layout {
  /** `--line-numbers`. */
  num: boolean;
  /** `-v`: pkts and bytes before the target, in and out after opt. */
  verbose: boolean;
}

const HEADER_RE = /^\s*(num\s+)?(pkts\s+bytes\s+)?target\s+prot\s+opt\s+(in\s+out\s+)?source\s+destination\s*$/;

/** The column header line (`num pkts bytes target prot opt in out source destination`), or null. */
export function headerLayout(text: string): Layout | null {
  const m = HEADER_RE.exec(text);
  return m ? { num: !!m[1], verbose: !!(m[2] || m[3]) } : null;
}

export interface RowFields {
  num: Piece | null;
  pkts: Piece | null;
  bytes: Piece | null;
  /** Empty target column: a rule without -j (it only counts). */
  target: Piece | null;
  prot: Piece;
  /** `--`, `-f` or `!f`; null when not printed (ip6tables before 1.4.x printed blanks). */
  opt: Piece | null;
  in: Piece | null;
  out: Piece | null;
  source: Piece;
  destination: Piece;
  /** Where the extensions' free text starts in the line. */
  restStart: number;
}

export type RowResult = { ok: true; row: RowFields } | { ok: false; message: string; at: Piece };

function wordsOf(line: LineInfo): Piece[] {
  const out: Piece[] = [];
  for (const m of line.text.matchAll(/\S+/g)) out.push({ text: m[0], start: m.index!, end: m.index! + m[0].length });
  return out;
}

const isOpt = (w: Piece | undefined) => !!w && /^[-!][-f]$/.test(w.text);
const isCount = (w: Piece | undefined) => !!w && /^\d+[KMGT]?$/.test(w.text);
const isProtocolLike = (w: Piece | undefined) => !!w && /^!?(?:\d+|all|[a-z][a-z0-9.-]*)$/.test(w.text);

/** Guesses the layout of a row printed without its column header (text cut from a longer listing). */
export function guessLayout(line: LineInfo): Layout {
  const words = wordsOf(line);
  let numeric = 0;
  while (numeric < 3 && isCount(words[numeric])) numeric++;
  // Three leading numbers: num pkts bytes; two: pkts bytes (or num plus a numeric chain name, rare); one: num.
  return { num: numeric === 1 || numeric === 3, verbose: numeric >= 2 };
}

export function splitRow(line: LineInfo, layout: Layout): RowResult {
  const words = wordsOf(line);
  let i = 0;
  const fail = (message: string, at?: Piece): RowResult => ({
    ok: false, message, at: at ?? { text: '', start: line.text.length, end: line.text.length },
  });
  const num = layout.num ? words[i++] ?? null : null;
  if (num && !/^\d+$/.test(num.text)) return fail(`expected the rule number (--line-numbers), found '${num.text}'`, num);
  let pkts: Piece | null = null;
  let bytes: Piece | null = null;
  if (layout.verbose) {
    pkts = words[i++] ?? null;
    bytes = words[i++] ?? null;
    for (const w of [pkts, bytes]) if (!isCount(w ?? undefined)) return fail(`expected a packet/byte counter, found '${w?.text ?? ''}'`, w ?? undefined);
  }
  let target: Piece | null;
  let prot: Piece;
  let opt: Piece | null = null;
  if (isOpt(words[i + 1]) && !isOpt(words[i + 2])) {
    // The target column is blank: `-p tcp` alone prints no target name.
    target = null;
    prot = words[i]!;
    opt = words[i + 1]!;
    i += 2;
  } else if (isOpt(words[i + 2])) {
    target = words[i]!;
    prot = words[i + 1]!;
    opt = words[i + 2]!;
    i += 3;
  } else if (isProtocolLike(words[i + 1])) {
    target = words[i]!;
    prot = words[i + 1]!;
    i += 2;
  } else if (isProtocolLike(words[i])) {
    target = null;
    prot = words[i]!;
    i += 1;
  } else {
    return fail(`expected 'target prot opt' columns, found '${words.slice(i, i + 3).map((w) => w.text).join(' ')}'`, words[i]);
  }
  let inIf: Piece | null = null;
  let outIf: Piece | null = null;
  if (layout.verbose) {
    inIf = words[i++] ?? null;
    outIf = words[i++] ?? null;
  }
  const source = words[i++];
  const destination = words[i++];
  if (!source || !destination || (layout.verbose && !outIf)) {
    return fail(`the row ends before the ${layout.verbose ? 'in/out/' : ''}source/destination columns`);
  }
  return { ok: true, row: { num, pkts, bytes, target, prot, opt, in: inIf, out: outIf, source, destination, restStart: destination.end } };
}

export interface ChainHeader {
  name: Piece;
  policy: Piece | null;
  packets: Piece | null;
  bytes: Piece | null;
  references: number | null;
}

const CHAIN_RE = /^Chain (\S+) \((?:policy (\S+)(?: (\d+[KMGT]?) packets, (\d+[KMGT]?) bytes)?|(\d+) references?)\)\s*$/d;

/** `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)` / `Chain DOCKER (2 references)`. */
export function chainHeader(text: string): ChainHeader | null {
  const m = CHAIN_RE.exec(text);
  if (!m) return null;
  const piece = (k: number): Piece | null => {
    const ix = m.indices![k];
    return ix ? { text: m[k]!, start: ix[0], end: ix[1] } : null;
  };
  return { name: piece(1)!, policy: piece(2), packets: piece(3), bytes: piece(4), references: m[5] === undefined ? null : Number(m[5]) };
}
