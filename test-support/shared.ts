// Locates the shared corpus and seed beside the repository (`../shared`). Tests that need them skip with a
// clear message when they are absent, except under CI=true, where their absence is a failure.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = resolve(repoRoot, '..', 'shared');
export const hasShared = existsSync(join(sharedDir, 'corpus'));

/** Call at the top of a describe: returns whether to run; throws under CI when the data is missing. */
export function sharedAvailable(what = 'the shared corpus'): boolean {
  if (hasShared) return true;
  if (process.env.CI === 'true') throw new Error(`${what} is missing: expected it at ${sharedDir} (CI=true requires it)`);
  console.warn(`\n*** SKIPPED: ${what} not found at ${sharedDir}; these tests need ../shared beside the repository ***\n`);
  return false;
}

export function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** Every snapshot file of the corpus and the seed (not provenance notes, READMEs or host contexts). */
export function snapshotFiles(): string[] {
  if (!hasShared) return [];
  return [...walk(join(sharedDir, 'corpus')), ...walk(join(sharedDir, 'seed'))]
    .filter((f) => !/\.(md|json)$/.test(f))
    .sort();
}

export const sharedRelative = (f: string) => relative(sharedDir, f);
