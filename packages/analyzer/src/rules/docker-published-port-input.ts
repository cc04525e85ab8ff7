// docker-published-port-input: an INPUT rule for a port that Docker publishes. Docker DNATs connections to a
// published port in nat PREROUTING (nat DOCKER chain), before routing, so they are forwarded to the container:
// they traverse FORWARD, never INPUT (docs/netfilter.md §traversal-order and §bridge-paths E: DNAT'ed traffic goes raw/mangle/nat
// PREROUTING → mangle/filter FORWARD). An INPUT rule meant to restrict (or open) that port does nothing for
// it — the documented "Docker bypasses my firewall / ufw" pitfall (docs.docker.com, "Packet filtering and firewalls").
import type { Rule } from '@chainsight/grammar';
import { defineRule } from '../lint/define';
import { describeTarget, protocolName } from '../model/describe';
import { publishedPorts, type PublishedPort } from '../model/docker';

/** The destination-port ranges a rule requires for a protocol, or null when it has no port condition. */
function ruleDports(r: Rule): { protocol: number; ranges: { from: number; to: number }[] } | null {
  const proto = r.base.find((o) => o.key === 'protocol');
  if (!proto || proto.negated || proto.value.type !== 'protocol') return null;
  for (const m of r.matches) {
    for (const o of m.options) {
      if (o.negated) continue;
      if (o.key === 'dport' && o.value.type === 'port-range') return { protocol: proto.value.number, ranges: [o.value] };
      if (o.key === 'dports' && o.value.type === 'port-list') return { protocol: proto.value.number, ranges: o.value.ranges };
    }
  }
  return null;
}

export default defineRule({
  id: 'docker-published-port-input',
  description: 'An INPUT rule for a port Docker publishes: connections to it are DNATed before INPUT and never reach the rule.',
  help: 'Docker publishes a port with a DNAT rule in nat PREROUTING, so connections to it are routed to the container through '
    + 'FORWARD and never traverse INPUT: rules in INPUT (or ufw, which writes INPUT rules) neither block nor allow them. Filter '
    + 'published ports in the DOCKER-USER chain, matching the original port with -m conntrack --ctorigdstport.',
  defaultSeverity: 'warning',
  messages: {
    bypassed: 'rule {{index}} of {{chain}} ({{verdict}}) is for {{proto}} port {{port}}, which Docker publishes{{where}}: connections to it are DNATed to {{to}} before INPUT and never reach this rule',
    dnatHere: 'Docker DNATs {{proto}} port {{port}} to {{to}} here',
  },
  hints: { bypassed: 'filter published ports in DOCKER-USER: -A DOCKER-USER -p {{proto}} -m conntrack --ctorigdstport {{port}} ...' },
  defaultOptions: {},
  families: ['ipv4', 'ipv6'],
  create(context) {
    let published: PublishedPort[] | null = null;
    return {
      rule(rule, chain, graph) {
        if (graph.name !== 'filter' || !rule.target) return;
        const node = graph.nodes.get(chain.name)!;
        const fromInput = chain.builtin ? chain.name === 'INPUT' : node.hooks.length > 0 && node.hooks.every((h) => h === 'INPUT');
        if (!fromInput) return;
        const want = ruleDports(rule);
        if (!want) return;
        published ??= publishedPorts(context.snapshot);
        const hit = published.find((p) => p.protocol === want.protocol && want.ranges.some((r) => r.from <= p.ports.to && p.ports.from <= r.to));
        if (!hit) return;
        const port = hit.ports.from === hit.ports.to ? String(hit.ports.from) : `${hit.ports.from}:${hit.ports.to}`;
        const data = { proto: protocolName(hit.protocol), port, to: hit.to };
        const where = hit.address ? ` on ${hit.address}` : '';
        context.report({
          node: rule, messageId: 'bypassed',
          data: { ...data, where, index: rule.index, chain: chain.name, verdict: describeTarget(rule) },
          related: [{ node: hit.rule, messageId: 'dnatHere', data }],
        });
      },
    };
  },
});
