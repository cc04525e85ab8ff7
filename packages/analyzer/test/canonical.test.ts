// canonicalRuleKey: equal for spellings the kernel stores the same way, different otherwise.
import { describe, expect, it } from 'vitest';
import { parseSnapshot, type Family } from '@chainsight/grammar';
import { canonicalRuleKey, conditionsOf, isUnconditional, syntacticCoverage } from '@chainsight/analyzer';

function rules(family: Family, ...args: string[]) {
  const bridge = family === 'bridge';
  const text = bridge
    ? `*filter\n:INPUT ACCEPT\n${args.map((a) => `-A INPUT ${a}`).join('\n')}\n`
    : `*filter\n:INPUT ACCEPT [0:0]\n${args.map((a) => `-A INPUT ${a}`).join('\n')}\nCOMMIT\n`;
  const parsed = parseSnapshot(text, { fileName: 'k', family, format: bridge ? 'ebtables-save' : 'iptables-save' });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return parsed.snapshot.tables[0]!.chains[0]!.rules;
}
const key = (a: string, family: Family = 'ipv4') => canonicalRuleKey(rules(family, a)[0]!);

describe('canonicalRuleKey', () => {
  it.each([
    ['-p tcp --dport 80 -j ACCEPT', '-p tcp -m tcp --dport 80 -j ACCEPT'],
    ['-s 192.0.2.1 -j DROP', '-s 192.0.2.1/32 -j DROP'],
    ['-s 10.1.2.3/8 -j DROP', '-s 10.0.0.0/8 -j DROP'],
    ['--source 192.0.2.0/24 --jump DROP', '-s 192.0.2.0/24 -j DROP'],
    ['-p tcp -m tcp --sport 1024:65535 --dport 443 -j ACCEPT', '-p tcp -m tcp --dport 443 --sport 1024:65535 -j ACCEPT'],
    ['-m conntrack --ctstate NEW -p tcp -m tcp --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 -m conntrack --ctstate NEW -j ACCEPT'],
    ['-o eth0 -s 10.0.0.0/8 -j MASQUERADE', '-s 10.0.0.0/8 -o eth0 -j MASQUERADE'],
    ['-p tcp --dport http -j ACCEPT', '-p tcp --dport 80 -j ACCEPT'],
    ['-m comment --comment x -j ACCEPT', '-m comment --comment "x" -j ACCEPT'],
    ['-j LOG --log-level 4 --log-prefix x', '-j LOG --log-prefix x --log-level 4'],
  ])('%s ≡ %s', (a, b) => expect(key(a)).toBe(key(b)));

  it.each([
    ['-p tcp -m tcp --dport 80 -m limit --limit 5/sec -j LOG', '-p tcp -m limit --limit 5/sec -m tcp --dport 80 -j LOG'],
    ['-m comment --comment a -j ACCEPT', '-m comment --comment b -j ACCEPT'],
    ['-j X', '-g X'],
    ['-s 192.0.2.1 -j DROP', '! -s 192.0.2.1 -j DROP'],
    ['-p tcp --dport 80 -j ACCEPT', '-p tcp --sport 80 -j ACCEPT'],
  ])('%s ≢ %s', (a, b) => expect(key(a)).not.toBe(key(b)));

  it('is the canonical iptables-save text of the rule', () => {
    expect(key('-p tcp --destination-port 22 --source 192.0.2.1 --jump ACCEPT')).toBe('-s 192.0.2.1/32 -p tcp -m tcp --dport 22 -j ACCEPT');
  });
});

describe('conditions and coverage', () => {
  it.each([
    ['-j DROP', true],
    ['-m comment --comment "catch all" -j DROP', true],
    ['-s 0.0.0.0/0 -p all -j ACCEPT', true],
    ['-i + -j ACCEPT', true],
    ['! -s 0.0.0.0/0 -j DROP', false],
    ['-i lo -j ACCEPT', false],
    ['-m frob --x 1 -j DROP', false],
  ])('isUnconditional(%s) = %s', (a, expected) => expect(isUnconditional(rules('ipv4', a)[0]!)).toBe(expected));

  it('ebtables watchers are not conditions', () => {
    expect(isUnconditional(rules('bridge', '--log -j DROP')[0]!)).toBe(true);
  });

  it.each([
    ['-p tcp --dport 22 -j ACCEPT', '-s 192.0.2.7 -p tcp -m tcp --dport 22 -j DROP', true],
    ['-s 192.0.2.7 -p tcp --dport 22 -j DROP', '-p tcp --dport 22 -j ACCEPT', false],
    ['-p tcp -m tcp --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 --sport 1:2 -j DROP', true],
    ['-p tcp -m limit --limit 1/s -j ACCEPT', '-p tcp -m limit --limit 1/s -j ACCEPT', false],
    ['-m set --match-set a src -j DROP', '-s 10.0.0.0/8 -m set --match-set a src -j DROP', true],
  ])('syntactic covers(%s, %s) = %s', (a, b, expected) => {
    const [e, l] = rules('ipv4', a, b);
    expect(syntacticCoverage.covers(e!, l!)).toBe(expected);
  });

  it('condition keys do not depend on spelling', () => {
    const [a, b] = rules('ipv4', '-p tcp --dport 22 -s 192.0.2.1', '-s 192.0.2.1/32 -p 6 -m tcp --destination-port ssh');
    expect(conditionsOf(a!).keys).toEqual(conditionsOf(b!).keys);
  });
});
