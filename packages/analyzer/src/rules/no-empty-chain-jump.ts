// no-empty-chain-jump: `-j CHAIN` / `-g CHAIN` where CHAIN has no rules. An empty iptables chain returns at once
// (ip_tables.c: the chain's final entry is an unconditional RETURN), so the jump does nothing; a goto to it acts
// as RETURN from the calling chain. In ebtables the empty chain's policy applies (ebtables(8) `-N`: default
// ACCEPT), so a jump to an empty ACCEPT chain accepts the frame (docs/netfilter.md §ebtables-targets, E6).
import { defineRule } from '../lint/define';
import { chainOwner } from '../lint/managed-chains';
import { chainMatcher } from '../lint/names';

export default defineRule({
  id: 'no-empty-chain-jump',
  description: 'A jump or goto to a chain that has no rules.',
  help: 'Jumping to an empty chain does nothing (iptables) or applies that chain\'s policy (ebtables: ACCEPT unless set), and a goto '
    + 'to an empty chain acts as RETURN. Often the chain is a leftover whose rules were moved elsewhere. Fill the chain, drop the jump, '
    + 'or list chains that other software fills at run time in `allowChains`.',
  defaultSeverity: 'warning',
  messages: {
    emptyJump: "-j {{chain}}: chain '{{chain}}' has no rules, so this jump does nothing",
    emptyGoto: "-g {{chain}}: chain '{{chain}}' has no rules, so this goto acts as RETURN from {{from}}",
    emptyEbtablesJump: "-j {{chain}}: chain '{{chain}}' has no rules, so its policy {{policy}} decides the frame here",
  },
  hints: {
    emptyJump: 'add the missing rules to {{chain}} or delete the jump',
    emptyGoto: 'add the missing rules to {{chain}}, or write -j RETURN if returning is intended',
    emptyEbtablesJump: 'add the missing rules to {{chain}} or delete the jump',
  },
  defaultOptions: { allow: [] as string[], ignoreManagedChains: true },
  create(context) {
    const allowed = chainMatcher(context.options.allow);
    const bridge = context.snapshot.family === 'bridge';
    return {
      table(_table, graph) {
        for (const edge of graph.edges) {
          const target = graph.nodes.get(edge.to);
          if (!target || target.ruleCount > 0 || target.builtin) continue;
          if (context.settings.isAllowedChain(edge.to) || allowed(edge.to)) continue;
          if (context.options.ignoreManagedChains && chainOwner(edge.to)) continue;
          const span = edge.rule.target!.span;
          if (bridge) {
            const policy = target.policy ?? 'ACCEPT';
            // A RETURN policy makes the jump a no-op, like iptables.
            if (policy === 'RETURN') context.report({ node: edge.rule, span, messageId: 'emptyJump', data: { chain: edge.to } });
            else context.report({ node: edge.rule, span, messageId: 'emptyEbtablesJump', data: { chain: edge.to, policy } });
          } else if (edge.goto) context.report({ node: edge.rule, span, messageId: 'emptyGoto', data: { chain: edge.to, from: edge.from } });
          else context.report({ node: edge.rule, span, messageId: 'emptyJump', data: { chain: edge.to } });
        }
      },
    };
  },
});
