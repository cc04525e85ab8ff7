#!/usr/bin/env node
// Benchmark of `trace --format html` on the generated kube-proxy snapshot (10k services ≈ 128k rules): the size of
// the page for one packet (a pod on cni0 to the first ClusterIP service of KUBE-SERVICES, rules only, as in
// whole-process.mjs) against the target of 2 MB, and, when Chromium is installed, the time from navigation start
// until the page is laid out after its load event, against 2 s (plus the whole browser process, beside a one-line
// page for the browser's own start-up). Uses the built CLI (apps/cli/dist; `npx -y pnpm@10.34.8 run build` first). Reported, not asserted.
//
//   node bench/report.mjs [--services 10000] [--runs 3]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { generateKubeProxySnapshot } from './gen-kube-proxy.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const OUT = join(BENCH_DIR, 'out');
const BIN = process.env.BENCH_CLI_BIN ? resolve(process.env.BENCH_CLI_BIN) : join(ROOT, 'apps/cli/bin/chainsight.js');
const option = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
};
const services = option('services', 10000);
const runs = option('runs', 3);
const MB = 1e6;
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

if (!existsSync(join(ROOT, 'apps/cli/dist/index.js'))) {
  console.log('SKIP report: apps/cli/dist is not built (run `npx -y pnpm@10.34.8 run build`)');
  process.exit(0);
}
mkdirSync(OUT, { recursive: true });
const snap = join(OUT, `kube-proxy-${services}-seed1.iptables-save`);
if (!existsSync(snap)) writeFileSync(snap, generateKubeProxySnapshot({ services, seed: 1 }));
const text = readFileSync(snap, 'utf8');
const svc = /^-A KUBE-SERVICES -d (\S+)\/32 -p (tcp|udp) .*--dport (\d+) -j KUBE-SVC-/m.exec(text);
const packet = ['--in', 'cni0', '--src', '10.1.0.50', '--dst', svc[1], '--proto', svc[2], '--dport', svc[3]];

const page = join(OUT, `report-${services}.html`);
const t0 = performance.now();
const r = spawnSync(process.execPath, [BIN, 'trace', snap, ...packet, '--format', 'html'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 28 });
const traceMs = performance.now() - t0;
if (r.status !== 0) {
  console.log(`FAIL ${services / 1000}k services: trace --format html exited ${r.status}: ${r.stderr.trim().split('\n').slice(-2).join(' / ')}`);
  process.exit(0);
}
writeFileSync(page, r.stdout);
const bytes = statSync(page).size;
const outcomes = (r.stdout.match(/<g class="path" data-o="/g) ?? []).length / 2;
const steps = (r.stdout.match(/<li class="step/g) ?? []).length;
console.log(`${services / 1000}k services, one packet (${svc[2]} to ${svc[1]}:${svc[3]} from a pod): ${outcomes} outcomes, ${steps} steps; trace --format html ${(traceMs / 1000).toFixed(2)} s whole process`);
console.log(`${bytes >= 2 * MB ? 'FAIL' : 'PASS'} ${services / 1000}k services: trace HTML < 2 MB: ${(bytes / MB).toFixed(3)} MB (${bytes.toLocaleString('en-US')} bytes)`);

const chromium = ['chromium', 'chromium-browser'].find((c) => spawnSync(c, ['--version']).status === 0);
if (!chromium) {
  console.log('SKIP opens in headless Chromium in < 2 s: no chromium on PATH');
  process.exit(0);
}
// The page's own time: a copy with a probe script (the report itself allows none; its Content-Security-Policy is
// left out of the copy) that forces layout in the load handler and writes the time since navigation start, then
// Chromium's whole process for the report and for a one-line page (the browser's start-up, which dominates here).
const probe = "<script>addEventListener('load',()=>{document.body.getBoundingClientRect();document.title='LOADED '+Math.round(performance.now())})</script>";
const timed = join(OUT, `report-${services}-timed.html`);
writeFileSync(timed, r.stdout.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '').replace('</head>', `${probe}</head>`));
const blank = join(OUT, 'report-blank.html');
writeFileSync(blank, '<!doctype html><title>blank</title><p>blank</p>\n');
const open = (file) => {
  const t = performance.now();
  const o = spawnSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--dump-dom', pathToFileURL(file).href], { encoding: 'utf8', maxBuffer: 1 << 28, timeout: 120_000 });
  const loaded = /<title>LOADED (\d+)<\/title>/.exec(o.stdout ?? '');
  return { ms: performance.now() - t, ok: o.status === 0 && (o.stdout ?? '').includes('</html>'), pageMs: loaded ? Number(loaded[1]) : null };
};
open(page); // warm-up (the browser's files into the page cache)
const wholeMs = [];
const blankMs = [];
const loadMs = [];
let ok = true;
for (let i = 0; i < runs; i++) {
  const p = open(page);
  ok &&= p.ok;
  wholeMs.push(p.ms);
  blankMs.push(open(blank).ms);
  const t = open(timed);
  if (t.pageMs !== null) loadMs.push(t.pageMs);
}
const load = loadMs.length ? median(loadMs) : null;
console.log(`headless Chromium (median of ${runs}): whole process with the report ${(median(wholeMs) / 1000).toFixed(2)} s, with a one-line page ${(median(blankMs) / 1000).toFixed(2)} s (browser start-up)`);
console.log(`${load === null ? 'SKIP' : ok && load < 2000 ? 'PASS' : 'FAIL'} ${services / 1000}k services: trace HTML opens in < 2 s (navigation start to laid out after load, in headless Chromium): ${load === null ? 'the probe did not report' : `${(load / 1000).toFixed(3)} s`}`);
