// Renders a diagnostic with the offending line and a caret underline, like compilers do.
import type { Diagnostic } from './ir/diagnostic';
import { visibleText } from './visible';

export function codeFrame(text: string, d: Diagnostic, contextLines = 0): string {
  const { start, end } = d.span;
  const lineStart = text.lastIndexOf('\n', Math.max(0, start.offset - 1)) + 1;
  const begin = start.offset === lineStart ? start.offset : lineStart;
  let lineEnd = text.indexOf('\n', begin);
  if (lineEnd < 0) lineEnd = text.length;
  const raw = text.slice(begin, lineEnd).replace(/\r$/, '');
  // Control characters of the input are shown escaped (visible.ts); columns move with the escapes.
  let line = visibleText(raw);
  const shown = (column: number) => (line === raw ? column : visibleText(raw.slice(0, column)).length + Math.max(0, column - raw.length));
  const gutter = String(start.line).length;
  const out: string[] = [];
  if (contextLines > 0) {
    const prevStart = text.lastIndexOf('\n', Math.max(0, begin - 2)) + 1;
    if (begin > 0) out.push(`${' '.repeat(gutter)} | ${visibleText(text.slice(prevStart, begin - 1).replace(/\r$/, '').slice(0, 200))}`);
  }
  let col = shown(start.column - 1);
  const endCol = end.line === start.line ? shown(end.column - 1) : line.length;
  const MAX = 200;
  let shift = 0;
  if (line.length > MAX) {
    shift = Math.max(0, col - 40);
    line = (shift ? '…' : '') + line.slice(shift, shift + MAX) + '…';
    if (shift) shift -= 1;
  }
  col -= shift;
  const width = Math.max(1, Math.min(endCol - shift - col, line.length - col + 1, MAX));
  out.push(`${start.line} | ${line}`);
  out.push(`${' '.repeat(gutter)} | ${' '.repeat(Math.max(0, col))}${'^'.repeat(width)}`);
  return out.join('\n');
}
