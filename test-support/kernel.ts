// Whether the real kernel netfilter can be used (Linux, root, tools installed). Suites that need it skip
// loudly when it cannot, except under CI=true, where that is a failure.
import { labAvailability } from '@chainsight/kernel-lab';

export function kernelAvailable(): boolean {
  const a = labAvailability();
  if (a.ok) return true;
  if (process.env.CI === 'true') throw new Error(`the kernel lab is required under CI=true but unavailable: ${a.reason}`);
  console.warn(`\n*** SKIPPED: kernel tests need Linux, root and iptables-nft: ${a.reason} ***\n`);
  return false;
}
