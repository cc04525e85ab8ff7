import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-contradictory-match';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.0/8 -m iprange ! --src-range 10.1.0.0-10.1.255.255 -j ACCEPT
-A INPUT -p tcp -m multiport --dports 80,443 -m tcp --dport 443 -j ACCEPT
-A INPUT -m conntrack --ctstate NEW,ESTABLISHED -m state --state ESTABLISHED -j ACCEPT
-A INPUT -m mark --mark 0x1/0x1 -m mark --mark 0x2/0x2 -j ACCEPT
-A INPUT -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT
COMMIT
`,
    {
      name: 'iprange inside -s',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.0/24 -m iprange --src-range 192.0.2.10-192.0.2.20 -j ACCEPT
COMMIT
`,
    },
    {
      name: '-i in INPUT, -o in OUTPUT',
      code: `*filter
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i eth0 -j ACCEPT
-A OUTPUT -o eth0 -j ACCEPT
COMMIT
`,
    },
  ],
  invalid: [
    {
      name: 'a tcp match without -p tcp',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m tcp --dport 22 -j ACCEPT
COMMIT
`,
      errors: [{
        messageId: 'protocolMissing', line: 3, column: 10, severity: 'error',
        message: '-m tcp needs -p tcp: iptables refuses it without',
      }],
    },
    {
      name: 'a tcp match under -p udp',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p udp -m tcp --dport 53 -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'protocolOther', line: 3, column: 17, data: { match: '-m tcp', protocol: 'tcp', given: '-p udp' } }],
    },
    {
      name: 'a tcp match under ! -p tcp never matches',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT ! -p tcp -m tcp --dport 22 -j DROP
COMMIT
`,
      errors: [{ messageId: 'protocolNegated', line: 3, column: 19, data: { given: '! -p tcp' } }],
    },
    {
      name: 'multiport without a protocol',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m multiport --dports 80,443 -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'multiportProtocol', line: 3, column: 10, message: '-m multiport needs -p tcp, udp, udplite, sctp or dccp: iptables refuses it' }],
    },
    {
      name: 'disjoint -s and --src-range',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.0/8 -m iprange --src-range 192.168.0.1-192.168.0.9 -j ACCEPT
COMMIT
`,
      errors: [{
        messageId: 'disjoint', line: 3, column: 35, severity: 'warning',
        message: 'no source address satisfies both -s 10.0.0.0/8 and --src-range 192.168.0.1-192.168.0.9: the rule never matches',
        related: [{ line: 3, column: 10, messageId: 'earlierCondition' }],
      }],
    },
    {
      name: '-s A ! -s A (iptables itself refuses two -s; the rule would never match either)',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.1/32 ! -s 192.0.2.1/32 -j ACCEPT
COMMIT
`,
      allowParseErrors: true,
      errors: [{ messageId: 'disjoint', line: 3, column: 26, data: { earlier: '-s 192.0.2.1/32', option: '! -s 192.0.2.1/32' } }],
    },
    {
      name: '-d A ! --dst-range A',
      code: `*filter
:OUTPUT ACCEPT [0:0]
-A OUTPUT -d 192.0.2.5/32 -m iprange ! --dst-range 192.0.2.1-192.0.2.9 -j DROP
COMMIT
`,
      errors: [{ messageId: 'disjoint', line: 3, column: 38, data: { field: 'destination address' } }],
    },
    {
      name: 'two connection states',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate NEW -m conntrack --ctstate ESTABLISHED -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'disjoint', line: 3, column: 50, data: { field: 'connection state' } }],
    },
    {
      name: 'a negated list of every connection state',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m conntrack ! --ctstate INVALID,NEW,ESTABLISHED,RELATED,UNTRACKED -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'empty', line: 3, column: 23, message: '! --ctstate INVALID,NEW,ESTABLISHED,RELATED,UNTRACKED matches no packet: the rule never matches' }],
    },
    {
      name: 'ports that exclude each other',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 22 -m multiport --dports 80,443 -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'disjoint', line: 3, column: 48, data: { field: 'destination port' } }],
    },
    {
      name: 'a mark value with bits outside its mask',
      code: `*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -m mark --mark 0x3/0x1 -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'markOutsideMask', line: 3, column: 23, data: { option: '--mark 0x3/0x1' } }],
    },
    {
      name: 'two marks that disagree',
      code: `*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -m mark --mark 0x1/0xff -m mark --mark 0x2/0xf -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'markConflict', line: 3, column: 47 }],
    },
    {
      name: 'tcp flags compared outside their mask',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --tcp-flags SYN SYN,ACK -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'tcpFlagsOutsideMask', line: 3, column: 24 }],
    },
    {
      name: 'fragments carry no ports',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -f -p udp --dport 53 -j DROP
COMMIT
`,
      errors: [{ messageId: 'fragmentTransport', line: 3, column: 20, message: '-f selects non-first fragments, which carry no UDP header: the udp match (--dport 53) never matches them' }],
    },
    {
      name: '-i in OUTPUT and -o in PREROUTING',
      code: `*filter
:OUTPUT ACCEPT [0:0]
-A OUTPUT -i eth0 -j DROP
COMMIT
*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -o eth0 -j ACCEPT
COMMIT
`,
      errors: [
        { messageId: 'interfaceInChain', line: 3, column: 11, message: '-i eth0 cannot be used in OUTPUT (locally generated packets have no input interface): iptables refuses the rule' },
        { messageId: 'interfaceInChain', line: 7, column: 15, data: { chain: 'PREROUTING', tool: 'iptables' } },
      ],
    },
    {
      name: 'ebtables: -o in INPUT',
      format: 'ebtables-save',
      code: `*filter
:INPUT ACCEPT
-A INPUT -o eth0 -j DROP
`,
      errors: [{ messageId: 'interfaceInChain', line: 3, column: 10, data: { tool: 'ebtables' } }],
    },
  ],
});
