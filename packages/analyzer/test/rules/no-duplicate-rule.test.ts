import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-duplicate-rule';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp --dport 80 -j ACCEPT
COMMIT
`,
    {
      name: 'the same rule in two chains',
      code: `*filter
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -j LOG
-A OUTPUT -j LOG
COMMIT
`,
    },
    {
      name: 'order matters around stateful matches',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp -m tcp --dport 80 -m limit --limit 5/sec -j LOG
-A INPUT -p tcp -m limit --limit 5/sec -m tcp --dport 80 -j LOG
COMMIT
`,
    },
    {
      name: 'different comments are different rules',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -m comment --comment "office" -j ACCEPT
-A INPUT -p tcp --dport 22 -m comment --comment "vpn" -j ACCEPT
COMMIT
`,
    },
    {
      name: 'a jump and a goto differ',
      code: `*filter
:INPUT ACCEPT [0:0]
:X - [0:0]
-A INPUT -j X
-A INPUT -g X
-A X -j RETURN
COMMIT
`,
    },
  ],
  invalid: [
    {
      name: 'spelling differences: implicit module, /32, long options',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.1 -p tcp --dport 22 -j ACCEPT
-A INPUT --source 192.0.2.1/32 -p tcp -m tcp --destination-port 22 -j ACCEPT
COMMIT
`,
      errors: [{
        messageId: 'duplicate', line: 4, column: 1, severity: 'warning',
        message: 'rule 2 of INPUT duplicates rule 1',
        related: [{ line: 3, column: 1, messageId: 'firstHere' }],
      }],
    },
    {
      name: 'option order inside a module and the order of pure matches',
      code: `*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -p tcp -m tcp --sport 1024:65535 --dport 443 -m conntrack --ctstate NEW -j ACCEPT
-A FORWARD -p tcp -m conntrack --ctstate NEW -m tcp --dport 443 --sport 1024:65535 -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'duplicate', line: 4, column: 1, data: { index: 2, first: 1 } }],
    },
    {
      name: 'every further copy points at the first',
      code: `*nat
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.0.0.0/8 -o eth0 -j MASQUERADE
-A POSTROUTING -o eth0 -s 10.0.0.0/8 -j MASQUERADE
-A POSTROUTING -s 10.1.2.3/8 -o eth0 -j MASQUERADE
COMMIT
`,
      errors: [
        { messageId: 'duplicate', line: 4, column: 1, data: { first: 1 } },
        { messageId: 'duplicate', line: 5, column: 1, data: { index: 3, first: 1 } },
      ],
    },
    {
      name: 'stateful matches in the same order are duplicates',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p icmp -m limit --limit 1/sec -j ACCEPT
-A INPUT -p icmp -m limit --limit 1/sec -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'duplicate', line: 4, column: 1 }],
    },
  ],
});
