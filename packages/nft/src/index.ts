// @chainsight/nft: native nftables rulesets (`nft list ruleset` text, `nft -j list ruleset` JSON) read into one
// typed model, and printed back as nft prints them. Pure: text in, model and diagnostics out.
export type { Diagnostic, Position, Span, Severity } from './model/diagnostic';
export type * from './model/expr';
export type * from './model/stmt';
export {
  FAMILIES,
  countRules,
  emptyRuleset,
  tableKey,
  type BaseChainSpec,
  type Chain,
  type Family,
  type Flowtable,
  type NamedSet,
  type NftObject,
  type ParseResult,
  type Priority,
  type Rule,
  type Ruleset,
  type Table,
} from './model/ruleset';
export { parseNftText } from './text/parse';
export { parseNftJson } from './json/parse';
export { parseNft, detectNftFormat } from './detect';
export { printRuleset, printTable, printChain, printSet, printPriority, type PrintOptions } from './print/ruleset';
export { printExpr, printStmt, printRule } from './print/expr';
export { tableGraph, baseChainsByHook, priorityValue, type ChainEdge, type SetUse, type TableGraph, type BaseChainAt, type HookGroup } from './graph/chains';
export { lintNftRuleset, NFT_LINT_RULES, type NftLintRule, type NftLintOptions } from './lint/structural';
export { compareWithXtables, isXtablesTable, type XtablesView, type SavedRule, type XtRule, type OmittedTable, type MisprintedRule, type MixedHostReport } from './xt/mixed';
export { diffNftRulesets, renderNftDiff, ruleText, elementText, kubeRef, type NftAlignOp, type NftDiffOptions, type NftDiffStyle, type KubeRef, type NftAt, type NftChange, type NftDiffResult } from './diff/index';
