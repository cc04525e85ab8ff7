// Where the conformance tests find things: the repository root, the scenario fixtures, and the shared data folder
// beside the repository (the seed Docker host; test-support/shared.ts, which honours CHAINSIGHT_SHARED_DIR).
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
export const fixturesDir = path.join(repoRoot, 'fixtures', 'conformance');
export { sharedDir } from '../../../test-support/shared';
export const isCI = process.env.CI === 'true';
