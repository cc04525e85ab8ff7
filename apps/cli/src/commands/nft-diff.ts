// `chainsight diff OLD NEW` of two nftables rulesets: @chainsight/nft diffNftRulesets, aligned by
// @chainsight/diff's `align` (the iptables diff's LCS), printed as text or as `chainsight.diff-nft/1` JSON
// (docs/diff-nft.md). One nft ruleset and one iptables-save are two views, not two states: a usage error.
import { align } from '@chainsight/diff';
import { diffNftRulesets, renderNftDiff } from '@chainsight/nft';
import { UsageError, type ParsedArgs } from '../args';
import { EXIT, type CommandContext } from '../command';
import { toJson } from '../json';
import { displayName } from '../load';
import { nftErrors, renderNftDiagnostics, type NftFile } from '../nft-input';

/** Options of the iptables diff that have no nft meaning yet: refused rather than ignored. */
const IPTABLES_ONLY = ['semantic', 'explain', 'stat', 'table', 'chain', 'ignore-chains', 'ignore-comments', 'counters'];

export function nftDiff(
  inputs: readonly [{ nft: NftFile } | { text: string }, { nft: NftFile } | { text: string }],
  paths: readonly [string, string],
  args: ParsedArgs,
  format: 'text' | 'json' | 'html',
  { io, colors: c }: CommandContext,
): number {
  const [b, a] = inputs;
  if (!('nft' in b) || !('nft' in a)) {
    const kind = (x: typeof b) => ('nft' in x ? 'an nftables ruleset' : 'an iptables-save snapshot');
    throw new UsageError(`OLD (${displayName(paths[0])}) is ${kind(b)} and NEW (${displayName(paths[1])}) is ${kind(a)}: diff compares two nftables rulesets or two iptables-save snapshots`);
  }
  for (const o of IPTABLES_ONLY) if (args.flags.has(o) || args.options.has(o)) throw new UsageError(`--${o} is not available for nftables rulesets yet`);
  if (format === 'html') throw new UsageError('--format html is not available for nftables rulesets yet (text or json)');
  const verbose = args.flags.has('verbose');
  for (const f of [b.nft, a.nft]) renderNftDiagnostics(io, f, c, verbose ? 'warning' : 'error');
  const result = diffNftRulesets(b.nft.result.ruleset, a.nft.result.ruleset, { align });
  if (format === 'json') io.stdout(toJson({ schema: 'chainsight.diff-nft/1', before: b.nft.path, after: a.nft.path, ...result }) + '\n');
  else io.stdout(renderNftDiff(result, { before: b.nft.path, after: a.nft.path }, c));
  if (nftErrors(b.nft) || nftErrors(a.nft)) return EXIT.error;
  return result.identical ? EXIT.ok : EXIT.findings;
}
