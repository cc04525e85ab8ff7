// Rule overlap: can some packet match both rules? Each row: two rules, the verdict, and words of the reason.
import { describe, expect, it } from 'vitest';
import { overlap, sameEffect } from '../src/index';
import { rule } from './helpers';

const cases: [string, string, 'disjoint' | 'overlap' | 'unknown', string][] = [
  // addresses: prefix arithmetic, negation
  ['-s 10.0.0.0/8 -j DROP', '-s 10.1.0.0/16 -j ACCEPT', 'overlap', 'some packet'],
  ['-s 10.0.0.0/8 -j DROP', '-s 192.168.0.0/16 -j ACCEPT', 'disjoint', 'source address: -s 10.0.0.0/8 vs -s 192.168.0.0/16'],
  ['-s 10.0.0.0/8 -j DROP', '! -s 10.0.0.0/8 -j ACCEPT', 'disjoint', 'source address'],
  ['! -s 10.0.0.0/8 -j DROP', '-s 10.1.0.0/16 -j ACCEPT', 'disjoint', 'source address'],
  ['! -s 10.0.0.0/8 -j DROP', '! -s 192.168.0.0/16 -j ACCEPT', 'overlap', 'some packet'],
  ['-d 10.0.0.1 -j DROP', '-m iprange --dst-range 10.0.0.2-10.0.0.9 -j ACCEPT', 'disjoint', 'destination address'],
  ['-d 10.0.0.5 -j DROP', '-m iprange --dst-range 10.0.0.2-10.0.0.9 -j ACCEPT', 'overlap', 'some packet'],
  // protocol and ports: ranges, lists, negation
  ['-p tcp -m tcp --dport 80 -j ACCEPT', '-p tcp -m tcp --dport 443 -j ACCEPT', 'disjoint', 'destination port: -m tcp --dport 80 vs -m tcp --dport 443'],
  ['-p tcp -m tcp --dport 1:1024 -j ACCEPT', '-p tcp -m multiport --dports 443,8080 -j DROP', 'overlap', 'some packet'],
  ['-p tcp -m tcp ! --dport 1:1024 -j ACCEPT', '-p tcp -m tcp --dport 443 -j DROP', 'disjoint', 'destination port'],
  ['-p tcp -j ACCEPT', '-p udp -j DROP', 'disjoint', 'protocol: -p tcp vs -p udp'],
  ['-p tcp -j ACCEPT', '! -p tcp -j DROP', 'disjoint', 'protocol'],
  ['-p tcp -m tcp --dport 22 -j ACCEPT', '-s 10.0.0.0/8 -j DROP', 'overlap', 'some packet'],
  // interfaces: exact names, + prefixes, negation
  ['-i eth+ -j ACCEPT', '-i eth0 -j DROP', 'overlap', 'some packet'],
  ['-i eth0 -j ACCEPT', '-i wlan0 -j DROP', 'disjoint', 'input interface'],
  ['-i eth+ -j ACCEPT', '! -i eth+ -j DROP', 'disjoint', 'input interface'],
  ['! -i eth0 -j ACCEPT', '-i eth+ -j DROP', 'overlap', 'some packet'],
  ['-i eth0 -j ACCEPT', '! -i eth+ -j DROP', 'disjoint', 'input interface'],
  // conntrack state: one primary state plus the virtual SNAT/DNAT bits
  ['-m conntrack --ctstate NEW -j ACCEPT', '-m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT', 'disjoint', 'conntrack state'],
  ['-m conntrack --ctstate NEW -j ACCEPT', '-m state --state NEW -j DROP', 'overlap', 'some packet'],
  ['-m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP', '-m conntrack --ctstate DNAT -j ACCEPT', 'disjoint', 'conntrack state'],
  ['-m conntrack --ctstate NEW -j ACCEPT', '-m conntrack --ctstate DNAT -j DROP', 'overlap', 'some packet'],
  // marks: (mark & mask) == value
  ['-m mark --mark 0x1/0x1 -j ACCEPT', '-m mark --mark 0x0/0x1 -j DROP', 'disjoint', 'packet mark'],
  ['-m mark --mark 0x4000/0x4000 -j ACCEPT', '-m mark ! --mark 0x4000/0x4000 -j RETURN', 'disjoint', 'packet mark'],
  ['-m mark --mark 0x1/0x1 -j ACCEPT', '-m mark --mark 0x2/0x2 -j DROP', 'overlap', 'some packet'],
  // addrtype: an address has one type; icmp types; tcp flags
  ['-m addrtype --dst-type LOCAL -j ACCEPT', '-m addrtype --dst-type UNICAST -j DROP', 'disjoint', 'addrtype-dst-type'],
  ['-m addrtype --dst-type LOCAL -j ACCEPT', '-m addrtype ! --dst-type LOCAL -j DROP', 'disjoint', 'addrtype-dst-type'],
  ['-p icmp -m icmp --icmp-type 8 -j ACCEPT', '-p icmp -m icmp --icmp-type 0 -j DROP', 'disjoint', 'ICMP type'],
  ['-p icmp -m icmp --icmp-type any -j ACCEPT', '-p icmp -m icmp --icmp-type 8 -j DROP', 'overlap', 'some packet'],
  ['-p tcp -m tcp --syn -j ACCEPT', '-p tcp -m tcp --tcp-flags SYN,ACK SYN,ACK -j DROP', 'disjoint', 'TCP flags'],
  // what cannot be reasoned about
  ['-m set --match-set blocked src -j DROP', '-s 10.0.0.1 -j ACCEPT', 'unknown', '-m set'],
  ['-m set --match-set blocked src -p tcp -j DROP', '-p udp -j ACCEPT', 'disjoint', 'protocol'],
  ['-m owner --uid-owner 0 -j ACCEPT', '-j DROP', 'unknown', '--uid-owner'],
  // stateful and random matches may match some packet
  ['-m limit --limit 1/sec -j ACCEPT', '-j DROP', 'overlap', 'some packet'],
  ['-m statistic --mode random --probability 0.5 -j X', '-j Y', 'overlap', 'some packet'],
  // a rule that can never match is disjoint from everything
  ['-s 10.0.0.0/8 -m iprange --src-range 11.0.0.1-11.0.0.9 -j DROP', '-j ACCEPT', 'disjoint', 'source address'],
];

describe('overlap', () => {
  it.each(cases)('%s  ×  %s → %s', (a, b, verdict, reason) => {
    const o = overlap(rule(a), rule(b));
    expect(o.verdict).toBe(verdict);
    expect(o.reason).toContain(reason);
    // Symmetric in verdict.
    expect(overlap(rule(b), rule(a)).verdict).toBe(verdict);
  });
  it('IPv6 prefixes', () => {
    expect(overlap(rule('-s 2001:db8::/32 -j DROP', 'ipv6'), rule('-s 2001:db9::/32 -j ACCEPT', 'ipv6')).verdict).toBe('disjoint');
    expect(overlap(rule('-s 2001:db8::/32 -j DROP', 'ipv6'), rule('-s 2001:db8:1::/48 -j ACCEPT', 'ipv6')).verdict).toBe('overlap');
  });
});

describe('sameEffect', () => {
  it.each([
    ['-s 10.0.0.0/8 -j DROP', '-p tcp -j DROP', true],
    ['-s 10.0.0.0/8 -j REJECT', '-p tcp -j REJECT --reject-with icmp-port-unreachable', true],
    ['-s 10.0.0.0/8 -j DROP', '-p tcp -j ACCEPT', false],
    ['-s 10.0.0.0/8 -j LOG', '-p tcp -j LOG', false],
    ['-s 10.0.0.0/8 -j X', '-p tcp -j X', false],
    ['-m limit --limit 1/sec -j DROP', '-p tcp -j DROP', false],
  ] as const)('%s / %s → %s', (a, b, expected) => {
    expect(sameEffect(rule(a), rule(b))).toBe(expected);
  });
});
