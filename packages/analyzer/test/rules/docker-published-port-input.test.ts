import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/docker-published-port-input';

/** A Docker host publishing tcp 8080 → 172.17.0.2:80, with `input` as the filter INPUT rules. */
const host = (input: string) => `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:DOCKER - [0:0]
-A FORWARD -o docker0 -j DOCKER
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
${input}
COMMIT
*nat
:PREROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A DOCKER -i docker0 -j RETURN
-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80
COMMIT
`;

new RuleTester({ describe, it }).run(rule, {
  valid: [
    { name: 'another port', code: host('-A INPUT -p tcp --dport 22 -j ACCEPT') },
    { name: 'same port, other protocol', code: host('-A INPUT -p udp --dport 8080 -j DROP') },
    { name: 'no port condition', code: host('-A INPUT -s 198.51.100.0/24 -j DROP') },
  ],
  invalid: [
    {
      name: 'an INPUT rule that tries to close a published port',
      code: host('-A INPUT -p tcp --dport 8080 -j DROP'),
      errors: [{
        messageId: 'bypassed', line: 7, column: 1, severity: 'warning',
        message: 'rule 1 of INPUT (-j DROP) is for tcp port 8080, which Docker publishes: connections to it are DNATed to 172.17.0.2:80 before INPUT and never reach this rule',
        related: [{ line: 14, column: 1, messageId: 'dnatHere' }],
      }],
    },
    {
      name: 'a multiport list that includes it, in a chain INPUT jumps to',
      code: host(`-A INPUT -j IN-TCP
-A IN-TCP -s 192.0.2.0/24 -p tcp -m multiport --dports 22,8080 -j ACCEPT`).replace(':DOCKER - [0:0]\n', ':DOCKER - [0:0]\n:IN-TCP - [0:0]\n'),
      errors: [{ messageId: 'bypassed', line: 9, column: 1, data: { chain: 'IN-TCP', port: '8080', verdict: '-j ACCEPT' } }],
    },
  ],
});
