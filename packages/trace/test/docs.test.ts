// docs/trace-json.md is executable: its example is compared with what the documented command prints (every value
// the example shows must be there; arrays in the example are a prefix of the real ones), and every field the
// output has is documented in one of its tables.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, hostContextFromIproute, parseHostContext, toTraceJson, trace } from '../src/index';
import { repoRoot } from './kernel-recorded';
import { containsPart } from '../../../test-support/json-shape';

const doc = readFileSync(path.join(repoRoot, 'docs', 'trace-json.md'), 'utf8');
const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!);

function actual() {
  const rulesFile = 'fixtures/docker-host/iptables-save';
  const snap = parseSnapshot(readFileSync(path.join(repoRoot, rulesFile), 'utf8'), { fileName: rulesFile }).snapshot;
  const host = parseHostContext(readFileSync(path.join(repoRoot, 'fixtures/docker-host/host.json'), 'utf8')).context!;
  return JSON.parse(JSON.stringify(toTraceJson(trace(compileRuleset([snap], host), { from: 'client', dst: '198.51.100.10', proto: 'tcp', dport: 8080 }))));
}

const contains = containsPart;

function keys(v: unknown, prefix: string, out: Set<string>): void {
  if (Array.isArray(v)) { for (const x of v) keys(x, prefix, out); return; }
  if (!v || typeof v !== 'object') return;
  for (const [k, x] of Object.entries(v)) { out.add(k); if (k !== 'packet') keys(x, `${prefix}.${k}`, out); }
}

describe('docs/trace-json.md', () => {
  const out = actual();
  it('its example is what the command prints', () => contains(out, example, '$'));
  it('documents every field of the output', () => {
    const all = new Set<string>();
    keys(out, '$', all);
    const undocumented = [...all].filter((k) => !doc.includes(`\`${k}\``) && !new RegExp(`\\b${k}\\b`).test(doc.split('## Packet')[1] ?? ''));
    expect(undocumented).toEqual([]);
  });
});

// docs/host-facts.md: its examples are what parseHostContext reads without a word, every field the reader knows is
// documented in its section, and its capture command is the one chainsight's own hint gives.
describe('docs/host-facts.md', () => {
  const facts = readFileSync(path.join(repoRoot, 'docs', 'host-facts.md'), 'utf8');
  const blocks = [...facts.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => m[1]!);
  it('has a host context example that reads cleanly and uses every section', () => {
    const r = parseHostContext(blocks.find((b) => b.startsWith('{'))!, 'doc');
    expect(r.diagnostics).toEqual([]);
    const c = r.context!;
    expect([c.interfaces.length > 0, c.routes.length > 0, c.neighbors.length > 0, Object.keys(c.sysctl).length > 0, c.hostname]).toEqual([true, true, true, true, 'docker-host']);
  });
  // The reader lists its known fields in the warning for an unknown one: each must be in the doc's section.
  const known = (json: string) => parseHostContext(json, 'probe').diagnostics.find((d) => d.code === 'trace/host-context-unknown-field')!.hint!.replace('known fields: ', '').split(', ');
  const section = (id: string) => facts.split(`<a id="${id}"></a>`)[1]!.split('<a id=')[0]!;
  const probes: [string, string, string][] = [
    ['the host context', 'host-context', '{ "zz": 1 }'],
    ['an interface', 'interfaces', '{ "interfaces": [{ "name": "a", "zz": 1 }] }'],
    ['a route', 'routes', '{ "interfaces": [{ "name": "a" }], "routes": [{ "dst": "default", "dev": "a", "zz": 1 }] }'],
    ['a neighbour', 'neighbors', '{ "neighbors": [{ "ip": "192.0.2.1", "zz": 1 }] }'],
    ['a policy rule', 'rules', '{ "rules": [{ "table": "local", "zz": 1 }] }'],
  ];
  it.each(probes)('documents every field of %s (section %s)', (_what, id, probe) => {
    const text = section(id);
    expect(known(probe).filter((f) => f !== 'comment' && !text.includes(`\`${f}\``) && !text.includes(`[].${f}\``))).toEqual([]);
  });
  it('documents every sysctl the model reads', () => {
    // The names the simulator and the host model read (and default): 'net.…' literals, and confFlag(dev, 'key').
    const src = ['sim/path.ts', 'host/model.ts'].map((f) => readFileSync(path.join(repoRoot, 'packages/trace/src', f), 'utf8')).join('\n');
    const read = new Set([
      ...[...src.matchAll(/'(net\.[a-z0-9_.-]+[a-z0-9_])'/g)].map((m) => m[1]!),
      ...[...src.matchAll(/confFlag\([^,]+, '([a-z_]+)'\)/g)].map((m) => `net.ipv4.conf.all.${m[1]}`),
    ]);
    expect(read.size).toBeGreaterThanOrEqual(8);
    const text = section('sysctl');
    expect([...read].filter((k) => !text.includes(`\`${k}\``))).toEqual([]);
  });
  it('has a rules example that reads cleanly', () => {
    const rules = blocks.find((b) => b.startsWith('"rules"'))!;
    const r = parseHostContext(`{ "interfaces": [], "routes": [], ${rules} }`, 'doc');
    expect(r.diagnostics).toEqual([]);
    expect(r.context!.rules).toHaveLength(5);
  });
  it('gives the capture command of the hint', () => {
    const command = /^ {4}(\{ ip -j .*\} > host\.iproute\.json)$/m.exec(facts)![1]!;
    const hint = hostContextFromIproute([{ text: '[]', fileName: 'x' }]).diagnostics[0]!.hint!;
    expect(hint).toBe(`capture with: ${command}`);
  });
});
