// no-undefined-target: `-j NAME` / `-g NAME` where NAME is neither a chain of the table nor a known target.
// Observed (iptables 1.8.9, kernel 6.18): `iptables-nft-restore --test` accepts such a file; the real restore
// then fails with "Chain 'NAME' does not exist" (legacy: "Couldn't load target `NAME'").
import { defineRule } from '../lint/define';
import { nearestName } from '../lint/names';

const HINT = "the restore fails (\"Chain '{{target}}' does not exist\") although iptables-nft-restore --test passes; "
  + 'declare it with :{{target}} - [0:0] or fix the name';

export default defineRule({
  id: 'no-undefined-target',
  description: 'A jump or goto names a chain that does not exist in its table.',
  help: "Loading the ruleset fails on such a rule (iptables-nft: \"Chain 'X' does not exist\"; legacy: \"Couldn't load target\"), "
    + 'so the whole restore is refused, yet `iptables-nft-restore --test` accepts it. Declare the chain, fix the name, or list chains '
    + 'that other software creates in `allowChains`.',
  defaultSeverity: 'error',
  messages: {
    undefinedTarget: "{{jump}} {{target}}: table '{{table}}' has no chain '{{target}}'",
    undefinedTargetSuggest: "{{jump}} {{target}}: table '{{table}}' has no chain '{{target}}' (did you mean '{{suggestion}}'?)",
  },
  hints: { undefinedTarget: HINT, undefinedTargetSuggest: HINT },
  defaultOptions: {},
  create(context) {
    return {
      table(table, graph) {
        let suggestions = 0;
        for (const edge of graph.undefinedTargets) {
          if (context.settings.isAllowedChain(edge.to)) continue;
          const data = { jump: edge.goto ? '-g' : '-j', target: edge.to, table: table.name };
          // Suggestions cost a scan of the table's chain names: only for the first few findings.
          const suggestion = suggestions++ < 50 ? nearestName(edge.to, graph.nodes.keys()) : null;
          const span = edge.rule.target!.span;
          if (suggestion) context.report({ node: edge.rule, span, messageId: 'undefinedTargetSuggest', data: { ...data, suggestion } });
          else context.report({ node: edge.rule, span, messageId: 'undefinedTarget', data });
        }
      },
    };
  },
});
