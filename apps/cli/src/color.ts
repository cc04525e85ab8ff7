// Colour only on a terminal, never with NO_COLOR set (https://no-color.org), forced with FORCE_COLOR.
import type { CliIo } from './io';

export interface Colors {
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;
const plain = (s: string) => s;

export function colors(io: CliIo): Colors {
  const on = io.env.NO_COLOR === undefined && (io.env.FORCE_COLOR !== undefined ? io.env.FORCE_COLOR !== '0' : io.isTTY);
  if (!on) return { red: plain, yellow: plain, green: plain, cyan: plain, dim: plain, bold: plain };
  return { red: wrap(31, 39), yellow: wrap(33, 39), green: wrap(32, 39), cyan: wrap(36, 39), dim: wrap(2, 22), bold: wrap(1, 22) };
}
