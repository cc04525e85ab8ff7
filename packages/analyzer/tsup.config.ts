import { defineConfig } from 'tsup';
import { packageConfig } from '../../tooling/tsup.base';

// Two entries: the library and the RuleTester (`@chainsight/analyzer/testing`).
export default defineConfig(packageConfig({ index: 'src/index.ts', testing: 'src/testing.ts' }));
