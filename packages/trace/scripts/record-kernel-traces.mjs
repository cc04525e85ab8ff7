#!/usr/bin/env node
// Records the real kernel's traces for the scenarios of kernel-scenarios.mjs with the kernel lab (Linux, root):
// each scenario's host is rebuilt in network namespaces, its rules loaded with the given backend, each flow sent
// and the kernel's own TRACE output captured and normalised to steps. Output: fixtures/trace/recorded/
// <scenario>.<backend>.json, committed, replayed by packages/trace/test/kernel-recorded.test.ts.
//
//   (cd packages/kernel-lab && npx tsup)          # the lab is imported from its build
//   node packages/trace/scripts/record-kernel-traces.mjs [SCENARIO...]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCENARIOS } from './kernel-scenarios.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const shared = process.env.CHAINSIGHT_SHARED_DIR ? path.resolve(process.env.CHAINSIGHT_SHARED_DIR) : path.resolve(root, '..', 'shared'); // as test-support/shared.ts
const lab = await import(path.join(root, 'packages', 'kernel-lab', 'dist', 'index.js'));

const read = (p) => readFileSync(p.startsWith('shared:') ? path.join(shared, p.slice(7)) : path.join(root, p), 'utf8');

/** ebtables-nft cannot load a broute table: drop that section (its rules only log). */
function withoutBroute(text) {
  const out = [];
  let skip = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) skip = line.trim() === '*broute';
    if (!skip) out.push(line);
  }
  return out.join('\n');
}

const avail = lab.labAvailability();
if (!avail.ok) {
  console.error(`kernel lab unavailable: ${avail.reason}`);
  process.exit(2);
}
const wanted = process.argv.slice(2);
const outDir = path.join(root, 'fixtures', 'trace', 'recorded');
mkdirSync(outDir, { recursive: true });
for (const s of SCENARIOS) {
  if (wanted.length && !wanted.includes(s.name)) continue;
  const flows = s.flows.flatMap((f) => (f.repeat ? Array.from({ length: f.repeat }, (_, i) => ({ ...f, name: `${f.name}#${i + 1}`, repeat: undefined })) : [f]));
  for (const backend of s.backends) {
    const scenario = {
      name: s.name,
      hostContext: JSON.parse(read(s.hostContext)),
      iptablesSave: read(s.iptables),
      ...(s.ebtables && backend === 'nft' ? { ebtablesSave: withoutBroute(read(s.ebtables)) } : {}),
      flows: flows.map(({ repeat: _r, ...f }) => f),
    };
    process.stderr.write(`recording ${s.name} (${backend}) …\n`);
    const result = await lab.runScenario(scenario, { backend });
    const record = {
      scenario: s.name,
      backend,
      tool: result.tool,
      hostContext: s.hostContext,
      iptables: s.iptables,
      ebtables: s.ebtables && backend === 'nft' ? `${s.ebtables} (without its broute table)` : null,
      kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
      warnings: result.warnings,
      flows: result.flows.map((f) => ({
        name: f.name,
        flow: f.flow,
        client: f.client,
        server: f.server,
        replied: f.replied,
        packets: f.packets.map((p) => ({ direction: p.direction, packet: p.packet, steps: p.steps })),
        rawTrace: f.rawTrace,
      })),
    };
    const file = path.join(outDir, `${s.name}.${backend}.json`);
    writeFileSync(file, JSON.stringify(record, null, 1) + '\n');
    process.stderr.write(`  → ${path.relative(root, file)} (${record.flows.length} flows${result.warnings.length ? `, ${result.warnings.length} warnings` : ''})\n`);
    for (const w of result.warnings) process.stderr.write(`  warning: ${w}\n`);
  }
}
