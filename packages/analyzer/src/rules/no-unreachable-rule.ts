// no-unreachable-rule: rules no packet can reach. Two causes:
//  * inside a chain, earlier rules take every packet this rule would match. For IPv4 and IPv6 this is the
//    packet-set engine's answer (@chainsight/packet-set, findHiddenRules): the union of earlier rules, across jumps
//    into chains that end packets, through gotos and RETURN, and past rules that rewrite what this one reads,
//    for every outcome of the unknown matches. A shadowed rule whose target differs from what takes its packets
//    (an ACCEPT under DROPs) is a warning; one that would do the same (a redundant rule) is only info, since
//    removing it changes nothing. (Errors stay reserved for rulesets the kernel refuses: test/kernel.test.ts.) ebtables
//    rulesets, which the engine does not model yet, keep the single-rule check of model/coverage.ts;
//  * the chain itself is reached from no built-in chain (directly or through other chains), nor from a chain
//    other software jumps to by name (lint/roots.ts), although some chain jumps to it. A chain that nothing
//    jumps to at all is no-unreferenced-chain's finding, so that one chain gives one finding.
// One finding per set of blocking rules: a catch-all DROP above 150 rules is one mistake, so its rules are listed
// in one message (every one of them still a related location, for SARIF).
// Exact duplicates are left to no-duplicate-rule. Lossy inputs (`iptables -L` without -v hides interfaces) are
// not checked for shadowing: two rules that differ only in what the listing omits would look alike.
import type { Chain, Rule, Table } from '@chainsight/grammar';
import { findHiddenRules, type HiddenRule, type HiddenRules, type Unknown } from '@chainsight/packet-set';
import { defineRule } from '../lint/define';
import { externallyReached } from '../lint/roots';
import { isSuppressed } from '../lint/suppress';
import { canonicalRuleKey } from '../model/canonical';
import { isUnconditional } from '../model/conditions';
import { findShadowedRules, syntacticCoverage, type Shadowing } from '../model/coverage';
import { describeTarget } from '../model/describe';
import { neverRun } from './no-unreferenced-chain';

/** BDD steps per table (see WalkInput.budget): 1-3 s of walking on a quiet machine. */
const DEFAULT_BUDGET = 5_000_000;

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
    together: 'rule {{index}} of {{chain}} is never reached: {{blockers}} before it {{take}} every packet it matches{{unknowns}}',
    togetherGroup: '{{count}} rules of {{chain}} are never reached ({{rules}}): {{blockers}} before them {{take}} every packet they match{{unknowns}}',
    rewritten: 'rule {{index}} of {{chain}} is never reached: {{blockers}} before it {{take}} or {{rewrite}} every packet it would match{{unknowns}}',
    rewrittenGroup: '{{count}} rules of {{chain}} are never reached ({{rules}}): {{blockers}} before them {{take}} or {{rewrite}} every packet they would match{{unknowns}}',
    notChecked: 'table {{table}} was not checked for hidden rules: the packet-set walk stopped at its budget of {{budget}} steps; raise the budget option of no-unreachable-rule to check it',
    notCheckedNodes: "table {{table}} was not checked for hidden rules: the packet-set walk reached the engine's limit of {{budget}} BDD nodes",
    rewriterHere: 'this rule changes what rule {{index}} reads ({{verdict}})',
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
    together: 'move the rule above the rules that take its packets, or delete it',
    rewritten: 'move the rule above the rules that take or rewrite its packets, or delete it',
    rewrittenGroup: 'move the rules above the rules that take or rewrite their packets, or delete them',
    togetherGroup: 'move the rules above the rules that take their packets, or delete them',
    chainUnreachable: 'add the missing jump to {{chain}}, or delete the chain',
  },
  defaultOptions: { ignoreManagedChains: true, budget: DEFAULT_BUDGET },
  create(context) {
    const lossy = context.snapshot.lossy;
    const semantic = context.snapshot.family !== 'bridge' && !lossy;
    let engine: { hidden: Map<Rule, HiddenRule>; stopped: HiddenRules['stopped'] } | null = null;
    const answers = () => {
      if (!engine) {
        const r = findHiddenRules(context.snapshot, { budget: context.options.budget });
        engine = { hidden: new Map(r.hidden.map((h) => [h.rule, h])), stopped: r.stopped };
      }
      return engine;
    };
    const reportGroup = (chain: Chain, g: ShadowGroup, unknowns: string, cap: 'warning' | 'info' | undefined, engine: boolean) => {
      const blocker = g.by[0]!;
      const first = g.hidden[0]!;
      const verdict = describeTarget(blocker);
      const how = (b: Rule, index: number | string) => (engine && hiddenHow.get(b) === 'rewrites'
        ? { node: b, messageId: 'rewriterHere' as const, data: { index, verdict: describeTarget(b) } }
        : g.unconditional
          ? { node: b, messageId: 'blockerHere' as const, data: { verdict: describeTarget(b) } }
          : { node: b, messageId: (typeof index === 'number' ? 'shadowerHere' : 'shadowerHereGroup') as 'shadowerHere', data: { index, rules: String(index), verdict: describeTarget(b) } });
      const sev = cap ? { maxSeverity: cap } : {};
      const rewrites = engine && g.by.some((b) => hiddenHow.get(b) === 'rewrites');
      if (g.hidden.length === 1) {
        const related = g.by.map((b) => how(b, first.index));
        if (rewrites) {
          context.report({ node: first, messageId: 'rewritten', data: { index: first.index, chain: chain.name, blockers: blockerList(g.by), take: g.by.length === 1 ? 'takes' : 'take', rewrite: g.by.length === 1 ? 'rewrites' : 'rewrite', unknowns }, related, ...sev });
          return;
        }
        if (g.by.length > 1 || unknowns) {
          context.report({ node: first, messageId: 'together', data: { index: first.index, chain: chain.name, blockers: blockerList(g.by), take: g.by.length === 1 ? 'takes' : 'take', unknowns }, related, ...sev });
          return;
        }
        context.report({ node: first, messageId: g.unconditional ? 'afterTerminal' : 'shadowed', data: { index: first.index, chain: chain.name, blocker: blocker.index, verdict }, related, ...sev });
        return;
      }
      const rules = ruleList(g.hidden);
      const related = [
        ...g.by.map((b) => how(b, rules)),
        ...g.hidden.slice(1).map((r) => ({ node: r, messageId: 'alsoHidden' as const, data: { index: r.index } })),
      ];
      if (rewrites) {
        context.report({ node: first, messageId: 'rewrittenGroup', data: { count: g.hidden.length, chain: chain.name, rules, blockers: blockerList(g.by), take: g.by.length === 1 ? 'takes' : 'take', rewrite: g.by.length === 1 ? 'rewrites' : 'rewrite', unknowns }, related, ...sev });
        return;
      }
      if (g.by.length > 1 || unknowns) {
        context.report({ node: first, messageId: 'togetherGroup', data: { count: g.hidden.length, chain: chain.name, rules, blockers: blockerList(g.by), take: g.by.length === 1 ? 'takes' : 'take', unknowns }, related, ...sev });
        return;
      }
      context.report({ node: first, messageId: g.unconditional ? 'afterTerminalGroup' : 'shadowedGroup', data: { count: g.hidden.length, chain: chain.name, rules, blocker: blocker.index, verdict }, related, ...sev });
    };
    // How each blocker of the engine's findings acts (takes the packets, or rewrites what later rules read).
    const hiddenHow = new Map<Rule, 'takes' | 'rewrites'>();
    const reportHidden = (chain: Chain, hidden: Map<Rule, HiddenRule>) => {
      const found: HiddenRule[] = [];
      for (const r of chain.rules) {
        const h = hidden.get(r);
        if (!h) continue;
        if (h.by.length === 1 && canonicalRuleKey(h.by[0]!.rule) === canonicalRuleKey(r)) continue; // no-duplicate-rule's
        if (isSuppressed(r, context.id)) continue;
        found.push(h);
        for (const b of h.by) hiddenHow.set(b.rule, b.how);
      }
      // Grouped by blockers, and by whether they act like the hidden rules (error) or the same (warning).
      const bySeverity = new Map<string, { shadowings: Shadowing[]; redundant: boolean; unknowns: Unknown[] }>();
      for (const h of found) {
        const redundant = h.by.every((b) => b.how === 'takes' && effectKey(b.rule) === effectKey(h.rule));
        const key = `${redundant ? 'w' : 'e'}${h.unknowns.length ? 'u' : ''}`;
        const e = bySeverity.get(key) ?? { shadowings: [], redundant, unknowns: [] };
        const by = h.by.map((b) => b.rule);
        e.shadowings.push({ rule: h.rule, by, unconditional: by.length === 1 && isUnconditional(by[0]!) });
        for (const u of h.unknowns) if (!e.unknowns.includes(u)) e.unknowns.push(u);
        bySeverity.set(key, e);
      }
      for (const e of bySeverity.values())
        for (const g of groupByBlockers(e.shadowings)) reportGroup(chain, g, e.unknowns.length ? unknownList(e.unknowns) : '', e.redundant ? 'info' : undefined, true);
    };
    return {
      table(table: Table) {
        if (!semantic || !table.chains.length) return;
        const stopped = answers().stopped.find((e) => e.table === table.name);
        if (stopped) context.report({ node: table.chains[0]!, messageId: stopped.limit === 'nodes' ? 'notCheckedNodes' : 'notChecked', data: { table: table.name, budget: stopped.budget }, maxSeverity: 'info' });
      },
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
        if (semantic) {
          reportHidden(chain, answers().hidden);
          return;
        }
        const shadowed = findShadowedRules(chain, syntacticCoverage).filter((s) =>
          !(s.by.length === 1 && canonicalRuleKey(s.by[0]!) === canonicalRuleKey(s.rule))
          // A hidden rule whose comment disables this rule is left out of its group (the linter checks only the
          // rule a finding points at).
          && !isSuppressed(s.rule, context.id));
        for (const g of groupByBlockers(shadowed)) reportGroup(chain, g, '', 'warning', false);
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

/** What a rule does when it matches, for "does the same as": its target and the target's options as written. */
function effectKey(rule: Rule): string {
  const t = rule.target;
  if (!t) return '';
  return [t.goto ? '-g' : '-j', t.name, ...t.options.map((o) => `${o.negated ? '! ' : ''}${o.key} ${o.words.join(' ')}`)].join(' ');
}

/** `rules 3 (-j DROP) and 5 (-j REJECT)`: the blockers with their targets, at most six. */
function blockerList(by: readonly Rule[]): string {
  const shown = by.slice(0, 6).map((b) => `${b.index} (${describeTarget(b)})`);
  const more = by.length > 6 ? ` and ${by.length - 6} more` : '';
  return by.length === 1 ? `rule ${shown[0]}` : `rules ${shown.slice(0, -1).join(', ')}${by.length > 6 ? ', ' + shown[shown.length - 1] + more : ' and ' + shown[shown.length - 1]}`;
}

/** `, whatever -m recent (file:12) answers`: the unknown matches a finding holds for every outcome of. */
function unknownList(unknowns: readonly Unknown[]): string {
  // The unknowns are in the same file as the finding: their line is enough.
  const shown = unknowns.slice(0, 3).map((u) => `${u.text} (line ${u.where.slice(u.where.lastIndexOf(':') + 1)})`);
  const more = unknowns.length > 3 ? ` and ${unknowns.length - 3} more unknowns` : '';
  return `, whatever ${shown.join(', ')}${more} answer${unknowns.length === 1 ? 's' : ''}`;
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
