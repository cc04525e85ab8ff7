#!/usr/bin/env node
// Benchmark of `chainsight trace` on the generated kube-proxy snapshot (bench/gen-kube-proxy.mjs, 10k services
// ≈ 128k rules): single-packet median latency after load, and --batch throughput (packets/s). Prints figures and
// the targets from the trace issue (≤ 1 ms median, ≥ 10,000 packets/s) as PASS/FAIL; never fails the process.
// Uses the built packages (packages/*/dist): run `npx -y pnpm@10.34.8 run build` first.
//
//   node bench/trace.mjs [--services 10000] [--packets 2000] [--seed 1]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { generateKubeProxySnapshot } from './gen-kube-proxy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const services = arg('services', 10000);
const packets = arg('packets', 2000);
const seed = arg('seed', 1);

const { parseSnapshot } = await import(path.join(here, '..', 'packages', 'grammar', 'dist', 'index.js'));
const { compileRuleset, trace } = await import(path.join(here, '..', 'packages', 'trace', 'dist', 'index.js'));

const outDir = path.join(here, 'out');
mkdirSync(outDir, { recursive: true });
const file = path.join(outDir, `kube-proxy-${services}-seed${seed}.iptables-save`);
if (!existsSync(file)) writeFileSync(file, generateKubeProxySnapshot({ services, seed }));
const text = readFileSync(file, 'utf8');

// The generator's local node: node IP 192.168.0.2, pod CIDR 10.1.0.0/24 on cni0, the other nodes' pods via eth0.
const host = {
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8'] },
    { name: 'eth0', mac: '52:54:00:00:00:02', addresses: ['192.168.0.2/24'] },
    { name: 'cni0', type: 'bridge', mac: '0a:58:0a:01:00:01', addresses: ['10.1.0.1/24'] },
    { name: 'vethpod', type: 'veth', master: 'cni0', mac: '9a:00:00:00:00:50' },
  ],
  routes: [{ dst: 'default', via: '192.168.0.1', dev: 'eth0' }, { dst: '10.0.0.0/8', via: '192.168.0.3', dev: 'eth0' }],
  neighbors: [{ name: 'pod', ip: '10.1.0.50', mac: '0a:58:0a:01:00:32', dev: 'cni0', port: 'vethpod' }],
  sysctl: {},
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

let t = performance.now();
const { snapshot } = parseSnapshot(text, { fileName: path.basename(file) });
const parseMs = performance.now() - t;
t = performance.now();
const compiled = compileRuleset([snapshot], host);
const compileMs = performance.now() - t;
const rules = snapshot.tables.reduce((n, tb) => n + tb.chains.reduce((m, c) => m + c.rules.length, 0), 0);

// Packets: one per ClusterIP service port of nat KUBE-SERVICES (from a pod), plus NodePort packets from outside.
const specs = [];
const nat = snapshot.tables.find((tb) => tb.name === 'nat');
for (const r of nat.chains.find((c) => c.name === 'KUBE-SERVICES').rules) {
  const d = r.base.find((o) => o.key === 'destination');
  const proto = r.base.find((o) => o.key === 'protocol');
  const dport = r.matches.flatMap((m) => m.options).find((o) => o.key === 'dport');
  if (!d || !proto || !dport || d.value.type !== 'address' || dport.value.type !== 'port-range') continue;
  const dst = d.words[0].replace(/\/32$/, '');
  specs.push({ from: 'pod', dst, proto: proto.words[0], dport: dport.value.from });
}
for (const r of nat.chains.find((c) => c.name === 'KUBE-NODEPORTS')?.rules ?? []) {
  const dport = r.matches.flatMap((m) => m.options).find((o) => o.key === 'dport');
  const proto = r.base.find((o) => o.key === 'protocol');
  if (dport?.value.type === 'port-range' && proto) specs.push({ src: '203.0.113.9', dst: '192.168.0.2', proto: proto.words[0], dport: dport.value.from });
}
const pick = (i) => specs[(i * 7919) % specs.length];

// Warm up, then single-packet latencies.
for (let i = 0; i < 200; i++) trace(compiled, pick(i));
const lat = [];
let outcomes = 0;
for (let i = 0; i < packets; i++) {
  const s = pick(i + 1000);
  const a = performance.now();
  const r = trace(compiled, s);
  lat.push(performance.now() - a);
  outcomes += r.outcomes.length;
}
const med = median(lat);
const p99 = [...lat].sort((a, b) => a - b)[Math.floor(lat.length * 0.99)];

// Batch throughput: like `chainsight trace --batch`, one compiled ruleset, many packets in a row.
const batchN = Math.max(packets * 5, 10000);
t = performance.now();
for (let i = 0; i < batchN; i++) trace(compiled, pick(i + 5000));
const batchS = (performance.now() - t) / 1000;
const pps = batchN / batchS;

const fmt = (n, d = 2) => n.toFixed(d);
console.log(`trace benchmark: generated kube-proxy snapshot, ${services} services, ${rules} rules (${path.relative(process.cwd(), file)})`);
console.log(`  parse ${fmt(parseMs, 0)} ms, compile ${fmt(compileMs, 0)} ms; ${specs.length} distinct packets (ClusterIP from a pod, NodePort from outside)`);
console.log(`  single packet: median ${fmt(med, 3)} ms, p99 ${fmt(p99, 3)} ms over ${packets} packets (${fmt(outcomes / packets, 2)} outcomes per packet)`);
console.log(`  batch: ${batchN} packets in ${fmt(batchS, 2)} s = ${Math.round(pps)} packets/s`);
console.log(`  target single packet ≤ 1 ms median: ${med <= 1 ? 'PASS' : 'FAIL'}`);
console.log(`  target --batch ≥ 10,000 packets/s: ${pps >= 10000 ? 'PASS' : 'FAIL'}`);
