// Executable docs: every example in docs/rules/<id>.md runs against its rule. A block fenced as
// ```iptables-save valid``` (or ip6tables-save / ebtables-save) must give no finding; a block fenced
// ```iptables-save invalid``` must be followed by a ```text``` block listing the findings exactly,
// one per line: `LINE:COLUMN SEVERITY MESSAGE`.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, type Family, type InputFormat } from '@chainsight/grammar';
import { collectFindings, findRule } from '@chainsight/analyzer';

const docsDir = new URL('../../../docs/rules/', import.meta.url);

interface DocExample {
  kind: 'valid' | 'invalid';
  language: string;
  code: string;
  /** Line of the code fence in the page. */
  line: number;
  expected: string[] | null;
}

const LANGUAGES: Record<string, { format: InputFormat; family: Family }> = {
  'iptables-save': { format: 'iptables-save', family: 'ipv4' },
  'ip6tables-save': { format: 'iptables-save', family: 'ipv6' },
  'ebtables-save': { format: 'ebtables-save', family: 'bridge' },
};

function examplesOf(markdown: string): DocExample[] {
  const lines = markdown.split('\n');
  const blocks: { info: string; code: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i]!);
    blocks.push({ info: open[1]!.trim(), code: body.join('\n') + '\n', line: start + 1 });
  }
  const out: DocExample[] = [];
  blocks.forEach((b, k) => {
    const [language, kind] = b.info.split(/\s+/);
    if (!language || !(language in LANGUAGES) || (kind !== 'valid' && kind !== 'invalid')) return;
    const next = blocks[k + 1];
    const expected = kind === 'invalid' && next?.info === 'text' ? next.code.trimEnd().split('\n') : null;
    out.push({ kind, language, code: b.code, line: b.line, expected });
  });
  return out;
}

const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md'));

describe('docs/rules examples run', () => {
  for (const page of pages) {
    const id = page.replace(/\.md$/, '');
    const rule = findRule(id);
    const examples = examplesOf(readFileSync(new URL(page, docsDir), 'utf8'));
    describe(page, () => {
      it('documents a known rule with valid and invalid examples', () => {
        expect(rule, `no lint rule '${id}'`).toBeDefined();
        expect(examples.some((e) => e.kind === 'valid'), 'a valid example').toBe(true);
        expect(examples.some((e) => e.kind === 'invalid'), 'an invalid example').toBe(true);
      });
      for (const ex of examples) {
        it(`${ex.kind} example at line ${ex.line}`, () => {
          const { format, family } = LANGUAGES[ex.language]!;
          const parsed = parseSnapshot(ex.code, { fileName: page, format, family });
          expect(parsed.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), 'parse errors').toEqual([]);
          const found = collectFindings(parsed.snapshot, { rules: { [id]: rule!.defaultSeverity } }, { rules: [rule!] })
            .sort((a, b) => a.span.start.offset - b.span.start.offset)
            .map((f) => `${f.span.start.line}:${f.span.start.column} ${f.severity} ${f.message}`);
          if (ex.kind === 'valid') expect(found).toEqual([]);
          else {
            expect(ex.expected, 'an invalid example is followed by a ```text block of its findings').not.toBeNull();
            expect(found).toEqual(ex.expected);
          }
        });
      }
    });
  }
});
