// One tsup configuration shared by every package: ESM, Node 20, declarations, no minification
// (stack traces of a CLI should point at readable code).
import type { Options } from 'tsup';

export function packageConfig(entry: Record<string, string>, extra: Partial<Options> = {}): Options {
  return {
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    ...extra,
  };
}
