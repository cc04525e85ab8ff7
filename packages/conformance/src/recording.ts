// A scenario's kernel results as committed fixtures (fixtures/conformance/<scenario>/recorded.<backend>.json,
// written by the kernel suite with CONFORMANCE_RECORD=1): the normalised steps of every packet of every flow, so
// that the comparison runs offline too (no root, no Linux) against what the kernel did.
import type { LabFlowResult } from './kernel-types.js';
import type { Backend } from './simulate.js';

export interface Recording {
  scenario: string;
  backend: Backend;
  /** The lab's trace tool (decides the REJECT mending, flows.ts). */
  tool: string;
  /** What the lab reported besides the traces (ebtables skipped for legacy, broute removed, …). */
  notes: string[];
  flows: LabFlowResult[];
}

export function recordingOf(run: { scenario: string; backend: Backend; tool: string; notes: string[]; kernel: LabFlowResult[] }): Recording {
  return {
    scenario: run.scenario,
    backend: run.backend,
    tool: run.tool,
    notes: run.notes,
    flows: run.kernel.map((f) => ({
      name: f.name,
      flow: f.flow,
      client: f.client,
      server: f.server,
      replied: f.replied,
      packets: f.packets.map((p) => ({ direction: p.direction, packet: p.packet, steps: p.steps.map(({ inferred, ...s }) => (inferred ? { ...s, inferred } : s)) })),
    })),
  };
}

export function parseRecording(text: string, file: string): Recording {
  const r = JSON.parse(text) as Recording;
  if (typeof r.scenario !== 'string' || (r.backend !== 'nft' && r.backend !== 'legacy') || !Array.isArray(r.flows)) {
    throw new Error(`${file}: not a conformance recording`);
  }
  return r;
}

/** The recording as committed: readable, one line per step and per packet header, so diffs stay small. */
export function formatRecording(r: Recording): string {
  const lines: string[] = ['{'];
  lines.push(`  "scenario": ${JSON.stringify(r.scenario)},`, `  "backend": ${JSON.stringify(r.backend)},`, `  "tool": ${JSON.stringify(r.tool)},`);
  lines.push(`  "notes": ${JSON.stringify(r.notes)},`, '  "flows": [');
  r.flows.forEach((f, i) => {
    lines.push('    {');
    lines.push(`      "name": ${JSON.stringify(f.name)}, "client": ${JSON.stringify(f.client)}, "server": ${JSON.stringify(f.server)}, "replied": ${f.replied},`);
    lines.push(`      "flow": ${JSON.stringify(f.flow)},`, '      "packets": [');
    f.packets.forEach((p, j) => {
      lines.push(`        { "direction": ${JSON.stringify(p.direction)}, "packet": ${JSON.stringify(p.packet)}, "steps": [`);
      p.steps.forEach((s, k) => lines.push(`          ${JSON.stringify(s)}${k < p.steps.length - 1 ? ',' : ''}`));
      lines.push(`        ] }${j < f.packets.length - 1 ? ',' : ''}`);
    });
    lines.push('      ]', `    }${i < r.flows.length - 1 ? ',' : ''}`);
  });
  lines.push('  ]', '}', '');
  return lines.join('\n');
}
