#!/usr/bin/env node
// chainsight benchmark runner (`pnpm bench` runs it after the packages are built).
//
//   node bench/run.mjs [--sizes 10000,30000] [--runs 3] [--section parse]
//
// Benchmarks are reported, not asserted: targets are marked PASS/FAIL/SKIP and the process
// always exits 0. Snapshots are generated into bench/out/ (gitignored).
//
// Adding a section: append { name, description, run } to SECTIONS. run(ctx) returns
// { columns, rows, checks, notes }:
//   columns: [{ key, title, align? }]      rows: [{ [key]: string }]
//   checks:  [{ target, measured, status: 'PASS' | 'FAIL' | 'SKIP' }]
//   notes:   [string]
// ctx offers snapshot(services, { seed, churn, churnSeed }) (generated once, cached in
// bench/out/), timeCommand(), runChild(), median(), formatters, and the parsed options.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildModel, mutateServices, renderSnapshot } from './gen-kube-proxy.mjs';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(BENCH_DIR, '..');
const OUT_DIR = join(BENCH_DIR, 'out');
const GNU_TIME = '/usr/bin/time';
const GRAMMAR_DIST = process.env.BENCH_GRAMMAR_DIST ? resolve(process.env.BENCH_GRAMMAR_DIST) : join(ROOT, 'packages/grammar/dist/index.js');
const CHILD_TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_MS) || 15 * 60 * 1000;

// ---------------------------------------------------------------------------------------------
// helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const MB = 1e6;
const fmt = {
  ms: (ms) => (ms == null ? '-' : ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`),
  bytes: (b) => (b == null ? '-' : b >= 1e9 ? `${(b / 1e9).toFixed(2)} GB` : `${(b / MB).toFixed(1)} MB`),
  int: (n) => (n == null ? '-' : Math.round(n).toLocaleString('en-US')),
  rate: (n) => (n == null ? '-' : n >= 1e6 ? `${(n / 1e6).toFixed(2)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : n.toFixed(0)),
  ratio: (x) => (x == null ? '-' : `${x.toFixed(2)}×`),
  services: (n) => (n % 1000 === 0 ? `${n / 1000}k` : String(n)),
};

function hasExecutable(cmd) {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function parseGnuTime(text) {
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(text);
  const sig = /Command terminated by signal (\d+)/.exec(text);
  return { maxRssKb: rss ? Number(rss[1]) : null, signal: sig ? Number(sig[1]) : null };
}

/**
 * Runs cmd once (under /usr/bin/time -v when available) and returns
 * { ms, code, signal, stdout, stderr, maxRssKb, timedOut }. Wall time is measured here with
 * hrtime around the child's lifetime. stdout goes to `stdoutFile` (e.g. /dev/null) if given,
 * else it is captured.
 */
function runChild(cmd, args, { stdoutFile = null, timeoutMs = CHILD_TIMEOUT_MS, cwd = ROOT } = {}) {
  return new Promise((resolvePromise) => {
    const useTime = existsSync(GNU_TIME);
    const timeFile = join(OUT_DIR, `.time-${process.pid}-${Date.now()}.txt`);
    const argv = useTime ? [GNU_TIME, '-v', '-o', timeFile, cmd, ...args] : [cmd, ...args];
    const outFd = stdoutFile ? openSync(stdoutFile, 'w') : null;
    const t0 = process.hrtime.bigint();
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      stdio: ['ignore', outFd ?? 'pipe', 'pipe'],
      detached: true, // own process group, so a timeout can stop the whole job by its id
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr.length < 1e6 ? (stderr += d) : null));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }, timeoutMs);
    const finish = (code, signal, error) => {
      clearTimeout(timer);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (outFd !== null) closeSync(outFd);
      let maxRssKb = null;
      let childSignal = signal;
      if (useTime && existsSync(timeFile)) {
        const parsed = parseGnuTime(readFileSync(timeFile, 'utf8'));
        maxRssKb = parsed.maxRssKb;
        childSignal = parsed.signal ?? signal;
        rmSync(timeFile, { force: true });
      }
      resolvePromise({ ms, code, signal: childSignal, stdout, stderr: error ? String(error) : stderr, maxRssKb, timedOut, measuredBy: useTime ? 'time -v' : null });
    };
    child.on('error', (err) => finish(null, null, err));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

// ---------------------------------------------------------------------------------------------
// snapshots (cached per process; files are regenerated on every run so they always match the
// generator in this checkout)

const snapshotCache = new Map();
async function snapshot(services, { seed = 1, churn = 0, churnSeed = 2 } = {}) {
  const key = `${services}/${seed}/${churn}/${churnSeed}`;
  if (snapshotCache.has(key)) return snapshotCache.get(key);
  const name = `kube-proxy-${services}-seed${seed}${churn > 0 ? `-churn${churn}-seed${churnSeed}` : ''}.iptables-save`;
  const file = join(OUT_DIR, name);
  const t0 = process.hrtime.bigint();
  let model = buildModel({ services, seed });
  if (churn > 0) model = mutateServices(model, churn, churnSeed);
  const { text, rules, tables } = renderSnapshot(model);
  writeFileSync(file, text);
  const genMs = Number(process.hrtime.bigint() - t0) / 1e6;
  const info = { services, seed, churn, churnSeed, file, name, bytes: Buffer.byteLength(text), rules, tables, genMs };
  snapshotCache.set(key, info);
  log(`  generated ${relative(ROOT, file)}: ${fmt.int(rules)} rules, ${fmt.bytes(info.bytes)} in ${fmt.ms(genMs)}`);
  return info;
}

function log(line = '') {
  process.stdout.write(line + '\n');
}

// ---------------------------------------------------------------------------------------------
// section: parse

async function parseSection(ctx) {
  const columns = [
    { key: 'snapshot', title: 'snapshot' },
    { key: 'size', title: 'size', align: 'right' },
    { key: 'rules', title: 'rules', align: 'right' },
    { key: 'tool', title: 'tool' },
    { key: 'median', title: 'median', align: 'right' },
    { key: 'runs', title: 'runs' },
    { key: 'rulesPerSec', title: 'rules/s', align: 'right' },
    { key: 'mbPerSec', title: 'MB/s', align: 'right' },
    { key: 'peakRss', title: 'peak RSS', align: 'right' },
  ];
  const rows = [];
  const checks = [];
  const notes = [];
  const translateBin = hasExecutable('iptables-restore-translate');
  if (!translateBin) notes.push('iptables-restore-translate not found (Debian package `iptables`): reference timings skipped.');
  if (!existsSync(GNU_TIME)) notes.push(`${GNU_TIME} not found (Debian package \`time\`): peak RSS of chainsight comes from the child's process.resourceUsage().maxRSS; iptables-restore-translate's peak RSS is not measured.`);
  let parserNote = null;

  for (const services of ctx.sizes) {
    const snap = await ctx.snapshot(services);
    const label = `${fmt.services(services)} services`;
    const base = { snapshot: label, size: fmt.bytes(snap.bytes), rules: fmt.int(snap.rules) };

    // chainsight: parseSnapshot in a child node process
    let cs = null;
    if (!existsSync(GRAMMAR_DIST)) {
      parserNote = `chainsight parser not measured: ${relative(ROOT, GRAMMAR_DIST)} does not exist yet (build @chainsight/grammar, e.g. \`pnpm bench\` builds first).`;
      rows.push({ ...base, tool: 'chainsight parseSnapshot', median: 'n/a', runs: 'parser not built' });
    } else {
      log(`  parse: chainsight parseSnapshot on ${snap.name} (1 warm-up + ${ctx.runs} runs) ...`);
      const res = await runChild(process.execPath, ['--expose-gc', '--max-old-space-size=8192', join(BENCH_DIR, 'parse-child.mjs'), GRAMMAR_DIST, snap.file, String(ctx.runs)]);
      const line = res.stdout.trim().split('\n').filter(Boolean).pop();
      let out = null;
      try {
        out = line ? JSON.parse(line) : null;
      } catch {}
      if (!out || !out.ok) {
        const why = out?.message ? condense(out.message) : (res.timedOut ? `timed out after ${fmt.ms(CHILD_TIMEOUT_MS)}` : `child exited with code ${res.code}${res.signal ? `, signal ${res.signal}` : ''}: ${res.stderr.trim().split('\n').slice(-5).join(' | ')}`);
        const unavailable = out && ['missing-export', 'missing-dist', 'import-failed'].includes(out.reason);
        const peak = res.maxRssKb ? res.maxRssKb * 1024 : null;
        if (unavailable) {
          // parser not there (yet): report and carry on, targets are SKIPped
          parserNote = `chainsight parser not measured: ${why}`;
          rows.push({ ...base, tool: 'chainsight parseSnapshot', median: 'n/a', runs: `parser unavailable (${out.reason})` });
        } else {
          notes.push(`chainsight parseSnapshot failed on ${label}: ${why}`);
          rows.push({ ...base, tool: 'chainsight parseSnapshot', median: 'n/a', runs: out?.reason ?? (res.timedOut ? 'timed out' : 'crashed'), peakRss: peak ? fmt.bytes(peak) : '-' });
          cs = { failed: true, peakBytes: peak };
        }
      } else {
        const med = median(out.timesMs);
        const peakBytes = (res.maxRssKb ?? out.maxRssKb) * 1024;
        cs = { med, peakBytes, rules: out.rules, timesMs: out.timesMs, diagnostics: out.diagnostics };
        rows.push({
          ...base,
          tool: 'chainsight parseSnapshot',
          median: fmt.ms(med),
          runs: out.timesMs.map((t) => fmt.ms(t)).join(' / '),
          rulesPerSec: fmt.rate(snap.rules / (med / 1000)),
          mbPerSec: ((snap.bytes / MB) / (med / 1000)).toFixed(1),
          peakRss: fmt.bytes(peakBytes),
        });
        if (out.rules !== snap.rules) notes.push(`${label}: parseSnapshot returned ${fmt.int(out.rules)} rules in ${out.chains} chains; the generator wrote ${fmt.int(snap.rules)}.`);
        if (out.diagnostics > 0) notes.push(`${label}: parseSnapshot reported ${out.diagnostics} diagnostics ${JSON.stringify(out.diagnosticsBySeverity)}; first: ${out.firstDiagnostics.join(' ; ')}`);
        if (!res.maxRssKb) notes.push(`${label}: chainsight peak RSS from process.resourceUsage().maxRSS in the child.`);
      }
    }

    // what building the model's objects costs by itself (no reading): the floor under any parser of this model
    if (cs && !cs.failed) {
      log(`  parse: rebuilding the parsed model of ${snap.name} without reading (${ctx.runs} runs each way) ...`);
      const res = await runChild(process.execPath, ['--expose-gc', '--max-old-space-size=8192', join(BENCH_DIR, 'model-floor-child.mjs'), GRAMMAR_DIST, snap.file, String(ctx.runs)]);
      const line = res.stdout.trim().split('\n').filter(Boolean).pop();
      let out = null;
      try { out = line ? JSON.parse(line) : null; } catch { out = null; }
      if (out?.ok) {
        const shared = median(out.sharedMs);
        const copied = median(out.copiedMs);
        cs.floor = { shared, copied };
        rows.push({ ...base, tool: 'model objects alone (no reading)', median: `${fmt.ms(shared)}–${fmt.ms(copied)}`, runs: 'values shared – values copied' });
      } else notes.push(`${label}: the model rebuild could not be measured: ${out?.message ?? res.stderr.trim().slice(0, 300)}`);
    }

    // reference: iptables-restore-translate -f FILE > /dev/null
    let ref = null;
    if (translateBin) {
      log(`  parse: iptables-restore-translate -f ${snap.name} (1 warm-up + ${ctx.runs} runs) ...`);
      const nftFile = join(OUT_DIR, snap.name.replace(/\.iptables-save$/, '.nft'));
      const warm = await runChild(translateBin, ['-f', snap.file], { stdoutFile: nftFile });
      if (warm.code !== 0) {
        notes.push(`iptables-restore-translate failed on ${label} (exit ${warm.code}${warm.signal ? `, signal ${warm.signal}` : ''}): ${warm.stderr.trim().split('\n').slice(0, 10).join(' | ') || '(no stderr)'}`);
        rows.push({ ...base, tool: 'iptables-restore-translate', median: 'n/a', runs: `exit ${warm.code}` });
      } else {
        const { untranslated, recent, example } = countUntranslated(nftFile);
        if (untranslated > 0) {
          const why =
            recent === untranslated
              ? 'all of them use -m recent (kube-proxy sessionAffinity: ClientIP), which has no nft translation'
              : `${fmt.int(recent)} of them use -m recent (no nft translation); e.g. ${example}`;
          notes.push(`${label}: iptables-restore-translate accepted the file (exit 0) but printed ${fmt.int(untranslated)} rules as untranslated "# -t ..." comments: ${why}. Output kept in ${relative(ROOT, nftFile)}.`);
        }
        if (warm.stderr.trim()) notes.push(`${label}: iptables-restore-translate stderr: ${warm.stderr.trim().split('\n').slice(0, 5).join(' | ')}`);
        const timed = [];
        for (let i = 0; i < ctx.runs; i++) timed.push(await runChild(translateBin, ['-f', snap.file], { stdoutFile: '/dev/null' }));
        const bad = timed.find((r) => r.code !== 0);
        if (bad) notes.push(`iptables-restore-translate exited ${bad.code} on a timed run for ${label}: ${bad.stderr.trim().slice(0, 500)}`);
        const med = median(timed.map((r) => r.ms));
        const rss = timed.map((r) => r.maxRssKb).filter((x) => x != null);
        ref = { med, peakBytes: rss.length ? Math.max(...rss) * 1024 : null, timesMs: timed.map((r) => r.ms), untranslated };
        rows.push({
          ...base,
          tool: 'iptables-restore-translate',
          median: fmt.ms(med),
          runs: ref.timesMs.map((t) => fmt.ms(t)).join(' / '),
          rulesPerSec: fmt.rate(snap.rules / (med / 1000)),
          mbPerSec: ((snap.bytes / MB) / (med / 1000)).toFixed(1),
          peakRss: ref.peakBytes ? fmt.bytes(ref.peakBytes) : 'n/a',
        });
      }
    }

    const ratio = cs?.med && ref?.med ? ref.med / cs.med : null;
    rows.push({ snapshot: '', size: '', rules: '', tool: 'speed-up chainsight vs translate', median: ratio ? fmt.ratio(ratio) : 'n/a' });
    ctx.results.push({ section: 'parse', services, bytes: snap.bytes, rules: snap.rules, chainsight: cs, iptablesRestoreTranslate: ref, speedup: ratio });

    // targets from the spec
    const csMissing = !cs || cs.failed;
    if (services === 10000) {
      checks.push({
        target: '10k services: chainsight ≥ 2× faster than iptables-restore-translate',
        measured: ratio
          ? `${fmt.ratio(ratio)} (${fmt.ms(cs.med)} vs ${fmt.ms(ref.med)}${cs.floor ? `; the model's objects alone take ${fmt.ms(cs.floor.shared)}–${fmt.ms(cs.floor.copied)}` : ''})`
          : cs?.failed ? 'parse failed' : csMissing ? 'parser not measured' : 'reference not measured',
        status: ratio == null ? (cs?.failed ? 'FAIL' : 'SKIP') : ratio >= 2 ? 'PASS' : 'FAIL',
      });
      checks.push({
        target: '10k services: chainsight peak RSS < 600 MB',
        measured: cs?.peakBytes ? fmt.bytes(cs.peakBytes) + (cs.failed ? ' (parse failed)' : '') : 'parser not measured',
        status: !cs ? 'SKIP' : cs.failed ? 'FAIL' : cs.peakBytes < 600 * MB ? 'PASS' : 'FAIL',
      });
    }
    if (services === 30000) {
      checks.push({
        target: `30k services (${fmt.int(snap.rules)} rules): chainsight parses in < 2 GB peak RSS`,
        measured: cs?.peakBytes ? fmt.bytes(cs.peakBytes) + (cs.failed ? ' (parse failed)' : '') : 'parser not measured',
        status: !cs ? 'SKIP' : cs.failed ? 'FAIL' : cs.peakBytes < 2e9 ? 'PASS' : 'FAIL',
      });
    }
  }
  if (parserNote) notes.unshift(parserNote);
  notes.push('chainsight time = parseSnapshot(text) only, in-process (file already read; median after 1 warm-up, gc() between runs); peak RSS = whole child node process. iptables-restore-translate time = whole process (start-up, read, translate, write to /dev/null).');
  notes.push('"model objects alone" = building the rules, options, matches, targets, spans and arrays a parse returns, from the parsed model itself, with nothing read (bench/model-floor-child.mjs): the part of the parse time that only a smaller model can lower. Between option values shared as the parser shares them and a copy of every value.');
  return { columns, rows, checks, notes };
}

// First lines of an error message (and the first stack frame outside node_modules), on one line.
function condense(message) {
  const lines = String(message).split('\n').map((l) => l.trim()).filter(Boolean);
  const head = lines.filter((l) => !l.startsWith('at ')).slice(0, 2);
  const frame = lines.find((l) => l.startsWith('at ') && !l.includes('node_modules') && !l.includes('node:internal'));
  return [...head, frame].filter(Boolean).join(' ').slice(0, 600);
}

// iptables-restore-translate prints rules it cannot translate as "# -t <table> -A ..." lines.
function countUntranslated(nftFile) {
  let untranslated = 0;
  let recent = 0;
  let example = null;
  for (const line of readFileSync(nftFile, 'utf8').split('\n')) {
    if (!line.startsWith('# -t ')) continue;
    untranslated++;
    if (line.includes(' -m recent ')) recent++;
    else example ??= line.slice(0, 200);
  }
  return { untranslated, recent, example };
}

// ---------------------------------------------------------------------------------------------
// sections

/**
 * A section whose figures come from a script of its own (bench/<script>): its report lines are shown as they
 * are, and its `PASS|FAIL|SKIP  target: measured` lines become checks.
 */
function scriptSection(name, description, script, args = []) {
  return {
    name,
    description,
    async run(ctx) {
      const file = join(BENCH_DIR, script);
      if (!existsSync(file)) return { columns: [{ key: 'line', title: 'output' }], rows: [], notes: [`${script} is missing`] };
      const res = await ctx.runChild(process.execPath, ['--max-old-space-size=8192', file, ...args]);
      const rows = [];
      const checks = [];
      for (const line of `${res.stdout}`.split('\n')) {
        const m = /^\s*(PASS|FAIL|SKIP)\s+(.*)$/.exec(line);
        if (m) {
          // `target: measured` or `target (measured …)`
          const colon = m[2].search(/:\s/);
          checks.push(colon >= 0 ? { status: m[1], target: m[2].slice(0, colon), measured: m[2].slice(colon + 2) } : { status: m[1], target: m[2], measured: '' });
        }
        else if (line.trim()) rows.push({ line: line.replace(/^\s+/, '') });
      }
      const notes = res.code === 0 ? [] : [`${script} exited ${res.code}: ${res.stderr.trim().split('\n').slice(-3).join(' / ')}`];
      return { columns: [{ key: 'line', title: `${script} output` }], rows, checks, notes };
    },
  };
}

const SECTIONS = [
  {
    name: 'parse',
    description: 'iptables-save parse throughput and peak memory vs iptables-restore-translate',
    run: parseSection,
  },
  scriptSection('lint-graph', 'lint and chain graph on the generated kube-proxy snapshot (lint ≤ 2 s, graph ≤ 2 s)', 'lint-graph.mjs'),
  scriptSection('diff', 'diff of two generated kube-proxy snapshots differing in 1% of services (≤ 3 s, < 1.5 GB)', 'diff.mjs'),
  scriptSection('trace', 'single packet and --batch through the generated kube-proxy snapshot (≤ 1 ms median, ≥ 10,000 packets/s)', 'trace.mjs'),
  scriptSection('growth', 'time at n, 2n, 4n (and peak memory): diff of a shuffled chain, explain of long lines, the trace outcome limit, kube-proxy fan-out', 'growth.mjs'),
  scriptSection('report', 'trace --format html of one packet through the 10k-service snapshot (< 2 MB, opens in headless Chromium in < 2 s)', 'report.mjs'),
  scriptSection('bdd', 'the BDD library: apply operations, quantification, node and cache figures', 'bdd.mjs'),
  scriptSection('packet-set', 'reach sets of every rule on kube-proxy snapshots of 10k and 30k services (≤ 5 s and ≤ 1.5 GB at 10k), nodes, peak memory', 'packet-set.mjs', ['--services', '10000,30000']),
  scriptSection('nft', 'parse of a kube-proxy nftables-mode ruleset (n, 2n, 4n services; 4n = 10k) against nft -c -f in a cs- namespace, whole process (≤ 1.0×)', 'nft.mjs'),
  scriptSection('whole-process', 'every command as a user runs it, against iptables-restore-translate -f (trace and lint ≤ 1×, diff ≤ 2×, parse ≤ 0.5×); start-up against node -e 0 (≤ 2.5×)', 'whole-process.mjs'),
];

// ---------------------------------------------------------------------------------------------
// printing

function printTable(columns, rows) {
  const widths = columns.map((c) => Math.max(c.title.length, ...rows.map((r) => String(r[c.key] ?? '').length)));
  const line = (cells) =>
    '  ' + cells.map((v, i) => (columns[i].align === 'right' ? String(v).padStart(widths[i]) : String(v).padEnd(widths[i]))).join('  ').trimEnd();
  log(line(columns.map((c) => c.title)));
  log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) log(line(columns.map((c) => r[c.key] ?? '')));
}

function printChecks(checks) {
  if (!checks.length) return;
  log('');
  log('  targets:');
  const w = Math.max(...checks.map((c) => c.target.length));
  for (const c of checks) log(`    ${c.status.padEnd(4)}  ${c.target.padEnd(w)}  measured: ${c.measured}`);
}

// ---------------------------------------------------------------------------------------------
// main

function parseArgs(argv) {
  const opts = { sizes: [10000, 30000], runs: 3, sections: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--sizes') opts.sizes = next().split(',').map((s) => Number(s.trim())).filter((n) => n > 0);
    else if (a === '--runs') opts.runs = Math.max(1, Number(next()) || 3);
    else if (a === '--section') (opts.sections ??= []).push(next());
    else if (a === '-h' || a === '--help') {
      log('usage: node bench/run.mjs [--sizes 10000,30000] [--runs 3] [--section NAME]...');
      log(`sections: ${SECTIONS.map((s) => s.name).join(', ')}`);
      process.exit(0);
    } else {
      log(`bench: ignoring unknown argument ${a}`);
    }
  }
  return opts;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  mkdirSync(OUT_DIR, { recursive: true });
  const iptVersion = spawnSync('sh', ['-c', 'iptables --version 2>/dev/null'], { encoding: 'utf8' }).stdout.trim() || 'iptables not installed';
  log(`chainsight bench — ${new Date().toISOString()}`);
  log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model?.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${iptVersion}`);
  log(`snapshots: kube-proxy style, ${opts.sizes.map(fmt.services).join(' and ')} services (bench/gen-kube-proxy.mjs, seed 1); MB = 10^6 bytes`);

  const ctx = {
    ...opts,
    root: ROOT,
    outDir: OUT_DIR,
    results: [],
    snapshot,
    runChild,
    median,
    fmt,
  };
  const selected = opts.sections ? SECTIONS.filter((s) => opts.sections.includes(s.name)) : SECTIONS;
  const allChecks = [];
  for (const section of selected) {
    log('');
    log(`== ${section.name}: ${section.description}`);
    try {
      const { columns, rows, checks = [], notes = [] } = await section.run(ctx);
      log('');
      printTable(columns, rows);
      printChecks(checks);
      if (notes.length) {
        log('');
        log('  notes:');
        for (const n of notes) log(`    - ${n}`);
      }
      allChecks.push(...checks.map((c) => ({ section: section.name, ...c })));
    } catch (err) {
      log(`  section ${section.name} failed: ${err?.stack || err}`);
    }
  }
  log('');
  const count = (s) => allChecks.filter((c) => c.status === s).length;
  log(`summary: ${count('PASS')} PASS, ${count('FAIL')} FAIL, ${count('SKIP')} SKIP (benchmarks are reported, not asserted; exit code is always 0)`);
  writeFileSync(join(OUT_DIR, 'results.json'), JSON.stringify({ date: new Date().toISOString(), node: process.version, checks: allChecks, results: ctx.results }, null, 2) + '\n');
  log(`results: ${relative(ROOT, join(OUT_DIR, 'results.json'))}`);
}

main()
  .catch((err) => log(`bench: ${err?.stack || err}`))
  .finally(() => {
    process.exitCode = 0;
  });
