// no-contradictory-match: a rule whose matches can never all hold, so it never matches; and protocol matches
// used without their protocol, which iptables refuses. Detection is in model/contradictions.ts.
import type { Match, OptionEntry } from '@chainsight/grammar';
import { defineRule } from '../lint/define';
import { findContradictions } from '../model/contradictions';
import { protocolName } from '../model/describe';
import { optionText } from '../model/values';

/** Why iptables/ebtables refuse `-i` (OUTPUT, POSTROUTING) or `-o` (PREROUTING, INPUT, BROUTING) in a built-in chain. */
const INTERFACE_WHY: Record<string, string> = {
  OUTPUT: 'locally generated packets have no input interface',
  POSTROUTING: '-i is allowed only in PREROUTING, INPUT and FORWARD',
  PREROUTING: 'the output interface is chosen later, by routing',
  INPUT: 'packets for this host have no output interface',
  BROUTING: 'the output interface is chosen later',
};

const matchText = (m: Match) => (m.explicit ? `-m ${m.spelling}` : `the ${m.module} match (${m.options.map(optionText).join(' ')})`);

export default defineRule({
  id: 'no-contradictory-match',
  description: 'A rule whose matches can never hold together, or a protocol match used without its protocol.',
  help: 'A rule whose conditions exclude each other never matches, so whatever it was meant to do never happens (tcp options '
    + 'under -p udp, -s A with ! -s A, disjoint --src-range and -s, two different connection states, a mark value with bits '
    + 'outside its mask). Protocol matches without their -p are refused by iptables outright. Fix the condition that is wrong.',
  defaultSeverity: 'error',
  messages: {
    protocolMissing: '{{match}} needs -p {{protocol}}: iptables refuses it without',
    protocolOther: '{{match}} needs -p {{protocol}}, but the rule has {{given}}: iptables refuses it',
    protocolNegated: '{{match}} under {{given}} never matches (iptables-legacy refuses it)',
    multiportProtocol: '-m multiport needs -p tcp, udp, udplite, sctp or dccp{{given}}: iptables refuses it',
    disjoint: 'no {{field}} satisfies both {{earlier}} and {{option}}: the rule never matches',
    empty: '{{option}} matches no packet: the rule never matches',
    earlierCondition: 'this condition leaves no {{field}} for {{option}}',
    markOutsideMask: '{{option}} never matches: the value has bits outside the mask (the kernel compares mark & mask with the value)',
    markConflict: '{{option}} and {{earlier}} require different values of the same mark bits: the rule never matches',
    tcpFlagsOutsideMask: '{{option}} never matches: flags outside the mask are never compared, so they never equal the value',
    fragmentTransport: '{{fragment}} selects non-first fragments, which carry no {{protocol}} header: {{match}} never matches them',
    interfaceInChain: '{{option}} cannot be used in {{chain}} ({{why}}): {{tool}} refuses the rule',
  },
  hints: {
    protocolMissing: 'add -p {{protocol}} before {{match}}',
    multiportProtocol: 'add the protocol, e.g. -p tcp, before -m multiport',
    disjoint: 'one of the two conditions is wrong',
    markOutsideMask: 'drop the bits outside the mask from the value, or widen the mask',
    interfaceInChain: 'remove {{option}} or move the rule to a chain where the packet has that interface',
  },
  defaultOptions: {},
  families: ['ipv4', 'ipv6', 'bridge'],
  create(context) {
    return {
      rule(rule, chain) {
        for (const c of findContradictions(rule, chain.builtin ? chain.name : null)) {
          switch (c.kind) {
            case 'protocol-module': {
              const data = { match: matchText(c.match), protocol: protocolName(c.protocol) };
              if (!c.given) context.report({ node: rule, span: c.match.span, messageId: 'protocolMissing', data });
              else if (c.given.negated) context.report({ node: rule, span: c.match.span, messageId: 'protocolNegated', data: { match: data.match, given: optionText(c.given) } });
              else context.report({ node: rule, span: c.match.span, messageId: 'protocolOther', data: { ...data, given: optionText(c.given) } });
              break;
            }
            case 'multiport-protocol':
              context.report({ node: rule, span: c.match.span, messageId: 'multiportProtocol', data: { given: c.given ? ` (not ${optionText(c.given)})` : '' } });
              break;
            case 'disjoint': {
              const earlier = c.with.map(optionText).join(' ');
              context.report({
                node: rule, span: c.option.span, messageId: 'disjoint', maxSeverity: 'warning',
                data: { field: c.field, earlier, option: optionText(c.option) },
                related: c.with.map((w: OptionEntry) => ({ node: rule, span: w.span, messageId: 'earlierCondition' as const, data: { field: c.field, option: optionText(c.option) } })),
              });
              break;
            }
            case 'empty':
              context.report({ node: rule, span: c.option.span, messageId: 'empty', data: { option: optionText(c.option) }, maxSeverity: 'warning' });
              break;
            case 'mark-outside-mask':
              context.report({ node: rule, span: c.option.span, messageId: 'markOutsideMask', data: { option: optionText(c.option) }, maxSeverity: 'warning' });
              break;
            case 'mark-conflict':
              context.report({ node: rule, span: c.option.span, messageId: 'markConflict', data: { option: optionText(c.option), earlier: optionText(c.with) }, maxSeverity: 'warning' });
              break;
            case 'tcp-flags-outside-mask':
              context.report({ node: rule, span: c.option.span, messageId: 'tcpFlagsOutsideMask', data: { option: optionText(c.option) }, maxSeverity: 'warning' });
              break;
            case 'fragment-transport':
              context.report({
                node: rule, span: c.match.span, messageId: 'fragmentTransport', maxSeverity: 'warning',
                data: { fragment: optionText(c.fragment), protocol: c.match.module === 'multiport' ? 'port' : c.match.module.toUpperCase(), match: matchText(c.match) },
              });
              break;
            case 'interface-in-chain': {
              const why = INTERFACE_WHY[c.chain] ?? 'not allowed there';
              const tool = rule.family === 'bridge' ? 'ebtables' : 'iptables';
              context.report({ node: rule, span: c.option.span, messageId: 'interfaceInChain', data: { option: optionText(c.option), chain: c.chain, why, tool } });
              break;
            }
          }
        }
      },
    };
  },
});
