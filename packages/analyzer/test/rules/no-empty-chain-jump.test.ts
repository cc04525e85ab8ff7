import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-empty-chain-jump';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    `*filter
:INPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -j SSH
-A SSH -p tcp --dport 22 -j ACCEPT
COMMIT
`,
    {
      name: "Docker's DOCKER-USER hook chain may be empty",
      code: `*filter
:FORWARD ACCEPT [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
COMMIT
`,
    },
    {
      name: 'allow-listed chains',
      code: `*filter
:INPUT ACCEPT [0:0]
:dynamic - [0:0]
-A INPUT -j dynamic
COMMIT
`,
      config: { allowChains: ['dynamic'] },
    },
  ],
  invalid: [
    {
      name: 'a jump to an empty chain does nothing',
      code: `*filter
:INPUT ACCEPT [0:0]
:BLOCKLIST - [0:0]
-A INPUT -j BLOCKLIST
COMMIT
`,
      errors: [{
        messageId: 'emptyJump', line: 4, column: 10, endColumn: 22, severity: 'warning',
        message: "-j BLOCKLIST: chain 'BLOCKLIST' has no rules, so this jump does nothing",
      }],
    },
    {
      name: 'a goto to an empty chain acts as RETURN',
      code: `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A INPUT -j A
-A A -p tcp -g B
COMMIT
`,
      errors: [{ messageId: 'emptyGoto', line: 6, column: 13, data: { chain: 'B', from: 'A' } }],
    },
    {
      name: 'ebtables: the empty chain policy decides',
      format: 'ebtables-save',
      code: `*filter
:FORWARD DROP
:ALLOWED ACCEPT
-A FORWARD -p IPv4 -j ALLOWED
`,
      errors: [{ messageId: 'emptyEbtablesJump', line: 4, column: 20, data: { chain: 'ALLOWED', policy: 'ACCEPT' } }],
    },
    {
      name: 'ebtables: an empty RETURN chain is a no-op',
      format: 'ebtables-save',
      code: `*filter
:FORWARD DROP
:NOOP RETURN
-A FORWARD -j NOOP
`,
      errors: [{ messageId: 'emptyJump', line: 4, column: 12 }],
    },
    {
      name: 'managed chains are reported when ignoreManagedChains is false',
      code: `*filter
:FORWARD ACCEPT [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
COMMIT
`,
      options: { ignoreManagedChains: false },
      errors: [{ messageId: 'emptyJump', line: 4, column: 12 }],
    },
  ],
});
