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

/** `tag` marks the escape sequences as chainsight's own (terminal.ts lets only tagged ones through). */
const wrap = (open: number, close: number, tag: string) => (s: string) => `${tag}\x1b[${open}m${s}${tag}\x1b[${close}m`;
const plain = (s: string) => s;

export function colors(io: CliIo, tag = ''): Colors {
  const on = io.env.NO_COLOR === undefined && (io.env.FORCE_COLOR !== undefined ? io.env.FORCE_COLOR !== '0' : io.isTTY);
  if (!on) return { red: plain, yellow: plain, green: plain, cyan: plain, dim: plain, bold: plain };
  return { red: wrap(31, 39, tag), yellow: wrap(33, 39, tag), green: wrap(32, 39, tag), cyan: wrap(36, 39, tag), dim: wrap(2, 22, tag), bold: wrap(1, 22, tag) };
}
