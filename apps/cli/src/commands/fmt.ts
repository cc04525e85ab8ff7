// `chainsight fmt FILE`: canonical iptables-save / ebtables-save text.
import { printSnapshot } from '@chainsight/grammar';
import { parseArgs } from '../args';
import { EXIT, type Command } from '../command';
import { counts, loadRulesets, renderDiagnostics } from '../load';
import { FMT_HELP } from '../messages/index';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';
import { readMaybeNft } from '../nft-input';

export const command: Command = {
  name: 'fmt',
  async run(argv, { io, colors: c, data }) {
    const args = parseArgs(argv, { ...INPUT_OPTION_DEFS, comments: {} });
    if (args.flags.has('help')) { io.stdout(FMT_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length !== 1) { io.stderr(FMT_HELP + '\n'); return EXIT.error; }
    // A host capture has a ruleset per rules section: those with rules are printed, each headed by a comment naming
    // its section when there are several (--family picks one, which iptables-restore then reads back).
    const input = await readMaybeNft(io, args.positionals[0]!);
    if ('nft' in input) return (await import('./nft-fmt')).nftFmt(input.nft, { io, colors: c, data });
    const files = await loadRulesets(io, args.positionals[0]!, loadOptions(args), input.text);
    const shown = files.length > 1 ? files.filter((f) => f.result.snapshot.tables.length) : files;
    for (const f of files) renderDiagnostics(io, f, c, 'error');
    // The rules are data (fmt > file reads back the same): byte-exact, escaped only on a terminal.
    for (const f of shown) data(`${shown.length > 1 ? `# ${f.section} section of ${f.path}\n` : ''}${printSnapshot(f.result.snapshot, { comments: args.flags.has('comments') })}`);
    return files.some((f) => counts(f.result.diagnostics).errors) ? EXIT.error : EXIT.ok;
  },
};
