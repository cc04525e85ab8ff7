#!/usr/bin/env node
// Whole-process `chainsight parse` of a kube-proxy nftables-mode ruleset (gen-kube-proxy-nft.mjs: 3 chains and 6
// rules per service, the service-ips verdict map and cluster-ips set) against `nft -c -f` of the same file in a
// throwaway `cs-` network namespace (nft reads it, and the kernel checks the batch without committing it). Rows at
// n, 2n and 4n services (default n = 2500, so the last row is the 10k-service ruleset); ratio of medians, and the
// growth of each from one row to the next (2.00× is linear). The reference needs root and nft: without them it is
// skipped with a notice and only chainsight's times are given.
//
//   node bench/nft.mjs [--services 2500] [--runs 3]
//
// Uses the built CLI (apps/cli/dist; `pnpm run build` first). Reported, not asserted: exits 0. Target: parse of the
// 10k-service ruleset ≤ 1.0× `nft -c -f` (printed as PASS/FAIL).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderNftRuleset } from './gen-kube-proxy-nft.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const OUT = join(BENCH_DIR, 'out');
const BIN = process.env.BENCH_CLI_BIN ? resolve(process.env.BENCH_CLI_BIN) : join(ROOT, 'apps', 'cli', 'bin', 'chainsight.js');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}
const n = option('services', 2500);
const runs = option('runs', 3);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmtMs = (ms) => (ms == null ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtRatio = (x) => (x == null ? '-' : `${x.toFixed(2)}×`);

function timed(argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60 * 1000 });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, code: r.status, stderr: r.stderr ?? '' };
}

const which = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;

// The reference: root, nft and ip(8) to make the namespace.
let reason = null;
if (process.getuid?.() !== 0) reason = 'not root';
else if (!which('nft')) reason = 'nft is not installed';
else if (!which('ip')) reason = 'ip (iproute2) is not installed';
const ns = `cs-bench-nft-${process.pid}`;
if (!reason) {
  const made = spawnSync('ip', ['netns', 'add', ns], { encoding: 'utf8' });
  if (made.status !== 0) reason = `cannot create network namespace ${ns}: ${made.stderr.trim()}`;
}
const cleanup = () => { if (!reason) spawnSync('ip', ['netns', 'del', ns]); };
process.on('exit', cleanup);
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { cleanup(); process.exit(130); });

if (!existsSync(BIN)) {
  console.log(`SKIP chainsight parse of nft rulesets: ${BIN} is missing (build the CLI first)`);
  process.exit(0);
}
if (reason) console.log(`notice: nft -c -f reference skipped (${reason}); chainsight times only`);

mkdirSync(OUT, { recursive: true });
const rows = [];
for (const services of [n, 2 * n, 4 * n]) {
  const file = join(OUT, `kube-proxy-nft-${services}.nft`);
  const text = renderNftRuleset(services);
  writeFileSync(file, text);
  const ours = [];
  const ref = [];
  // Interleaved, so a change of load on a shared machine moves both alike.
  for (let i = 0; i < runs; i++) {
    const p = timed([process.execPath, BIN, 'parse', file, '--quiet']);
    if (p.code !== 0) throw new Error(`chainsight parse ${file} exited ${p.code}: ${p.stderr.slice(0, 500)}`);
    ours.push(p.ms);
    if (!reason) {
      const r = timed(['ip', 'netns', 'exec', ns, 'nft', '-c', '-f', file]);
      if (r.code !== 0) throw new Error(`nft -c -f ${file} exited ${r.code}: ${r.stderr.slice(0, 500)}`);
      ref.push(r.ms);
    }
  }
  rows.push({ services, bytes: text.length, chains: 15 + services * 3 + Math.ceil(services / 10), parse: median(ours), nft: ref.length ? median(ref) : null });
  if (!process.env.BENCH_KEEP_OUT) rmSync(file);
}

console.log(`kube-proxy nftables mode, whole process, median of ${runs} (chainsight parse --quiet vs nft -c -f in ${reason ? '-' : 'a cs- namespace'})`);
console.log('  services  size      chains   chainsight parse  nft -c -f   ratio   parse growth  nft growth');
rows.forEach((r, i) => {
  const prev = rows[i - 1];
  const g = (a, b) => (a != null && b != null ? fmtRatio(a / b) : '-');
  console.log(`  ${String(r.services).padStart(8)}  ${(r.bytes / 1e6).toFixed(1).padStart(5)} MB  ${String(r.chains).padStart(6)}   ${fmtMs(r.parse).padStart(16)}  ${fmtMs(r.nft).padStart(9)}  ${(r.nft ? fmtRatio(r.parse / r.nft) : '-').padStart(6)}   ${(prev ? g(r.parse, prev.parse) : '-').padStart(12)}  ${(prev ? g(r.nft, prev.nft) : '-').padStart(10)}`);
});
const last = rows[rows.length - 1];
if (last.nft == null) console.log(`SKIP parse of ${last.services} services ≤ 1.0× nft -c -f: ${reason}`);
else console.log(`${last.parse <= last.nft ? 'PASS' : 'FAIL'} parse of ${last.services} services ≤ 1.0× nft -c -f: ${fmtRatio(last.parse / last.nft)} (${fmtMs(last.parse)} vs ${fmtMs(last.nft)})`);
