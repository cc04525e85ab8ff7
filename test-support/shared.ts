// Locates the shared corpus and seed beside the repository (`../shared`). Every test that reads them takes the
// location from here, and skips with a clear message when they are absent, except under CI=true, where their
// absence is a failure. CHAINSIGHT_SHARED_DIR moves the location: CI points it at a folder that does not exist
// to run those tests as a fresh clone without `../shared` would.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const sharedDir = process.env.CHAINSIGHT_SHARED_DIR ? resolve(process.env.CHAINSIGHT_SHARED_DIR) : resolve(repoRoot, '..', 'shared');
export const hasShared = existsSync(join(sharedDir, 'corpus')) && existsSync(join(sharedDir, 'seed'));
export const isCI = process.env.CI === 'true';

/** The notice (outside CI) or the error (under CI=true) for data of the shared folder that is missing. */
export function sharedMissing(what: string): string {
  const where = process.env.CHAINSIGHT_SHARED_DIR ? `${sharedDir} (CHAINSIGHT_SHARED_DIR)` : sharedDir;
  if (isCI) throw new Error(`${what} is missing: expected it at ${where} (CI=true requires it)`);
  const notice = `SKIPPED: ${what} not found at ${where}; these tests need ../shared beside the repository`;
  console.warn(`\n*** ${notice} ***\n`);
  return notice;
}

/** Call at the top of a describe (or a file): returns whether to run; throws under CI when the data is missing. */
export function sharedAvailable(what = 'the shared corpus'): boolean {
  if (hasShared) return true;
  sharedMissing(what);
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
