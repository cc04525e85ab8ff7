// Test helpers: tiny snapshots from rule arguments, and fixture loading (the shared corpus: test-support/shared.ts).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSnapshot, type Rule, type Snapshot } from '@chainsight/grammar';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');

/** One rule in `*filter` (or the given table) chain INPUT; chains X and Y exist as jump targets. */
export function rule(args: string, family: 'ipv4' | 'ipv6' = 'ipv4', table = 'filter'): Rule {
  const chain = table === 'nat' ? 'PREROUTING' : 'INPUT';
  const text = `*${table}\n:${chain} ACCEPT [0:0]\n:X - [0:0]\n:Y - [0:0]\n-A ${chain} ${args}\nCOMMIT\n`;
  const { snapshot, diagnostics } = parseSnapshot(text, { fileName: 'rule', family });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`bad test rule '${args}': ${errors.map((d) => d.message).join('; ')}`);
  return snapshot.tables[0]!.chains.find((c) => c.name === chain)!.rules[0]!;
}

export function snapshot(text: string, fileName: string, family: 'ipv4' | 'ipv6' = 'ipv4'): Snapshot {
  const { snapshot: s, diagnostics } = parseSnapshot(text, { fileName, family });
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${fileName}: ${errors.map((d) => `${d.span.start.line}: ${d.message}`).join('; ')}`);
  return s;
}

export function fixture(path: string): Snapshot {
  return snapshot(readFileSync(resolve(repoRoot, 'fixtures/diff', path), 'utf8'), path);
}

