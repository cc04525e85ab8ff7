// `chainsight fmt` of an nftables ruleset: printed as `nft list ruleset` prints it (@chainsight/nft printRuleset;
// a JSON ruleset comes out as nft text, scripts as the listing nft would show).
import { printRuleset } from '@chainsight/nft';
import { EXIT } from '../command';
import type { CommandContext } from '../command';
import { nftErrors, renderNftDiagnostics, type NftFile } from '../nft-input';

export function nftFmt(f: NftFile, { io, colors: c, data }: CommandContext): number {
  renderNftDiagnostics(io, f, c, 'error');
  data(printRuleset(f.result.ruleset));
  return nftErrors(f) ? EXIT.error : EXIT.ok;
}
