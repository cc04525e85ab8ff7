#!/usr/bin/env node
// Whole-process times of every chainsight command, as a user runs them: `node apps/cli/bin/chainsight.js …`,
// start-up, reading, parsing, the work and the output included. On the generated kube-proxy snapshot (10k
// services ≈ 128k rules, gen-kube-proxy.mjs) each command is set against `iptables-restore-translate -f` on the
// same file in the same run (ratio of medians; the runs of all commands are interleaved, so a change of load on
// a shared machine moves them alike). Start-up (`--version`, `parse` of a 3-line file) is set against `node -e 0`.
//
//   node bench/whole-process.mjs [--services 10000] [--runs 3] [--startup-runs 11]
//
// Uses the built CLI (apps/cli/dist; `pnpm run build` first). Each row also gives the median CPU time (user +
// system, from /usr/bin/time when present): on a busy machine it moves less than the wall time. Targets:
// trace of one packet and lint ≤ 1.0× the reference, diff ≤ 2.0× (it reads two files), parse ≤ 0.5× (known
// unmet: it needs a more compact IR), start-up ≤ 2.5× `node -e 0`. Reported, not asserted: always exits 0.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, renderSnapshot } from './gen-kube-proxy.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const OUT = join(BENCH_DIR, 'out');
// BENCH_CLI_BIN runs another build of the CLI (e.g. one made from an earlier commit) in its place.
const BIN = process.env.BENCH_CLI_BIN ? resolve(process.env.BENCH_CLI_BIN) : join(ROOT, 'apps', 'cli', 'bin', 'chainsight.js');
const GNU_TIME = '/usr/bin/time';

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}
const services = option('services', 10000);
const runs = option('runs', 3);
const startupRuns = option('startup-runs', 11);

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmtMs = (ms) => (ms == null ? '-' : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtRatio = (x) => (x == null ? '-' : `${x.toFixed(2)}×`);

function which(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** One run: wall time around the child, CPU time from GNU time when it is there. Output goes to /dev/null. */
function once(argv, ok) {
  const timeFile = join(OUT, `.whole-process-${process.pid}.time`);
  const useTime = existsSync(GNU_TIME);
  const full = useTime ? [GNU_TIME, '-f', '%U %S', '-o', timeFile, ...argv] : argv;
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 26, env: { ...process.env, NO_COLOR: '1' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  let cpuMs = null;
  if (useTime && existsSync(timeFile)) {
    const m = /([\d.]+) ([\d.]+)\s*$/.exec(readFileSync(timeFile, 'utf8'));
    if (m) cpuMs = (Number(m[1]) + Number(m[2])) * 1000;
    rmSync(timeFile, { force: true });
  }
  const code = r.status;
  const failed = r.error || !ok.includes(code) ? `exit ${code ?? r.signal}: ${(r.stderr || String(r.error ?? '')).trim().split('\n').slice(-2).join(' | ').slice(0, 300)}` : null;
  return { ms, cpuMs, failed };
}

/** Runs every job `n` times, round-robin; returns medians per job. */
function measure(jobs, n) {
  const seen = new Map(jobs.map((j) => [j.key, { wall: [], cpu: [], failed: null }]));
  for (let i = 0; i < n; i++) {
    for (const j of jobs) {
      const r = once(j.argv, j.ok);
      const s = seen.get(j.key);
      s.wall.push(r.ms);
      if (r.cpuMs != null) s.cpu.push(r.cpuMs);
      s.failed ??= r.failed;
    }
  }
  return new Map([...seen].map(([k, s]) => [k, { wall: median(s.wall), cpu: s.cpu.length ? median(s.cpu) : null, failed: s.failed }]));
}

if (!existsSync(join(dirname(BIN), '..', 'dist', 'index.js'))) {
  console.log(`SKIP whole-process: ${relative(ROOT, join(dirname(BIN), '..', 'dist'))} is not built (run \`npx -y pnpm@10.34.8 run build\`)`);
  process.exit(0);
}
mkdirSync(OUT, { recursive: true });

// The snapshot, and the same snapshot with one endpoint changed: one DNAT sends to another pod address.
const snap = join(OUT, `kube-proxy-${services}-seed1.iptables-save`);
const { text, rules } = renderSnapshot(buildModel({ services, seed: 1 }));
writeFileSync(snap, text);
const dnat = /--to-destination (\d+\.\d+\.\d+\.)(\d+):(\d+)/.exec(text);
const changed = join(OUT, `kube-proxy-${services}-seed1-one-endpoint.iptables-save`);
writeFileSync(changed, text.replace(dnat[0], `--to-destination ${dnat[1]}${(Number(dnat[2]) % 250) + 1}:${dnat[3]}`));
// One packet: a pod on this node to the first ClusterIP service of KUBE-SERVICES, rules only (no host facts).
const svc = /^-A KUBE-SERVICES -d (\S+)\/32 -p (tcp|udp) .*--dport (\d+) -j KUBE-SVC-/m.exec(text);
const packet = ['--in', 'cni0', '--src', '10.1.0.50', '--dst', svc[1], '--proto', svc[2], '--dport', svc[3]];
// A kernel TRACE log of that packet (legacy TRACE lines, as `trace --format kernel --trace-all` prints them) for explain.
const log = join(OUT, `kube-proxy-${services}-seed1-trace.log`);
const traced = spawnSync(process.execPath, [BIN, 'trace', snap, ...packet, '--format', 'kernel', '--trace-all'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 });
writeFileSync(log, traced.stdout);
const small = join(OUT, 'three-lines.iptables-save');
writeFileSync(small, '*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n');

const cs = (...args) => [process.execPath, BIN, ...args];
const translate = which('iptables-restore-translate');
const jobs = [
  ...(translate ? [{ key: 'reference', label: 'iptables-restore-translate -f', argv: [translate, '-f', snap], ok: [0] }] : []),
  { key: 'parse', label: 'parse', argv: cs('parse', snap), ok: [0], target: 0.5 },
  { key: 'fmt', label: 'fmt', argv: cs('fmt', snap), ok: [0] },
  { key: 'lint', label: 'lint', argv: cs('lint', snap), ok: [0, 1], target: 1.0 },
  { key: 'trace', label: `trace of one packet (${svc[2]} to ${svc[1]}:${svc[3]})`, argv: cs('trace', snap, ...packet), ok: [0, 1], target: 1.0 },
  { key: 'diff', label: 'diff, one endpoint changed', argv: cs('diff', snap, changed), ok: [0, 1], target: 2.0 },
  { key: 'graph', label: 'graph', argv: cs('graph', snap), ok: [0] },
  { key: 'explain', label: `explain of that packet's TRACE log (${traced.stdout.split('\n').filter((l) => l.includes('TRACE')).length} lines)`, argv: cs('explain', log, '--rules', snap), ok: [0, 1] },
];
const big = measure(jobs, runs);
const ref = big.get('reference');
const startJobs = [
  { key: 'node', label: 'node -e 0', argv: [process.execPath, '-e', '0'], ok: [0] },
  { key: 'version', label: 'chainsight --version', argv: cs('--version'), ok: [0] },
  { key: 'small', label: 'chainsight parse (3-line file)', argv: cs('parse', small), ok: [0] },
];
const start = measure(startJobs, startupRuns);
const base = start.get('node');

const rows = [];
const checks = [];
const row = (label, m, against) => {
  const ratio = m && against && !m.failed ? m.wall / against.wall : null;
  const cpuRatio = m?.cpu != null && against?.cpu != null && !m.failed ? m.cpu / against.cpu : null;
  rows.push([label, m?.failed ? 'failed' : fmtMs(m?.wall), fmtMs(m?.cpu), fmtRatio(ratio), fmtRatio(cpuRatio)]);
  return ratio;
};

console.log(`whole-process times: generated kube-proxy snapshot, ${services} services, ${rules.toLocaleString('en-US')} rules (${relative(ROOT, snap)}); median of ${runs} interleaved runs, start-up of ${startupRuns}`);
console.log('');
for (const j of jobs) {
  const m = big.get(j.key);
  const ratio = row(j.label, m, j.key === 'reference' ? null : ref);
  if (m.failed) console.log(`note: ${j.label} failed: ${m.failed}`);
  if (j.target === undefined) continue;
  const name = `${services / 1000}k services: ${j.key === 'trace' ? 'trace of one packet' : j.key} ≤ ${j.target.toFixed(1)}× iptables-restore-translate -f, whole process`;
  if (!ref) checks.push(`SKIP ${name}: iptables-restore-translate not found (Debian package iptables)`);
  else if (m.failed || ref.failed) checks.push(`FAIL ${name}: ${m.failed ?? `the reference failed: ${ref.failed}`}`);
  else checks.push(`${ratio <= j.target ? 'PASS' : 'FAIL'} ${name}: ${fmtRatio(ratio)} (${fmtMs(m.wall)} vs ${fmtMs(ref.wall)}; CPU ${fmtMs(m.cpu)} vs ${fmtMs(ref.cpu)})`);
}
for (const j of startJobs) {
  const m = start.get(j.key);
  const ratio = row(`start-up: ${j.label}`, m, j.key === 'node' ? null : base);
  if (j.key === 'node') continue;
  const name = `start-up: ${j.label} ≤ 2.5× node -e 0`;
  checks.push(m.failed ? `FAIL ${name}: ${m.failed}` : `${ratio <= 2.5 ? 'PASS' : 'FAIL'} ${name}: ${fmtRatio(ratio)} (${fmtMs(m.wall)} vs ${fmtMs(base.wall)})`);
}
const head = ['command', 'wall', 'CPU', 'ratio', 'CPU ratio'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(head));
for (const r of rows) console.log(line(r));
console.log('');
console.log('ratio: chainsight median / iptables-restore-translate -f median (start-up rows: / node -e 0); CPU = user + system time of the process.');
for (const c of checks) console.log(c);
