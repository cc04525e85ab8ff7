// Splits a file into lines with their offsets, reporting what no netfilter tool would accept as text:
// NUL bytes and absurdly long lines. CRLF and lone CR line ends are accepted (text pasted from tickets).
import { spanOf } from '../ir/span';
import type { LineInfo } from '../lex/words';
import type { DiagnosticSink } from './diagnostics';

/** iptables-restore reads lines into a fixed buffer; 64 KiB is far beyond any real rule (kube-proxy's longest is < 1 KiB). */
export const MAX_LINE_LENGTH = 65536;

/**
 * Hands out a file's lines one at a time. The hot path reads them this way so that each line's object dies
 * young: an array of all 170k lines of a large snapshot would live through the whole parse and be copied by
 * the garbage collector like the model itself.
 */
export class LineReader {
  private offset = 0;
  private lineNo: number;
  /** Added to every reported offset: the text's place in its file (DiagnosticSink.origin). */
  private readonly base: number;
  private crlfReported = false;
  private produced = 0;

  constructor(
    private readonly text: string,
    private readonly sink: DiagnosticSink,
  ) {
    this.lineNo = sink.origin.line;
    this.base = sink.origin.offset;
  }

  next(): LineInfo | null {
    const { text, sink } = this;
    const n = text.length;
    while (this.offset <= n) {
      const at = this.offset;
      const offset = at + this.base;
      const lineNo = this.lineNo;
      let end = text.indexOf('\n', at);
      if (end < 0) end = n;
      this.offset = end + 1;
      this.lineNo++;
      // The empty "line" after a final newline is not a line.
      if (end === n && at === n && this.produced > 0) continue;
      let lineText = text.slice(at, end);
      if (lineText.endsWith('\r')) {
        lineText = lineText.slice(0, -1);
        if (!this.crlfReported) {
          sink.info('parse/crlf', 'Windows line endings (CRLF); read as plain line ends', spanOf(lineNo, lineText.length + 1, offset + lineText.length, 1));
          this.crlfReported = true;
        }
      }
      if (lineText.length > MAX_LINE_LENGTH) {
        sink.error('parse/line-too-long', `line is ${lineText.length} characters long (limit ${MAX_LINE_LENGTH}); skipped`, spanOf(lineNo, 1, offset, 80));
        lineText = '';
      } else if (lineText.includes('\0')) {
        const col = lineText.indexOf('\0');
        sink.error('parse/nul-byte', 'NUL byte in the text (binary data?); read as a space', spanOf(lineNo, col + 1, offset + col, 1));
        lineText = lineText.replace(/\0/g, ' ');
      }
      let lineOffset = offset;
      if (at === 0 && lineText.charCodeAt(0) === 0xfeff) {
        // A byte order mark (editors on Windows write one): not part of the first word, and not shown in messages.
        sink.info('parse/bom', 'byte order mark (U+FEFF) at the start of the file; ignored', spanOf(lineNo, 1, offset, 1));
        lineText = lineText.slice(1);
        lineOffset++;
      }
      const bad = lineText.indexOf('\uFFFD');
      if (bad >= 0) {
        // The caller decoded the file as UTF-8 (TextDecoder without fatal): bytes that were not UTF-8 became U+FFFD.
        // Kept, but never silently: the value that holds it is not what the file said.
        const count = lineText.split('\uFFFD').length - 1;
        sink.warning('parse/invalid-utf8', `${count > 1 ? `${count} characters` : 'a character'} U+FFFD (the replacement character): bytes that are not valid UTF-8, or a U+FFFD in the file; what they said is lost`, spanOf(lineNo, bad + 1, lineOffset + bad, 1));
      }
      this.produced++;
      return { line: lineNo, offset: lineOffset, text: lineText };
    }
    return null;
  }
}

export function splitLines(text: string, sink: DiagnosticSink): LineInfo[] {
  const reader = new LineReader(text, sink);
  const lines: LineInfo[] = [];
  for (let line = reader.next(); line; line = reader.next()) lines.push(line);
  return lines;
}
