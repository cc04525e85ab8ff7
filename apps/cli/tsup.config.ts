import { cpSync, mkdirSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageConfig } from '../../tooling/tsup.base';

// The published CLI is one package: the @chainsight/* libraries are bundled into it (they are not published),
// while chevrotain and diff stay npm dependencies. Each command is its own chunk, loaded when it runs, so
// `--version` and `--help` read no more than the entry. The docker-host fixture ships as an example to trace.
export default defineConfig(
  packageConfig(
    { index: 'src/index.ts' },
    {
      noExternal: [/^@chainsight\//],
      splitting: true,
      onSuccess: async () => {
        const to = 'dist/examples/docker-host';
        mkdirSync(to, { recursive: true });
        for (const f of ['iptables-save', 'host.json']) cpSync(`../../fixtures/docker-host/${f}`, `${to}/${f}`);
        cpSync('examples/docker-host.md', `${to}/README.md`);
      },
    },
  ),
);
