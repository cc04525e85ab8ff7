// Reads a whole log: finds the trace lines among other log lines, joins lines that a terminal, mail client or
// `fold` wrapped, and parses each (parse-line.ts). Everything else is counted as skipped, never an error: a real
// syslog holds many other messages between the TRACE lines.
import { parseTraceLine, traceAnchor } from './parse-line';
import { hasLogPrefix } from './prefix';
import type { TraceFormat, TraceLine, TraceLog } from './types';

/** Field keys of legacy TRACE and xtables PACKET lines (nf_log_syslog.c, xtables-monitor.c). */
const FIELD_KEYS = new Set([
  'IN', 'OUT', 'PHYSIN', 'PHYSOUT', 'MAC', 'SRC', 'DST', 'LEN', 'TOS', 'PREC', 'TTL', 'ID', 'PROTO', 'SPT', 'DPT',
  'SEQ', 'ACK', 'WINDOW', 'RES', 'URGP', 'TYPE', 'CODE', 'MARK', 'UID', 'GID', 'MTU', 'GATEWAY', 'PARAMETER',
  'HOPLIMIT', 'TC', 'FLOWLBL', 'SPORT', 'DPORT', 'MACSRC', 'MACDST', 'MACPROTO', 'NFPROTO', 'LL', 'INCOMPLETE',
]);
const FLAG_WORDS = new Set(['DF', 'CE', 'MF', 'SYN', 'ACK', 'FIN', 'RST', 'PSH', 'URG', 'ECE', 'CWR', 'AE', 'OPT']);

function isFieldToken(t: string): boolean {
  const eq = t.indexOf('=');
  if (eq > 0) return FIELD_KEYS.has(t.slice(0, eq));
  return FLAG_WORDS.has(t) || /^FRAG:\d+$/.test(t) || /^\([0-9A-Fa-f]*\)?$/.test(t) || /^\[|\]$/.test(t);
}

/**
 * A physical line continuing the previous trace line: no log prefix of its own, and made of packet fields only
 * (its first word may be the rest of a word cut in two). Returns what to append to the line so far (`prev` is its
 * end, at least LONGEST_WORD + 1 characters of it), or null.
 */
function continuation(prev: string, line: string): string | null {
  if (line.trim() === '' || hasLogPrefix(line) || traceAnchor(line) >= 0) return null;
  const tokens = line.trim().split(/\s+/);
  // Only the end of the line so far matters: the caller passes its tail, so joining n lines stays linear
  // (testing, or even indexing, the whole joined string each time took 21 s for 16,000 lines).
  const last = lastWord(prev);
  const cut = !last.endsInSpace && !/^\s/.test(line);
  const rest = cut ? tokens.slice(1) : tokens;
  if (!rest.every(isFieldToken)) return null;
  if (!cut && !isFieldToken(tokens[0]!)) return null;
  // Need at least one real field or flag word: a lone fragment is more likely an unrelated line.
  if (!tokens.some((t) => isFieldToken(t) && /[=A-Z]/.test(t))) return null;
  // A wrapper that dropped the space at the break (fmt, mail) leaves a whole field at the start of the line.
  if (cut && isFieldToken(tokens[0]!) && /^[A-Z]+(?:=|$)/.test(tokens[0]!) && (/^[A-Z]+=\S+$/.test(last.word) || (last.spaced && /^[A-Z]{2,}$/.test(last.word)))) {
    return ` ${line.trim()}`;
  }
  return line;
}

/** Longer than any field nf_log prints: a last word this long is not a whole field (and is not scanned again). */
const LONGEST_WORD = 4096;

/**
 * The last whitespace-separated word of `text` ('' when it ends in whitespace, or when it is longer than
 * LONGEST_WORD), whether whitespace precedes it, and whether `text` ends in whitespace.
 */
function lastWord(text: string): { word: string; spaced: boolean; endsInSpace: boolean } {
  const end = text.length;
  let i = end;
  while (i > 0 && end - i <= LONGEST_WORD && !/\s/.test(text[i - 1]!)) i--;
  const endsInSpace = i === end && end > 0;
  if (end - i > LONGEST_WORD) return { word: '', spaced: false, endsInSpace };
  return { word: text.slice(i), spaced: i > 0, endsInSpace };
}

/** The first line and the next joined, when only together they hold a trace anchor that starts in the first. */
function splitAnchor(line: string, next: string | undefined): string | null {
  if (next === undefined || next.trim() === '' || hasLogPrefix(next) || traceAnchor(next) >= 0) return null;
  for (const joinedText of [line + next, `${line} ${next}`]) {
    const at = traceAnchor(joinedText);
    if (at >= 0 && at < line.length) return joinedText;
  }
  return null;
}

const FORMAT_OF: Record<TraceLine['kind'], TraceFormat> = {
  legacy: 'legacy', xtables: 'xtables-monitor', 'xtables-packet': 'xtables-monitor', nft: 'nft-monitor', 'nft-packet': 'nft-monitor',
};

export function formatOf(line: TraceLine): TraceFormat {
  return FORMAT_OF[line.kind];
}

export function readTraceLog(text: string, options: { fileName?: string } = {}): TraceLog {
  const physical = text.split(/\r?\n/);
  if (physical.length && physical[physical.length - 1] === '') physical.pop();
  const lines: TraceLine[] = [];
  const formats: TraceFormat[] = [];
  let skipped = 0;
  let joined = 0;
  for (let i = 0; i < physical.length; i++) {
    let first = physical[i]!;
    let end = i;
    if (traceAnchor(first) < 0) {
      // The break may fall inside the anchor itself (`… kernel: [8124.1] TRACE: ` / `nat:DOCKER:rule:2 …`).
      const head = splitAnchor(first, physical[i + 1]);
      if (head === null) {
        skipped++;
        continue;
      }
      first = head;
      end = i + 1;
      joined++;
    }
    // The joined line as parts, and its tail for the next continuation test.
    const parts = [first];
    let tail = first.slice(-(LONGEST_WORD + 1));
    // Only the KEY=VALUE formats are joined: their continuation can be told from other text.
    const joinable = !/trace id [0-9a-f]{8} /.test(first) && !/TRACE: \d+ [0-9a-f]{8} /.test(first);
    while (joinable && end + 1 < physical.length) {
      const next = continuation(tail, physical[end + 1]!);
      if (next === null) break;
      parts.push(next);
      tail = (tail + next).slice(-(LONGEST_WORD + 1));
      end++;
      joined++;
    }
    const parsed = parseTraceLine({ line: i + 1, endLine: end + 1, text: parts.length === 1 ? first : parts.join('') });
    if (!parsed) {
      skipped += end - i + 1;
    } else {
      lines.push(parsed);
      const f = formatOf(parsed);
      if (!formats.includes(f)) formats.push(f);
    }
    i = end;
  }
  return { fileName: options.fileName ?? '<log>', lines, formats, skipped, joined, totalLines: physical.length };
}
