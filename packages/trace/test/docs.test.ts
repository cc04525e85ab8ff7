// docs/trace-json.md is executable: its example is compared with what the documented command prints (every value
// the example shows must be there; arrays in the example are a prefix of the real ones), and every field the
// output has is documented in one of its tables.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, hostContextFromIproute, parseHostContext, toTraceJson, trace } from '../src/index';
import { repoRoot } from './kernel-recorded';

const doc = readFileSync(path.join(repoRoot, 'docs', 'trace-json.md'), 'utf8');
const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!);

function actual() {
  const rulesFile = 'fixtures/docker-host/iptables-save';
  const snap = parseSnapshot(readFileSync(path.join(repoRoot, rulesFile), 'utf8'), { fileName: rulesFile }).snapshot;
  const host = parseHostContext(readFileSync(path.join(repoRoot, 'fixtures/docker-host/host.json'), 'utf8')).context!;
  return JSON.parse(JSON.stringify(toTraceJson(trace(compileRuleset([snap], host), { from: 'client', dst: '198.51.100.10', proto: 'tcp', dport: 8080 }))));
}

function contains(whole: unknown, part: unknown, where: string): void {
  if (Array.isArray(part)) {
    expect(Array.isArray(whole), where).toBe(true);
    part.forEach((p, i) => contains((whole as unknown[])[i], p, `${where}[${i}]`));
  } else if (part && typeof part === 'object') {
    for (const [k, v] of Object.entries(part)) contains((whole as Record<string, unknown>)[k], v, `${where}.${k}`);
  } else expect(whole, where).toEqual(part);
}

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

// docs/host-facts.md: its rules example is what parseHostContext reads without a word, and its capture command is
// the one chainsight's own hint gives.
describe('docs/host-facts.md', () => {
  const facts = readFileSync(path.join(repoRoot, 'docs', 'host-facts.md'), 'utf8');
  it('has a rules example that reads cleanly', () => {
    const rules = /```json\n([\s\S]*?)```/.exec(facts)![1]!;
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
