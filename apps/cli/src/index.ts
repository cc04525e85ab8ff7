// chainsight CLI entry: `run(argv, io)` for tests, `main()` for the bin.
import { handleOutputErrors, processIo } from './io';
import { run } from './run';

export { run, registerCommand } from './run';
export { memoryIo, processIo, type CliIo } from './io';

export async function main(): Promise<void> {
  handleOutputErrors();
  process.exitCode = await run(process.argv.slice(2), processIo());
}
