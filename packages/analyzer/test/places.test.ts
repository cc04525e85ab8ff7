// The table of where targets are valid (src/model/places.ts) against the kernel's own answers, recorded by
// test/kernel/target-matrix.mjs (one restore per target, table and built-in chain, both backends).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, type Family } from '@chainsight/grammar';
import { targetMisplacement } from '../src/model/places';
import { EB, EB_TABLES, IP_TABLES, V4, V6 } from './kernel/target-matrix.mjs';

interface Recorded {
  kernel: string;
  places: Record<'legacy' | 'nft', Partial<Record<Family, Record<string, string[]>>>>;
}
const recorded = JSON.parse(readFileSync(new URL('./kernel/target-places.json', import.meta.url), 'utf8')) as Recorded;

/** Does chainsight accept the rule `-A chain args` in `table` (hooks: the chain itself)? */
function chainsightAccepts(family: Family, table: string, chain: string, args: string, legacy: boolean): boolean {
  const text = family === 'bridge' ? `*${table}\n:${chain} ACCEPT\n-A ${chain} ${args}\n` : `*${table}\n-A ${chain} ${args}\nCOMMIT\n`;
  const { snapshot } = parseSnapshot(text, { fileName: 'matrix', family, format: family === 'bridge' ? 'ebtables-save' : 'iptables-save' });
  const rule = snapshot.tables[0]!.chains.find((c) => c.name === chain)!.rules[0]!;
  return targetMisplacement(rule, [chain], family, legacy) === null;
}

const cases: { backend: 'legacy' | 'nft'; family: Family; target: string; args: string; tables: Record<string, string[]> }[] = [];
for (const backend of ['legacy', 'nft'] as const) {
  for (const [family, texts] of [['ipv4', V4], ['ipv6', V6]] as const) {
    for (const [target, args] of Object.entries(texts)) cases.push({ backend, family, target, args, tables: IP_TABLES });
  }
}
for (const [target, args] of Object.entries(EB)) cases.push({ backend: 'nft', family: 'bridge', target, args, tables: EB_TABLES });

describe(`target places agree with the kernel (recorded on ${recorded.kernel})`, () => {
  it.each(cases)('$backend $family $target', ({ backend, family, target, args, tables }) => {
    const kernel = recorded.places[backend][family]?.[target];
    expect(kernel, 'recorded').toBeDefined();
    const ours: string[] = [];
    for (const [table, chains] of Object.entries(tables)) {
      for (const chain of chains) if (chainsightAccepts(family, table, chain, args, backend === 'legacy')) ours.push(`${table}/${chain}`);
    }
    expect(ours).toEqual(kernel);
  });
});
