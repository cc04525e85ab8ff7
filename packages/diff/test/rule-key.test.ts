// Canonical rule keys: each row is two spellings and whether the kernel stores the same rule for both.
import { describe, expect, it } from 'vitest';
import { canonicalRuleKey, ruleParts } from '../src/index';
import { rule } from './helpers';

const same: [string, string, string][] = [
  ['implicit and explicit tcp match', '-p tcp --dport 80 -j ACCEPT', '-p tcp -m tcp --dport 80 -j ACCEPT'],
  ['long option spelling', '-p tcp -m tcp --destination-port 80 -j ACCEPT', '-p tcp -m tcp --dport 80 -j ACCEPT'],
  ['host address without /32', '-s 1.2.3.4 -j DROP', '-s 1.2.3.4/32 -j DROP'],
  ['host bits under the mask', '-s 10.1.2.3/8 -j DROP', '-s 10.0.0.0/8 -j DROP'],
  ['dotted mask', '-s 10.0.0.0/255.0.0.0 -j DROP', '-s 10.0.0.0/8 -j DROP'],
  ['order of -s -d -p -i', '-d 1.2.3.4 -i eth0 -s 5.6.7.8 -p udp -j DROP', '-s 5.6.7.8/32 -d 1.2.3.4/32 -i eth0 -p udp -j DROP'],
  ['protocol number', '-p 6 -j ACCEPT', '-p tcp -j ACCEPT'],
  ['any address, any protocol, any interface', '-s 0.0.0.0/0 -p all -i + -j ACCEPT', '-j ACCEPT'],
  ['ctstate is a set', '-m conntrack --ctstate NEW,ESTABLISHED -j ACCEPT', '-m conntrack --ctstate ESTABLISHED,NEW -j ACCEPT'],
  ['multiport list is a set', '-p tcp -m multiport --dports 443,80 -j ACCEPT', '-p tcp -m multiport --dports 80,443 -j ACCEPT'],
  ['stateless matches commute', '-m comment --comment x -m conntrack --ctstate NEW -j ACCEPT', '-m conntrack --ctstate NEW -m comment --comment x -j ACCEPT'],
  ['options of one match commute', '-p tcp -m tcp --sport 1024:65535 --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 --sport 1024:65535 -j ACCEPT'],
  ['limit rate in other units', '-m limit --limit 3/min -j LOG', '-m limit --limit 180/hour -j LOG'],
  ['REJECT default', '-j REJECT', '-j REJECT --reject-with icmp-port-unreachable'],
  ['REJECT short alias', '-j REJECT --reject-with port-unreach', '-j REJECT --reject-with icmp-port-unreachable'],
  ['LOG default level by name', '-j LOG --log-level warning', '-j LOG'],
  ['LOG level name and number', '-j LOG --log-level info', '-j LOG --log-level 6'],
  ['recent defaults', '-m recent --set --name X --mask 255.255.255.255 --rsource', '-m recent --set --name X'],
  ['mark without mask', '-m mark --mark 0x1 -j ACCEPT', '-m mark --mark 0x1/0xffffffff -j ACCEPT'],
  ['--syn', '-p tcp -m tcp --syn -j ACCEPT', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT'],
  ['MARK --or-mark', '-j MARK --or-mark 0x4000', '-j MARK --set-xmark 0x4000/0x4000'],
  ['statistic probability as stored', '-m statistic --mode random --probability 0.3333333333 -j X', '-m statistic --mode random --probability 0.33333333349 -j X'],
  ['statistic random is stateless', '-m statistic --mode random --probability 0.5 -p tcp -m tcp --dport 80 -j X', '-p tcp -m tcp --dport 80 -m statistic --mode random --probability 0.5 -j X'],
  ['old negation placement', '-s ! 10.0.0.0/8 -j DROP', '! -s 10.0.0.0/8 -j DROP'],
];

const different: [string, string, string][] = [
  ['negation', '! -s 1.2.3.4 -j DROP', '-s 1.2.3.4 -j DROP'],
  ['wildcard interface', '-i eth+ -j ACCEPT', '-i eth -j ACCEPT'],
  ['jump and goto', '-j X', '-g X'],
  ['tcp match without options fails on fragments (tcp_mt)', '-p tcp -m tcp -j ACCEPT', '-p tcp -j ACCEPT'],
  ['stateful match keeps its place', '-m limit --limit 1/sec -m conntrack --ctstate NEW -j ACCEPT', '-m conntrack --ctstate NEW -m limit --limit 1/sec -j ACCEPT'],
  ['statistic nth is stateful', '-m statistic --mode nth --every 2 --packet 0 -p tcp -m tcp --dport 80 -j X', '-p tcp -m tcp --dport 80 -m statistic --mode nth --every 2 --packet 0 -j X'],
  ['REJECT with another type', '-j REJECT --reject-with tcp-reset', '-j REJECT'],
  ['other prefix', '-s 10.0.0.0/8 -j DROP', '-s 10.0.0.0/16 -j DROP'],
  ['comment', '-m comment --comment a -j ACCEPT', '-m comment --comment b -j ACCEPT'],
  ['target chain', '-j X', '-j Y'],
];

describe('canonicalRuleKey', () => {
  it.each(same)('same rule: %s', (_name, a, b) => {
    expect(canonicalRuleKey(rule(a))).toBe(canonicalRuleKey(rule(b)));
  });
  it.each(different)('different rules: %s', (_name, a, b) => {
    expect(canonicalRuleKey(rule(a))).not.toBe(canonicalRuleKey(rule(b)));
  });
  it('IPv6: host address without /128, REJECT default', () => {
    expect(canonicalRuleKey(rule('-s 2001:db8::1 -j REJECT', 'ipv6'))).toBe(canonicalRuleKey(rule('-s 2001:db8::1/128 -j REJECT --reject-with icmp6-port-unreachable', 'ipv6')));
  });
  it('--ignore-comments drops the comment match', () => {
    const opts = { ignoreComments: true };
    expect(canonicalRuleKey(rule('-m comment --comment a -j ACCEPT'), opts)).toBe(canonicalRuleKey(rule('-j ACCEPT'), opts));
  });
  it('chain aliases apply to targets and to recent lists', () => {
    const alias = { chainAlias: (n: string) => (n === 'Y' ? 'X' : n) };
    expect(canonicalRuleKey(rule('-m recent --rcheck --name Y -j Y'), alias)).toBe(canonicalRuleKey(rule('-m recent --rcheck --name X -j X')));
  });
  it('parts carry the iptables-save spelling with module or target, and the value as written', () => {
    expect(ruleParts(rule('-p tcp --destination-port 22 -s 10.1.2.3/8 -j REJECT --reject-with tcp-reset'))
      .map((p) => [p.label, p.text])).toEqual([
      ['-p', 'tcp'], ['-s', '10.1.2.3/8'], ['-m tcp --dport', '22'], ['-j', 'REJECT'], ['-j REJECT --reject-with', 'tcp-reset'],
    ]);
  });
});
