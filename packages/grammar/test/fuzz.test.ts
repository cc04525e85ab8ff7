// Mutations of real snapshot lines: the parser never throws, never hangs, and every diagnostic has a location
// inside the text. A bounded, seeded number of cases per run.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, printSnapshot } from '@chainsight/grammar';
import { meaning } from './model';
import { sharedAvailable, snapshotFiles } from '../../../test-support/shared';

const FALLBACK = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh in" -j ACCEPT', 'COMMIT'];
const sample = (): string[] => {
  if (!sharedAvailable('the shared corpus (its lines seed the mutations; a four-line snapshot is mutated instead)')) return FALLBACK;
  const lines: string[] = [];
  for (const f of snapshotFiles().filter((_, i) => i % 7 === 0)) lines.push(...readFileSync(f, 'utf8').split('\n').slice(0, 40));
  return lines;
};

describe('fuzzing the parser with mutated corpus lines', () => {
  const lines = sample();
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 8 }) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), text: fc.constantFrom('"', '!', ' ', '\0', '-', '--', ':', '*', '[', ']', '\\', '/', ',', '\r', '\n', 'COMMIT', '-A', '-m', '-j', '--dport', 'é', '\u00a0') }),
    fc.record({ kind: fc.constant('swap' as const), at: fc.nat(), other: fc.nat() }),
  );
  const apply = (text: string, m: fc.Arbitrary<unknown> extends never ? never : { kind: string; at: number; len?: number; text?: string; other?: number }) => {
    const at = text.length ? m.at % text.length : 0;
    if (m.kind === 'delete') return text.slice(0, at) + text.slice(at + (m.len ?? 1));
    if (m.kind === 'insert') return text.slice(0, at) + m.text + text.slice(at);
    const o = text.length ? (m.other ?? 0) % text.length : 0;
    const [a, b] = at < o ? [at, o] : [o, at];
    return text.slice(0, a) + text.slice(b, b + 5) + text.slice(a + 5, b) + text.slice(a, a + 5) + text.slice(b + 5);
  };

  it('never throws and locates every diagnostic', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: lines.length - 1 }), { minLength: 1, maxLength: 30 }), fc.array(mutation, { maxLength: 6 }), (picks, muts) => {
        let text = picks.map((i) => lines[i]).join('\n');
        for (const m of muts) text = apply(text, m);
        const r = parseSnapshot(text, { fileName: 'fuzz' });
        const lineCount = text.split('\n').length;
        for (const d of r.diagnostics) {
          expect(d.code).toMatch(/^parse\/[a-z-]+$/);
          expect(d.span.start.line).toBeGreaterThanOrEqual(1);
          expect(d.span.start.line).toBeLessThanOrEqual(lineCount);
          expect(d.span.start.column).toBeGreaterThanOrEqual(1);
          expect(d.span.start.offset).toBeLessThanOrEqual(text.length);
          expect(d.code).not.toBe('parse/internal');
        }
        // Whatever was read prints and reads back without an internal error.
        const again = parseSnapshot(printSnapshot(r.snapshot), { fileName: 'fuzz-printed', format: r.snapshot.family === 'bridge' ? 'ebtables-save' : 'iptables-save', family: r.snapshot.family });
        expect(again.diagnostics.map((d) => d.code)).not.toContain('parse/internal');
      }),
      { numRuns: process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 300, seed: Number(process.env.FUZZ_SEED ?? 20261124) },
    );
  });
});

// Policies and values mutated the ways a hand-edited file goes wrong: a policy no tool accepts, a value with a
// suffix (`/junk`, a third `-x` part, `:5`) or leading zeros. Whatever the parser reads, it locates every
// diagnostic, and the printer's text reads back to the same model (the printer never writes what its own parser
// would read differently). Bounded: at most 30 lines and 6 mutations per case.
describe('fuzzing policies and values', () => {
  const lines = sample();
  const POLICIES = ['BOGUS', 'RETURN', 'QUEUE', '-', 'DROP', 'ACCEPT', 'accept', '__proto__', 'CONTINUE'];
  const SUFFIXES = ['/junk', '/0x1', '/0x1/0x1', '-1', '-x', ':5', ':1:2', ',', '/', '.0', '-1.2.3.4', '/33'];
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('policy' as const), at: fc.nat(), policy: fc.constantFrom(...POLICIES) }),
    fc.record({ kind: fc.constant('suffix' as const), at: fc.nat(), word: fc.nat(), suffix: fc.constantFrom(...SUFFIXES) }),
    fc.record({ kind: fc.constant('zeros' as const), at: fc.nat(), word: fc.nat(), zeros: fc.constantFrom('0', '00') }),
  );
  type Mutation = { kind: 'policy'; at: number; policy: string } | { kind: 'suffix'; at: number; word: number; suffix: string } | { kind: 'zeros'; at: number; word: number; zeros: string };

  /** The value words of a rule line: those right after an option word. */
  const valueWords = (words: string[]) => words.map((w, i) => i).filter((i) => i > 1 && /^-/.test(words[i - 1]!) && !/^-/.test(words[i]!) && !words[i]!.startsWith('"'));

  const apply = (picked: string[], m: Mutation): string[] => {
    const out = picked.slice();
    const k = m.at % out.length;
    const line = out[k]!;
    if (m.kind === 'policy') {
      const chain = /^:(\S+) (\S+)( .*)?$/.exec(line);
      out[k] = chain ? `:${chain[1]} ${m.policy}${chain[3] ?? ''}` : `-P ${['INPUT', 'FORWARD', 'OUTPUT', 'X'][m.at % 4]} ${m.policy}`;
      if (!chain) out.splice(k, 1, line, out[k]!);
      return out;
    }
    if (!line.startsWith('-A ')) return out;
    const words = line.split(' ');
    const values = valueWords(words);
    if (!values.length) return out;
    const w = values[m.word % values.length]!;
    words[w] = m.kind === 'suffix' ? words[w] + m.suffix : m.zeros + words[w];
    out[k] = words.join(' ');
    return out;
  };

  it('locates every diagnostic, and the printed text reads back to the same model', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: lines.length - 1 }), { minLength: 1, maxLength: 30 }), fc.array(mutation, { minLength: 1, maxLength: 6 }), (picks, muts) => {
        let picked = picks.map((i) => lines[i]!);
        for (const m of muts) picked = apply(picked, m as Mutation);
        const text = picked.join('\n');
        const r = parseSnapshot(text, { fileName: 'fuzz' });
        const lineCount = text.split('\n').length;
        for (const d of r.diagnostics) {
          expect(d.code).toMatch(/^parse\/[a-z0-9-]+$/);
          expect(d.code).not.toBe('parse/internal');
          expect(d.span.start.line).toBeGreaterThanOrEqual(1);
          expect(d.span.start.line).toBeLessThanOrEqual(lineCount);
          expect(d.span.start.column).toBeGreaterThanOrEqual(1);
          expect(d.span.start.offset).toBeLessThanOrEqual(text.length);
        }
        const format = r.snapshot.family === 'bridge' ? 'ebtables-save' : 'iptables-save';
        const again = parseSnapshot(printSnapshot(r.snapshot), { fileName: 'fuzz-printed', format, family: r.snapshot.family });
        expect(again.diagnostics.map((d) => d.code)).not.toContain('parse/internal');
        expect(again.diagnostics.map((d) => d.code)).not.toContain('parse/bad-policy');
        expect(meaning(again.snapshot)).toEqual(meaning(r.snapshot));
      }),
      { numRuns: process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : 300, seed: Number(process.env.FUZZ_SEED ?? 20261125) },
    );
  });
});
