// no-unreachable-rule: rules no packet can reach. Two causes:
//  * inside a chain, an earlier rule that ends the traversal takes every packet this rule matches: after an
//    unconditional ACCEPT/DROP/REJECT/RETURN/goto (or a NAT target in nat), or after a terminal rule whose
//    conditions are a subset of this rule's (model/coverage.ts; the Coverage interface is where a semantic,
//    packet-set implementation will plug in to find rules shadowed by several earlier rules together);
//  * the chain itself is reached from no built-in chain (directly or through other chains), nor from a chain
//    other software jumps to by name (lint/roots.ts).
// Exact duplicates are left to no-duplicate-rule. Lossy inputs (`iptables -L` without -v hides interfaces) are
// not checked for shadowing: two rules that differ only in what the listing omits would look alike.
import { defineRule } from '../lint/define';
import { externallyReached } from '../lint/roots';
import { canonicalRuleKey } from '../model/canonical';
import { findShadowedRules, syntacticCoverage } from '../model/coverage';
import { describeTarget } from '../model/describe';
import { neverRun } from './no-unreferenced-chain';

export default defineRule({
  id: 'no-unreachable-rule',
  description: 'A rule that no packet can reach: an earlier rule of the chain takes all its packets, or no built-in chain reaches its chain.',
  help: 'The rule never runs, so whatever it was meant to do does not happen (an ACCEPT after a catch-all DROP, a chain nothing jumps to). '
    + 'Move the rule above the rule that takes its packets, delete it, or add the missing jump.',
  defaultSeverity: 'warning',
  messages: {
    afterTerminal: 'rule {{index}} of {{chain}} is never reached: rule {{blocker}} before it ({{verdict}}) matches every packet',
    shadowed: 'rule {{index}} of {{chain}} is never reached: rule {{blocker}} before it ({{verdict}}) matches every packet this rule matches',
    chainUnreachable: "no built-in chain reaches chain '{{chain}}': its {{rules}}",
    blockerHere: 'every packet stops here ({{verdict}})',
    shadowerHere: 'the packets of rule {{index}} stop here ({{verdict}})',
    callerHere: "'{{from}}' jumps here, but nothing reaches '{{from}}' either",
  },
  hints: {
    afterTerminal: 'move the rule above rule {{blocker}}, or delete it',
    shadowed: 'move the rule above rule {{blocker}}, or delete it',
    chainUnreachable: 'add the missing jump to {{chain}}, or delete the chain',
  },
  defaultOptions: { ignoreManagedChains: true },
  create(context) {
    const lossy = context.snapshot.lossy;
    return {
      chain(chain, graph) {
        const node = graph.nodes.get(chain.name)!;
        if (!node.builtin && !node.hooks.length) {
          if (!chain.rules.length || externallyReached(graph, context.settings, context.options.ignoreManagedChains).has(chain.name)) return;
          context.report({
            node: chain.rules[0]!, messageId: 'chainUnreachable', data: { chain: chain.name, rules: neverRun(chain.rules.length) },
            related: node.in.filter((e) => e.from !== chain.name).map((e) => ({ node: e.rule, span: e.rule.target!.span, messageId: 'callerHere' as const, data: { from: e.from } })),
          });
          return;
        }
        if (lossy) return;
        for (const s of findShadowedRules(chain, syntacticCoverage)) {
          const blocker = s.by[0]!;
          if (s.by.length === 1 && canonicalRuleKey(blocker) === canonicalRuleKey(s.rule)) continue;
          const verdict = describeTarget(blocker);
          const data = { index: s.rule.index, chain: chain.name, blocker: blocker.index, verdict };
          context.report({
            node: s.rule,
            messageId: s.unconditional ? 'afterTerminal' : 'shadowed',
            data,
            related: s.by.map((b) => s.unconditional
              ? { node: b, messageId: 'blockerHere' as const, data: { verdict: describeTarget(b) } }
              : { node: b, messageId: 'shadowerHere' as const, data: { index: s.rule.index, verdict: describeTarget(b) } }),
          });
        }
      },
    };
  },
});
