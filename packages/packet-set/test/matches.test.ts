// One semantics per match: for every modelled match module and random option values, a random packet is in the
// rule's set exactly when trace's concrete matcher accepts it (arbitraries.ts draws both from shared pools).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { NameAlphabet, Oracles, PacketSpace, ruleMatchSet, contains } from '../src/index';
import { DEVICES, MODULES, packetArb } from './arbitraries';
import { concreteResult } from './concrete';

function symbolic(ruleText: string, backend: 'nft' | 'legacy') {
  const text = `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD ${ruleText} -j ACCEPT\nCOMMIT\n`;
  const parsed = parseSnapshot(text, { fileName: 'case' });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${ruleText}: ${errors.map((d) => d.message).join('; ')}`);
  const rule = parsed.snapshot.tables[0]!.chains.find((c) => c.name === 'FORWARD')!.rules[0]!;
  const exact = new Set<string>(DEVICES);
  const prefixes = new Set<string>();
  for (const o of rule.base) if (o.value.type === 'interface') (o.value.wildcard ? prefixes : exact).add(o.value.name);
  const space = new PacketSpace('ipv4', new NameAlphabet(exact, prefixes), 8, { backend, cacheBits: 10 });
  const oracles = new Oracles(8);
  const set = ruleMatchSet(rule, { space, oracles, rule, file: 'case' });
  return { space, set, oracles };
}

describe('each match module: in the set exactly when the concrete matcher accepts', () => {
  it.each(Object.keys(MODULES))('%s', (name) => {
    fc.assert(
      fc.property(MODULES[name]!, fc.array(packetArb, { minLength: 20, maxLength: 20 }), fc.constantFrom('nft' as const, 'legacy' as const), (ruleText, packets, backend) => {
        const { space, set, oracles } = symbolic(ruleText, backend);
        expect(oracles.unknowns).toEqual([]);
        for (const p of packets) {
          const want = concreteResult(ruleText, p, backend);
          expect(want, `${ruleText} on ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`).not.toBe('fork');
          expect(contains(space, set, p), `${ruleText} (${backend}) on ${JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`).toBe(want);
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('matches the snapshot cannot decide are unknowns, never guesses', () => {
  const cases = [
    { rule: '-m recent --rcheck --name x', shared: false },
    { rule: '-m limit --limit 5/sec', shared: false },
    { rule: '-m statistic --mode random --probability 0.5', shared: false },
    { rule: '-m set --match-set allow src', shared: true },
    { rule: '-m addrtype --dst-type LOCAL', shared: true },
    { rule: '-p tcp -m tcp --tcp-option 2', shared: true },
  ];
  it.each(cases)('$rule', ({ rule, shared }) => {
    const { space, set, oracles } = symbolic(rule, 'nft');
    expect(oracles.unknowns).toHaveLength(1);
    expect(oracles.unknowns[0]!.key !== null).toBe(shared);
    expect(oracles.unknowns[0]!.where).toBe('case:5');
    // Neither empty nor everything: the set holds exactly the packets for which the unknown holds.
    expect(set).not.toBe(0);
    expect(space.bdd.and(set, space.bdd.not(space.oracle(0)))).toBe(0);
  });
});
