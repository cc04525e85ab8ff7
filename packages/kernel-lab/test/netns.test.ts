// Namespaces are created with the project prefix, isolated, and always deleted: after a throwing body, with
// spawned processes still running, and when the process gets SIGTERM.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';
import { createLab, listLabNamespaces, liveLabCount, withLab } from '../src/index.js';
import { describeLab, repoRoot } from './lab-gate.js';

/**
 * esbuild, to bundle the SIGTERM test's child (plain Node cannot run the TypeScript source). It is installed with
 * tsup, a dev dependency of the repository; pnpm does not hoist it, so it is resolved from tsup's own folder.
 */
function esbuild(): { buildSync(o: { entryPoints: string[]; bundle: true; platform: 'node'; format: 'esm'; outfile: string; logLevel: 'error' }): unknown } {
  const tsup = createRequire(path.join(repoRoot, 'package.json')).resolve('tsup');
  return createRequire(tsup)('esbuild');
}

/** Running (a killed orphan may stay a zombie when PID 1 does not reap, as in some containers). */
function alive(pid: number): boolean {
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

describeLab('network namespaces', () => {
  it('names namespaces cs-<run id>-<role> and rejects other roles', { timeout: 10_000 }, async () => {
    await withLab(async (lab) => {
      expect(lab.runId).toMatch(/^[0-9a-f]{6}$/);
      const ns = await lab.addNamespace('host');
      expect(ns).toBe(`cs-${lab.runId}-host`);
      await expect(lab.addNamespace('Bad Role')).rejects.toThrow(/role/);
      // A fresh namespace holds nothing but its own loopback: no link to the initial namespace.
      const links = await lab.execOk(ns, ['ip', '-o', 'link', 'show']);
      expect(links.stdout.trim().split('\n').map((l) => l.split(':')[1]!.trim())).toEqual(['lo']);
      // Commands refuse namespaces the lab does not own.
      await expect(lab.exec('cs-000000-other', ['true'])).rejects.toThrow(/does not belong/);
    });
  });

  it('deletes every namespace when the body throws', { timeout: 10_000 }, async () => {
    let runId = '';
    await expect(
      withLab(async (lab) => {
        runId = lab.runId;
        await lab.addNamespace('a');
        await lab.addNamespace('b');
        expect(await listLabNamespaces(runId)).toHaveLength(2);
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await listLabNamespaces(runId)).toEqual([]);
    expect(liveLabCount()).toBe(0);
  });

  it('stops spawned processes and processes left inside the namespaces', { timeout: 15_000 }, async () => {
    const lab = createLab();
    const ns = await lab.addNamespace('p');
    const monitor = lab.spawn(ns, ['sleep', '20'], { maxMs: 20_000 });
    // A process the lab did not track, left running inside the namespace.
    const bg = await lab.execOk(ns, ['sh', '-c', 'sleep 20 >/dev/null 2>&1 & echo $!']);
    const strayPid = Number(bg.stdout.trim());
    expect(alive(strayPid)).toBe(true);
    const problems = await lab.cleanup();
    expect(problems).toEqual([]);
    await monitor.exited; // resolves only once the monitor process is gone
    for (let i = 0; i < 50 && alive(strayPid); i++) await new Promise((r) => setTimeout(r, 20));
    expect(alive(strayPid)).toBe(false);
    expect(await listLabNamespaces(lab.runId)).toEqual([]);
  });

  it('deletes its namespaces when the process receives SIGTERM', { timeout: 20_000 }, async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cs-kernel-lab-'));
    try {
      const entry = path.join(dir, 'child.ts');
      const netns = path.resolve(repoRoot, 'packages/kernel-lab/src/netns.ts');
      writeFileSync(
        entry,
        `import { createLab } from ${JSON.stringify(netns)};\n` +
          `const lab = createLab();\nawait lab.addNamespace('sig');\n` +
          `console.log('ready ' + lab.runId);\nsetInterval(() => {}, 1000);\n`,
      );
      const out = path.join(dir, 'child.mjs');
      esbuild().buildSync({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'error' });
      const child = spawn(process.execPath, [out], { stdio: ['ignore', 'pipe', 'pipe'] });
      const runId = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const t = setTimeout(() => reject(new Error('child did not start')), 10_000);
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const m = /ready ([0-9a-f]{6})/.exec(buf);
          if (m) {
            clearTimeout(t);
            resolve(m[1]!);
          }
        });
      });
      expect(await listLabNamespaces(runId)).toEqual([`cs-${runId}-sig`]);
      const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_c, s) => resolve(s)));
      child.kill('SIGTERM');
      // The handler cleans up, then re-raises SIGTERM so the process still ends by that signal.
      expect(await exited).toBe('SIGTERM');
      expect(await listLabNamespaces(runId)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
