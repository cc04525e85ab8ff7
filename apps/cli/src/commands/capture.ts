// `chainsight capture --script`: prints the host capture script (the trace package's capture.sh), so that the
// script that writes a capture always matches the reader of this chainsight.
import { CAPTURE_SCRIPT } from '@chainsight/trace';
import { parseArgs, UsageError } from '../args';
import { EXIT, type Command } from '../command';
import { CAPTURE_HELP } from '../messages/capture';

export const command: Command = {
  name: 'capture',
  async run(argv, { io, data }) {
    const args = parseArgs(argv, { script: {}, help: { short: 'h' } });
    if (args.flags.has('help')) { io.stdout(CAPTURE_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length) throw new UsageError(`capture takes no files (got '${args.positionals[0]}'): it prints the script that makes one`);
    if (!args.flags.has('script')) { io.stderr(CAPTURE_HELP + '\n'); return EXIT.error; }
    // Byte-exact: the output is a script to run.
    data(CAPTURE_SCRIPT);
    return EXIT.ok;
  },
};
