// `chainsight lint` of an nftables ruleset: the structural checks of @chainsight/nft (lintNftRuleset), configured
// by the same `chainsight.config.json` (a rule's level and `allowChains`; rule ids shared with the iptables rules).
import { RULES, resolveConfig, type LintConfig } from '@chainsight/analyzer';
import type { Diagnostic } from '@chainsight/grammar';
import { NFT_LINT_RULES, lintNftRuleset } from '@chainsight/nft';
import type { NftFile } from '../nft-input';
import type { FileReport } from './lint-output';

export function nftLintReport(f: NftFile, config: LintConfig, quiet: boolean): FileReport {
  const resolved = resolveConfig(config, RULES);
  const enabled = new Map(resolved.rules.map((r) => [r.rule.id, r.severity]));
  // A rule the iptables side knows follows its configuration; no-undefined-set is nft's own (always on).
  const known = new Set(RULES.map((r) => r.id));
  const off = new Set(NFT_LINT_RULES.filter((id) => known.has(id) && !enabled.has(id)));
  const severity = new Map([...enabled].filter(([id]) => (NFT_LINT_RULES as readonly string[]).includes(id)));
  let found: Diagnostic[] = lintNftRuleset(f.result.ruleset, f.path, { off, severity, isAllowedChain: (n) => resolved.settings.isAllowedChain(n) });
  if (quiet) found = found.filter((d) => d.severity === 'error');
  const problems = f.result.diagnostics.filter((d) => d.severity === 'error' || d.code === 'input/empty');
  return { file: { path: f.path, text: f.text }, diagnostics: [...problems, ...found] };
}
