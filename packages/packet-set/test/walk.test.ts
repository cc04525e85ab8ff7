// Reach sets of rules through chains: the cases single-rule shadowing misses, each as a small ruleset with the
// rules that no packet can reach.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { analyzeSnapshot } from '../src/index';

function unreachable(text: string): string[] {
  const parsed = parseSnapshot(text, { fileName: 'rules' });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '));
  const { tables } = analyzeSnapshot(parsed.snapshot);
  const out: string[] = [];
  // Unreachable: no packet that gets to the rule is matched by it (tested by other packets or by none).
  for (const t of tables) for (const [chain, rules] of t.rules) for (const r of rules) if (!r.matched) out.push(`${t.table} ${chain} ${r.rule.index}`);
  return out;
}

const filter = (rules: string, chains = '') => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${chains}${rules}COMMIT\n`;

const cases: { name: string; rules: string; unreachable: string[] }[] = [
  {
    name: 'a jump into a chain that always ends hides everything after it',
    rules: filter('-A INPUT -j ALLOW\n-A INPUT -p tcp -j DROP\n-A ALLOW -j ACCEPT\n', ':ALLOW - [0:0]\n'),
    unreachable: ['filter INPUT 2'],
  },
  {
    name: 'several earlier rules together cover a later one',
    rules: filter('-A INPUT -p tcp -m tcp --dport 0:1023 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 1024:65535 -j DROP\n-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n'),
    unreachable: ['filter INPUT 3'],
  },
  {
    name: 'a rule only partly hidden is reachable',
    rules: filter('-A INPUT -p tcp -m tcp --dport 0:1023 -j ACCEPT\n-A INPUT -p tcp -m tcp --dport 22:2222 -j ACCEPT\n'),
    unreachable: [],
  },
  {
    name: 'a goto does not come back: what it took never reaches the rules after it',
    rules: filter('-A INPUT -p tcp -g T\n-A INPUT -p tcp -j LOG\n-A T -s 10.0.0.0/8 -j RETURN\n', ':T - [0:0]\n'),
    unreachable: ['filter INPUT 2'],
  },
  {
    name: 'a jump comes back with what the chain returned',
    rules: filter('-A INPUT -p tcp -j T\n-A INPUT -p tcp -s 10.0.0.0/8 -j LOG\n-A INPUT -p tcp -s 192.168.0.0/16 -j LOG\n-A T -s 10.0.0.0/8 -j RETURN\n-A T -j DROP\n', ':T - [0:0]\n'),
    unreachable: ['filter INPUT 3'],
  },
  {
    name: 'a chain no built-in chain reaches has no reachable rule',
    rules: filter('-A INPUT -j ACCEPT\n-A ORPHAN -j DROP\n', ':ORPHAN - [0:0]\n'),
    unreachable: ['filter ORPHAN 1'],
  },
  {
    name: 'a rate limit may or may not match: the rules after it stay reachable',
    rules: filter('-A INPUT -m limit --limit 5/sec -j ACCEPT\n-A INPUT -m limit --limit 5/sec -j DROP\n-A INPUT -j LOG\n'),
    unreachable: [],
  },
  {
    name: 'the same set test twice: whatever the set holds, the second sees nothing the first let through',
    rules: filter('-A INPUT -m set --match-set blocked src -j DROP\n-A INPUT -m set --match-set blocked src -j ACCEPT\n'),
    unreachable: ['filter INPUT 2'],
  },
  {
    name: 'a mark set earlier decides a later mark test',
    rules: '*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n-A PREROUTING -m mark ! --mark 0x1 -j DROP\n-A PREROUTING -j ACCEPT\nCOMMIT\n',
    unreachable: ['mangle PREROUTING 2'],
  },
  {
    name: 'RETURN in a built-in chain ends at the policy',
    rules: filter('-A FORWARD -i eth0 -j RETURN\n-A FORWARD -i eth0 -j LOG\n'),
    unreachable: ['filter FORWARD 2'],
  },
  {
    name: 'INPUT has no output device: `-o` there is never true, and rules behind `! -o` see everything',
    rules: filter('-A INPUT ! -o eth9 -j ACCEPT\n-A INPUT -j LOG\n'),
    unreachable: ['filter INPUT 2'],
  },
  {
    name: 'the nat table sees only the first packet: a state test for later packets reaches, but cannot match',
    rules: '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctstate NEW -j ACCEPT\n-A PREROUTING -j LOG\nCOMMIT\n',
    unreachable: ['nat PREROUTING 2'],
  },
];

describe('rules no packet can reach', () => {
  it.each(cases)('$name', ({ rules, unreachable: want }) => {
    expect(unreachable(rules)).toEqual(want);
  });

  it('a mark set earlier is what later rules read', () => {
    const parsed = parseSnapshot('*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -j MARK --set-xmark 0x1/0xffffffff\n-A PREROUTING -m mark ! --mark 0x1 -j DROP\n-A PREROUTING -j ACCEPT\nCOMMIT\n', { fileName: 'rules' });
    const { tables, space } = analyzeSnapshot(parsed.snapshot, { keep: () => true });
    const pre = tables[0]!.rules.get('PREROUTING')!;
    // Rule 2 is tested but matches nothing: every packet carries mark 1 by then.
    expect(pre[1]!.reached).toBe(true);
    expect(pre[1]!.matched).toBe(false);
    expect(space.bdd.implies(pre[2]!.reach!, space.eq(space.f.mark, 1))).toBe(true);
  });
});
