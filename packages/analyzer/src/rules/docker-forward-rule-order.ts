// docker-forward-rule-order: filtering rules placed in FORWARD after Docker's rules. Docker accepts its bridges'
// traffic in FORWARD (replies, connections to published ports, traffic leaving containers), so a DROP/REJECT
// appended later with `iptables -A FORWARD` never sees that traffic. Docker's documentation: rules appended to
// FORWARD "will be processed after Docker's rules"; rules that must apply first belong in DOCKER-USER
// (docs.docker.com, "Packet filtering and firewalls").
import { findChain, type Rule } from '@chainsight/grammar';
import { defineRule } from '../lint/define';
import { findContradictions } from '../model/contradictions';
import { describeTarget } from '../model/describe';
import {
  dockerAccepts, dockerBridges, hasDocker, interfacesOverlap, isDockerChain, isDockerForwardRule, touchesBridge, type DockerAccept,
} from '../model/docker';

/** Rules meant to restrict: DROP, REJECT, or a jump to a (non-Docker) user chain that may hold such rules. */
function restricts(r: Rule): boolean {
  const t = r.target;
  if (!t) return false;
  if (t.name === 'DROP' || t.name === 'REJECT') return true;
  return t.type === 'chain' && !isDockerChain(t.name);
}

/** Whether the connection states of `docker` and `rule` can hold together (a NEW-only rule misses replies). */
function statesOverlap(docker: Rule, rule: Rule): boolean {
  const ct = docker.matches.filter((m) => m.module === 'conntrack' || m.module === 'state');
  if (!ct.length) return true;
  const both: Rule = { ...rule, matches: [...ct, ...rule.matches] };
  return !findContradictions(both, null).some((c) => (c.kind === 'disjoint' || c.kind === 'empty') && c.field === 'connection state');
}

const bridgeOf = (r: Rule) => {
  const o = r.base.find((x) => (x.key === 'out-interface' || x.key === 'in-interface') && !x.negated);
  return o?.value.type === 'interface' ? o.value.name : '?';
};

function whatDockerAccepts(kind: DockerAccept, r: Rule, bridges: readonly string[]): string {
  switch (kind) {
    case 'replies': return `replies to containers on ${bridgeOf(r)}`;
    case 'published': return `connections to ports published on ${bridgeOf(r)}`;
    case 'outbound': return `traffic from containers on ${bridgeOf(r)} to other networks`;
    case 'between': return `traffic between containers on ${bridgeOf(r)}`;
    case 'all': return `the traffic of its bridges (${bridges.join(', ')})`;
  }
}

export default defineRule({
  id: 'docker-forward-rule-order',
  description: "A filtering rule in FORWARD placed after Docker's rules, which have already accepted part of its traffic.",
  help: 'Docker accepts the traffic of its bridges in FORWARD (replies, connections to published ports, traffic leaving containers). '
    + 'A DROP or REJECT appended to FORWARD after those rules never sees that traffic, so it does not protect the containers. '
    + 'Docker runs the DOCKER-USER chain first: put such rules there (match the original destination of a published port with '
    + '-m conntrack --ctorigdstport).',
  defaultSeverity: 'warning',
  messages: {
    afterDocker: "rule {{index}} of FORWARD ({{verdict}}) comes after Docker's rule {{docker}}, which accepts {{what}} first: this rule never sees that traffic",
    dockerAccepts: 'Docker accepts {{what}} here',
  },
  hints: { afterDocker: 'move the rule into the DOCKER-USER chain (iptables -I DOCKER-USER ...)' },
  defaultOptions: {},
  families: ['ipv4', 'ipv6'],
  create(context) {
    return {
      table(table) {
        if (table.name !== 'filter' || !hasDocker(context.snapshot)) return;
        const forward = findChain(table, 'FORWARD');
        const bridges = dockerBridges(context.snapshot);
        if (!forward || !bridges.length) return;
        const dockerChainAccepts = !!findChain(table, 'DOCKER')?.rules.some((r) => r.target?.name === 'ACCEPT');
        const accepting: { rule: Rule; kind: DockerAccept }[] = [];
        for (const r of forward.rules) {
          if (isDockerForwardRule(r, bridges)) {
            const kind = dockerAccepts(r, bridges, dockerChainAccepts);
            if (kind) accepting.push({ rule: r, kind });
            continue;
          }
          if (!restricts(r)) continue;
          const first = accepting.find((d) => (d.kind === 'all' ? touchesBridge(r, bridges) : interfacesOverlap(d.rule, r) && statesOverlap(d.rule, r)));
          if (!first) continue;
          const what = whatDockerAccepts(first.kind, first.rule, bridges);
          context.report({
            node: r, messageId: 'afterDocker',
            data: { index: r.index, verdict: describeTarget(r), docker: first.rule.index, what },
            related: [{ node: first.rule, messageId: 'dockerAccepts', data: { what } }],
          });
        }
      },
    };
  },
});
