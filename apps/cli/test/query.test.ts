// `chainsight query`: questions about every packet at once, each answer checked by tracing its witnesses.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const DOCKER = readFileSync(new URL('../../../fixtures/docker-host/iptables-save', import.meta.url), 'utf8');
const SHADOW = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 22 -s 10.1.0.0/16 -j LOG\nCOMMIT\n';

async function cli(argv: string[], files: Record<string, string>) {
  const io = memoryIo(files);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

interface Case {
  name: string;
  argv: string[];
  code: number;
  /** Lines (or parts of lines) the text output must contain, in order. */
  out: string[];
}

const CASES: Case[] = [
  {
    name: 'which packets does MASQUERADE take on the Docker host: the container network going out any other device',
    argv: ['query', 'docker', '--masquerade'], code: 0,
    out: ['the packets a MASQUERADE rule takes in table nat', '1. out=(any other name) src=172.17.0.0/16', 'witness: tcp 172.17.0.1:40000', '✓ masqueraded'],
  },
  {
    name: 'which packets are DNATed to the container: tcp 8080 not from docker0',
    argv: ['query', 'docker', '--dnat-to', '172.17.0.2'], code: 0,
    out: ['the packets a DNAT rule sends to 172.17.0.2 in table nat', 'proto=tcp', 'dport=8080', '✓ DNATed to 172.17.0.2'],
  },
  {
    name: 'the packets an ACCEPT takes after a DROP of 10.0.0.0/8, traced to that rule',
    argv: ['query', 'shadow', '--hits', 'INPUT:2'], code: 0,
    out: ['the packets rule 2 of INPUT matches in table filter (shadow:4)', '1. proto=tcp src=not 10.0.0.0/8 dport=22', '✓ matches rule 2 of INPUT'],
  },
  {
    name: 'a rule no packet reaches: the answer is empty, exit 1',
    argv: ['query', 'shadow', '--hits', 'INPUT:3'], code: 1,
    out: ['the packets rule 3 of INPUT matches', 'no packet'],
  },
  {
    name: 'constraints narrow the packets entering: from docker0, FORWARD drops nothing by rule',
    argv: ['query', 'docker', '--verdict', 'DROP', '--hook', 'FORWARD', '--in', 'docker0'], code: 1,
    out: ['entering: FORWARD; packets known to be: -i docker0', 'no packet'],
  },
  {
    name: 'Docker isolation with one bridge: the DROP of DOCKER-ISOLATION-STAGE-2 never matches (it is entered only for packets leaving by another device)',
    argv: ['query', 'docker', '--hits', 'DOCKER-ISOLATION-STAGE-2:1'], code: 1,
    out: ['no packet'],
  },
];

const ERRORS: [name: string, argv: string[], message: string][] = [
  ['no question', ['query', 'docker'], 'no question'],
  ['two questions', ['query', 'docker', '--masquerade', '--verdict', 'DROP'], 'one question at a time'],
  ['a rule past the chain end', ['query', 'shadow', '--hits', 'INPUT:9'], 'chain INPUT of table filter has 3 rules, not 9'],
  ['a chain in no table', ['query', 'docker', '--hits', 'NOPE:1'], 'has no chain NOPE'],
  ['a chain in two tables', ['query', 'docker', '--hits', 'DOCKER:1'], 'pick one with --table'],
  ['ports without a protocol', ['query', 'docker', '--masquerade', '--dport', '80'], '--dport need --proto'],
  ['a bad address in a constraint', ['query', 'docker', '--masquerade', '--src', '10.0.0.300'], 'the packet constraints'],
  ['a bad --dnat-to', ['query', 'docker', '--dnat-to', 'eth0'], '--dnat-to needs an IPv4 address'],
  ['a hook the table lacks', ['query', 'docker', '--verdict', 'ACCEPT', '--hook', 'PREROUTING'], 'has no built-in chain PREROUTING'],
];

describe('chainsight query', () => {
  it.each(CASES)('$name', async (c) => {
    const r = await cli(c.argv, { docker: DOCKER, shadow: SHADOW });
    expect(r.err).toBe('');
    expect(r.code).toBe(c.code);
    let at = 0;
    for (const part of c.out) {
      const i = r.out.indexOf(part, at);
      expect(i, `${JSON.stringify(part)} after position ${at} in\n${r.out}`).toBeGreaterThanOrEqual(0);
      at = i + part.length;
    }
  });

  it.each(ERRORS)('usage error: %s', async (_name, argv, message) => {
    const r = await cli(argv, { docker: DOCKER, shadow: SHADOW });
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it('JSON: the regions, their witnesses and traces, the unknowns and the scope (schema chainsight.query/1)', async () => {
    const r = await cli(['query', 'docker', '--masquerade', '--format', 'json'], { docker: DOCKER });
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.out);
    expect(doc.schema).toBe('chainsight.query/1');
    expect(doc.table).toBe('nat');
    expect(doc.empty).toBe(false);
    expect(doc.regions[0].fields).toEqual([{ field: 'out', text: '(any other name)' }, { field: 'src', text: '172.17.0.0/16' }]);
    expect(doc.regions[0].witness.src).toBe('172.17.0.1');
    expect(doc.regions[0].trace.confirms).toBe(true);
    expect(doc.unknowns.map((u: { text: string }) => u.text)).toEqual(['-m addrtype --dst-type LOCAL']);
    expect(doc.scope[0]).toContain('within table nat');
  });

  it('docs/query.md describes every field the JSON output has', async () => {
    const doc = readFileSync(new URL('../../../docs/query.md', import.meta.url), 'utf8');
    const r = await cli(['query', 'docker', '--masquerade', '--format', 'json'], { docker: DOCKER });
    const keys = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { keys.add(k); walk(x); }
    };
    walk(JSON.parse(r.out));
    expect([...keys].filter((k) => !doc.includes(`\`${k}\``))).toEqual([]);
  });

  it('every witness of the Docker host questions is confirmed by its concrete trace', async () => {
    for (const q of [['--masquerade'], ['--dnat-to', '172.17.0.2'], ['--hits', 'FORWARD:5'], ['--hits', 'FORWARD:6']]) {
      const r = await cli(['query', 'docker', ...q, '--format', 'json'], { docker: DOCKER });
      const doc = JSON.parse(r.out);
      for (const region of doc.regions) expect(region.trace.confirms, `${q.join(' ')}: ${JSON.stringify(region)}`).toBe(true);
    }
  });
});
