// Every rule is complete: a module in src/rules, a test in test/rules/<id>.test.ts, a page in
// docs/rules/<id>.md whose first paragraph is the rule's description; ids unique and kebab-case.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULES } from '@chainsight/analyzer';

const docsDir = new URL('../../../docs/rules/', import.meta.url);
const testsDir = new URL('./rules/', import.meta.url);
const srcDir = new URL('../src/rules/', import.meta.url);

describe('rule catalogue', () => {
  it('has unique ids, and every module in src/rules is registered', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const modules = readdirSync(srcDir).filter((f) => f.endsWith('.ts') && f !== 'index.ts').map((f) => f.replace(/\.ts$/, ''));
    expect(modules.sort()).toEqual([...ids].sort());
  });

  it('has a page for every rule and a rule for every page', () => {
    const pages = readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => f.replace(/\.md$/, ''));
    expect(pages.sort()).toEqual(RULES.map((r) => r.id).sort());
  });

  it.each(RULES.map((r) => [r.id, r] as const))('%s has a test and a page that starts with its description', (id, rule) => {
    expect(existsSync(new URL(`${id}.test.ts`, testsDir)), `test/rules/${id}.test.ts`).toBe(true);
    const page = readFileSync(new URL(`${id}.md`, docsDir), 'utf8');
    const [title, , first] = page.split('\n');
    expect(title).toBe(`# ${id}`);
    expect(first).toBe(rule.description);
    expect(page).toContain(`\`lint/${id}\``);
    expect(page).toMatch(new RegExp(`^\\| Default severity \\| ${rule.defaultSeverity}\\b`, "m"));
  });
});
