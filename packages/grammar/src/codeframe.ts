// Renders a diagnostic with the offending line and a caret underline, like compilers do.
import type { Diagnostic } from './ir/diagnostic';

export function codeFrame(text: string, d: Diagnostic, contextLines = 0): string {
  const { start, end } = d.span;
  const lineStart = text.lastIndexOf('\n', Math.max(0, start.offset - 1)) + 1;
  const begin = start.offset === lineStart ? start.offset : lineStart;
  let lineEnd = text.indexOf('\n', begin);
  if (lineEnd < 0) lineEnd = text.length;
  let line = text.slice(begin, lineEnd).replace(/\r$/, '');
  const gutter = String(start.line).length;
  const out: string[] = [];
  if (contextLines > 0) {
    const prevStart = text.lastIndexOf('\n', Math.max(0, begin - 2)) + 1;
    if (begin > 0) out.push(`${' '.repeat(gutter)} | ${text.slice(prevStart, begin - 1).replace(/\r$/, '').slice(0, 200)}`);
  }
  let col = start.column - 1;
  const MAX = 200;
  let shift = 0;
  if (line.length > MAX) {
    shift = Math.max(0, col - 40);
    line = (shift ? '…' : '') + line.slice(shift, shift + MAX) + '…';
    if (shift) shift -= 1;
  }
  col -= shift;
  const width = Math.max(1, Math.min(end.line === start.line ? end.column - start.column : line.length - col, line.length - col + 1, MAX));
  out.push(`${start.line} | ${line}`);
  out.push(`${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, col))}${'^'.repeat(width)}`);
  return out.join('\n');
}
