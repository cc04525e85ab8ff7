// Citations of the project's docs hold: every `docs/<file>.md §<anchor>` in a comment, a test or a doc names a file
// of docs/ and a section of it (`<a id="anchor">`), a `§<anchor>` standing alone (continuing a citation on the
// next line, or on its own in a file that cites docs/netfilter.md) names a section of docs/netfilter.md, and every
// markdown link to `<file>.md#<anchor>` lands on a section. Citations of documents that are not in the repository
// (the numbered sections of the old kernel-model notes) must not come back.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../../test-support/shared';

const SKIP_DIRS = new Set(['node_modules', 'dist', '.git', '.turbo', 'out', 'coverage']);
const TEXT = /\.(ts|mjs|js|py|sh|md|json)$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (SKIP_DIRS.has(name) || name.startsWith('.vitest-results')) return [];
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) return files(p);
    // Large JSON files are recorded data (kernel traces, snapshots), not prose.
    return TEXT.test(name) && !(name.endsWith('.json') && st.size > 200_000) ? [p] : [];
  });
}

const roots = ['packages', 'apps', 'docs', 'fixtures', 'bench', 'test-support', '.ci', 'README.md'].map((r) => path.join(repoRoot, r));
const self = path.join('trace', 'test', 'doc-citations.test.ts');
const sources = roots.flatMap((r) => (!existsSync(r) ? [] : statSync(r).isDirectory() ? files(r) : [r])).filter((f) => !f.endsWith(self));

const anchorsCache = new Map<string, Set<string> | null>();
/** The sections of a markdown file: `<a id>` anchors and GitHub's heading slugs; null when the file is missing. */
function anchorsOf(file: string): Set<string> | null {
  if (!anchorsCache.has(file)) {
    if (!existsSync(file)) anchorsCache.set(file, null);
    else {
      const text = readFileSync(file, 'utf8');
      const ids = [...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((m) => m[1]!);
      const slugs = [...text.matchAll(/^#{1,6} (.*)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-'));
      anchorsCache.set(file, new Set([...ids, ...slugs]));
    }
  }
  return anchorsCache.get(file)!;
}

interface Citation { where: string; doc: string; anchor: string }

// `docs/x.md §a`, `docs/x.md §a, §b`, `docs/x.md (§a, §b)`, `docs/x.md §a and §b`, and a `§b` carried to the next
// comment line.
const CITE = /docs\/([a-z0-9-]+)\.md`?/g;
const NEXT = /^(?:[\s,/(`]|and\s|\/\/|\*|#)*§([a-z][a-z0-9-]*)/;
const BARE = /§([a-z][a-z0-9-]*)/g;

function citations(file: string): Citation[] {
  const text = readFileSync(file, 'utf8');
  const rel = path.relative(repoRoot, file);
  const lineOf = (i: number) => text.slice(0, i).split('\n').length;
  const out: Citation[] = [];
  const consumed = new Set<number>();
  for (const m of text.matchAll(CITE)) {
    let at = m.index + m[0].length;
    for (;;) {
      const n = NEXT.exec(text.slice(at, at + 200));
      if (!n) break;
      const start = at + n[0].length - n[1]!.length - 1;
      consumed.add(start);
      out.push({ where: `${rel}:${lineOf(start)}`, doc: `docs/${m[1]}.md`, anchor: n[1]! });
      at += n[0].length;
    }
  }
  // A section sign standing alone, in a file other than a doc: a section of docs/netfilter.md.
  if (!file.endsWith('.md')) {
    for (const m of text.matchAll(BARE)) {
      if (!consumed.has(m.index)) out.push({ where: `${rel}:${lineOf(m.index)}`, doc: 'docs/netfilter.md', anchor: m[1]! });
    }
  }
  return out;
}

const all = sources.flatMap(citations);

describe('citations of docs/<file>.md §<anchor>', () => {
  it('are found (the scan reads the source tree)', () => expect(all.length).toBeGreaterThan(100));
  it.each(all.map((c) => [`${c.where} → ${c.doc} §${c.anchor}`, c] as const))('%s', (_name, c) => {
    const anchors = anchorsOf(path.join(repoRoot, c.doc));
    expect(anchors, `${c.doc} does not exist`).not.toBeNull();
    expect(anchors!.has(c.anchor), `${c.doc} has no section ${c.anchor}`).toBe(true);
  });
});

describe('markdown links to a section', () => {
  const links = sources.filter((f) => f.endsWith('.md')).flatMap((f) => {
    const text = readFileSync(f, 'utf8');
    return [...text.matchAll(/\]\(([^)\s#]*\.md)?#([^)\s]+)\)/g)].map((m) => ({
      where: `${path.relative(repoRoot, f)}:${text.slice(0, m.index).split('\n').length}`,
      target: m[1] ? path.resolve(path.dirname(f), m[1]) : f,
      anchor: m[2]!,
    }));
  });
  it.each(links.map((l) => [`${l.where} → ${path.relative(repoRoot, l.target)}#${l.anchor}`, l] as const))('%s', (_name, l) => {
    const anchors = anchorsOf(l.target);
    expect(anchors, `${l.target} does not exist`).not.toBeNull();
    expect(anchors!.has(l.anchor), `no section ${l.anchor}`).toBe(true);
  });
});

describe('documents outside the repository are not cited', () => {
  const gone: [string, RegExp][] = [
    ['the old kernel-model notes', /netfilter-model(\.md)?\b/],
    ['the old host-context notes', /\bhost-context\.md\b/],
    ['the old kernel-lab notes', /\bkernel-lab\.md\b/],
    ['a numbered section (§1.2): sections are named', /§\d/],
  ];
  it.each(gone)('%s', (_what, re) => {
    const hits = sources.flatMap((f) =>
      readFileSync(f, 'utf8').split('\n').flatMap((l, i) => (re.test(l) ? [`${path.relative(repoRoot, f)}:${i + 1}`] : [])));
    expect(hits).toEqual([]);
  });
});
