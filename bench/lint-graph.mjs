#!/usr/bin/env node
// Benchmark: `lint` and the chain graph on a generated kube-proxy snapshot (10k services ≈ 128k rules).
//
//   node bench/lint-graph.mjs [--services 10000] [--runs 3]
//
// Uses the built packages (packages/*/dist; `pnpm run build` first). The snapshot is generated with
// gen-kube-proxy.mjs (seed 1) or read from bench/out/ when run.mjs already generated it. Parsing is done once
// and not timed here (the parse section of run.mjs measures it). Timed, each as the median of --runs runs after
// one warm-up: lint(snapshot) with every rule; buildChainGraph(snapshot); renderDot of the graph (collapsed, the
// default of `chainsight graph`); renderDot --expand. Targets from the spec: lint ≤ 2 s, graph ≤ 2 s.
// Reported, not asserted: always exits 0.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKubeProxySnapshot } from './gen-kube-proxy.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}
const services = option('services', 10000);
const runs = option('runs', 3);

const grammar = await import(join(ROOT, 'packages/grammar/dist/index.js'));
const analyzer = await import(join(ROOT, 'packages/analyzer/dist/index.js'));

const cached = join(BENCH_DIR, 'out', `kube-proxy-${services}-seed1.iptables-save`);
const text = existsSync(cached) ? readFileSync(cached, 'utf8') : generateKubeProxySnapshot({ services, seed: 1 });
const { snapshot } = grammar.parseSnapshot(text, { fileName: 'kube-proxy.iptables-save' });
const rules = grammar.ruleCount(snapshot);
const chains = snapshot.tables.reduce((n, t) => n + t.chains.length, 0);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
function time(fn) {
  let result = fn(); // warm-up
  const ms = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return { ms: median(ms), result };
}
const fmt = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

const lintRun = time(() => analyzer.lint(snapshot));
const graphRun = time(() => analyzer.buildChainGraph(snapshot));
const dotRun = time(() => analyzer.renderDot(analyzer.buildChainGraph(snapshot)));
const expandedRun = time(() => analyzer.renderDot(analyzer.buildChainGraph(snapshot), { expand: true }));

const byCode = new Map();
for (const d of lintRun.result) byCode.set(d.code, (byCode.get(d.code) ?? 0) + 1);

console.log(`lint and graph on a generated kube-proxy snapshot: ${services} services, ${rules.toLocaleString('en-US')} rules, ${chains.toLocaleString('en-US')} chains (median of ${runs} runs after a warm-up; parse not included)`);
console.log('');
const rows = [
  ['lint (all rules)', lintRun.ms, `${lintRun.result.length} findings${byCode.size ? ': ' + [...byCode].map(([k, v]) => `${k} ${v}`).join(', ') : ''}`],
  ['buildChainGraph', graphRun.ms, `${graphRun.result.tables.map((t) => `${t.name}: ${t.nodes.size} chains, ${t.edges.length} jumps, depth ${t.maxDepth}`).join('; ')}`],
  ['graph → dot (collapsed)', dotRun.ms, `${(dotRun.result.length / 1e3).toFixed(0)} kB of DOT`],
  ['graph → dot (--expand)', expandedRun.ms, `${(expandedRun.result.length / 1e6).toFixed(1)} MB of DOT`],
];
for (const [name, ms, note] of rows) console.log(`  ${name.padEnd(26)} ${fmt(ms).padStart(8)}   ${note}`);
console.log('');
const check = (target, ms) => console.log(`  ${ms <= 2000 ? 'PASS' : 'FAIL'}  ${target}: ${fmt(ms)}`);
check('lint ≤ 2 s', lintRun.ms);
check('graph (build + collapsed dot) ≤ 2 s', dotRun.ms);
