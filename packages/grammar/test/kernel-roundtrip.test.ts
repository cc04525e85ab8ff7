// The printer against the kernel: restoring a corpus file and restoring its printed form with
// iptables-nft-restore give identical iptables-nft-save output (for the files the kernel accepts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, printSnapshot } from '@chainsight/grammar';
import { restoreAndSave, withLab } from '@chainsight/kernel-lab';
import { sharedAvailable, sharedRelative, snapshotFiles } from '../../../test-support/shared';
import { kernelAvailable } from '../../../test-support/kernel';

describe.runIf(sharedAvailable() && kernelAvailable())('printed snapshots restore like the originals', () => {
  const files = snapshotFiles()
    .map((f) => ({ rel: sharedRelative(f), text: readFileSync(f, 'utf8') }))
    .map((f) => ({ ...f, parsed: parseSnapshot(f.text, { fileName: f.rel }) }))
    .filter((f) => f.parsed.detected.format === 'iptables-save' || f.parsed.detected.format === 'ebtables-save');

  it('compares every save file the kernel accepts', { timeout: 600_000 }, async () => {
    let compared = 0;
    let rejected = 0;
    const mismatches: string[] = [];
    await withLab(async (lab) => {
      for (const f of files) {
        const family = f.parsed.snapshot.family;
        const original = await restoreAndSave(f.text, { family, lab });
        if (!original.ok) { rejected++; continue; }
        const printed = await restoreAndSave(printSnapshot(f.parsed.snapshot), { family, lab });
        compared++;
        if (!printed.ok) mismatches.push(`${f.rel}: the kernel rejects the printed form: ${printed.stderr.trim().split('\n')[0]}`);
        else if (printed.save !== original.save) mismatches.push(`${f.rel}: saves differ`);
      }
    });
    console.log(`kernel round trip: ${compared} files compared, ${rejected} rejected by the kernel as they are`);
    expect(mismatches).toEqual([]);
    expect(compared).toBeGreaterThan(80);
  });
});
