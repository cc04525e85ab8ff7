// docs/diff-json.md is executable: its example is diffed and compared with the JSON it shows, and every change
// kind of the model has its own section.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffSnapshots, type ChangeKind } from '../src/index';
import { repoRoot, snapshot } from './helpers';

const doc = readFileSync(resolve(repoRoot, 'docs/diff-json.md'), 'utf8');
const block = (info: string) => {
  const m = new RegExp('```' + info.replace(/[.]/g, '\\.') + '\\n([\\s\\S]*?)```').exec(doc);
  if (!m) throw new Error(`docs/diff-json.md has no \`\`\`${info} block`);
  return m[1]!;
};

const KINDS: Record<ChangeKind, true> = {
  'table-added': true, 'table-removed': true, 'chain-added': true, 'chain-removed': true, 'chain-renamed': true,
  'policy-changed': true, 'rule-added': true, 'rule-removed': true, 'rule-modified': true, 'rule-moved': true,
  'counters-changed': true, 'service-endpoints': true, 'service-added': true, 'service-removed': true,
};

describe('docs/diff-json.md', () => {
  it('its example is what diffSnapshots returns', () => {
    const result = diffSnapshots(snapshot(block('iptables-save before.rules'), 'before.rules'), snapshot(block('iptables-save after.rules'), 'after.rules'));
    const json = JSON.parse(JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)));
    expect(json).toEqual(JSON.parse(block('json')));
  });
  it.each(Object.keys(KINDS))('documents %s', (kind) => {
    expect(doc).toMatch(new RegExp('^### .*`' + kind + '`', 'm'));
  });
});
