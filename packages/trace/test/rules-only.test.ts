// A trace from the rules alone (no host context): right wherever the rules decide, and explicit wherever a host
// fact decides — inferred from the rules when they imply it, forked (each outcome labelled) when it decides the
// path, assumed out loud otherwise (sim/host-facts.ts, host/rules-facts.ts, docs/host-facts.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { checkExpectation, compileRuleset, parseHostContext, trace, traceConversation, type PacketSpec, type TraceResult } from '../src/index';

const DOCKER = readFileSync(new URL('../../../fixtures/docker-host/iptables-save', import.meta.url), 'utf8');
const DOCKER_HOST = readFileSync(new URL('../../../fixtures/docker-host/host.json', import.meta.url), 'utf8');

const LIBVIRT = `*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 192.168.122.0/24 ! -d 192.168.122.0/24 -p tcp -j MASQUERADE --to-ports 1024-65535
COMMIT
*filter
:FORWARD DROP [0:0]
-A FORWARD -d 192.168.122.0/24 -o virbr0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -s 192.168.122.0/24 -i virbr0 -j ACCEPT
COMMIT
`;

const KUBE = `*nat
:PREROUTING ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:KUBE-SERVICES - [0:0]
:KUBE-NODEPORTS - [0:0]
:KUBE-MARK-MASQ - [0:0]
:KUBE-POSTROUTING - [0:0]
:KUBE-SVC-A - [0:0]
-A PREROUTING -j KUBE-SERVICES
-A POSTROUTING -j KUBE-POSTROUTING
-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000
-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
-A KUBE-POSTROUTING -j MASQUERADE
-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE-SVC-A
-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
-A KUBE-NODEPORTS -p tcp -m tcp --dport 30080 -j KUBE-SVC-A
-A KUBE-SVC-A ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ
-A KUBE-SVC-A -p tcp -j DNAT --to-destination 10.244.1.5:8080
COMMIT
`;

const FIREWALL = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
-A FORWARD -o eth1 -j ACCEPT
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp -m tcp --dport 8080 -j REDIRECT --to-ports 3128
COMMIT
`;

const rules = (text: string, file = 'rules.save') => parseSnapshot(text, { fileName: file }).snapshot;

interface Case {
  name: string;
  rules: string;
  spec: PacketSpec;
  localAddresses?: string[];
  assume?: [string, boolean][];
  /** Per outcome: summary (substring), MASQUERADE, the assumptions it states. */
  outcomes: { summary: string; masquerade?: boolean; assumes?: string[]; nat?: string }[];
  /** Lines the Inferred list must hold (substrings). */
  inferred?: string[];
}

const CASES: Case[] = [
  {
    name: 'a container going out is MASQUERADEd to an address the rules cannot name; "is the destination local?" forks',
    rules: DOCKER, spec: { in: 'docker0', src: '172.17.0.2', dst: '10.28.61.30' },
    outcomes: [
      { summary: 'forwarded out an interface other than docker0', masquerade: true, assumes: ['10.28.61.30 is not an address of this host'], nat: 'the address of OUT (unknown without host facts)' },
      { summary: 'delivered to a local process', masquerade: false, assumes: ['10.28.61.30 is an address of this host'] },
    ],
    inferred: ['does not leave by docker0: the rules put 172.17.0.0/16 behind docker0', 'net.ipv4.ip_forward = 1 assumed'],
  },
  {
    name: '--local-addr names the host\'s addresses: every other address is not local, no fork',
    rules: DOCKER, spec: { in: 'docker0', src: '172.17.0.2', dst: '10.28.61.30' }, localAddresses: ['198.51.100.10'],
    outcomes: [{ summary: 'forwarded out an interface other than docker0', masquerade: true, assumes: [] }],
    inferred: ['10.28.61.30 is not an address of this host: the host\'s addresses are the --local-addr ones'],
  },
  {
    name: 'a published port: addrtype LOCAL is true for a --local-addr, the DNAT endpoint leaves by the bridge the rules name',
    rules: DOCKER, spec: { in: 'eth0', src: '203.0.113.7', dst: '198.51.100.10', proto: 'tcp', dport: 8080 }, localAddresses: ['198.51.100.10'],
    outcomes: [{ summary: 'forwarded out docker0', masquerade: false, assumes: [], nat: '172.17.0.2:80' }],
    inferred: ['172.17.0.2 is not an address of this host: a DNAT endpoint', '172.17.0.2 leaves by docker0'],
  },
  {
    name: 'a published port without --local-addr: the addrtype test forks, each answer kept by routing',
    rules: DOCKER, spec: { in: 'eth0', src: '203.0.113.7', dst: '198.51.100.10', proto: 'tcp', dport: 8080 },
    outcomes: [
      // Not the host's: routed on, and not by docker0 (198.51.100.10 is outside the network the rules put there).
      { summary: 'DROP in filter FORWARD policy', assumes: ['198.51.100.10 is not an address of this host'] },
      { summary: 'forwarded out docker0', assumes: ['198.51.100.10 is an address of this host'], nat: '172.17.0.2:80' },
    ],
  },
  {
    name: '--assume local=false pins every open locality question',
    rules: DOCKER, spec: { in: 'eth0', src: '203.0.113.7', dst: '198.51.100.10', proto: 'tcp', dport: 8080 }, assume: [['local', false]],
    outcomes: [{ summary: 'DROP in filter FORWARD policy', assumes: ['198.51.100.10 is not an address of this host (--assume local=false)'] }],
  },
  {
    name: 'kube-proxy: a ClusterIP is DNATed to a pod (not local: the cluster CIDR) and MASQUERADEd from outside',
    rules: KUBE, spec: { in: 'eth0', src: '192.168.1.5', dst: '10.96.0.10', proto: 'tcp', dport: 80 },
    outcomes: [{ summary: 'forwarded out an interface the rules do not name', masquerade: true, assumes: [], nat: '10.244.1.5:8080' }],
    inferred: ['10.244.1.5 is not an address of this host: a DNAT endpoint'],
  },
  {
    name: 'kube-proxy: a NodePort forks on whether the destination is a node address',
    rules: KUBE, spec: { in: 'eth0', src: '192.168.1.5', dst: '192.168.1.10', proto: 'tcp', dport: 30080 },
    outcomes: [
      { summary: 'forwarded out an interface the rules do not name', masquerade: false, assumes: ['192.168.1.10 is not an address of this host'] },
      { summary: 'forwarded out an interface the rules do not name', masquerade: true, assumes: ['192.168.1.10 is an address of this host'], nat: '10.244.1.5:8080' },
    ],
  },
  {
    name: 'libvirt: the guest network is behind virbr0 (inferred), a guest going out is MASQUERADEd',
    rules: LIBVIRT, spec: { in: 'virbr0', src: '192.168.122.50', dst: '93.184.216.34', proto: 'tcp', dport: 443 }, localAddresses: ['192.168.122.1'],
    outcomes: [{ summary: 'forwarded out an interface other than virbr0', masquerade: true, assumes: [] }],
    inferred: ['does not leave by virbr0: the rules put 192.168.122.0/24 behind virbr0'],
  },
  {
    name: 'an -o test on an unknown OUT forks; a DROP there rests on its assumption',
    rules: FIREWALL, spec: { in: 'eth0', src: '203.0.113.7', dst: '10.1.0.20', proto: 'tcp', dport: 443 }, localAddresses: ['192.0.2.10'],
    outcomes: [
      { summary: 'DROP in filter FORWARD policy', assumes: ['OUT is not eth1'] },
      { summary: 'forwarded out eth1', assumes: ['OUT is eth1'] },
    ],
  },
  {
    name: 'REDIRECT without host facts is delivered (to an address of IN), not dropped',
    rules: FIREWALL, spec: { in: 'eth1', src: '10.1.0.20', dst: '93.184.216.34', proto: 'tcp', dport: 8080 },
    outcomes: [{ summary: 'DROP in filter INPUT policy', assumes: [], nat: 'an address of eth1 (unknown without host facts' }],
  },
  {
    name: 'a packet of this host\'s own is sent, not forwarded',
    rules: FIREWALL, spec: { local: true, src: '192.0.2.10', dst: '10.1.0.20', proto: 'tcp', dport: 22, out: 'eth1' },
    outcomes: [{ summary: 'sent by this host out eth1', assumes: [] }],
  },
  {
    name: 'an IPv6 packet against IPv4 rules only: the empty ip6tables ruleset is an assumption, said',
    rules: FIREWALL, spec: { in: 'eth0', src: '2001:db8::1', dst: '2001:db8::2', proto: 'tcp', dport: 22 }, localAddresses: ['2001:db8::2'],
    outcomes: [{ summary: 'delivered', assumes: ['no ip6tables rules were given: the IPv6 packet meets no rule, as if every IPv6 chain were empty with policy ACCEPT'] }],
    inferred: ['no ip6tables rules were given'],
  },
];

function run(c: Case): TraceResult {
  const compiled = compileRuleset([rules(c.rules)], null, c.localAddresses ? { localAddresses: c.localAddresses } : {});
  return trace(compiled, c.spec, c.assume ? { assume: new Map(c.assume) } : {});
}

describe('a trace without a host context', () => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = run(c);
    expect(r.outcomes.map((o) => o.summary).length, r.outcomes.map((o) => `${o.summary} [${o.assumptions.join('; ')}]`).join('\n')).toBe(c.outcomes.length);
    c.outcomes.forEach((want, i) => {
      const o = r.outcomes[i]!;
      expect(o.summary).toContain(want.summary);
      if (want.masquerade !== undefined) expect(o.masquerade).toBe(want.masquerade);
      if (want.assumes !== undefined) expect(o.assumptions).toEqual(want.assumes);
      if (want.nat !== undefined) expect(o.nat.map((n) => n.to).join(' | ')).toContain(want.nat);
      // Unknown host facts are never a DROP of their own: a DROP is a rule's or a policy's.
      if (o.verdict === 'DROP') expect(o.decidedBy).not.toBeNull();
    });
    for (const line of c.inferred ?? []) expect(r.inferred.some((x) => x.includes(line)), `${line}\nin:\n${r.inferred.join('\n')}`).toBe(true);
  });

  it('--expect masquerade holds when the host\'s addresses are given, and names the assumption when it does not', () => {
    const without = run(CASES[0]!);
    const check = checkExpectation(without, { kind: 'masquerade', value: true });
    expect(check.ok).toBe(false);
    expect(check.failures).toEqual([{ outcome: 2, reason: 'MASQUERADE: no (assumes 10.28.61.30 is an address of this host)' }]);
    expect(checkExpectation(run(CASES[1]!), { kind: 'masquerade', value: true }).ok).toBe(true);
  });
});

describe('tables from several files', () => {
  const nat = DOCKER.slice(DOCKER.indexOf('# Generated', 10));
  const filter = DOCKER.slice(0, DOCKER.indexOf('# Generated', 10));
  it('are one ruleset: each rule is cited in its own file, without a warning', () => {
    const compiled = compileRuleset([rules(nat, 'nat.save'), rules(filter, 'filter.save')], null, { localAddresses: ['198.51.100.10'] });
    expect(compiled.warnings).toEqual([]);
    const o = trace(compiled, { in: 'docker0', src: '172.17.0.2', dst: '10.28.61.30' }).outcomes[0]!;
    expect(o.masqueradeBy).toMatchObject({ file: 'nat.save', line: 10 });
    expect(o.steps.filter((s) => s.table === 'filter').every((s) => s.file === 'filter.save')).toBe(true);
  });
  it('a table given twice replaces the first, with a warning naming it', () => {
    const compiled = compileRuleset([rules(nat, 'a.save'), rules(nat, 'b.save')], null);
    expect(compiled.warnings).toEqual(['b.save: a second ipv4 snapshot with table nat a.save has too; its tables replace a.save\'s']);
  });
});

describe('a conversation', () => {
  it('a reply states its own inferences, not the first packet\'s', () => {
    const host = parseHostContext(DOCKER_HOST, 'host.json').context!;
    const compiled = compileRuleset([rules(DOCKER)], host);
    const conv = traceConversation(compiled, { from: 'client', dst: '198.51.100.10', proto: 'tcp', dport: 8080 }, [{ direction: 'reply' }]);
    expect(conv.packets[0]!.inferred).toContain('enters from neighbour client on eth0');
    const reply = conv.packets[1]!.inferred;
    expect(reply.some((x) => x.includes('neighbour client'))).toBe(false);
    expect(reply.some((x) => x.startsWith('the reply enters on docker0 (bridge port') || x.startsWith('the reply enters on bridge port'))).toBe(true);
  });
  it('without host facts the reply enters by the first packet\'s unknown OUT and keeps what its -o tests learnt', () => {
    const compiled = compileRuleset([rules(DOCKER)], null, { localAddresses: ['198.51.100.10'] });
    const conv = traceConversation(compiled, { in: 'docker0', src: '172.17.0.2', dst: '10.28.61.30' }, [{ direction: 'reply' }]);
    const reply = conv.packets[1]!;
    expect(reply.inferred.some((x) => x.includes('icmp echo request'))).toBe(false);
    expect(reply.inferred).toContain('the reply enters by the interface the first packet left by (unknown without host facts; the -i tests ask)');
    expect(reply.outcomes.map((o) => o.verdict)).toEqual(['forwarded']);
  });
});
