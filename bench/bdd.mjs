#!/usr/bin/env node
// The BDD core on firewall-shaped work: the set of packets that reaches each rule of one long chain
// (reach(i+1) = reach(i) ∧ ¬match(i), every rule terminal), for chains of n, 2n and 4n rules.
//
//   node bench/bdd.mjs [--rules 10000] [--runs 3]
//
// Two chain shapes: "kube" (one rule per service: exact ClusterIP and port, as kube-proxy's KUBE-SERVICES) and
// "mixed" (random source/destination prefixes, port ranges and protocols, as hand-written host firewalls).
// Prints time (median of runs), ns per rule, live nodes of the final reach set, nodes allocated, and peak RSS.
// Needs the built package (packages/bdd/dist). Reported, never asserted.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { Bdd, layout, prefix, equals, range, nodeCount } = await import(join(ROOT, 'packages/bdd/dist/index.js'));

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const base = opt('rules', 10000);
const runs = opt('runs', 3);

// Deterministic PRNG (mulberry32), so every run builds the same chains.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const { fields, varCount } = layout([
  { name: 'iif', width: 6 },
  { name: 'proto', width: 8 },
  { name: 'dst', width: 32 },
  { name: 'dport', width: 16 },
  { name: 'src', width: 32 },
  { name: 'sport', width: 16 },
]);
const F = Object.fromEntries(fields);

function rules(shape, n, seed) {
  const rnd = prng(seed);
  const int = (k) => Math.floor(rnd() * k);
  const out = [];
  for (let i = 0; i < n; i++) {
    if (shape === 'kube') {
      // 10.96.0.0/12 ClusterIPs, one port each, tcp mostly.
      out.push({ proto: int(10) ? 6 : 17, dst: [0x0a600000 + i * 7 + 1, 32], dport: [80 + int(9000), null] });
    } else {
      const len = 8 + int(25);
      const p = (16 + int(16)) | 0;
      const lo = int(60000);
      out.push({
        iif: int(4) ? null : int(40),
        proto: [6, 17, 1][int(3)],
        src: int(2) ? [(0x0a000000 | (int(1 << 24) << 0)) >>> 0, len] : null,
        dst: [(0xc0a80000 | int(1 << 16)) >>> 0, p],
        dport: int(3) ? [lo, lo + int(100)] : null,
      });
    }
  }
  return out;
}

function match(bdd, r) {
  let m = equals(bdd, F.proto, BigInt(r.proto));
  if (r.iif != null) m = bdd.and(m, equals(bdd, F.iif, BigInt(r.iif)));
  if (r.dst) m = bdd.and(m, prefix(bdd, F.dst, BigInt(r.dst[0]) & ((1n << 32n) - 1n), r.dst[1]));
  if (r.src) m = bdd.and(m, prefix(bdd, F.src, BigInt(r.src[0]), r.src[1]));
  if (r.dport) m = bdd.and(m, r.dport[1] == null ? equals(bdd, F.dport, BigInt(r.dport[0])) : range(bdd, F.dport, BigInt(r.dport[0]), BigInt(r.dport[1])));
  return m;
}

function reachAll(chain) {
  const bdd = new Bdd(varCount, { initialNodes: 1 << 16, cacheBits: 20 });
  const reach = new Int32Array(chain.length);
  let r = 1;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < chain.length; i++) {
    reach[i] = r;
    r = bdd.diff(r, match(bdd, chain[i]));
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ms, live: nodeCount(bdd, [r]), allocated: bdd.allocated };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
console.log(`BDD core: reach sets of one chain, ${varCount} variables, median of ${runs}`);
console.log('shape  rules    time       ns/rule   final-set nodes  allocated   growth');
for (const shape of ['kube', 'mixed']) {
  let prev = null;
  for (const n of [base, base * 2, base * 4]) {
    const chain = rules(shape, n, 42);
    const results = Array.from({ length: runs }, () => reachAll(chain));
    const ms = median(results.map((r) => r.ms));
    const { live, allocated } = results[0];
    const growth = prev ? `${(ms / prev).toFixed(2)}× for 2× rules` : '';
    prev = ms;
    console.log(`${shape.padEnd(6)} ${String(n).padStart(6)}  ${ms.toFixed(0).padStart(7)} ms  ${((ms * 1e6) / n).toFixed(0).padStart(8)}  ${String(live).padStart(15)}  ${String(allocated).padStart(9)}   ${growth}`);
  }
}
console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
