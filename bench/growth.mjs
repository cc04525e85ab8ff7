#!/usr/bin/env node
// Growth rows: how time (and peak memory) grows with the input for the cases that used to be quadratic or
// unbounded. Each case runs at n, 2n and 4n; each size is a whole `chainsight` process (the built CLI,
// apps/cli/bin/chainsight.js: parse, work, output to /dev/null), median of --runs wall times, and with GNU time
// (/usr/bin/time -v) the median CPU time (user + system, which moves less than wall time on a shared machine) and
// peak RSS. Ratios t(2n)/t(n) and t(4n)/t(2n) near 2 mean linear growth, near 4 quadratic; the start-up (about
// half a second) is in every figure, so a ratio below 2 is no faster than linear. Figures only: nothing here
// passes or fails, and the process exits 0.
//
//   node bench/growth.mjs [--runs 3] [--case diff-shuffled,explain-fields,explain-wrapped,trace-fork-cap,trace-fan-out] [--scale 1]
//
// Cases (inputs generated into bench/out/growth/, deterministic):
//   diff-shuffled    a FORWARD chain of n rules against the same rules shuffled (every rule moved)
//   explain-fields   one legacy TRACE line with n packet fields
//   explain-wrapped  one legacy TRACE line wrapped over n continuation lines
//   trace-fork-cap   n FORWARD rules `-m recent --rcheck -m limit` (2^2n paths) under the default 256-outcome limit
//   trace-fan-out    one kube-proxy service with n endpoints (bench/gen-kube-proxy.mjs), --max-outcomes n: every
//                    endpoint explored, each path resumed at its draw (packages/trace/src/sim/resume.ts)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, renderSnapshot } from './gen-kube-proxy.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const CLI = join(root, 'apps', 'cli', 'bin', 'chainsight.js');
const OUT = join(here, 'out', 'growth');
const GNU_TIME = '/usr/bin/time';

function options(argv) {
  const o = { runs: 3, cases: null, scale: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--runs') o.runs = Number(argv[++i]);
    else if (a === '--case') o.cases = argv[++i].split(',');
    else if (a === '--scale') o.scale = Number(argv[++i]);
    else if (a === '-h' || a === '--help') {
      process.stdout.write('usage: node bench/growth.mjs [--runs 3] [--case NAME,...] [--scale 1]\n');
      process.exit(0);
    }
  }
  return o;
}

/** A small deterministic generator (LCG), so every run shuffles alike. */
function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
}

const FILTER_HEAD = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n';
const LOG_HEAD = 'Dec  7 10:00:00 host kernel: [100.000001] TRACE: filter:INPUT:policy:1 IN=eth0 OUT= MAC=52:54:00:00:00:01:52:54:00:00:00:02:08:00 SRC=192.0.2.7 DST=192.0.2.10 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=40000 DPT=22 WINDOW=64240 RES=0x00 SYN URGP=0';

const CASES = [
  {
    name: 'diff-shuffled', unit: 'rules', base: 5000,
    make(n) {
      const rules = [];
      for (let i = 0; i < n; i++) rules.push(`-A FORWARD -s 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32 -p tcp -m tcp --dport ${1 + (i % 60000)} -j ${i % 3 ? 'ACCEPT' : 'DROP'}`);
      const a = write(`chain-${n}.save`, `${FILTER_HEAD}${rules.join('\n')}\nCOMMIT\n`);
      const rnd = rng(7);
      for (let i = n - 1; i > 0; i--) { const j = Math.floor(rnd() * (i + 1)); [rules[i], rules[j]] = [rules[j], rules[i]]; }
      const b = write(`chain-${n}-shuffled.save`, `${FILTER_HEAD}${rules.join('\n')}\nCOMMIT\n`);
      return ['diff', a, b];
    },
  },
  {
    name: 'explain-fields', unit: 'fields', base: 5000,
    make(n) {
      const extra = Array.from({ length: n }, (_, i) => (i % 2 ? `ID=${i}` : `MARK=0x${i.toString(16)}`)).join(' ');
      const log = write(`fields-${n}.log`, `${LOG_HEAD} ${extra}\n`);
      return ['explain', log, '--rules', rulesForExplain()];
    },
  },
  {
    name: 'explain-wrapped', unit: 'lines', base: 4000,
    make(n) {
      const lines = [LOG_HEAD];
      for (let i = 0; i < n; i++) lines.push(` MARK=0x${i.toString(16)} TTL=64`);
      const log = write(`wrapped-${n}.log`, `${lines.join('\n')}\n`);
      return ['explain', log, '--rules', rulesForExplain()];
    },
  },
  {
    name: 'trace-fork-cap', unit: 'rules', base: 250, memory: true,
    make(n) {
      const rules = Array.from({ length: n }, (_, i) => `-A FORWARD -m recent --rcheck --name r${i} --rsource -m limit --limit 5/sec --limit-burst 10`);
      const file = write(`fork-${n}.save`, `${FILTER_HEAD.replace(':FORWARD ACCEPT', ':FORWARD DROP')}${rules.join('\n')}\nCOMMIT\n`);
      return ['trace', file, '--in', 'eth0', '--out', 'eth1', '--src', '192.0.2.7', '--dst', '198.51.100.7'];
    },
  },
  {
    name: 'trace-fan-out', unit: 'endpoints', base: 2000, memory: true,
    make(n) {
      const model = buildModel({ services: 1, seed: 1 });
      const svc = model.services[0];
      Object.assign(svc, { type: 'ClusterIP', affinity: false, local: false, externalIPs: [], lbIPs: [], sourceRanges: [] });
      svc.ports = [svc.ports[0]];
      svc.endpoints = Array.from({ length: n }, (_, i) => ({ ip: `10.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`, local: false }));
      const file = write(`fan-out-${n}.save`, renderSnapshot(model).text);
      return ['trace', file, '--local', '--src', '10.0.0.1', '--dst', svc.clusterIP, '--proto', svc.ports[0].protocol, '--dport', String(svc.ports[0].port), '--max-outcomes', String(n)];
    },
  },
];

function write(name, text) {
  const file = join(OUT, name);
  writeFileSync(file, text);
  return file;
}

function rulesForExplain() {
  const file = join(OUT, 'explain-rules.save');
  if (!existsSync(file)) writeFileSync(file, `${FILTER_HEAD}-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\nCOMMIT\n`);
  return file;
}

function runOnce(args) {
  return new Promise((done) => {
    const useTime = existsSync(GNU_TIME);
    const timeFile = join(OUT, `.time-${process.pid}.txt`);
    const argv = useTime ? [GNU_TIME, '-v', '-o', timeFile, process.execPath, '--max-old-space-size=8192', CLI, ...args] : [process.execPath, '--max-old-space-size=8192', CLI, ...args];
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => { if (stderr.length < 1e5) stderr += d; });
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      let rssKb = null;
      let cpuMs = null;
      if (useTime && existsSync(timeFile)) {
        const t = readFileSync(timeFile, 'utf8');
        rssKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(t)?.[1] ?? NaN);
        const user = /User time \(seconds\): ([\d.]+)/.exec(t)?.[1];
        const sys = /System time \(seconds\): ([\d.]+)/.exec(t)?.[1];
        if (user !== undefined && sys !== undefined) cpuMs = (Number(user) + Number(sys)) * 1000;
        rmSync(timeFile, { force: true });
      }
      done({ ms, cpuMs, code, rssKb, stderr });
    });
  });
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const fmtMs = (ms) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const fmtMb = (kb) => (kb == null || Number.isNaN(kb) ? '-' : `${(kb * 1024 / 1e6).toFixed(0)} MB`);

async function main() {
  const o = options(process.argv.slice(2));
  if (!existsSync(join(root, 'apps', 'cli', 'dist', 'index.js'))) {
    process.stdout.write('the CLI is not built (npx -y pnpm@10.34.8 run build): no growth rows\n');
    return;
  }
  mkdirSync(OUT, { recursive: true });
  process.stdout.write(`growth rows: whole process (${CLI.slice(root.length + 1)}), median of ${o.runs} runs per size (wall time; cpu = user + system); MB = 10^6 bytes\n`);
  for (const c of CASES) {
    if (o.cases && !o.cases.includes(c.name)) continue;
    const sizes = [1, 2, 4].map((k) => Math.round(c.base * o.scale * k));
    const rows = [];
    for (const n of sizes) {
      const args = c.make(n);
      const runs = [];
      for (let r = 0; r < o.runs; r++) runs.push(await runOnce(args));
      const failed = runs.find((r) => r.code !== 0 && r.code !== 1);
      const cpu = runs.filter((r) => r.cpuMs != null).map((r) => r.cpuMs);
      rows.push({ n, ms: median(runs.map((r) => r.ms)), cpuMs: cpu.length ? median(cpu) : null, rssKb: Math.max(...runs.map((r) => r.rssKb ?? 0)) || null, failed });
    }
    const cells = rows.map((r, i) => {
      const ratio = i ? ` (×${(r.ms / rows[i - 1].ms).toFixed(2)})` : '';
      const prev = i ? rows[i - 1].cpuMs : null;
      const cpu = r.cpuMs == null ? '' : `, cpu ${fmtMs(r.cpuMs)}${prev ? ` (×${(r.cpuMs / prev).toFixed(2)})` : ''}`;
      const mem = c.memory ? `, peak ${fmtMb(r.rssKb)}` : '';
      const bad = r.failed ? ` [exit ${r.failed.code}: ${r.failed.stderr.trim().split('\n').slice(-1)[0] ?? ''}]` : '';
      return `${r.n.toLocaleString('en-US')} ${c.unit}: ${fmtMs(r.ms)}${ratio}${cpu}${mem}${bad}`;
    });
    process.stdout.write(`${c.name.padEnd(16)} ${cells.join(' · ')}\n`);
  }
}

await main();
