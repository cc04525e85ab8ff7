// Mutations of real snapshot lines: the parser never throws, never hangs, and every diagnostic has a location
// inside the text. A bounded, seeded number of cases per run.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, printSnapshot } from '@chainsight/grammar';
import { hasShared, snapshotFiles } from '../../../test-support/shared';

const FALLBACK = ['*filter', ':INPUT ACCEPT [0:0]', '-A INPUT -p tcp -m tcp --dport 22 -m comment --comment "ssh in" -j ACCEPT', 'COMMIT'];
const sample = (): string[] => {
  if (!hasShared) return FALLBACK;
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
