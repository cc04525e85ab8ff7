// Child process for the "parse" bench section: how long building the parsed model's objects takes when nothing
// is read — the part of a parse no faster reader can remove. Spawned apart from parse-child.mjs so that the copies
// do not count in the parse's peak memory.
//
//   node --expose-gc bench/model-floor-child.mjs <grammar-dist-index.js> <snapshot-file> <runs>
//
// Parses the file once (untimed), then rebuilds its rules — every rule, option, match and target object, span and
// array, as the parser builds them — <runs> times, in two ways, and prints one JSON line:
//   { ok, sharedMs[], copiedMs[] }
// sharedMs: option values and word arrays taken over as they are (the parser shares the repeated ones, so this
// is a lower bound); copiedMs: a new value and word array for every option (an upper bound).

import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const [distPath, file, runsArg] = process.argv.slice(2);
const runs = Math.max(1, Number(runsArg) || 3);
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};

const span = (s) => new s.constructor(s.startLine, s.startColumn, s.startOffset, s.endLine, s.endColumn, s.endOffset);

function rebuild(snapshot, copyValues) {
  const option = (o) => ({
    kind: o.kind, key: o.key, spelling: o.spelling, negated: o.negated, known: o.known,
    value: copyValues ? { ...o.value } : o.value, words: copyValues ? o.words.slice() : o.words, quoted: o.quoted, span: span(o.span),
  });
  const options = (list) => {
    const out = new Array(list.length);
    for (let i = 0; i < list.length; i++) out[i] = option(list[i]);
    return out;
  };
  const kept = [];
  for (const t of snapshot.tables) {
    for (const c of t.chains) {
      const rules = new Array(c.rules.length);
      for (let k = 0; k < rules.length; k++) {
        const r = c.rules[k];
        const matches = new Array(r.matches.length);
        for (let j = 0; j < matches.length; j++) {
          const m = r.matches[j];
          matches[j] = { kind: m.kind, module: m.module, spelling: m.spelling, known: m.known, explicit: m.explicit, options: options(m.options), span: span(m.span) };
        }
        const t0 = r.target;
        const target = t0 && { kind: t0.kind, name: t0.name, type: t0.type, goto: t0.goto, options: options(t0.options), span: span(t0.span) };
        rules[k] = {
          kind: r.kind, family: r.family, table: r.table, chain: r.chain, index: r.index, span: span(r.span), raw: r.raw,
          counters: r.counters, base: options(r.base), matches, target, comment: r.comment,
        };
      }
      kept.push(rules);
    }
  }
  return kept;
}

function time(snapshot, copyValues) {
  let kept = rebuild(snapshot, copyValues); // warm-up
  kept = null;
  const ms = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    kept = rebuild(snapshot, copyValues);
    ms.push(performance.now() - t0);
    kept = null;
  }
  return ms;
}

try {
  const { parseSnapshot } = await import(pathToFileURL(distPath).href);
  const { snapshot } = parseSnapshot(readFileSync(file, 'utf8'), { fileName: file });
  process.stdout.write(JSON.stringify({ ok: true, sharedMs: time(snapshot, false), copiedMs: time(snapshot, true) }) + '\n');
} catch (err) {
  process.stdout.write(JSON.stringify({ ok: false, message: String(err?.stack || err).slice(0, 2000) }) + '\n');
}
