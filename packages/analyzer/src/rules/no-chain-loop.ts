// no-chain-loop: chains that jump (or go) to each other in a circle.
// Observed (kernel 6.18): A → B → A reached from INPUT is refused by both backends (legacy: the restore fails,
// ip_tables.c mark_source_chains finds the loop; iptables-nft: "RULE_APPEND failed (Too many links)",
// nf_tables_check_loops). The same loop that no built-in chain reaches is accepted by both, until a jump into it
// is added. Gotos count as jumps (mark_source_chains follows both); the loops come from graph/loops.ts.
import { loopPath, loopsOf } from '../graph/loops';
import { defineRule } from '../lint/define';

export default defineRule({
  id: 'no-chain-loop',
  description: 'Chains jump or go to each other in a loop.',
  help: 'The kernel refuses a ruleset in which a loop of jumps or gotos can be reached from a built-in chain '
    + '(iptables-nft: "Too many links"), so the restore fails. A loop nothing reaches yet is accepted, and fails the day a jump '
    + 'into it is added. Break the loop: usually one of the jumps should have been a RETURN or should go to another chain.',
  defaultSeverity: 'error',
  messages: {
    loop: '{{kind}} loop {{path}}, reached from {{hooks}}: the kernel refuses to load a ruleset with a reachable loop',
    dormantLoop: '{{kind}} loop {{path}}: accepted only because no built-in chain reaches it yet; the first jump into it will be refused',
    loopStep: '{{from}} {{jumps}} {{to}} here',
  },
  hints: {
    loop: 'break the loop: one of these jumps should be a RETURN or go to another chain',
    dormantLoop: 'break the loop before anything jumps into it',
  },
  defaultOptions: {},
  create(context) {
    return {
      table(_table, graph) {
        for (const cycle of loopsOf(graph)) {
          const first = cycle.edges[0]!;
          const path = loopPath(cycle);
          const { hooks, kind } = cycle;
          const related = cycle.edges.slice(1).map((e) => ({
            node: e.rule, span: e.rule.target!.span, messageId: 'loopStep' as const,
            data: { from: e.from, jumps: e.goto ? 'goes to' : 'jumps to', to: e.to },
          }));
          const span = first.rule.target!.span;
          if (hooks.length) context.report({ node: first.rule, span, messageId: 'loop', data: { kind, path, hooks: hooks.join(', ') }, related });
          else context.report({ node: first.rule, span, messageId: 'dormantLoop', data: { kind, path }, related, maxSeverity: 'warning' });
        }
      },
    };
  },
});
