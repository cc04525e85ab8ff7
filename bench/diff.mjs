#!/usr/bin/env node
// Benchmark of `chainsight diff` (packages/diff): two generated kube-proxy snapshots of the same cluster, the
// second after a fraction of the services changed endpoints (gen-kube-proxy.mjs --churn), diffed with
// diffSnapshots from packages/diff/dist. Prints figures; exits 0 whatever they are.
//
//   node bench/diff.mjs [--services 10000] [--churn 0.01] [--seed 1] [--churn-seed 2] [--runs 3]
//
// The timed part is diffSnapshots alone (both snapshots already parsed), median of --runs after one warm-up;
// parse times are printed separately. Each measurement runs in a fresh child process (`--child`), whose peak
// RSS (process.resourceUsage().maxRSS) covers Node itself, both input texts, both parsed snapshots and the diff.
// Targets from the spec: 130k-rule snapshots differing in 1% of services diff in ≤ 3 s and under 1.5 GB.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

function args(argv) {
  const o = { services: 10000, churn: 0.01, seed: 1, churnSeed: 2, runs: 3, child: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => argv[++i];
    if (a === '--services') o.services = Number(val());
    else if (a === '--churn') o.churn = Number(val());
    else if (a === '--seed') o.seed = Number(val());
    else if (a === '--churn-seed') o.churnSeed = Number(val());
    else if (a === '--runs') o.runs = Number(val());
    else if (a === '--child') o.child = true;
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/diff.mjs [--services N] [--churn F] [--seed S] [--churn-seed S] [--runs N]\n');
      process.exit(0);
    }
  }
  return o;
}

async function child(o) {
  const { generateKubeProxySnapshot, buildModel, mutateServices } = await import(resolve(here, 'gen-kube-proxy.mjs'));
  const { parseSnapshot, ruleCount } = await import(resolve(root, 'packages/grammar/dist/index.js'));
  const { diffSnapshots } = await import(resolve(root, 'packages/diff/dist/index.js'));
  const beforeText = generateKubeProxySnapshot({ services: o.services, seed: o.seed });
  const afterText = generateKubeProxySnapshot({ services: o.services, seed: o.seed, churn: o.churn, churnSeed: o.churnSeed });
  const changed = mutateServices(buildModel({ services: o.services, seed: o.seed }), o.churn, o.churnSeed).changed.length;
  let t = performance.now();
  const before = parseSnapshot(beforeText, { fileName: 'before' }).snapshot;
  const parseBefore = performance.now() - t;
  t = performance.now();
  const after = parseSnapshot(afterText, { fileName: 'after' }).snapshot;
  const parseAfter = performance.now() - t;
  const times = [];
  let result;
  let firstMs = 0;
  for (let i = 0; i <= o.runs; i++) {
    t = performance.now();
    result = diffSnapshots(before, after);
    if (i > 0) times.push(performance.now() - t); else firstMs = performance.now() - t;
  }
  times.sort((a, b) => a - b);
  const kinds = {};
  for (const c of result.changes) kinds[c.kind] = (kinds[c.kind] ?? 0) + 1;
  const explained = result.changes.filter((c) => c.explainedBy !== undefined).length;
  process.stdout.write(JSON.stringify({
    rules: [ruleCount(before), ruleCount(after)], bytes: [beforeText.length, afterText.length], changedServices: changed,
    parseMs: [parseBefore, parseAfter], firstMs, diffMs: times, medianMs: times[Math.floor(times.length / 2)],
    peakBytes: process.resourceUsage().maxRSS * 1024, changes: result.changes.length, explained, kinds,
  }));
}

function main(o) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=4096', fileURLToPath(import.meta.url), '--child',
    '--services', String(o.services), '--churn', String(o.churn), '--seed', String(o.seed), '--churn-seed', String(o.churnSeed),
    '--runs', String(o.runs)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) {
    process.stdout.write(`diff bench: child failed (status ${r.status})\n${r.stderr}\n`);
    return;
  }
  const m = JSON.parse(r.stdout);
  const mb = (b) => `${(b / 1e6).toFixed(1)} MB`;
  const s = (ms) => `${(ms / 1000).toFixed(2)} s`;
  const lines = [
    `diff bench: ${o.services} services (seed ${o.seed}), churn ${o.churn} (seed ${o.churnSeed}): ${m.changedServices} services changed endpoints`,
    `  snapshots: ${m.rules[0]} / ${m.rules[1]} rules, ${mb(m.bytes[0])} / ${mb(m.bytes[1])}`,
    `  parse (not part of the diff): ${s(m.parseMs[0])} + ${s(m.parseMs[1])}`,
    `  diffSnapshots: first (cold) run ${s(m.firstMs)}; then median ${s(m.medianMs)} of ${m.diffMs.length} runs (${m.diffMs.map((x) => s(x)).join(', ')})`,
    `  peak RSS of the process (Node, both texts, both snapshots, diff): ${mb(m.peakBytes)}`,
    `  changes: ${m.changes} (${m.explained} explained by service changes): ${Object.entries(m.kinds).map(([k, n]) => `${k} ${n}`).join(', ')}`,
  ];
  const big = m.rules[0] >= 125000;
  const check = (label, ok) => `  ${big ? (ok ? 'PASS' : 'FAIL') : 'SKIP (needs ≥ 125k rules)'}  ${label}`;
  lines.push(check(`diff in ≤ 3 s (measured: cold ${s(m.firstMs)}, median ${s(m.medianMs)})`, Math.max(m.firstMs, m.medianMs) <= 3000));
  lines.push(check(`peak under 1.5 GB (measured ${mb(m.peakBytes)})`, m.peakBytes < 1.5e9));
  process.stdout.write(lines.join('\n') + '\n');
}

const o = args(process.argv.slice(2));
if (o.child) await child(o);
else main(o);
