// no-unreferenced-chain: a user chain that no rule jumps or goes to. Its rules never run; usually a leftover of a
// renamed or deleted jump. Chains that other software references by name are left alone: `allowChains` in the
// configuration, this rule's `allow` option, and the chains firewall managers create as hooks (managed-chains.ts).
import { defineRule } from '../lint/define';
import { chainOwner } from '../lint/managed-chains';
import { chainMatcher } from '../lint/names';

export default defineRule({
  id: 'no-unreferenced-chain',
  description: 'A user chain that no rule jumps or goes to.',
  help: 'Nothing jumps to the chain, so its rules never run: usually the jump was renamed or deleted and the chain was left '
    + 'behind. Delete the chain, add the missing jump, or list chain names that other software jumps to in `allowChains`.',
  defaultSeverity: 'warning',
  messages: {
    unreferenced: "chain '{{chain}}' is never jumped to: its {{rules}}",
    unreferencedEmpty: "chain '{{chain}}' is empty and never jumped to",
  },
  hints: {
    unreferenced: 'delete it, add the missing -j {{chain}}, or list it in allowChains if other software jumps to it by name',
    unreferencedEmpty: 'delete it, or list it in allowChains if other software jumps to it by name',
  },
  defaultOptions: { allow: [] as string[], ignoreManagedChains: true },
  create(context) {
    const allowed = chainMatcher(context.options.allow);
    return {
      table(_table, graph) {
        for (const node of graph.unreferenced) {
          const name = node.name;
          if (context.settings.isAllowedChain(name) || allowed(name)) continue;
          if (context.options.ignoreManagedChains && chainOwner(name)) continue;
          if (node.ruleCount === 0) context.report({ node: node.chain, messageId: 'unreferencedEmpty', data: { chain: name } });
          else context.report({ node: node.chain, messageId: 'unreferenced', data: { chain: name, rules: neverRun(node.ruleCount) } });
        }
      },
    };
  },
});

/** `1 rule never runs`, `3 rules never run`. */
export const neverRun = (n: number) => (n === 1 ? '1 rule never runs' : `${n} rules never run`);
