// Mutations of real host facts (the iproute2 capture of fixtures/docker-host, host contexts with policy rules)
// and of an `ipset save` file: the readers never throw, and every diagnostic has a location inside the text.
// A bounded, seeded number of cases.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpsetSave, parseSnapshot, type Diagnostic } from '@chainsight/grammar';
import { compileRuleset, readHostInputs, trace } from '../src/index';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (...p: string[]) => readFileSync(path.join(root, ...p), 'utf8');
const INPUTS = [
  read('fixtures', 'docker-host', 'host.iproute.json'),
  read('fixtures', 'conformance', 'policy-routing', 'host.json'),
  read('fixtures', 'conformance', 'policy-selectors', 'host.json'),
];
const IPSETS = read('fixtures', 'conformance', 'ipset', 'ipset-save');
const RULES = parseSnapshot(read('fixtures', 'conformance', 'ipset', 'iptables-save'), { fileName: 'r' }).snapshot;

const mutation = fc.record({
  at: fc.nat(),
  cut: fc.integer({ min: 0, max: 12 }),
  text: fc.constantFrom('', '"', ',', ':', '{', '}', '[', ']', '-', '/', '0', '999', 'null', 'true', '"x"', '\n', ' nomatch', 'é', '\\'),
});
const apply = (text: string, ms: { at: number; cut: number; text: string }[]) =>
  ms.reduce((t, m) => {
    const at = t.length ? m.at % t.length : 0;
    return t.slice(0, at) + m.text + t.slice(at + m.cut);
  }, text);

function located(ds: readonly Diagnostic[], text: string): void {
  const lines = text.split('\n').length;
  for (const d of ds) {
    expect(d.span.start.line).toBeGreaterThanOrEqual(1);
    expect(d.span.start.line).toBeLessThanOrEqual(lines + 1);
    expect(d.span.start.column).toBeGreaterThanOrEqual(1);
  }
}

describe('fuzzing the host-fact readers', () => {
  it('host contexts and iproute2 captures: no throw, every diagnostic located', () => {
    fc.assert(
      fc.property(fc.nat({ max: INPUTS.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 5 }), (pick, ms) => {
        const text = apply(INPUTS[pick]!, ms);
        const r = readHostInputs([{ text, fileName: 'f' }]);
        located(r.diagnostics, text);
        // Whatever was read still compiles and traces.
        if (r.context) trace(compileRuleset([RULES], r.context), { src: '192.0.2.66', dst: '10.1.0.20', proto: 'tcp', dport: 22 });
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('ipset save: no throw, every diagnostic located, the sets usable', () => {
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (ms) => {
        const text = apply(IPSETS, ms);
        const r = parseIpsetSave(text, 'f');
        located(r.diagnostics, text);
        trace(compileRuleset([RULES], null, { ipsets: r.sets }), { src: '192.0.2.66', dst: '10.1.0.20', proto: 'tcp', dport: 22, in: 'eth0' });
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
