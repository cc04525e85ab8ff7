// A chain whose rules are compiled when the path first reaches them. One packet through a kube-proxy snapshot
// visits a few chains of tens of thousands (KUBE-SERVICES, one KUBE-SVC-*, one KUBE-SEP-*), and in a long chain
// only the rules the destination index names (ruleset.ts buildIndex, read from the rules as parsed): compiling
// every rule up front cost more than the parse. Compiled rules and the index are kept, so a --batch or a
// conversation compiles each rule at most once.
import type { Chain, Rule } from '@chainsight/grammar';
import type { CChain, CRule, DstIndex } from './types';

export class LazyChain implements CChain {
  private readonly compiled: (CRule | undefined)[] = [];
  private idx: DstIndex | null | undefined = undefined;

  constructor(
    readonly name: string,
    readonly builtin: boolean,
    readonly policy: string | null,
    readonly chain: Chain,
    private readonly compileRule: (rule: Rule) => CRule,
    private readonly buildIndex: (rules: readonly Rule[]) => DstIndex | null,
  ) {}

  get size(): number {
    return this.chain.rules.length;
  }

  rule(k: number): CRule {
    return (this.compiled[k] ??= this.compileRule(this.chain.rules[k]!));
  }

  get rules(): CRule[] {
    return this.chain.rules.map((_, k) => this.rule(k));
  }

  get index(): DstIndex | null {
    if (this.idx === undefined) this.idx = this.buildIndex(this.chain.rules);
    return this.idx;
  }
}
