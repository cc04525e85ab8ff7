#!/usr/bin/env node
// Benchmark of `chainsight diff --semantic` (packet-set compareSnapshots): two generated kube-proxy snapshots of
// the same cluster, the second with one service's endpoints changed (gen-kube-proxy.mjs --churn), compared as a
// whole process (the built CLI: read, parse, rule-level diff, both walks in one packet space, regions). Prints
// the wall time and peak RSS, the ratio against `iptables-restore-translate -f` of one of the files when that tool
// is installed, and the regions found. Exits 0 whatever the figures are.
//
//   node bench/semantic-diff.mjs [--services 1000] [--seed 1] [--churn-seed 2]
//
// The issue's goal: 10k-service snapshots differing by one service, whole process, ≤ 2.5× the translate time.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const GNU_TIME = '/usr/bin/time';

function args(argv) {
  const o = { services: 1000, seed: 1, churnSeed: 2 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i];
    if (a === '--services') o.services = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--churn-seed') o.churnSeed = Number(val());
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/semantic-diff.mjs [--services N] [--seed S] [--churn-seed S]\n');
      process.exit(0);
    }
  }
  return o;
}

/** Runs argv under GNU time when present: wall seconds and peak RSS (MB, null without GNU time). */
function timed(argv) {
  const withTime = existsSync(GNU_TIME);
  const t = performance.now();
  const r = spawnSync(withTime ? GNU_TIME : argv[0], withTime ? ['-f', '%M', ...argv] : argv.slice(1), { encoding: 'utf8', maxBuffer: 1 << 28 });
  const seconds = (performance.now() - t) / 1000;
  const rss = withTime ? Number(r.stderr.trim().split('\n').pop()) / 1024 : null;
  return { seconds, rss, status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const o = args(process.argv.slice(2));
const { generateKubeProxySnapshot } = await import(resolve(here, 'gen-kube-proxy.mjs'));
const dir = mkdtempSync(join(tmpdir(), 'cs-semantic-bench-'));
try {
  const before = join(dir, 'before.rules');
  const after = join(dir, 'after.rules');
  writeFileSync(before, generateKubeProxySnapshot({ services: o.services, seed: o.seed }));
  // One service in the cluster: a churn fraction of 1/services.
  writeFileSync(after, generateKubeProxySnapshot({ services: o.services, seed: o.seed, churn: 1 / o.services, churnSeed: o.churnSeed }));
  const cli = resolve(root, 'apps/cli/bin/chainsight.js');
  const run = timed([process.execPath, cli, 'diff', '--semantic', '--format', 'json', before, after]);
  if (run.status !== 0 && run.status !== 1) {
    process.stdout.write(`chainsight diff --semantic failed (exit ${run.status}):\n${run.stderr}\n`);
    process.exit(0);
  }
  const doc = JSON.parse(run.stdout);
  const regions = doc.changes.reduce((n, h) => n + h.regions.length, 0);
  process.stdout.write(`semantic diff, ${o.services} services, one changed: ${run.seconds.toFixed(2)} s, ${run.rss === null ? 'RSS not measured' : `${run.rss.toFixed(0)} MB peak RSS`}; ${doc.rule_changes} rule changes, ${regions} regions in ${doc.changes.map((h) => `${h.table} ${h.hook}`).join(', ') || 'no chain'}\n`);
  const translate = spawnSync('sh', ['-c', 'command -v iptables-restore-translate'], { encoding: 'utf8' }).stdout.trim();
  if (translate) {
    const ref = timed([translate, '-f', before]);
    process.stdout.write(`iptables-restore-translate -f (one file): ${ref.seconds.toFixed(2)} s; ratio ${(run.seconds / ref.seconds).toFixed(2)}× (goal ≤ 2.5× at 10k services)\n`);
  } else process.stdout.write('iptables-restore-translate not found (Debian package `iptables`): no reference ratio\n');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
