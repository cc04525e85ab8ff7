// Child process for the "parse" bench section (spawned by bench/run.mjs, one per snapshot, so
// that the peak RSS belongs to this one parse job).
//
//   node --expose-gc bench/parse-child.mjs <grammar-dist-index.js> <snapshot-file> <runs>
//
// Reads the file (untimed), runs parseSnapshot(text, { fileName }) once as a warm-up and then
// <runs> timed times, and prints one JSON line on stdout:
//   { ok, timesMs[], rules, chains, tables, diagnostics, diagnosticsBySeverity, maxRssKb, heapUsedAfterMb }
// or { ok: false, reason, message }.

import { readFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';

const [distPath, file, runsArg] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg) || 3);
const emit = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

async function main() {
  if (!existsSync(distPath)) {
    return emit({ ok: false, reason: 'missing-dist', message: `${distPath} does not exist (build @chainsight/grammar first)` });
  }
  let mod;
  try {
    mod = await import(pathToFileURL(distPath).href);
  } catch (err) {
    return emit({ ok: false, reason: 'import-failed', message: `cannot import ${distPath}: ${err?.stack || err}` });
  }
  const parseSnapshot = mod.parseSnapshot ?? mod.default?.parseSnapshot;
  if (typeof parseSnapshot !== 'function') {
    return emit({
      ok: false,
      reason: 'missing-export',
      message: `${distPath} has no parseSnapshot export (exports: ${Object.keys(mod).join(', ') || 'none'})`,
    });
  }

  const text = readFileSync(file, 'utf8');
  const fileName = basename(file);
  const opts = { fileName };

  // Warm-up (JIT, lazy initialisation of lexer/grammar tables); result kept for the counts.
  let result = parseSnapshot(text, opts);
  const counts = summarize(result);
  result = null;
  gc();

  const timesMs = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    result = parseSnapshot(text, opts);
    timesMs.push(performance.now() - t0);
    result = null;
    gc();
  }
  emit({
    ok: true,
    timesMs,
    ...counts,
    maxRssKb: process.resourceUsage().maxRSS,
    heapUsedAfterMb: process.memoryUsage().heapUsed / 1e6,
  });
}

function summarize(result) {
  const snapshot = result?.snapshot;
  const tables = Array.isArray(snapshot?.tables) ? snapshot.tables : [];
  let rules = 0;
  let chains = 0;
  for (const t of tables) {
    for (const c of Array.isArray(t?.chains) ? t.chains : []) {
      chains++;
      rules += Array.isArray(c?.rules) ? c.rules.length : 0;
    }
  }
  const diags = Array.isArray(result?.diagnostics) ? result.diagnostics : [];
  const diagnosticsBySeverity = {};
  for (const d of diags) {
    const sev = String(d?.severity ?? d?.level ?? 'unknown');
    diagnosticsBySeverity[sev] = (diagnosticsBySeverity[sev] ?? 0) + 1;
  }
  const firstDiagnostics = diags.slice(0, 3).map((d) => {
    try {
      return JSON.stringify(d).slice(0, 300);
    } catch {
      return String(d).slice(0, 300);
    }
  });
  return { tables: tables.length, chains, rules, diagnostics: diags.length, diagnosticsBySeverity, firstDiagnostics };
}

main().catch((err) => {
  emit({ ok: false, reason: 'parse-threw', message: String(err?.stack || err).slice(0, 2000) });
});
