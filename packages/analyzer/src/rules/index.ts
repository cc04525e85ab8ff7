// Every built-in lint rule, in documentation order. Adding a rule: a module in this folder, an entry here, a
// test in test/rules/<id>.test.ts and a page in docs/rules/<id>.md (test/meta.test.ts checks all four).
import type { AnyRule } from '../lint/define';
import dockerForwardRuleOrder from './docker-forward-rule-order';
import dockerPublishedPortInput from './docker-published-port-input';
import noChainLoop from './no-chain-loop';
import noContradictoryMatch from './no-contradictory-match';
import noDuplicateRule from './no-duplicate-rule';
import noEmptyChainJump from './no-empty-chain-jump';
import noTargetInWrongPlace from './no-target-in-wrong-place';
import noUndefinedTarget from './no-undefined-target';
import noUnreachableRule from './no-unreachable-rule';
import noUnreferencedChain from './no-unreferenced-chain';

export const RULES: readonly AnyRule[] = [
  noUndefinedTarget,
  noChainLoop,
  noUnreferencedChain,
  noUnreachableRule,
  noDuplicateRule,
  noTargetInWrongPlace,
  noContradictoryMatch,
  noEmptyChainJump,
  dockerForwardRuleOrder,
  dockerPublishedPortInput,
];

export function findRule(id: string): AnyRule | undefined {
  return RULES.find((r) => r.id === id);
}
