import { describe, it } from 'vitest';
import { RuleTester } from '@chainsight/analyzer/testing';
import rule from '../../src/rules/docker-forward-rule-order';

/** Docker ≤ 27's FORWARD rules for docker0 (as in fixtures/docker-host), plus `extra` appended by an admin. */
const docker27 = (extra: string) => `*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o docker0 -j DOCKER
-A FORWARD -i docker0 ! -o docker0 -j ACCEPT
-A FORWARD -i docker0 -o docker0 -j ACCEPT
${extra}
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
`;

new RuleTester({ describe, it }).run(rule, {
  valid: [
    {
      name: 'rules for other interfaces are not affected',
      code: docker27('-A FORWARD -i eth1 -o eth2 -j DROP'),
    },
    {
      name: 'ACCEPT rules after Docker are not restrictions',
      code: docker27('-A FORWARD -i eth1 -j ACCEPT'),
    },
    {
      name: 'restrictions in DOCKER-USER run first',
      code: `*filter
:FORWARD DROP [0:0]
:DOCKER - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -o docker0 -j DOCKER
-A DOCKER-USER -s 198.51.100.0/24 -j DROP
-A DOCKER-USER -j RETURN
-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p tcp -m tcp --dport 80 -j ACCEPT
COMMIT
`,
    },
    {
      name: 'no Docker, no finding',
      code: `*filter
:FORWARD DROP [0:0]
-A FORWARD -o br0 -j ACCEPT
-A FORWARD -j DROP
COMMIT
`,
    },
  ],
  invalid: [
    {
      name: 'a DROP appended after Docker ≤ 27 rules',
      code: docker27('-A FORWARD -s 198.51.100.0/24 -j DROP'),
      errors: [{
        messageId: 'afterDocker', line: 13, column: 1, severity: 'warning',
        message: "rule 7 of FORWARD (-j DROP) comes after Docker's rule 3, which accepts replies to containers on docker0 first: this rule never sees that traffic",
        related: [{ line: 9, column: 1, messageId: 'dockerAccepts' }],
      }],
    },
    {
      name: 'a NEW-only rule misses the replies rule but not the published ports',
      code: docker27('-A FORWARD -o docker0 -p tcp --dport 80 -m conntrack --ctstate NEW -j REJECT'),
      errors: [{ messageId: 'afterDocker', line: 13, column: 1, data: { docker: 4, what: 'connections to ports published on docker0' } }],
    },
    {
      name: 'a rule about traffic leaving containers',
      code: docker27('-A FORWARD -i docker0 -o eth0 -p tcp --dport 25 -j DROP'),
      errors: [{ messageId: 'afterDocker', line: 13, column: 1, data: { docker: 5, what: 'traffic from containers on docker0 to other networks' } }],
    },
    {
      name: 'Docker 28 jumps to DOCKER-FORWARD',
      code: `*filter
:FORWARD DROP [0:0]
:DOCKER-FORWARD - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-FORWARD
-A FORWARD -j f2b-web
-A DOCKER-FORWARD -i docker0 -j ACCEPT
COMMIT
`,
      allowParseErrors: true,
      errors: [{ messageId: 'afterDocker', line: 7, column: 1, data: { docker: 2, verdict: '-j f2b-web', what: 'the traffic of its bridges (docker0)' } }],
    },
  ],
});
