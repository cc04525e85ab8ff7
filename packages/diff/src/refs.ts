// Source references of the change model: what a reader needs to find a table, chain or rule in its file.
import type { Chain, Rule, Table } from '@chainsight/grammar';
import type { ChainRef, RuleRef, TableRef } from './types';

export function ruleRef(file: string, rule: Rule): RuleRef {
  return { file, table: rule.table, chain: rule.chain, index: rule.index, span: rule.span, text: rule.raw, counters: rule.counters };
}

export function chainRef(file: string, table: string, chain: Chain): ChainRef {
  return { file, table, chain: chain.name, span: chain.span, builtin: chain.builtin, policy: chain.policy, rules: chain.rules.length };
}

export function tableRef(file: string, table: Table): TableRef {
  return {
    file, table: table.name, span: table.span, chains: table.chains.length,
    rules: table.chains.reduce((n, c) => n + c.rules.length, 0),
  };
}
