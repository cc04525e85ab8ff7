// The nftables corpus beside the repository (../shared/corpus-nft, see its INDEX.tsv and PROVENANCE files):
// every text file nft 1.0.6 accepts parses with no error, prints back stably, and (where nft wrote it) prints
// back byte for byte; every JSON file parses with no error and has the rule count of its text twin and INDEX.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countRules, parseNftJson, parseNftText, printRuleset } from '../src/index';
import { sharedDir, sharedMissing } from '../../../test-support/shared';

const corpus = join(sharedDir, 'corpus-nft');
const present = existsSync(join(corpus, 'INDEX.tsv'));
if (!present) sharedMissing('the nftables corpus (corpus-nft)');

interface Row { path: string; format: string; validated: string; rules: number }
const rows: Row[] = present
  ? readFileSync(join(corpus, 'INDEX.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => {
      const c = l.split('\t');
      return { path: c[0] as string, format: c[2] as string, validated: c[3] as string, rules: Number(c[6]) };
    })
  : [];
const accepted = rows.filter((r) => r.format === 'nft-text' && r.validated.startsWith('yes'));
/** Files nft itself printed (`nft list ruleset` output), as opposed to scripts people wrote. */
const nftOutput = (p: string) => p.endsWith('.list.nft') || p.startsWith('nftables-shell/') || p.startsWith('firewalld/');
const jsonRows = rows.filter((r) => r.format === 'nft-json');

describe.runIf(present)('corpus-nft text', () => {
  it.each(accepted.map((r) => [r.path, r] as const))('%s', (_p, row) => {
    const text = readFileSync(join(corpus, row.path), 'utf8');
    const first = parseNftText(text, row.path);
    expect(first.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // INDEX counts the rules written in chain blocks, not those of anonymous chains (`jump { … }`).
    expect(countRules(first.ruleset, { anonymous: false })).toBe(row.rules);
    const printed = printRuleset(first.ruleset);
    const second = parseNftText(printed, row.path);
    expect(second.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(printRuleset(second.ruleset)).toBe(printed);
    expect(countRules(second.ruleset)).toBe(countRules(first.ruleset));
    if (nftOutput(row.path)) expect(printed).toBe(text);
  });
});

describe.runIf(present)('corpus-nft JSON', () => {
  it.each(jsonRows.map((r) => [r.path, r] as const))('%s', (_p, row) => {
    const json = parseNftJson(readFileSync(join(corpus, row.path), 'utf8'), row.path);
    expect(json.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(countRules(json.ruleset)).toBe(row.rules);
    const base = join(corpus, row.path.replace(/\.json$/, ''));
    const twin = [`${base}.list.nft`, `${base}.nft`].find((f) => existsSync(f));
    if (twin) expect(countRules(json.ruleset)).toBe(countRules(parseNftText(readFileSync(twin, 'utf8'), twin).ruleset));
  });
});
