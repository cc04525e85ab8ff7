#!/usr/bin/env node
// Regenerates docs/report-docker.png, the README's picture of `trace --format html`: the Docker example's
// published-port trace (the README's "Try it" command) opened in headless Chromium. Needs the built CLI
// (`npx -y pnpm@10.34.8 run build`) and Debian's `chromium`.
//
//   node scripts/screenshot-report.mjs [--out docs/report-docker.png] [--width 1100] [--height 1250]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};
const out = path.resolve(root, arg('out', 'docs/report-docker.png'));
const width = Number(arg('width', 1100));
const height = Number(arg('height', 1250));

const bin = path.join(root, 'apps/cli/bin/chainsight.js');
const args = ['trace', 'fixtures/docker-host/iptables-save', 'fixtures/docker-host/host.json', '--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080', '--format', 'html'];
const traced = spawnSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
if (traced.status !== 0) {
  console.error(`chainsight ${args.join(' ')} failed (exit ${traced.status}); is the CLI built?\n${traced.stderr}`);
  process.exit(1);
}
const dir = mkdtempSync(path.join(tmpdir(), 'chainsight-report-'));
try {
  const page = path.join(dir, 'docker-host.html');
  writeFileSync(page, traced.stdout);
  const shot = spawnSync('chromium', [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1',
    `--screenshot=${out}`, `--window-size=${width},${height}`, pathToFileURL(page).href,
  ], { encoding: 'utf8', timeout: 120_000 });
  if (shot.error || shot.status !== 0) {
    console.error(`chromium failed: ${shot.error?.message ?? `exit ${shot.status}`} (apt-get install chromium)\n${shot.stderr ?? ''}`);
    process.exit(1);
  }
  console.log(`${path.relative(root, out)}: ${statSync(out).size} bytes, ${width}×${height}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
