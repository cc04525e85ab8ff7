// "Which packets …?" answers, read as regions: each case is a small ruleset, a question, and the regions a
// reader should see (field texts, largest region first).
import { describe, expect, it } from 'vitest';
import { parseSnapshot, type Rule } from '@chainsight/grammar';
import { contains, querySnapshot, regionsOf, type QueryGoal } from '../src/index';

const constraintRule = (args: string): Rule => {
  const { snapshot } = parseSnapshot(`*filter\n:INPUT ACCEPT [0:0]\n-A INPUT ${args}\nCOMMIT\n`, { fileName: 'constraint', family: 'ipv4' });
  return snapshot.tables[0]!.chains[0]!.rules[0]!;
};

interface Case {
  name: string;
  rules: string;
  table: string;
  hooks?: string[];
  goal: QueryGoal;
  constraint?: string;
  /** Each region as `field=text` joined by spaces, largest first. */
  regions: string[];
  total?: string;
}

const CASES: Case[] = [
  {
    name: 'the packets an ACCEPT takes after a DROP of 10.0.0.0/8: everything else to port 22',
    rules: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
    table: 'filter', goal: { kind: 'rule', chain: 'INPUT', index: 2, reach: false },
    // The eight prefixes that make up the complement of 10.0.0.0/8, read back as one region.
    regions: ['proto=tcp src=not 10.0.0.0/8 dport=22'],
  },
  {
    name: 'MASQUERADE: from the container network, out any device but docker0',
    rules: '*nat\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE\nCOMMIT\n',
    table: 'nat', goal: { kind: 'masquerade' },
    // (nat sees first packets only: the state goes without saying.)
    regions: ['out=(any other name) src=172.17.0.0/16'],
  },
  {
    name: 'the packets FORWARD drops by policy, asked only for those coming in on docker0',
    rules: '*filter\n:FORWARD DROP [0:0]\n-A FORWARD -i docker0 ! -o docker0 -j ACCEPT\n-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT\nCOMMIT\n',
    table: 'filter', goal: { kind: 'verdict', verdict: 'policy DROP' }, constraint: '-i docker0',
    regions: ['in=docker0 out=docker0 state=not ESTABLISHED|RELATED'],
  },
  {
    name: 'DNAT to one backend: the service address and port',
    rules: '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -d 10.96.0.10/32 -p udp --dport 53 -j DNAT --to-destination 10.244.1.5:53\n-A PREROUTING -d 10.96.0.11/32 -p tcp --dport 80 -j DNAT --to-destination 10.244.2.7:8080\nCOMMIT\n',
    table: 'nat', goal: { kind: 'dnat', to: 0x0af40105n },
    regions: ['proto=udp dst=10.96.0.10/32 dport=53'],
  },
  {
    name: 'the packets that reach a rule (not only those it matches)',
    rules: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j DROP\n-A INPUT -p udp --dport 53 -j ACCEPT\nCOMMIT\n',
    table: 'filter', goal: { kind: 'rule', chain: 'INPUT', index: 2, reach: true },
    regions: ['proto=not tcp'],
  },
  {
    name: 'a rule hidden by the one before it: no packet',
    rules: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n',
    table: 'filter', goal: { kind: 'rule', chain: 'INPUT', index: 2, reach: false },
    regions: [], total: '0',
  },
];

describe('querySnapshot + regionsOf', () => {
  it.each(CASES)('$name', (c) => {
    const { snapshot } = parseSnapshot(c.rules, { fileName: 'test.rules', family: 'ipv4' });
    const a = querySnapshot({ snapshot, table: c.table, goal: c.goal, constraint: c.constraint ? constraintRule(c.constraint) : null, ...(c.hooks ? { hooks: c.hooks } : {}), devices: ['docker0'] });
    const r = regionsOf(a.space, a.set, c.regions.length || 4, { care: a.care });
    expect(r.regions.map((x) => x.fields.map((f) => `${f.field}=${f.text}`).join(' '))).toEqual(c.regions);
    if (c.total) expect(r.total).toBe(c.total);
    // Every witness is a packet of the answer.
    for (const x of r.regions) expect(contains(a.space, a.set, x.witness)).toBe(true);
  });
});

describe('-m recent --set always matches (xt_recent recent_mt), as trace decides it', () => {
  it.each([
    ['--set', '-m recent --set --name SSH', false],
    ['! --set', '-m recent ! --set --name SSH', true],
  ])('%s before a DROP of the same packets', (_name, args, reachable) => {
    const rules = `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 ${args} -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n`;
    const { snapshot } = parseSnapshot(rules, { fileName: 'test.rules', family: 'ipv4' });
    const a = querySnapshot({ snapshot, table: 'filter', goal: { kind: 'rule', chain: 'INPUT', index: 2, reach: false }, constraint: null });
    expect(regionsOf(a.space, a.set, 1, { care: a.care }).regions.length > 0).toBe(reachable);
  });
});
