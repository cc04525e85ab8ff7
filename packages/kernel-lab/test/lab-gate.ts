// Gate for the kernel tests. Without a usable lab (not Linux, not root, tools missing): under CI=true the suite
// FAILS with the reason (CI must have the lab); elsewhere it is skipped with a loud message.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { labAvailability, missingTraceTools } from '../src/index.js';
import { sharedDir } from '../../../test-support/shared';

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, '..', '..', '..');
/** The shared seed folder next to the repository (`<repoRoot>/../shared`, or CHAINSIGHT_SHARED_DIR). */
export { sharedDir };
export const isCI = process.env.CI === 'true';

function banner(name: string, reason: string): void {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n!! SKIPPED kernel-lab suite "${name}": ${reason}\n!! (run as root on Linux with the lab tools; under CI=true this is a failure)\n${line}\n`);
}

/**
 * describe() for a suite that needs the kernel lab; `needs` lists extra requirements: a trace backend's tools,
 * or the shared seed folder.
 */
export function describeLab(
  name: string,
  fn: () => void,
  needs: { backend?: 'nft' | 'legacy'; shared?: boolean; scapy?: boolean } = {},
): void {
  const reasons: string[] = [];
  const a = labAvailability();
  if (!a.ok) reasons.push(a.reason);
  else if (needs.backend) {
    const missing = missingTraceTools(needs.backend, { scapy: needs.scapy ?? false });
    if (missing.length) reasons.push(`missing tools: ${missing.join(', ')}`);
  }
  if (needs.shared && !existsSync(path.join(sharedDir, 'seed'))) reasons.push(`shared seed folder not found at ${sharedDir}/seed`);
  if (reasons.length === 0) {
    describe(name, fn);
    return;
  }
  const reason = reasons.join('; ');
  if (isCI) {
    describe(name, () => {
      it('kernel lab is available (required under CI=true)', () => {
        throw new Error(`kernel lab unavailable: ${reason}`);
      });
    });
    return;
  }
  banner(name, reason);
  describe.skip(name, fn);
}
