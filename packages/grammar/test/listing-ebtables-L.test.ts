// `ebtables -L` listings read into the same typed model as ebtables-save. The first ruleset was listed by
// ebtables v1.8.9 (nf_tables) with `-L --Ln --Lc` and saved with ebtables-save in the same network namespace.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules, parseSnapshot, printRuleArgs, type Snapshot } from '@chainsight/grammar';
import { meaning } from './model';
import { sharedAvailable, sharedDir as shared } from '../../../test-support/shared';

const haveShared = sharedAvailable('the shared corpus (ebtables listings)');

const listing = (text: string) => parseSnapshot(text, { fileName: 'eb.txt' });
/** `--Lx` output is only `ebtables …` command lines, which detection reads as a command script. */
const lx = (text: string) => parseSnapshot(text, { fileName: 'eb.txt', format: 'ebtables-L' });
const rulesOf = (s: Snapshot) => meaning(s).tables.map((t) => ({ ...t, chains: t.chains.map((c) => ({ ...c, rules: c.rules.map((r) => ({ ...r, counters: null })) })) }));

const NFT_LISTING = `Bridge table: filter

Bridge chain: INPUT, entries: 2, policy: ACCEPT
1 -p IPv4 -i eth0 --ip-src 10.0.0.0/8 --ip-proto tcp --ip-dport 22 -j ACCEPT , pcnt = 0 -- bcnt = 0
2 -p ARP --arp-op Request --arp-ip-dst 10.0.0.1 -j MYCH , pcnt = 0 -- bcnt = 0

Bridge chain: FORWARD, entries: 7, policy: ACCEPT
1 -s 00:11:22:33:44:55 -d ! Broadcast --log-level info --log-prefix "x y" --log-ip -j DROP , pcnt = 0 -- bcnt = 0
2 -p 802_1Q --vlan-id 10 -j CONTINUE , pcnt = 0 -- bcnt = 0
3 --among-src 0:11:22:33:44:55,0:11:22:33:44:56 -j DROP , pcnt = 0 -- bcnt = 0
4 -p IPv4 --ip-src ! 192.168.0.0/16 --ip-proto udp --ip-dport ! 53 -j DROP , pcnt = 0 -- bcnt = 0
5 --nflog-prefix "nf" --nflog-group 2 -j CONTINUE , pcnt = 0 -- bcnt = 0
6 -p Length --802_3-sap 0x42 -j CONTINUE , pcnt = 0 -- bcnt = 0
7 --stp-type config -j CONTINUE , pcnt = 0 -- bcnt = 0

Bridge chain: OUTPUT, entries: 0, policy: ACCEPT

Bridge chain: MYCH, entries: 2, policy: RETURN
1 --mark 0x1/0xff --limit 10/sec --limit-burst 5 -j RETURN , pcnt = 0 -- bcnt = 0
2 -p IPv6 --ip6-src 2001:db8::/32 --ip6-proto ipv6-icmp --ip6-icmp-type echo-request -j CONTINUE , pcnt = 0 -- bcnt = 0
Bridge table: nat

Bridge chain: PREROUTING, entries: 3, policy: ACCEPT
1 -d 00:11:22:33:44:55 -j dnat --to-dst 00:aa:bb:cc:dd:ee --dnat-target ACCEPT , pcnt = 0 -- bcnt = 0
2 -p ARP -j arpreply --arpreply-mac 00:01:02:03:04:05 , pcnt = 0 -- bcnt = 0
3 -j redirect --redirect-target DROP , pcnt = 0 -- bcnt = 0

Bridge chain: OUTPUT, entries: 1, policy: ACCEPT
1 -j mark --mark-set 0x10 --mark-target CONTINUE , pcnt = 0 -- bcnt = 0

Bridge chain: POSTROUTING, entries: 1, policy: ACCEPT
1 -s 00:11:22:33:44:55 -j snat --to-src 00:aa:bb:cc:dd:ee --snat-arp --snat-target ACCEPT , pcnt = 0 -- bcnt = 0
`;

const NFT_SAVE = `*filter
:INPUT ACCEPT
:FORWARD ACCEPT
:OUTPUT ACCEPT
:MYCH RETURN
-A INPUT -p IPv4 -i eth0 --ip-src 10.0.0.0/8 --ip-proto tcp --ip-dport 22 -j ACCEPT
-A INPUT -p ARP --arp-op Request --arp-ip-dst 10.0.0.1 -j MYCH
-A FORWARD -s 00:11:22:33:44:55 -d ! Broadcast --log-level info --log-prefix "x y" --log-ip -j DROP
-A FORWARD -p 802_1Q --vlan-id 10 -j CONTINUE
-A FORWARD --among-src 0:11:22:33:44:55,0:11:22:33:44:56 -j DROP
-A FORWARD -p IPv4 --ip-src ! 192.168.0.0/16 --ip-proto udp --ip-dport ! 53 -j DROP
-A FORWARD --nflog-prefix "nf" --nflog-group 2 -j CONTINUE
-A FORWARD -p Length --802_3-sap 0x42 -j CONTINUE
-A FORWARD --stp-type config -j CONTINUE
-A MYCH --mark 0x1/0xff --limit 10/sec --limit-burst 5 -j RETURN
-A MYCH -p IPv6 --ip6-src 2001:db8::/32 --ip6-proto ipv6-icmp --ip6-icmp-type echo-request -j CONTINUE
*nat
:PREROUTING ACCEPT
:OUTPUT ACCEPT
:POSTROUTING ACCEPT
-A PREROUTING -d 00:11:22:33:44:55 -j dnat --to-dst 00:aa:bb:cc:dd:ee --dnat-target ACCEPT
-A PREROUTING -p ARP -j arpreply --arpreply-mac 00:01:02:03:04:05
-A PREROUTING -j redirect --redirect-target DROP
-A OUTPUT -j mark --mark-set 0x10 --mark-target CONTINUE
-A POSTROUTING -s 00:11:22:33:44:55 -j snat --to-src 00:aa:bb:cc:dd:ee --snat-arp --snat-target ACCEPT
`;

describe('ebtables -L', () => {
  it('ebtables-nft -L --Ln --Lc gives the model of ebtables-save', () => {
    const got = listing(NFT_LISTING);
    const want = parseSnapshot(NFT_SAVE, { format: 'ebtables-save', fileName: 'eb.save' });
    expect(got.detected.format).toBe('ebtables-L');
    expect(got.diagnostics).toEqual([]);
    expect(got.snapshot.lossy).toBe(true);
    expect(rulesOf(got.snapshot)).toEqual(rulesOf(want.snapshot));
    expect([...allRules(got.snapshot)].map(printRuleArgs)).toEqual([...allRules(want.snapshot)].map(printRuleArgs));
    expect([...allRules(got.snapshot)].every((r) => r.counters?.packets === 0n && r.counters.bytes === 0n)).toBe(true);
    expect(got.snapshot.tables.map((t) => [t.name, t.chains.map((c) => `${c.name}:${c.policy}:${c.builtin}`)])).toEqual([
      ['filter', ['INPUT:ACCEPT:true', 'FORWARD:ACCEPT:true', 'OUTPUT:ACCEPT:true', 'MYCH:RETURN:false']],
      ['nat', ['PREROUTING:ACCEPT:true', 'OUTPUT:ACCEPT:true', 'POSTROUTING:ACCEPT:true']],
    ]);
  });

  /** ebtables 2.0 (legacy): `N. ` numbers, a blank after the rule, counters (ebtables.c list_em). */
  const variants: [string, string, { counters: [bigint, bigint] | null }][] = [
    ['ebtables 2.0 -L', 'Bridge table: filter\n\nBridge chain: FORWARD, entries: 1, policy: DROP\n-p IPv4 -s ! 0:11:22:33:44:55 --ip-dst 10.0.0.1 -j ACCEPT \n', { counters: null }],
    ['ebtables 2.0 -L --Ln', 'Bridge table: filter\n\nBridge chain: FORWARD, entries: 1, policy: DROP\n1. -p IPv4 -s ! 0:11:22:33:44:55 --ip-dst 10.0.0.1 -j ACCEPT \n', { counters: null }],
    ['ebtables 2.0 -L --Ln --Lc', 'Bridge table: filter\n\nBridge chain: FORWARD, entries: 1, policy: DROP\n1. -p IPv4 -s ! 0:11:22:33:44:55 --ip-dst 10.0.0.1 -j ACCEPT , pcnt = 1234 -- bcnt = 567890\n', { counters: [1234n, 567890n] }],
    ['ebtables 2.0 -L --Lx', 'ebtables -t filter -P FORWARD DROP\nebtables -t filter -A FORWARD -p IPv4 -s ! 0:11:22:33:44:55 --ip-dst 10.0.0.1 -j ACCEPT \n', { counters: null }],
  ];
  it.each(variants)('%s', (_what, text, want) => {
    const got = text.startsWith('ebtables') ? lx(text) : listing(text);
    expect(got.diagnostics).toEqual([]);
    const rules = [...allRules(got.snapshot)];
    // ebtables prints host addresses without /32 in -L and ebtables-save alike (ebt_ip print_ip_mask).
    expect(rules.map(printRuleArgs)).toEqual(['-p IPv4 ! -s 00:11:22:33:44:55 --ip-dst 10.0.0.1 -j ACCEPT']);
    expect(rules[0]!.counters).toEqual(want.counters && { packets: want.counters[0], bytes: want.counters[1] });
    expect(got.snapshot.tables[0]!.chains.find((c) => c.name === 'FORWARD')!.policy).toBe('DROP');
  });

  it('a user chain and its policy from --Lx', () => {
    const got = lx('ebtables -t nat -N X -P RETURN\nebtables -t nat -A X -j CONTINUE\n');
    expect(got.diagnostics).toEqual([]);
    const t = got.snapshot.tables[0]!;
    expect([t.name, t.chains.find((c) => c.name === 'X')?.policy, t.chains.find((c) => c.name === 'X')?.rules.length]).toEqual(['nat', 'RETURN', 1]);
  });

  const bad: [string, string, { code: string; severity: string; line: number; at: string }][] = [
    ['a rule before any chain', 'Bridge table: filter\n-j ACCEPT\nBridge chain: INPUT, entries: 1, policy: ACCEPT\n-j DROP\n',
      { code: 'parse/unexpected-line', severity: 'error', line: 2, at: '-j ACCEPT' }],
    ['an unknown ethertype', 'Bridge table: filter\n\nBridge chain: INPUT, entries: 2, policy: ACCEPT\n1. -p FOO -j ACCEPT \n2. -j DROP \n',
      { code: 'parse/bad-value', severity: 'error', line: 4, at: 'FOO' }],
    ['fewer rules than entries (cut output)', 'Bridge table: filter\n\nBridge chain: INPUT, entries: 3, policy: ACCEPT\n-j ACCEPT\n-j DROP\n',
      { code: 'parse/listing-entries', severity: 'warning', line: 3, at: 'Bridge chain: INPUT, entries: 3, policy: ACCEPT' }],
    ['a wrong rule number', 'Bridge table: filter\n\nBridge chain: INPUT, entries: 2, policy: ACCEPT\n1. -j ACCEPT\n3. -j DROP\n',
      { code: 'parse/listing-rule-number', severity: 'warning', line: 5, at: '3' }],
  ];
  it.each(bad)('%s: located, and the next rule is still read', (_what, text, want) => {
    const got = listing(text);
    const line = text.split('\n')[want.line - 1]!;
    expect(got.diagnostics.map((d) => [d.code, d.severity, d.span.start.line, d.span.start.column, d.span.end.column])).toEqual([
      [want.code, want.severity, want.line, line.indexOf(want.at) + 1, line.indexOf(want.at) + 1 + want.at.length],
    ]);
    expect([...allRules(got.snapshot)].at(-1)?.target?.name).toBe('DROP');
  });

  const corpus = ['ebtables__0004-save-counters.L-Lc.eb.listing.txt', 'ebtables__0004-save-counters.L.eb.listing.txt'];
  it.runIf(haveShared).each(corpus)('corpus %s', (name) => {
    const got = listing(readFileSync(path.join(shared, 'corpus/netfilter-iptables', name), 'utf8'));
    expect(got.diagnostics).toEqual([]);
    const rules = [...allRules(got.snapshot)];
    expect(rules.map(printRuleArgs)).toEqual(['-i nodev123 -o nodev432 -j ACCEPT', '-i nodev432 -o nodev123 -j ACCEPT']);
    expect(rules[0]!.counters).toEqual(name.includes('Lc') ? { packets: 0n, bytes: 0n } : null);
  });
});
