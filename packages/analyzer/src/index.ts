// @chainsight/analyzer: the chain graph, the lint framework and rules, and the rule-level models they share
// (canonical rule keys, conditions, coverage, where targets are valid). Pure: data in, data out.
export type { ChainEdge, ChainGraph, ChainNode, Cycle, TableGraph } from './graph/types';
export { buildChainGraph, buildTableGraph, findTableGraph } from './graph/build';
export { jumpPath } from './graph/paths';
export { loopsOf, refusedLoops, loopKind, loopPath, loopSteps, type ChainLoop } from './graph/loops';
export { collapseGraph, type CollapsedGraph, type CollapsedNode, type CollapsedEdge, type CollapseOptions } from './graph/collapse';
export { renderDot, dotString } from './graph/render-dot';
export { renderMermaid } from './graph/render-mermaid';
export { graphToJson } from './graph/json';

export { lint, lintRuleset, collectFindings, findingToDiagnostic, unknownSuppressions, type FileOf, type Finding, type LintOptions } from './lint/linter';
export { mergeRuleset, notPartsOfOneRuleset, type MergedRuleset, type RulesetPart } from './lint/ruleset';
export { defineRule, interpolate } from './lint/define';
export type {
  AnyRule, Location, Messages, Placeholders, ReportDescriptor, RelatedDescriptor, RuleContext, RuleModule, RuleVisitor, LintSettings,
} from './lint/define';
export {
  resolveConfig, parseLintConfig, describeProblem, ruleEntries, LintConfigError, type ConfigProblem, type JsonPath, type LintConfig, type RuleLevel, type RuleSetting,
  type ResolvedRule,
} from './lint/config';
export { disabledBy, isSuppressed, suppressionDirectives, type SuppressionDirective } from './lint/suppress';
export { chainMatcher, nearestName } from './lint/names';
export { MANAGED_CHAINS, chainOwner } from './lint/managed-chains';
export { RULES, findRule } from './rules/index';
export { groupByBlockers, ruleList, type ShadowGroup } from './rules/no-unreachable-rule';

export { canonicalRuleKey, canonicalMatches } from './model/canonical';
export { conditionsOf, isUnconditional, isPureMatch, STATEFUL_MODULES, type ConditionSet } from './model/conditions';
export { syntacticCoverage, findShadowedRules, type Coverage, type Shadowing } from './model/coverage';
export { isTerminal, mayChangePacket } from './model/targets';
export { IP_TARGET_PLACES, EB_TARGET_PLACES, targetMisplacement, type TargetPlace, type Misplacement } from './model/places';
export { findContradictions, type Contradiction } from './model/contradictions';
export { toSarif, sarifParts, type SarifFile, type SarifOptions, type SarifLog } from './report/sarif';
