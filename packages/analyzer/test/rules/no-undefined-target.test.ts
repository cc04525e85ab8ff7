import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-undefined-target';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    `*filter
:INPUT ACCEPT [0:0]
:LOGDROP - [0:0]
-A INPUT -p tcp --dport 23 -j LOGDROP
-A LOGDROP -j LOG
-A LOGDROP -j DROP
COMMIT
`,
    {
      name: 'chains other software creates can be allow-listed',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -j f2b-sshd
COMMIT
`,
      config: { allowChains: ['f2b-*'] },
    },
    {
      name: 'ebtables jump to a user chain',
      format: 'ebtables-save',
      code: `*filter
:INPUT ACCEPT
:MACS ACCEPT
-A INPUT -j MACS
`,
    },
  ],
  invalid: [
    {
      name: 'a jump to a chain that is not declared',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j SSH-ALLOW
COMMIT
`,
      errors: [{
        messageId: 'undefinedTarget', line: 3, column: 28, endColumn: 40, severity: 'error',
        message: "-j SSH-ALLOW: table 'filter' has no chain 'SSH-ALLOW'",
      }],
    },
    {
      name: 'a goto, with a suggestion for a near name',
      code: `*filter
:FORWARD DROP [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -g DOCKER-UESR
-A DOCKER-USER -j RETURN
COMMIT
`,
      errors: [{ messageId: 'undefinedTargetSuggest', line: 4, column: 12, data: { jump: '-g', target: 'DOCKER-UESR', suggestion: 'DOCKER-USER' } }],
    },
    {
      name: 'a chain of another table does not count',
      code: `*nat
:POSTROUTING ACCEPT [0:0]
:MASQ - [0:0]
-A MASQ -j MASQUERADE
COMMIT
*filter
:FORWARD ACCEPT [0:0]
-A FORWARD -j MASQ
COMMIT
`,
      errors: [{ messageId: 'undefinedTarget', line: 8, column: 12, data: { table: 'filter' } }],
    },
    {
      name: 'case matters in chain names',
      code: `*filter
:INPUT ACCEPT [0:0]
:logdrop - [0:0]
-A INPUT -j LOGDROP
-A logdrop -j DROP
COMMIT
`,
      errors: [{ messageId: 'undefinedTargetSuggest', line: 4, column: 10, data: { suggestion: 'logdrop' } }],
    },
  ],
});
