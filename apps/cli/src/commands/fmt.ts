// `chainsight fmt FILE`: canonical iptables-save / ebtables-save text.
import { printSnapshot } from '@chainsight/grammar';
import { parseArgs } from '../args';
import { EXIT, type Command } from '../command';
import { counts, loadSnapshot, renderDiagnostics } from '../load';
import { FMT_HELP } from '../messages/index';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

export const command: Command = {
  name: 'fmt',
  async run(argv, { io, colors: c }) {
    const args = parseArgs(argv, { ...INPUT_OPTION_DEFS, comments: {} });
    if (args.flags.has('help')) { io.stdout(FMT_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length !== 1) { io.stderr(FMT_HELP + '\n'); return EXIT.error; }
    const f = await loadSnapshot(io, args.positionals[0]!, loadOptions(args));
    renderDiagnostics(io, f, c, 'error');
    io.stdout(printSnapshot(f.result.snapshot, { comments: args.flags.has('comments') }));
    return counts(f.result.diagnostics).errors ? EXIT.error : EXIT.ok;
  },
};
