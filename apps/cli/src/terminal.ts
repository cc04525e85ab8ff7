// What the CLI writes is for a terminal: text from the input (comments, chain names, quoted values, file names)
// goes through visibleText (@chainsight/grammar), so an escape sequence in a rule comment shows as `\x1b` and
// cannot retitle or clear the terminal. The colours chainsight adds itself are the only raw escape sequences
// let through: colors() prefixes each with a tag drawn at random per run, which input cannot know, and the
// writer below keeps exactly the tagged sequences and escapes everything else.
import { randomBytes } from 'node:crypto';
import { visibleText } from '@chainsight/grammar';
import { colors, type Colors } from './color';
import type { CliIo } from './io';

export interface Terminal {
  /** The io whose stdout and stderr escape control characters (the commands write through it). */
  io: CliIo;
  colors: Colors;
  /**
   * Output that is data to be read back (fmt's rules, graph's DOT): byte-exact into a file or a pipe, escaped
   * only on a terminal, as ls(1) shows control characters as `?` only there.
   */
  data(text: string): void;
}

export function terminal(io: CliIo): Terminal {
  // U+E000/U+E001 (private use) around 12 random hex digits: no input text contains it by chance.
  const tag = `\u{e000}${randomBytes(6).toString('hex')}\u{e001}`;
  const c = colors(io, tag);
  const SGR = /^\x1b\[\d+m/;
  const safe = (text: string): string => {
    if (!text.includes(tag)) return visibleText(text);
    const [first, ...rest] = text.split(tag);
    let out = visibleText(first!);
    for (const piece of rest) {
      const m = SGR.exec(piece);
      out += m ? m[0] + visibleText(piece.slice(m[0].length)) : visibleText(piece);
    }
    return out;
  };
  return {
    io: { ...io, stdout: (t) => io.stdout(safe(t)), stderr: (t) => io.stderr(safe(t)) },
    colors: c,
    data: (t) => io.stdout(io.isTTY ? visibleText(t) : t),
  };
}
