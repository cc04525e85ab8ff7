// Tying trace lines to rules: the legacy numbering (docs/netfilter.md §legacy-trace, including the chain-end labels of
// unconditional standard verdicts), xtables-monitor's printed rule text and handles (docs/netfilter.md §nft-handles), and nft's rule text
// compared fact by fact. The snapshot is small and written for these cases.
import { parseSnapshot, type Snapshot } from '@chainsight/grammar';
import { describe, expect, it } from 'vitest';
import { compareFacts, explainTrace, nftFacts, ruleFacts, type Mapping } from '../src/explain/index';

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:USER - [0:0]
:DUP - [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -m comment --comment "all" -j ACCEPT
-A INPUT -j DROP
-A FORWARD -j USER
-A USER -s 10.0.0.0/8 -j RETURN
-A USER -j ACCEPT
-A DUP -p icmp
-A DUP -p icmp
COMMIT
`;
const snapshot: Snapshot = parseSnapshot(RULES, { fileName: 'host.rules' }).snapshot;

interface Seen {
  kind: Mapping['kind'];
  rule?: number;
  chain?: string;
  case?: string | null;
  method?: string;
  code?: string;
  alternatives?: number[];
}

function seen(m: Mapping | null): Seen {
  if (!m) return { kind: 'unmapped' };
  switch (m.kind) {
    case 'rule':
      return { kind: 'rule', rule: m.rule.index, chain: m.rule.chain, case: m.legacyCase, method: m.method, alternatives: m.alternatives.map((r) => r.index) };
    case 'policy':
    case 'return':
      return { kind: m.kind, chain: m.chain.chain, case: m.legacyCase, method: m.method };
    case 'unmapped':
      return { kind: 'unmapped', code: m.code };
  }
}

/** Mappings of every step line of a log, in order, and the note codes. */
function explainLines(log: string, snapshots: Snapshot[] = [snapshot]) {
  const e = explainTrace(log, snapshots);
  const lines = e.packets.flatMap((p) => p.lines).sort((a, b) => a.line.line - b.line.line);
  return { mappings: lines.filter((l) => l.mapping).map((l) => seen(l.mapping)), notes: e.notes.map((n) => n.code), e };
}

const FIELDS = 'IN=eth0 OUT= SRC=192.0.2.1 DST=192.0.2.2 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=40000 DPT=22 SEQ=1 ACK=0 WINDOW=1 RES=0x00 SYN URGP=0';

describe('legacy TRACE numbering (ip_tables.c get_chainname_rulenum)', () => {
  it.each<[string, string, Seen, string[]]>([
    ['rule:N is rule N', 'filter:INPUT:rule:1', { kind: 'rule', rule: 1, case: 'rule', method: 'rulenum' }, []],
    ['policy:N with N = rules + 1 is the policy', 'filter:INPUT:policy:4', { kind: 'policy', chain: 'INPUT', case: 'policy' }, []],
    ['policy:N with N ≤ rules: an unconditional -j DROP labelled like the policy', 'filter:INPUT:policy:3', { kind: 'rule', rule: 3, case: 'unconditional-verdict' }, []],
    ['return:N with N = rules + 1 is the implicit RETURN of a user chain', 'filter:USER:return:3', { kind: 'return', chain: 'USER', case: 'return' }, []],
    ['return:N with N ≤ rules: an unconditional -j ACCEPT in a user chain labelled "return"', 'filter:USER:return:2', { kind: 'rule', rule: 2, case: 'unconditional-verdict' }, []],
    ['a conditional RETURN is an ordinary rule:N', 'filter:USER:rule:1', { kind: 'rule', rule: 1, case: 'rule' }, []],
    ['-m comment is a match for the kernel: such a rule is never labelled policy', 'filter:INPUT:policy:2', { kind: 'rule', rule: 2, case: 'unconditional-verdict' }, ['explain/label-mismatch']],
    ['an unconditional -j DROP printed as rule:N does not fit the snapshot', 'filter:INPUT:rule:3', { kind: 'rule', rule: 3, case: 'rule' }, ['explain/label-mismatch']],
    ['a user chain end labelled "policy"', 'filter:USER:policy:3', { kind: 'return', chain: 'USER' }, ['explain/label-mismatch']],
    ['a number past the chain end', 'filter:INPUT:rule:9', { kind: 'unmapped', code: 'explain/rule-number-out-of-range' }, ['explain/rule-number-out-of-range']],
    ['a chain the snapshot does not have', 'filter:NOPE:rule:1', { kind: 'unmapped', code: 'explain/chain-not-in-snapshot' }, ['explain/chain-not-in-snapshot']],
    ['a table the snapshot does not have', 'mangle:PREROUTING:policy:1', { kind: 'unmapped', code: 'explain/table-not-in-snapshot' }, ['explain/table-not-in-snapshot']],
  ])('%s', (_name, label, expected, notes) => {
    const r = explainLines(`TRACE: ${label} ${FIELDS} `);
    expect(r.mappings).toEqual([expect.objectContaining(expected)]);
    expect(r.notes).toEqual(notes);
  });

  it('an IPv6 line needs an ip6tables snapshot', () => {
    const r = explainLines('TRACE: filter:INPUT:rule:1 IN=eth0 OUT= SRC=2001:db8::1 DST=2001:db8::2 LEN=80 PROTO=TCP SPT=1 DPT=22 SYN ');
    expect(r.mappings).toEqual([{ kind: 'unmapped', code: 'explain/no-snapshot-for-family' }]);
  });

  it('explains the quirk in the reason, with the real policy number', () => {
    const m = explainTrace(`TRACE: filter:INPUT:policy:3 ${FIELDS}`, [snapshot]).packets[0]!.lines[0]!.mapping;
    expect(m?.kind === 'rule' && m.reason).toBe(
      'policy:3 is rule 3, an unconditional -j DROP: ip_tables.c labels such a rule "policy" like a chain end (INPUT has 3 rules; its real policy would be policy:4)',
    );
  });
});

describe('xtables-monitor: rule text and handles', () => {
  // Handles of a freshly restored table: 5 chains, then the -A lines: INPUT 6–8, FORWARD 9, USER 10–11, DUP 12–13.
  const x = (rest: string) => ` TRACE: 2 0000000a filter:${rest}`;
  const packet = 'PACKET: 2 0000000a IN=eth0 SRC=192.0.2.1 DST=192.0.2.2 LEN=84 TOS=0x0 TTL=64 ID=7 ';
  it.each<[string, string[], Seen[], string[]]>([
    ['the printed text in canonical form (-m tcp) equals the snapshot rule (--dport)', [x('INPUT:rule:0x6:ACCEPT  -4 -t filter -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT')],
      [{ kind: 'rule', rule: 1, method: 'rule-text', alternatives: [] }], []],
    ['identical rules: the handle picks one', [x('DUP:rule:0xd:CONTINUE  -4 -t filter -A DUP -p icmp')],
      [{ kind: 'rule', rule: 2, method: 'handle', alternatives: [1] }], ['explain/ambiguous-rule']],
    ['identical rules, handles that do not fit (a table changed after loading): by order', [x('DUP:rule:0x63:CONTINUE  -4 -t filter -A DUP -p icmp'), x('DUP:rule:0x64:CONTINUE  -4 -t filter -A DUP -p icmp')],
      [{ kind: 'rule', rule: 1, method: 'rule-text', alternatives: [2] }, { kind: 'rule', rule: 2, method: 'rule-text', alternatives: [1] }], ['explain/ambiguous-rule', 'explain/ambiguous-rule']],
    ['no rule text: the handle alone', [x('USER:rule:0xb:ACCEPT ')], [{ kind: 'rule', rule: 2, method: 'handle' }], ['explain/mapped-by-handle']],
    ['no rule text and a handle of another chain', [x('USER:rule:0x6:ACCEPT ')], [{ kind: 'unmapped', code: 'explain/unmappable' }], ['explain/unmappable']],
    ['a rule text the snapshot does not have', [x('INPUT:rule:0x6:ACCEPT  -4 -t filter -A INPUT -p tcp -m tcp --dport 23 -j ACCEPT')],
      [{ kind: 'unmapped', code: 'explain/rule-not-in-snapshot' }], ['explain/rule-not-in-snapshot']],
    ['policy, and a verdict that differs from the snapshot', [x('INPUT:policy:ACCEPT ')], [{ kind: 'policy', chain: 'INPUT', method: 'label' }], ['explain/policy-mismatch']],
  ])('%s', (_name, lines, expected, notes) => {
    const r = explainLines([packet, ...lines].join('\n'));
    expect(r.mappings).toEqual(expected.map((e) => expect.objectContaining(e)));
    expect(r.notes).toEqual(notes);
  });
});

describe('nft monitor trace: nft rule text against iptables rules', () => {
  const n = (rest: string) => `trace id 0000000b ip filter ${rest}`;
  it.each<[string, string[], Seen[]]>([
    ['tcp dport implies -p tcp', [n('INPUT rule tcp dport 22 counter packets 0 bytes 0 accept (verdict accept)')], [{ kind: 'rule', rule: 1, method: 'nft-text' }]],
    ['a comment nft 1.0.6 does not print', [n('INPUT rule counter packets 0 bytes 0 accept (verdict accept)')], [{ kind: 'rule', rule: 2 }]],
    ['an unconditional drop', [n('INPUT rule counter packets 0 bytes 0 drop (verdict drop)')], [{ kind: 'rule', rule: 3 }]],
    ['an address and return', [n('USER rule ip saddr 10.0.0.0/8 counter packets 0 bytes 0 return (verdict return)')], [{ kind: 'rule', rule: 1 }]],
    ['identical rules without handles: by order', [n('DUP rule meta l4proto icmp counter packets 1 bytes 84 (verdict continue)'), n('DUP rule meta l4proto icmp counter packets 1 bytes 84 (verdict continue)')],
      [{ kind: 'rule', rule: 1, alternatives: [2] }, { kind: 'rule', rule: 2, alternatives: [1] }]],
    ['identical rules: the handle (nft -a) picks one', [n('DUP rule meta l4proto icmp counter packets 1 bytes 84 # handle 13 (verdict continue)')], [{ kind: 'rule', rule: 2, method: 'handle' }]],
    ['a handle whose rule does not fit the text is ignored', [n('INPUT rule counter packets 0 bytes 0 drop # handle 6 (verdict drop)')], [{ kind: 'rule', rule: 3, method: 'nft-text' }]],
    ['no rule fits', [n('INPUT rule iifname "eth9" counter packets 0 bytes 0 accept (verdict accept)')], [{ kind: 'unmapped', code: 'explain/rule-not-in-snapshot' }]],
    ['policy', [n('INPUT policy drop ')], [{ kind: 'policy', chain: 'INPUT' }]],
    ['a native nft table the snapshot cannot have', ['trace id 0000000b inet firewalld filter_INPUT rule ct state established accept (verdict accept)'], [{ kind: 'unmapped', code: 'explain/no-snapshot-for-family' }]],
    ['a table of the family that the snapshot lacks', ['trace id 0000000b ip mangle PREROUTING policy accept '], [{ kind: 'unmapped', code: 'explain/table-not-in-snapshot' }]],
  ])('%s', (_name, lines, expected) => {
    expect(explainLines(lines.join('\n')).mappings).toEqual(expected.map((e) => expect.objectContaining(e)));
  });
});

describe('nft monitor trace: ebtables-nft rules', () => {
  const bridge = parseSnapshot(
    '*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n:EUSER DROP\n-A FORWARD -i veth0 -j EUSER\n-A FORWARD -p IPv4 --ip-proto icmp -j ACCEPT\n-A EUSER -p IPv4 --ip-src 10.0.0.1 -j ACCEPT\n',
    { fileName: 'bridge.rules', family: 'bridge' },
  ).snapshot;
  const n = (rest: string) => `trace id 0000000c bridge filter ${rest}`;
  it.each<[string, string, Seen]>([
    ['ether type and ip protocol', n('FORWARD rule ether type ip ip protocol icmp counter packets 1 bytes 84 accept # handle 6 (verdict accept)'), { kind: 'rule', rule: 2, chain: 'FORWARD' }],
    ['a jump by interface', n('FORWARD rule iifname "veth0" counter packets 1 bytes 84 jump EUSER (verdict jump EUSER)'), { kind: 'rule', rule: 1 }],
    ['ebtables --ip-src as ip saddr', n('EUSER rule ether type ip ip saddr 10.0.0.1 counter packets 1 bytes 84 accept (verdict accept)'), { kind: 'rule', rule: 1, chain: 'EUSER' }],
    ['the DROP policy of a user chain, which ebtables-nft applies as a last rule', n('EUSER rule counter packets 1 bytes 84 drop (verdict drop)'), { kind: 'policy', chain: 'EUSER' }],
  ])('%s', (_name, line, expected) => {
    expect(explainLines(line, [bridge]).mappings).toEqual([expect.objectContaining(expected)]);
  });
});

describe('nft facts against iptables-save rules (iptables-nft 1.8.9 translations seen in the captures)', () => {
  const rule = (args: string) =>
    parseSnapshot(`*filter\n:X - [0:0]\n:DOCKER - [0:0]\n-A X ${args}\nCOMMIT\n`, { fileName: 'r' }).snapshot.tables[0]!.chains[0]!.rules[0]!;
  it.each<[string, string, boolean]>([
    ['iifname "docker0" oifname != "docker0" counter accept', '-i docker0 ! -o docker0 -j ACCEPT', true],
    ['oifname != "docker0" ip saddr 172.17.0.0/16 counter masquerade', '-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE', true],
    ['ip saddr 172.17.0.2 ip daddr 172.17.0.2 tcp dport 80 counter masquerade', '-s 172.17.0.2/32 -d 172.17.0.2/32 -p tcp -m tcp --dport 80 -j MASQUERADE', true],
    ['ip daddr != 127.0.0.0/8 fib daddr type local counter jump DOCKER', '! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER', true],
    ['oifname "docker0" ct state related,established counter accept', '-o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT', true],
    ['iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80', '! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80', true],
    ['tcp dport 23 counter reject with tcp reset', '-p tcp -m tcp --dport 23 -j REJECT --reject-with tcp-reset', true],
    ['meta l4proto icmp counter meta mark set 0x1', '-p icmp -j MARK --set-xmark 0x1/0xffffffff', true],
    ['meta l4proto udp counter goto DOCKER', '-p udp -g DOCKER', true],
    ['counter meta mark set ct mark', '-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xffffffff', true],
    ['counter meta mark set ct mark', '-j MARK --set-xmark 0x1/0xffffffff', false],
    ['counter ct mark set mark', '-j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff', true],
    ['iifname "eth*" counter accept', '-i eth+ -j ACCEPT', true],
    ['tcp dport { 80, 443 } counter accept', '-p tcp -m multiport --dports 443,80 -j ACCEPT', true],
    ['tcp dport 80 counter accept', '-p tcp -j ACCEPT', false],
    ['counter accept', '-p tcp -j ACCEPT', false],
    ['counter jump DOCKER', '-g DOCKER', false],
    ['iifname "docker0" counter accept', '! -i docker0 -j ACCEPT', false],
  ])('%s ~ %s: %s', (nft, args, fits) => {
    expect(compareFacts(nftFacts(nft), ruleFacts(rule(args))) !== null).toBe(fits);
  });
});
