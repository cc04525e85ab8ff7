// Mutations of real host facts (the iproute2 capture of fixtures/docker-host, host contexts with policy rules)
// and of an `ipset save` file: the readers never throw, and every diagnostic has a location inside the text.
// A bounded, seeded number of cases.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIpsetSave, parseSnapshot, type Diagnostic } from '@chainsight/grammar';
import { compileRuleset, PacketError, readHostInputs, trace } from '../src/index';
import { tableId } from '../src/host/policy';

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
  // Deep nesting too: the reader bounds it with a located error (located-json.ts MAX_JSON_DEPTH), not a stack overflow.
  text: fc.constantFrom('', '"', ',', ':', '{', '}', '[', ']', '-', '/', '0', '999', 'null', 'true', '"x"', '\n', ' nomatch', 'é', '\\',
    '['.repeat(5000), '{"a":'.repeat(3000), '[{"master":"br0","ifname":"br0"}]'),
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

describe('hostile host facts', () => {
  it.each(['constructor', '__proto__', 'toString'])('a routing table named %s is a name, not an Object.prototype member', (name) => {
    expect(tableId(name)).toBe(name);
  });

  it.each([
    ['a host context nested 5,000 deep', '{"interfaces": ' + '['.repeat(5000) + ']'.repeat(5000) + '}', 'trace/host-context-syntax 1:115 nested deeper than 100 levels'],
    ['iproute2 JSON nested 5,000 deep', '[' + '{"a":'.repeat(5000), 'trace/iproute-syntax 1:497 nested deeper than 100 levels'],
  ])('%s: a located error, not a stack overflow', (_what, text, expected) => {
    const r = readHostInputs([{ text, fileName: 'f' }]);
    expect(r.context).toBeNull();
    expect(r.diagnostics.map((d) => `${d.code} ${d.span.start.line}:${d.span.start.column} ${d.message.replace(/^.*: (?=nested)/, '')}`)).toEqual([expected]);
  });

  it.each([
    ['its own master', [['br0', 'br0']], ["'br0' is its own master"]],
    ['a ring of three', [['a', 'b'], ['b', 'c'], ['c', 'a'], ['d', 'a']], ["'a' → 'b' → 'c' → 'a' are masters of each other"]],
  ])('a master loop (%s) is a warning, its links dropped, and a trace ends', (_what, links, messages) => {
    const host = { interfaces: [{ name: 'eth0', addresses: ['10.0.0.1/24'] }, ...links.map(([name, master]) => ({ name, type: 'bridge', master }))] };
    const r = readHostInputs([{ text: JSON.stringify(host), fileName: 'f' }]);
    expect(r.diagnostics.map((d) => [d.severity, d.code])).toEqual(messages.map(() => ['warning', 'trace/host-context-master-loop']));
    messages.forEach((m, i) => expect(r.diagnostics[i]!.message).toContain(m));
    // Outside the loop a link stays (d is a port of a).
    expect(r.context!.interfaces.filter((i) => i.master !== undefined).map((i) => `${i.name}→${i.master}`)).toEqual(links.length > 1 ? ['d→a'] : []);
    // Entering on every interface ends: in a trace, or in a PacketError about the entry (a bridge needs --phys-in).
    const compiled = compileRuleset([RULES], r.context);
    for (const i of host.interfaces) {
      try {
        trace(compiled, { src: '10.0.0.9', dst: '10.0.0.1', proto: 'tcp', dport: 22, in: i.name });
      } catch (e) {
        expect(e).toBeInstanceOf(PacketError);
      }
    }
  });
});
