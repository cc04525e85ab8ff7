// The one error boundary of the CLI: dispatches to lazily loaded commands and maps errors to exit codes.
import { UsageError } from './args';
import { EXIT, type Command } from './command';
import type { CliIo } from './io';
import { InputError } from './load';
import { MAIN_HELP, VERSION } from './messages/index';
import { terminal } from './terminal';

// A Map, not an object: the command name comes from argv, and `chainsight constructor` or `__proto__` must be
// an unknown command, not Object.prototype's member.
const COMMANDS = new Map<string, () => Promise<{ command: Command }>>([
  ['parse', () => import('./commands/parse')],
  ['fmt', () => import('./commands/fmt')],
  ['trace', () => import('./commands/trace')],
  ['diff', () => import('./commands/diff')],
  ['lint', () => import('./commands/lint')],
  ['graph', () => import('./commands/graph')],
  ['explain', () => import('./commands/explain')],
  ['capture', () => import('./commands/capture')],
  ['query', () => import('./commands/query')],
]);

/** Registers a command module (used by the entry to add the commands other packages provide). */
export function registerCommand(name: string, load: () => Promise<{ command: Command }>): void {
  COMMANDS.set(name, load);
}

export async function run(argv: readonly string[], rawIo: CliIo): Promise<number> {
  // Every line written from here on shows the input's control characters escaped (terminal.ts).
  const { io, colors: c, data } = terminal(rawIo);
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout(MAIN_HELP + '\n');
    return name ? EXIT.ok : EXIT.error;
  }
  if (name === '--version' || name === '-V') {
    io.stdout(`chainsight ${VERSION}\n`);
    return EXIT.ok;
  }
  const load = COMMANDS.get(name);
  if (!load) {
    io.stderr(`${c.red('error')}: unknown command '${name}'\n\n${MAIN_HELP}\n`);
    return EXIT.error;
  }
  try {
    const { command } = await load();
    return await command.run(rest, { io, colors: c, data });
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${c.red('error')}: ${e.message}\nRun 'chainsight ${name} --help' for usage.\n`);
      return EXIT.error;
    }
    if (e instanceof InputError) {
      io.stderr(`${c.red('error')}: ${e.message}\n`);
      return EXIT.error;
    }
    // V8 caps a string at about 512 MB (2^29 UTF-16 units): an output built as one document beyond that (JSON of
    // 100,000 outcomes) cannot be written; say what to narrow rather than showing a stack.
    if (e instanceof RangeError && /Invalid string length/.test(e.message)) {
      io.stderr(`${c.red('error')}: the output is larger than one string can hold (about 512 MB); ask for less (fewer outcomes with --max-outcomes, one table, --format text)\n`);
      return EXIT.error;
    }
    io.stderr(`${c.red('internal error')}: ${(e as Error).stack ?? String(e)}\nThis is a bug in chainsight; please report it with the input.\n`);
    return EXIT.error;
  }
}
