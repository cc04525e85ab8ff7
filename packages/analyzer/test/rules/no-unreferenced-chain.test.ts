import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-unreferenced-chain';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    `*filter
:INPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -p tcp --dport 22 -j SSH
-A SSH -s 192.0.2.0/24 -j ACCEPT
COMMIT
`,
    {
      name: 'chains firewall managers create as hooks (KUBE-KUBELET-CANARY)',
      code: `*mangle
:PREROUTING ACCEPT [0:0]
:KUBE-KUBELET-CANARY - [0:0]
COMMIT
`,
    },
    {
      name: 'allow-listed by the rule option',
      code: `*filter
:INPUT ACCEPT [0:0]
:EXTERNAL - [0:0]
-A EXTERNAL -j ACCEPT
COMMIT
`,
      options: { allow: ['EXTERNAL'] },
    },
    {
      name: 'allow-listed by allowChains',
      code: `*filter
:INPUT ACCEPT [0:0]
:hook-in - [0:0]
COMMIT
`,
      config: { allowChains: ['hook-*'] },
    },
  ],
  invalid: [
    {
      name: 'a chain whose jump was removed',
      code: `*filter
:INPUT ACCEPT [0:0]
:OLD-SSH - [0:0]
-A OLD-SSH -p tcp --dport 22 -j ACCEPT
-A OLD-SSH -j DROP
COMMIT
`,
      errors: [{
        messageId: 'unreferenced', line: 3, column: 1, severity: 'warning',
        message: "chain 'OLD-SSH' is never jumped to: its 2 rules never run",
      }],
    },
    {
      name: 'an empty chain nothing uses',
      code: `*filter
:INPUT ACCEPT [0:0]
:TODO - [0:0]
COMMIT
`,
      errors: [{ messageId: 'unreferencedEmpty', line: 3, column: 1, data: { chain: 'TODO' } }],
    },
    {
      name: 'a chain that only jumps to itself is not referenced',
      code: `*filter
:INPUT ACCEPT [0:0]
:SELF - [0:0]
-A SELF -m limit --limit 1/s -j SELF
COMMIT
`,
      errors: [{ messageId: 'unreferenced', line: 3, column: 1, data: { rules: '1 rule never runs' } }],
    },
    {
      name: 'managed chains are reported when ignoreManagedChains is false',
      code: `*mangle
:PREROUTING ACCEPT [0:0]
:KUBE-KUBELET-CANARY - [0:0]
COMMIT
`,
      options: { ignoreManagedChains: false },
      errors: [{ messageId: 'unreferencedEmpty', line: 3, column: 1 }],
    },
  ],
});
