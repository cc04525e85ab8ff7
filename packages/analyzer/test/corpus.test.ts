// lint over every real snapshot of the shared corpus and seed: no crash, and every finding (and related
// location) points inside its file, at a position that exists.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, type Span } from '@chainsight/grammar';
import { buildChainGraph, lint } from '@chainsight/analyzer';
import { sharedAvailable, sharedRelative, snapshotFiles } from '../../../test-support/shared';

/** Whether the span is inside `text`, and its line/column agree with its offset. */
function located(text: string, span: Span): boolean {
  const { start, end } = span;
  if (!(start.offset >= 0 && end.offset >= start.offset && end.offset <= text.length)) return false;
  const before = text.slice(0, start.offset);
  const line = before.split('\n').length;
  const column = start.offset - (before.lastIndexOf('\n') + 1) + 1;
  return line === start.line && column === start.column;
}

describe.runIf(sharedAvailable())('lint over the shared corpus', () => {
  const files = snapshotFiles();
  it('finds the corpus', () => expect(files.length).toBeGreaterThan(300));
  it.each(files.map((f) => [sharedRelative(f), f]))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const { snapshot } = parseSnapshot(text, { fileName: file });
    const graph = buildChainGraph(snapshot);
    const diagnostics = lint(snapshot, {}, { graph });
    for (const d of diagnostics) {
      expect(d.code).toMatch(/^lint\/[a-z-]+$/);
      expect(located(text, d.span), `${d.code} at ${d.span.start.line}:${d.span.start.column}`).toBe(true);
      for (const r of d.related ?? []) expect(located(text, r.span), `related of ${d.code}`).toBe(true);
    }
  });
});
