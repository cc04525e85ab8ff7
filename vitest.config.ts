import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const src = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// One vitest config for the whole repository. Tests import workspace packages from source, so a test run
// does not depend on stale builds (the CLI's end-to-end tests use the built bin).
export default defineConfig({
  resolve: {
    alias: {
      '@chainsight/bdd': src('./packages/bdd/src/index.ts'),
      '@chainsight/netfilter': src('./packages/netfilter/src/index.ts'),
      '@chainsight/packet-set': src('./packages/packet-set/src/index.ts'),
      '@chainsight/nft': src('./packages/nft/src/index.ts'),
      '@chainsight/grammar': src('./packages/grammar/src/index.ts'),
      '@chainsight/analyzer/testing': src('./packages/analyzer/src/testing.ts'),
      '@chainsight/analyzer': src('./packages/analyzer/src/index.ts'),
      '@chainsight/trace': src('./packages/trace/src/index.ts'),
      '@chainsight/diff': src('./packages/diff/src/index.ts'),
      '@chainsight/report': src('./packages/report/src/index.ts'),
      '@chainsight/kernel-lab': src('./packages/kernel-lab/src/index.ts'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'apps/*/test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Under CI the JSON report feeds .ci/summary.mjs, which prints the "N passed, N failed" line.
    reporters: process.env.CI === 'true' ? ['default', ['json', { outputFile: '.vitest-results.json' }]] : ['default'],
  },
});
