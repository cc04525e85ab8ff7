import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/no-unreachable-rule';

new RuleTester({ describe, it }).run(rule, {
  valid: [
    {
      name: 'a rule only partly hidden by the rules before it',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.0/9 -j DROP
-A INPUT -s 10.128.0.0/10 -j DROP
-A INPUT -s 10.0.0.0/8 -j ACCEPT
COMMIT
`,
    },
    {
      name: 'a jump into a chain that returns what it does not end',
      code: `*filter
:INPUT ACCEPT [0:0]
:SSH - [0:0]
-A INPUT -p tcp -j SSH
-A INPUT -p tcp --dport 22 -j ACCEPT
-A SSH -p tcp --dport 22 -s 192.0.2.0/24 -j DROP
COMMIT
`,
    },
    {
      name: 'a rate limit before the rule keeps it reachable (the limit may be exceeded)',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -m limit --limit 3/min -j ACCEPT
-A INPUT -p tcp --dport 22 -j DROP
COMMIT
`,
    },
    {
      name: 'a catch-all DROP at the end',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -j DROP
COMMIT
`,
    },
    {
      name: 'LOG does not end the chain',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -j LOG --log-prefix "in: "
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`,
    },
    {
      name: 'a narrower rule before a broader one',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 192.0.2.7/32 -p tcp --dport 22 -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`,
    },
    {
      name: 'a mark set between the rules changes what the later rule sees',
      code: `*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -m mark --mark 0x1 -j ACCEPT
-A PREROUTING -i eth1 -j MARK --set-xmark 0x1/0xffffffff
-A PREROUTING -i eth1 -m mark --mark 0x1 -j DROP
COMMIT
`,
    },
    {
      name: 'stateful matches are not the same packets twice',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p icmp -m limit --limit 1/sec -j ACCEPT
-A INPUT -p icmp -m limit --limit 1/sec -m comment --comment again -j ACCEPT
-A INPUT -p icmp -j DROP
COMMIT
`,
    },
    {
      name: 'a jump (not a goto) comes back',
      code: `*filter
:INPUT ACCEPT [0:0]
:CHECKS - [0:0]
-A INPUT -j CHECKS
-A INPUT -j ACCEPT
-A CHECKS -s 198.51.100.0/24 -j DROP
COMMIT
`,
    },
    {
      name: 'exact duplicates are left to no-duplicate-rule',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`,
    },
    {
      name: 'chains jumped to by other software (allowChains) count as reached',
      code: `*filter
:INPUT ACCEPT [0:0]
:from-elsewhere - [0:0]
-A from-elsewhere -j ACCEPT
COMMIT
`,
      config: { allowChains: ['from-elsewhere'] },
    },
    {
      name: 'ebtables: a mark target with --mark-target CONTINUE goes on',
      format: 'ebtables-save',
      code: `*filter
:FORWARD ACCEPT
-A FORWARD -j mark --mark-set 0x1 --mark-target CONTINUE
-A FORWARD -p IPv4 -j DROP
`,
    },
    {
      name: 'a chain nothing jumps to is left to no-unreferenced-chain (one finding per chain)',
      code: `*filter
:INPUT ACCEPT [0:0]
:OLD - [0:0]
-A OLD -j ACCEPT
COMMIT
`,
    },
    {
      name: 'a chain that only jumps to itself is unreferenced too',
      code: `*filter
:INPUT ACCEPT [0:0]
:SELF - [0:0]
-A SELF -p tcp -j SELF
COMMIT
`,
    },
  ],
  invalid: [
    {
      name: 'several earlier rules together hide a rule (no single one does)',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.0/9 -j DROP
-A INPUT -s 10.128.0.0/9 -j DROP
-A INPUT -s 10.0.0.0/8 -p tcp --dport 22 -j ACCEPT
COMMIT
`,
      errors: [{
        messageId: 'together', line: 5, column: 1, severity: 'warning',
        message: 'rule 3 of INPUT is never reached: rules 1 (-j DROP) and 2 (-j DROP) before it take every packet it matches',
        related: [{ line: 3, column: 1, messageId: 'shadowerHere' }, { line: 4, column: 1, messageId: 'shadowerHere' }],
      }],
    },
    {
      name: 'a redundant rule (the rules before it already do the same) is only info',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 0:1023 -j DROP
-A INPUT -p tcp --dport 1024:65535 -j DROP
-A INPUT -p tcp --dport 1000:2000 -j DROP
COMMIT
`,
      errors: [{ messageId: 'together', line: 5, column: 1, severity: 'info', data: { blockers: 'rules 1 (-j DROP) and 2 (-j DROP)' } }],
    },
    {
      name: 'a jump into a chain that always ends (ufw\'s user-limit-accept, an ALLOW chain)',
      code: `*filter
:INPUT DROP [0:0]
:ALLOW - [0:0]
-A INPUT -p tcp --dport 22 -j ALLOW
-A INPUT -p tcp --dport 22 -s 192.0.2.0/24 -j DROP
-A ALLOW -j ACCEPT
COMMIT
`,
      errors: [{
        messageId: 'shadowed', line: 5, column: 1, severity: 'warning',
        message: 'rule 2 of INPUT is never reached: rule 1 before it (-j ALLOW) matches every packet this rule matches',
        related: [{ line: 4, column: 1, messageId: 'shadowerHere' }],
      }],
    },
    {
      name: 'a chain that ends in LOG and DROP hides the rules after the jump (fwbuilder\'s policy chains)',
      code: `*filter
:INPUT ACCEPT [0:0]
:policy_2 - [0:0]
-A INPUT -s 192.0.2.0/24 -j policy_2
-A INPUT -j policy_2
-A INPUT -p tcp --dport 22 -j ACCEPT
-A policy_2 -j LOG --log-prefix "deny "
-A policy_2 -j DROP
COMMIT
`,
      errors: [{ messageId: 'afterTerminal', line: 6, column: 1, severity: 'warning', data: { index: 3, blocker: 2, verdict: '-j policy_2' } }],
    },
    {
      name: 'the same set test twice: the second is hidden whatever the set holds, and the finding says so',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -m set --match-set blocklist src -j DROP
-A INPUT -m set --match-set blocklist src -p tcp --dport 22 -j LOG
COMMIT
`,
      errors: [{
        messageId: 'together', line: 4, column: 1, severity: 'warning',
        message: 'rule 2 of INPUT is never reached: rule 1 (-j DROP) before it takes every packet it matches, whatever -m set --match-set blocklist src (line 3) answers',
      }],
    },
    {
      name: 'a rule past a mark that every packet gets rewritten to another value',
      code: `*mangle
:PREROUTING ACCEPT [0:0]
-A PREROUTING -j MARK --set-mark 0x1
-A PREROUTING -m mark --mark 0x2 -j ACCEPT
COMMIT
`,
      errors: [{
        messageId: 'rewritten', line: 4, column: 1, severity: 'warning',
        message: 'rule 2 of PREROUTING is never reached: rule 1 (-j MARK) before it takes or rewrites every packet it would match',
        related: [{ line: 3, column: 1, messageId: 'rewriterHere' }],
      }],
    },
    {
      name: 'a table beyond the budget is not checked, and the finding says so',
      options: { budget: 10 },
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.0/8 -j DROP
-A INPUT -s 10.0.0.0/8 -p tcp -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'notChecked', line: 2, column: 1, severity: 'info', data: { table: 'filter', budget: 10 } }],
    },
    {
      name: 'a rule after a catch-all DROP',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`,
      errors: [
        {
          messageId: 'afterTerminal', line: 5, column: 1, severity: 'warning',
          message: 'rule 3 of INPUT is never reached: rule 2 before it (-j DROP) matches every packet',
          related: [{ line: 4, column: 1, messageId: 'blockerHere' }],
        },
      ],
    },
    {
      name: 'rules after a catch-all DROP: one finding for the DROP, listing every rule it hides',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -j DROP
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp --dport 443 -j ACCEPT
-A INPUT -p tcp --dport 8443 -j ACCEPT
COMMIT
`,
      errors: [
        {
          messageId: 'afterTerminalGroup', line: 5, column: 1,
          message: '3 rules of INPUT are never reached (rules 3-5): rule 2 before them (-j DROP) matches every packet',
          related: [{ line: 4, column: 1, messageId: 'blockerHere' }, { line: 6, column: 1, messageId: 'alsoHidden' }, { line: 7, column: 1, messageId: 'alsoHidden' }],
        },
      ],
    },
    {
      name: 'two rules shadowed by one narrower rule and one by another: one finding per blocking rule',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -s 192.0.2.0/24 -j DROP
-A INPUT -s 192.0.2.7/32 -p tcp --dport 22 -j DROP
-A INPUT -s 192.0.2.0/24 -p udp -j REJECT
-A INPUT -s 198.51.100.1/32 -p tcp --dport 22 -j DROP
COMMIT
`,
      errors: [
        {
          messageId: 'shadowedGroup', line: 5, column: 1,
          data: { count: 2, rules: 'rules 3, 5', blocker: 1 },
          related: [{ line: 3, column: 1, messageId: 'shadowerHereGroup' }, { line: 7, column: 1, messageId: 'alsoHidden' }],
        },
        { messageId: 'shadowed', line: 6, column: 1, data: { index: 4, blocker: 2, verdict: '-j DROP' } },
      ],
    },
    {
      name: 'a hidden rule that disables the rule in its comment is left out of its group',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -j DROP
-A INPUT -p tcp --dport 22 -m comment --comment "chainsight-disable no-unreachable-rule -- kept for the audit" -j ACCEPT
-A INPUT -p tcp --dport 443 -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'afterTerminal', line: 5, column: 1, data: { index: 3, blocker: 1 }, related: [{ line: 3, column: 1 }] }],
    },
    {
      name: 'a comment is not a condition; an unconditional RETURN ends the chain',
      code: `*filter
:INPUT ACCEPT [0:0]
:USER - [0:0]
-A INPUT -j USER
-A USER -m comment --comment "default" -j RETURN
-A USER -s 203.0.113.9/32 -j DROP
COMMIT
`,
      errors: [{ messageId: 'afterTerminal', line: 6, column: 1, data: { verdict: '-j RETURN' } }],
    },
    {
      name: 'an earlier rule with a subset of the conditions',
      code: `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -s 192.0.2.7/32 -p tcp -m tcp --dport 22 -j DROP
COMMIT
`,
      errors: [{
        messageId: 'shadowed', line: 4, column: 1,
        message: 'rule 2 of INPUT is never reached: rule 1 before it (-j ACCEPT) matches every packet this rule matches',
        related: [{ line: 3, column: 1, messageId: 'shadowerHere' }],
      }],
    },
    {
      name: 'DNAT ends the nat chain',
      code: `*nat
:PREROUTING ACCEPT [0:0]
-A PREROUTING -p tcp --dport 8080 -j DNAT --to-destination 10.0.0.2:80
-A PREROUTING -p tcp --dport 8080 -s 10.9.0.0/16 -j DNAT --to-destination 10.0.0.3:80
COMMIT
`,
      errors: [{ messageId: 'shadowed', line: 4, column: 1, data: { verdict: '-j DNAT' } }],
    },
    {
      name: 'a goto ends the chain',
      code: `*filter
:INPUT ACCEPT [0:0]
:LAN - [0:0]
-A INPUT -g LAN
-A INPUT -j DROP
-A LAN -j ACCEPT
COMMIT
`,
      errors: [{ messageId: 'afterTerminal', line: 5, column: 1, data: { verdict: '-g LAN' } }],
    },
    {
      name: 'a chain jumped to only from a chain nothing jumps to (that one is no-unreferenced-chain\'s)',
      code: `*filter
:INPUT ACCEPT [0:0]
:A - [0:0]
:B - [0:0]
-A A -j B
-A B -p tcp -j ACCEPT
-A B -j DROP
COMMIT
`,
      errors: [
        {
          messageId: 'chainUnreachable', line: 6, column: 1, message: "no built-in chain reaches chain 'B': its 2 rules never run",
          related: [{ line: 5, column: 6, messageId: 'callerHere' }],
        },
      ],
    },
    {
      name: 'ebtables: extension targets end the chain with their default verdict',
      format: 'ebtables-save',
      code: `*nat
:PREROUTING ACCEPT
-A PREROUTING -j mark --mark-set 0x1
-A PREROUTING -p IPv4 -j DROP
`,
      errors: [{ messageId: 'afterTerminal', line: 4, column: 1, data: { verdict: '-j mark' } }],
    },
  ],
});
