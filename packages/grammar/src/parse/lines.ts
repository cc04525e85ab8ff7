// Splits a file into lines with their offsets, reporting what no netfilter tool would accept as text:
// NUL bytes and absurdly long lines. CRLF and lone CR line ends are accepted (text pasted from tickets).
import { spanOf } from '../ir/span';
import type { LineInfo } from '../lex/words';
import type { DiagnosticSink } from './diagnostics';

/** iptables-restore reads lines into a fixed buffer; 64 KiB is far beyond any real rule (kube-proxy's longest is < 1 KiB). */
export const MAX_LINE_LENGTH = 65536;

export function splitLines(text: string, sink: DiagnosticSink): LineInfo[] {
  const lines: LineInfo[] = [];
  let offset = 0;
  let lineNo = 1;
  const n = text.length;
  let crlfReported = false;
  while (offset <= n) {
    let end = text.indexOf('\n', offset);
    if (end < 0) end = n;
    let lineText = text.slice(offset, end);
    if (lineText.endsWith('\r')) {
      lineText = lineText.slice(0, -1);
      if (!crlfReported) {
        sink.info('parse/crlf', 'Windows line endings (CRLF); read as plain line ends', spanOf(lineNo, lineText.length + 1, offset + lineText.length, 1));
        crlfReported = true;
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
    if (!(end === n && lineText === '' && offset === n && lines.length > 0)) lines.push({ line: lineNo, offset, text: lineText });
    offset = end + 1;
    lineNo++;
  }
  return lines;
}
