// @chainsight/diff: what changed between two firewall snapshots, rule by rule, with locations on both sides,
// the built-in chains that reach each change, and kube-proxy services summarised by their endpoints.
export { diffSnapshots } from './diff';
export * from './types';
export { canonicalRuleKey, ruleParts, valueKey, type RuleKeyOptions, type RulePart } from './rule-key';
export { overlap, ruleSpace, type RuleSpace } from './overlap';
export { sameEffect } from './moves';
export { builtinReach, hookOrder, type ReachMap } from './reach';
export { align, type AlignOp } from './align';
export { compileGlob, type Glob } from './glob';
export { serviceToken } from './identity';
export { renderText, renderStat, reachText, ruleText, type TextStyle, type TextOptions } from './render-text';
