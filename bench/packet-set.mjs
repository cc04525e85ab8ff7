#!/usr/bin/env node
// The packet-set engine on generated kube-proxy snapshots: every rule's reached/matched answer for every table
// (analyzeSnapshot), in a child process per size so each figure is whole-process (start-up, read, parse, walk).
//
//   node bench/packet-set.mjs [--services 1000,2000,4000] [--runs 1]
//
// Prints wall time, the walk alone, nodes allocated, collections, unreachable rules and peak RSS, with growth
// rows (n, 2n, 4n). Reported, never asserted; the target is 134k rules (10k services) in ≤ 5 s and
// ≤ 1.5 GB. Needs the built packages (pnpm bench builds them).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};

if (args[0] === '--child') {
  const file = args[1];
  const t0 = performance.now();
  const { readFileSync } = await import('node:fs');
  const { parseSnapshot } = await import(pathToFileURL(join(ROOT, 'packages/grammar/dist/index.js')).href);
  const { analyzeSnapshot } = await import(pathToFileURL(join(ROOT, 'packages/packet-set/dist/index.js')).href);
  const { snapshot } = parseSnapshot(readFileSync(file, 'utf8'), { fileName: file });
  const t1 = performance.now();
  const r = analyzeSnapshot(snapshot);
  const t2 = performance.now();
  let rules = 0;
  let unmatched = 0;
  for (const t of r.tables) for (const rs of t.rules.values()) for (const x of rs) { rules++; if (!x.matched) unmatched++; }
  console.log(JSON.stringify({ total: t2 - t0, walk: t2 - t1, rules, unmatched, allocated: r.space.bdd.allocated, collections: r.space.collector.collections, oracles: r.oracles.unknowns.length, rssMb: process.resourceUsage().maxRSS / 1024 }));
  process.exit(0);
}

const sizes = opt('services', '1000,2000,4000').split(',').map(Number);
const out = join(HERE, 'out');
mkdirSync(out, { recursive: true });
console.log('packet-set: reached/matched for every rule of a kube-proxy snapshot (whole process, one child per size)');
console.log('services   rules    total      walk    allocated  collections  unmatched  peak RSS   growth (walk)');
let prev = null;
for (const n of sizes) {
  const file = join(out, `kube-proxy-${n}-seed1.iptables-save`);
  if (!existsSync(file)) spawnSync(process.execPath, [join(HERE, 'gen-kube-proxy.mjs'), '--services', String(n), '--out', file], { stdio: 'ignore' });
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--child', file], { encoding: 'utf8', timeout: 20 * 60 * 1000 });
  if (r.status !== 0) {
    console.log(`${String(n).padStart(8)}  failed: ${(r.stderr || r.error?.message || '').split('\n').find((l) => l.trim()) ?? 'no output'}`);
    continue;
  }
  const x = JSON.parse(r.stdout.trim().split('\n').pop());
  const growth = prev ? `${(x.walk / prev.walk).toFixed(2)}× for ${(n / prev.n).toFixed(1)}× services` : '';
  prev = { walk: x.walk, n };
  const s = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
  console.log(`${String(n).padStart(8)} ${String(x.rules).padStart(7)} ${s(x.total).padStart(9)} ${s(x.walk).padStart(9)} ${String(x.allocated).padStart(12)} ${String(x.collections).padStart(12)} ${String(x.unmatched).padStart(10)} ${(x.rssMb.toFixed(0) + ' MB').padStart(9)}   ${growth}`);
}
