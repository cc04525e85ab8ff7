// Rule options as iptables reads them: each row is a rule as a user may write it, the canonical form
// iptables-save would print, and the typed facts the model must hold.
import { describe, expect, it } from 'vitest';
import { findOption, parseSnapshot, printRuleArgs, type Family, type Rule } from '@chainsight/grammar';

function rule(args: string, family: Family = 'ipv4', table = 'filter', chain = 'INPUT'): { rule: Rule; errors: string[]; warnings: string[] } {
  const text = family === 'bridge' ? `*${table}\n:${chain} ACCEPT\n-A ${chain} ${args}\n` : `*${table}\n:${chain} ACCEPT [0:0]\n-A ${chain} ${args}\nCOMMIT\n`;
  const r = parseSnapshot(text, { fileName: 't', format: family === 'bridge' ? 'ebtables-save' : 'iptables-save', family });
  const t = r.snapshot.tables[0]!;
  return {
    rule: t.chains.find((c) => c.name === chain)!.rules[0]!,
    errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
    warnings: r.diagnostics.filter((d) => d.severity === 'warning').map((d) => d.code),
  };
}

describe('canonical form (what iptables-save prints)', () => {
  it.each([
    ['-p tcp --dport 22 -j ACCEPT', '-p tcp -m tcp --dport 22 -j ACCEPT'],
    ['--protocol tcp --destination-port ssh --jump ACCEPT', '-p tcp -m tcp --dport 22 -j ACCEPT'],
    ['--source 10.1.2.3/255.255.0.0 -j DROP', '-s 10.1.0.0/16 -j DROP'],
    ['-s 10.0.0.1/32 -j DROP', '-s 10.0.0.1/32 -j DROP'],
    ['-d 10.0.0.0/255.0.255.0 -j DROP', '-d 10.0.0.0/255.0.255.0 -j DROP'],
    ['-p 6 -j ACCEPT', '-p tcp -j ACCEPT'],
    ['-p tcp --dport ! 22 -j ACCEPT', '-p tcp -m tcp ! --dport 22 -j ACCEPT'],
    ['-s ! 10.0.0.0/8 -j ACCEPT', '! -s 10.0.0.0/8 -j ACCEPT'],
    ['-p tcp --syn -j DROP', '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j DROP'],
    ['-p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT', '-p tcp -m multiport --dports 80,443,8000:8100 -j ACCEPT'],
    ['-m state --state ESTABLISHED,RELATED -j ACCEPT', '-m state --state ESTABLISHED,RELATED -j ACCEPT'],
    ['-j MARK --or-mark 0x4000', '-j MARK --set-xmark 0x4000/0x4000'],
    ['-j MARK --xor-mark 0x4000', '-j MARK --set-xmark 0x4000/0x0'],
    ['-j MARK --and-mark 0xff', '-j MARK --set-xmark 0x0/0xffffff00'],
    ['-j MARK --set-mark 5', '-j MARK --set-xmark 0x5/0xffffffff'],
    ['-m mark --mark 16384/16384 -j RETURN', '-m mark --mark 0x4000/0x4000 -j RETURN'],
    ['-m comment --comment "two words" -j ACCEPT', '-m comment --comment "two words" -j ACCEPT'],
    ['-m comment --comment plain -j ACCEPT', '-m comment --comment plain -j ACCEPT'],
    ['-i eth+ ! -o docker0 -j ACCEPT', '-i eth+ ! -o docker0 -j ACCEPT'],
    ['-p icmp --icmp-type echo-request -j ACCEPT', '-p icmp -m icmp --icmp-type 8 -j ACCEPT'],
    ['-j LOG --log-prefix "it\'s here: "', '-j LOG --log-prefix "it\\\'s here: "'],
    ['-f -j DROP', '-f -j DROP'],
  ])('%s → %s', (input, canonical) => {
    const { rule: r, errors } = rule(input);
    expect(errors).toEqual([]);
    expect(printRuleArgs(r)).toBe(canonical);
  });

  it.each([
    ['-p IPv4 --ip-protocol 17 --ip-destination-port 67:68 -j ACCEPT', '-p IPv4 --ip-proto udp --ip-dport 67:68 -j ACCEPT'],
    ['--protocol 0x0806 --arp-opcode 1 -j ACCEPT', '-p ARP --arp-op 1 -j ACCEPT'],
    ['-s ff:ff:ff:ff:ff:ff -j DROP', '-s Broadcast -j DROP'],
    ['-p ! ARP -j DROP', '! -p ARP -j DROP'],
    ['--limit 30/hour -j DROP', '--limit 30/hour -j DROP'],
    ['-i eth0', '-i eth0 -j CONTINUE'],
  ])('ebtables: %s → %s', (input, canonical) => {
    const { rule: r, errors } = rule(input, 'bridge', 'filter', 'FORWARD');
    expect(errors).toEqual([]);
    expect(printRuleArgs(r)).toBe(canonical);
  });
});

describe('typed values', () => {
  it('addresses are arithmetic: masked bigints with a prefix', () => {
    const { rule: r } = rule('-s 192.168.1.77/24 ! -d 10.0.0.0/8 -j ACCEPT');
    expect(findOption(r.base, 'source')).toMatchObject({ negated: false, value: { type: 'address', address: 0xc0a80100n, prefix: 24 } });
    expect(findOption(r.base, 'destination')).toMatchObject({ negated: true, value: { prefix: 8, mask: 0xff000000n } });
  });

  it('IPv6 addresses', () => {
    const { rule: r } = rule('-s 2001:db8::1/64 -j ACCEPT', 'ipv6');
    expect(findOption(r.base, 'source')!.value).toMatchObject({ type: 'address', version: 6, address: 0x20010db8000000000000000000000000n, prefix: 64 });
  });

  it('ports, port lists and ctstates', () => {
    const { rule: r } = rule('-p tcp -m tcp --sport 1024: -m multiport --dports 80,8000:8100 -m conntrack --ctstate NEW,RELATED -j ACCEPT');
    expect(r.matches.map((m) => m.module)).toEqual(['tcp', 'multiport', 'conntrack']);
    expect(findOption(r.matches[0]!.options, 'sport')!.value).toEqual({ type: 'port-range', from: 1024, to: 65535 });
    expect(findOption(r.matches[1]!.options, 'dports')!.value).toEqual({ type: 'port-list', ranges: [{ type: 'port-range', from: 80, to: 80 }, { type: 'port-range', from: 8000, to: 8100 }] });
    expect(findOption(r.matches[2]!.options, 'ctstate')!.value).toEqual({ type: 'list', items: ['NEW', 'RELATED'] });
  });

  it('NAT ranges', () => {
    const { rule: r } = rule('-p tcp -j DNAT --to-destination 10.0.0.1-10.0.0.9:8080-8090', 'ipv4', 'nat', 'PREROUTING');
    expect(r.target).toMatchObject({ name: 'DNAT', type: 'extension' });
    expect(r.target!.options[0]!.value).toEqual({ type: 'nat-range', version: 4, addressFrom: 0x0a000001n, addressTo: 0x0a000009n, prefix: null, portFrom: 8080, portTo: 8090 });
  });

  it('the comment is on the rule', () => {
    expect(rule('-m comment --comment "ns/svc:http cluster IP" -j ACCEPT').rule.comment).toBe('ns/svc:http cluster IP');
  });

  it('targets: verdicts, chains and extensions', () => {
    const text = '*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A INPUT -g X\n-A INPUT -j REJECT\n-A INPUT -j DROP\nCOMMIT\n';
    const rules = parseSnapshot(text).snapshot.tables[0]!.chains[0]!.rules;
    expect(rules.map((r) => [r.target!.type, r.target!.goto])).toEqual([['chain', false], ['chain', true], ['extension', false], ['verdict', false]]);
    expect(rules.map((r) => r.index)).toEqual([1, 2, 3, 4]);
  });
});

describe('things kept verbatim, with a warning', () => {
  it.each([
    ['-m frobnicate --level 11 -j ACCEPT', 'parse/unknown-match', '-m frobnicate --level 11 -j ACCEPT'],
    ['-p tcp -m tcp --dport 22 --frob 3 -j ACCEPT', 'parse/unknown-option', '-p tcp -m tcp --dport 22 --frob 3 -j ACCEPT'],
    ['-j FROB --level 11', 'parse/unknown-target', '-j FROB --level 11'],
    ['-d example.org -j DROP', 'parse/hostname', '-d example.org -j DROP'],
    ['-m mac --mac-source XX:XX:XX:XX:XX:XX -j DROP', 'parse/placeholder', '-m mac --mac-source XX:XX:XX:XX:XX:XX -j DROP'],
  ])('%s', (input, code, printed) => {
    const { rule: r, errors, warnings } = rule(input);
    expect(errors).toEqual([]);
    expect(warnings).toContain(code);
    expect(printRuleArgs(r)).toBe(printed);
  });
});

// parse/rule-args.ts: within one parse, a value type whose values repeat shares one value object per distinct
// text; one whose values seldom repeat (comments here) stops sharing after its trial lookups. Either way every
// rule holds the value it was written with.
describe('values shared within a parse', () => {
  const lines = Array.from({ length: 1500 }, (_, i) => `-A INPUT -p tcp -m comment --comment "svc-${i}" -m tcp --dport 80 -j ACCEPT`);
  const r = parseSnapshot(`*filter\n:INPUT ACCEPT [0:0]\n${lines.join('\n')}\nCOMMIT\n`, { fileName: 't' });
  const rules = r.snapshot.tables[0]!.chains[0]!.rules;
  const value = (ru: Rule, key: string) => ru.matches.flatMap((m) => m.options).find((o) => o.key === key)!.value;

  it('keeps each rule\'s own value', () => {
    expect(rules.map((ru) => ru.comment)).toEqual(lines.map((_, i) => `svc-${i}`));
    expect(rules.every((ru) => value(ru, 'dport').type === 'port-range')).toBe(true);
  });

  it('shares the repeated ones', () => {
    expect(new Set(rules.map((ru) => value(ru, 'dport'))).size).toBe(1);
    expect(new Set(rules.map((ru) => ru.base[0]!.value)).size).toBe(1);
  });
});
