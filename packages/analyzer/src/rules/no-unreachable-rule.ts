// no-unreachable-rule: rules no packet can reach. Two causes:
//  * inside a chain, an earlier rule that ends the traversal takes every packet this rule matches: after an
//    unconditional ACCEPT/DROP/REJECT/RETURN/goto (or a NAT target in nat), or after a terminal rule whose
//    conditions are a subset of this rule's (model/coverage.ts; the Coverage interface is where a semantic,
//    packet-set implementation will plug in to find rules shadowed by several earlier rules together);
//  * the chain itself is reached from no built-in chain (directly or through other chains), nor from a chain
//    other software jumps to by name (lint/roots.ts), although some chain jumps to it. A chain that nothing
//    jumps to at all is no-unreferenced-chain's finding, so that one chain gives one finding.
// One finding per blocking rule: a catch-all DROP above 150 rules is one mistake, so its rules are listed in one
// message (every one of them still a related location, for SARIF). The grouping reads only the `by` of each
// Shadowing, whatever computed it.
// Exact duplicates are left to no-duplicate-rule. Lossy inputs (`iptables -L` without -v hides interfaces) are
// not checked for shadowing: two rules that differ only in what the listing omits would look alike.
import type { Rule } from '@chainsight/grammar';
import { defineRule } from '../lint/define';
import { externallyReached } from '../lint/roots';
import { isSuppressed } from '../lint/suppress';
import { canonicalRuleKey } from '../model/canonical';
import { findShadowedRules, syntacticCoverage, type Shadowing } from '../model/coverage';
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
    afterTerminalGroup: '{{count}} rules of {{chain}} are never reached ({{rules}}): rule {{blocker}} before them ({{verdict}}) matches every packet',
    shadowedGroup: '{{count}} rules of {{chain}} are never reached ({{rules}}): rule {{blocker}} before them ({{verdict}}) matches every packet they match',
    chainUnreachable: "no built-in chain reaches chain '{{chain}}': its {{rules}}",
    blockerHere: 'every packet stops here ({{verdict}})',
    shadowerHere: 'the packets of rule {{index}} stop here ({{verdict}})',
    shadowerHereGroup: 'the packets of {{rules}} stop here ({{verdict}})',
    alsoHidden: 'rule {{index}} is never reached either',
    callerHere: "'{{from}}' jumps here, but nothing reaches '{{from}}' either",
  },
  hints: {
    afterTerminal: 'move the rule above rule {{blocker}}, or delete it',
    shadowed: 'move the rule above rule {{blocker}}, or delete it',
    afterTerminalGroup: 'move the rules above rule {{blocker}}, or delete them',
    shadowedGroup: 'move the rules above rule {{blocker}}, or delete them',
    chainUnreachable: 'add the missing jump to {{chain}}, or delete the chain',
  },
  defaultOptions: { ignoreManagedChains: true },
  create(context) {
    const lossy = context.snapshot.lossy;
    return {
      chain(chain, graph) {
        const node = graph.nodes.get(chain.name)!;
        if (!node.builtin && !node.hooks.length) {
          if (!chain.rules.length || !node.in.some((e) => e.from !== chain.name)) return;
          if (externallyReached(graph, context.settings, context.options.ignoreManagedChains).has(chain.name)) return;
          context.report({
            node: chain.rules[0]!, messageId: 'chainUnreachable', data: { chain: chain.name, rules: neverRun(chain.rules.length) },
            related: node.in.filter((e) => e.from !== chain.name).map((e) => ({ node: e.rule, span: e.rule.target!.span, messageId: 'callerHere' as const, data: { from: e.from } })),
          });
          return;
        }
        if (lossy) return;
        const shadowed = findShadowedRules(chain, syntacticCoverage).filter((s) =>
          !(s.by.length === 1 && canonicalRuleKey(s.by[0]!) === canonicalRuleKey(s.rule))
          // A hidden rule whose comment disables this rule is left out of its group (the linter checks only the
          // rule a finding points at).
          && !isSuppressed(s.rule, context.id));
        for (const g of groupByBlockers(shadowed)) {
          const blocker = g.by[0]!;
          const first = g.hidden[0]!;
          const verdict = describeTarget(blocker);
          if (g.hidden.length === 1) {
            context.report({
              node: first, messageId: g.unconditional ? 'afterTerminal' : 'shadowed',
              data: { index: first.index, chain: chain.name, blocker: blocker.index, verdict },
              related: g.by.map((b) => g.unconditional
                ? { node: b, messageId: 'blockerHere' as const, data: { verdict: describeTarget(b) } }
                : { node: b, messageId: 'shadowerHere' as const, data: { index: first.index, verdict: describeTarget(b) } }),
            });
            continue;
          }
          const rules = ruleList(g.hidden);
          context.report({
            node: first, messageId: g.unconditional ? 'afterTerminalGroup' : 'shadowedGroup',
            data: { count: g.hidden.length, chain: chain.name, rules, blocker: blocker.index, verdict },
            related: [
              ...g.by.map((b) => g.unconditional
                ? { node: b, messageId: 'blockerHere' as const, data: { verdict: describeTarget(b) } }
                : { node: b, messageId: 'shadowerHereGroup' as const, data: { rules, verdict: describeTarget(b) } }),
              ...g.hidden.slice(1).map((r) => ({ node: r, messageId: 'alsoHidden' as const, data: { index: r.index } })),
            ],
          });
        }
      },
    };
  },
});

export interface ShadowGroup {
  /** The earlier rule(s) that take the packets, as the coverage gave them. */
  by: Rule[];
  unconditional: boolean;
  /** The rules they hide, in chain order. */
  hidden: Rule[];
}

/** Shadowed rules grouped by what hides them (the same `by` rules), in the order of each group's first rule. */
export function groupByBlockers(shadowed: readonly Shadowing[]): ShadowGroup[] {
  const groups = new Map<string, ShadowGroup>();
  for (const s of shadowed) {
    const key = `${s.unconditional ? 'u' : 's'}${s.by.map((b) => b.index).join(',')}`;
    const g = groups.get(key);
    if (g) g.hidden.push(s.rule);
    else groups.set(key, { by: s.by, unconditional: s.unconditional, hidden: [s.rule] });
  }
  return [...groups.values()];
}

/** The positions of rules as `rules 4-9, 12, 15-20`, at most eight ranges (then `and N more`). */
export function ruleList(rules: readonly Rule[]): string {
  const ranges: [number, number][] = [];
  for (const r of rules) {
    const last = ranges[ranges.length - 1];
    if (last && r.index === last[1] + 1) last[1] = r.index;
    else ranges.push([r.index, r.index]);
  }
  const shown = ranges.slice(0, 8).map(([a, b]) => (a === b ? String(a) : `${a}-${b}`));
  const rest = ranges.slice(8).reduce((n, [a, b]) => n + b - a + 1, 0);
  return `rules ${shown.join(', ')}${rest ? ` and ${rest} more` : ''}`;
}
