// The shape of a CLI command module (loaded lazily by run.ts).
import type { Colors } from './color';
import type { CliIo } from './io';

export interface CommandContext {
  io: CliIo;
  colors: Colors;
  /** Writes data to be read back (fmt's rules, graph's DOT): byte-exact unless stdout is a terminal (terminal.ts). */
  data(text: string): void;
}

export interface Command {
  name: string;
  run(argv: readonly string[], ctx: CommandContext): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, findings: 1, error: 2 } as const;
