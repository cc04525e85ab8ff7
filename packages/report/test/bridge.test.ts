// The bridge path on the diagram: a bridged frame's ebtables steps light the bridge layer's rows, the iptables
// steps br_netfilter adds light the IP layer's, in the order of the steps (fixtures/conformance/bridge-ebtables,
// whose flows the real kernel recorded).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, parseHostContext, toTraceJson, trace, type PacketSpec } from '@chainsight/trace';
import { renderTraceReport, stepRow } from '../src/index';
import { domSteps, repoRoot } from './traces';

const dir = path.join(repoRoot, 'fixtures/conformance/bridge-ebtables');
const read = (f: string) => readFileSync(path.join(dir, f), 'utf8');
const sources = new Map([['iptables-save', read('iptables-save')], ['ebtables-save', read('ebtables-save')]]);
const compiled = compileRuleset(
  [...sources].map(([fileName, text]) => parseSnapshot(text, { fileName }).snapshot),
  parseHostContext(read('host.json'), 'host.json').context,
);

describe.each([
  { flow: 'bridged-ping', spec: { from: 'a', to: 'b', proto: 'icmp' }, rows: ['bridge:forward:filter', 'ip:forward:filter'], stopped: false },
  { flow: 'bridged-udp-screened', spec: { from: 'a', to: 'b', proto: 'udp', dport: 5000 }, rows: ['bridge:forward:filter'], stopped: true },
] as { flow: string; spec: PacketSpec; rows: string[]; stopped: boolean }[])('$flow', ({ spec, rows, stopped }) => {
  const json = toTraceJson(trace(compiled, spec));
  const html = renderTraceReport(json, { sources });
  const o = json.outcomes[0]!;

  it('lights the bridge and IP rows the steps name, in step order', () => {
    const lit = [...html.matchAll(/<rect class="lit" data-box="([^"]+)"/g)].map((m) => m[1]);
    expect(lit).toEqual([...new Set(o.steps.map(stepRow))]);
    for (const r of rows) expect(lit).toContain(r);
  });

  it('starts from a bridge port, and lists every step', () => {
    expect(o.steps[0]!.family).toBe('bridge');
    expect(domSteps(html, 1, 1)).toHaveLength(o.steps.length);
  });

  it(stopped ? 'marks where the frame was dropped' : 'draws no stop mark', () => {
    expect(html.includes('<g class="stop">')).toBe(stopped);
    if (stopped) expect(html).toContain('<div class="banner stopped" role="status">');
  });
});
