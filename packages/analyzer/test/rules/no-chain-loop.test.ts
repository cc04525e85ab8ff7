import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-chain-loop';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    // A chain may be jumped to from several places.
    `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A INPUT -j B
-A A -j B
COMMIT
`,
    // RETURN is not a jump.
    `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
-A INPUT -j A
-A A -j RETURN
COMMIT
`,
  ],
  invalid: [
    {
      name: 'two chains jumping to each other, reached from INPUT',
      code: `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A A -p tcp -j B
-A B -j A
COMMIT
`,
      errors: [{
        messageId: 'loop', line: 6, column: 13, endColumn: 17, severity: 'error',
        message: 'jump loop A → B → A, reached from INPUT: the kernel refuses to load a ruleset with a reachable loop',
        related: [{ line: 7, column: 6, messageId: 'loopStep' }],
      }],
    },
    {
      name: 'a goto loop counts too',
      code: `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A A -g B
-A B -g A
COMMIT
`,
      errors: [{ messageId: 'loop', line: 6, column: 6, data: { path: 'A → B → A', hooks: 'INPUT' } }],
    },
    {
      name: 'a chain jumping to itself',
      code: `*filter
:FORWARD ACCEPT [0:0]
:A - [0:0]
-A FORWARD -j A
-A A -p udp -j A
COMMIT
`,
      errors: [{ messageId: 'loop', line: 5, column: 13, data: { path: 'A → A', hooks: 'FORWARD' }, related: [] }],
    },
    {
      name: 'a loop no built-in chain reaches is only a warning',
      code: `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A A -j B
-A B -j A
COMMIT
`,
      errors: [{ messageId: 'dormantLoop', line: 5, column: 6, severity: 'warning', data: { path: 'A → B → A' } }],
    },
    {
      name: 'two separate loops are two findings; the loop is reported from its first declared chain',
      code: `*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:X - [0:0]
:Y - [0:0]
:Z - [0:0]
-A PREROUTING -j Z
-A OUTPUT -j X
-A X -j X
-A Z -j Y
-A Y -j Z
COMMIT
`,
      errors: [
        { messageId: 'loop', line: 9, column: 6, data: { path: 'X → X', hooks: 'OUTPUT' } },
        { messageId: 'loop', line: 11, column: 6, data: { path: 'Y → Z → Y', hooks: 'PREROUTING' }, related: [{ line: 10, column: 6 }] },
      ],
    },
  ],
});
