// no-target-in-wrong-place: targets where the kernel refuses or ignores them.
//  * Refused: the table/hook restrictions of model/places.ts (recorded on the kernel). Hooks are those that
//    reach the rule's chain: DNAT in a user chain jumped to from POSTROUTING is refused like DNAT in POSTROUTING.
//  * Ignored: RETURN in a built-in chain acts as the chain policy (iptables(8): "a rule in a built-in chain
//    with target RETURN ... the target specified by the chain policy determines the fate of the packet").
//  * Surprising: in the ebtables broute table DROP does not drop; it routes the frame instead of bridging it
//    (ebtable_broute.c: "EBT_DROP means the frame will be routed").
import { defineRule } from '../lint/define';
import { jumpPath } from '../graph/paths';
import { targetMisplacement } from '../model/places';
import { ebtablesExtensionVerdict } from '../model/targets';

const join = (word: string) => (xs: readonly string[]) => (xs.length <= 2 ? xs.join(` ${word} `) : `${xs.slice(0, -1).join(', ')} ${word} ${xs[xs.length - 1]}`);
const list = join('or');
const listAll = join('and');

export default defineRule({
  id: 'no-target-in-wrong-place',
  description: 'A target used in a table or chain where the kernel refuses it or where it does something else than it seems.',
  help: 'The kernel checks every target against its table and against the hooks that reach the chain when the ruleset is loaded, and '
    + 'refuses the whole restore on a misplaced one (SNAT outside nat POSTROUTING/INPUT, DNAT outside nat PREROUTING/OUTPUT, REJECT '
    + 'outside filter INPUT/FORWARD/OUTPUT, TPROXY outside mangle PREROUTING…). RETURN in a built-in chain silently applies the '
    + 'policy, and DROP in the ebtables broute table routes the frame rather than dropping it.',
  defaultSeverity: 'error',
  messages: {
    wrongTable: '{{target}} is only valid in the {{allowed}} table, not {{table}}: the kernel refuses the ruleset',
    wrongHook: '{{target}} is only usable from {{allowed}}, not from {{bad}}: the kernel refuses the ruleset',
    wrongHookVia: "{{target}} is only usable from {{allowed}}, but chain '{{chain}}' is reached from {{bad}}: the kernel refuses the ruleset",
    legacyOnlyTable: '{{target}} outside the {{allowed}} table is refused by iptables-legacy (iptables-nft translates it)',
    reachedFrom: '{{chain}} is reached from {{hook}} through this jump',
    returnInBuiltin: 'RETURN in built-in chain {{chain}} does not return anywhere: the chain policy ({{policy}}) applies',
    brouteDrop: "{{target}} in the broute table does not drop the frame: it routes it (hands it to the host's IP stack) instead of bridging it",
  },
  hints: {
    wrongTable: 'move the rule to the {{allowed}} table',
    wrongHook: 'move the rule to a chain of {{allowed}}',
    wrongHookVia: "jump to '{{chain}}' only from {{allowed}}",
    legacyOnlyTable: 'move the rule to the {{allowed}} table to keep it loadable with iptables-legacy',
    returnInBuiltin: 'write -j {{policy}} to say what happens',
    brouteDrop: 'this is what broute is for; to drop the frame use the filter table',
  },
  defaultOptions: {},
  create(context) {
    const { family, backend } = context.snapshot;
    const legacy = backend !== 'nft';
    return {
      rule(rule, chain, graph) {
        const t = rule.target;
        if (!t) return;
        const span = t.span;
        if (t.type === 'verdict' && t.name === 'RETURN' && chain.builtin) {
          context.report({ node: rule, span, messageId: 'returnInBuiltin', data: { chain: chain.name, policy: chain.policy ?? 'ACCEPT' }, maxSeverity: 'warning' });
          return;
        }
        if (family === 'bridge' && rule.table === 'broute') {
          const verdict = t.type === 'verdict' ? t.name : ebtablesExtensionVerdict(rule);
          if (verdict === 'DROP') {
            context.report({ node: rule, span, messageId: 'brouteDrop', data: { target: t.type === 'verdict' ? '-j DROP' : `-j ${t.name} with DROP` }, maxSeverity: 'info' });
          }
        }
        const node = graph.nodes.get(chain.name)!;
        const hooks = chain.builtin ? [chain.name] : node.hooks;
        const m = targetMisplacement(rule, hooks, family, legacy);
        if (!m) return;
        if (m.kind === 'table') {
          const allowed = list(m.allowed);
          if (m.legacyOnly) context.report({ node: rule, span, messageId: 'legacyOnlyTable', data: { target: t.name, allowed }, maxSeverity: backend === 'legacy' ? 'error' : 'warning' });
          else context.report({ node: rule, span, messageId: 'wrongTable', data: { target: t.name, allowed, table: rule.table } });
          return;
        }
        const data = { target: t.name, allowed: list(m.allowed), bad: listAll(m.bad) };
        if (chain.builtin) {
          context.report({ node: rule, span, messageId: 'wrongHook', data });
          return;
        }
        const related = m.bad.flatMap((hook) => {
          const path = jumpPath(graph, hook, chain.name) ?? [];
          const last = path[path.length - 1];
          return last ? [{ node: last.rule, span: last.rule.target!.span, messageId: 'reachedFrom' as const, data: { chain: chain.name, hook } }] : [];
        });
        context.report({ node: rule, span, messageId: 'wrongHookVia', data: { ...data, chain: chain.name }, related });
      },
    };
  },
});
