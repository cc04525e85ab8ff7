// The JSON references are executable: docs/parse-json.md, docs/lint-json.md and docs/graph-json.md each give an
// input and an example; the command run on that input prints the example (every value it shows is there, arrays in
// the example are a prefix of the real ones) and nothing the page does not describe. docs/json.md's table of schema
// ids is what every command prints.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';
import { repoRoot } from '../../../test-support/shared';
import { containsPart } from '../../../test-support/json-shape';

const doc = (name: string) => readFileSync(path.join(repoRoot, 'docs', name), 'utf8');
const read = (f: string) => readFileSync(path.join(repoRoot, f), 'utf8');

async function json(argv: string[], files: Record<string, string>): Promise<Record<string, unknown>> {
  const io = memoryIo(files, '');
  await run(argv, io);
  return JSON.parse(io.out) as Record<string, unknown>;
}

const contains = containsPart;

function keys(v: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(v)) for (const x of v) keys(x, out);
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) { out.add(k); keys(x, out); }
  return out;
}

const PAGES: [string, string][] = [['parse-json.md', 'parse'], ['lint-json.md', 'lint'], ['graph-json.md', 'graph']];

describe.each(PAGES)('docs/%s', (page, command) => {
  const text = doc(page);
  const input = /```iptables-save\n([\s\S]*?)```/.exec(text)![1]!;
  const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(text)![1]!) as unknown;
  const actual = json([command, 'rules.save', '--format', 'json'], { 'rules.save': input });
  it('its example is what the command prints', async () => contains(await actual, example, '$'));
  it('describes every field the command prints', async () => {
    expect([...keys(await actual, new Set())].filter((k) => !text.includes(`\`${k}\``))).toEqual([]);
  });
});

describe('docs/json.md: one schema id convention', () => {
  const table = new Map([...doc('json.md').matchAll(/^\| `chainsight (\w+)` \| `([^`]+)`/gm)].map((m) => [m[1]!, m[2]!]));
  const rules = read('fixtures/docker-host/iptables-save');
  const files = {
    'rules.save': rules, 'host.json': read('fixtures/docker-host/host.json'),
    'other.save': rules.replace(/^-A .*\n/m, ''),
    'xt.log': read('fixtures/explain/docker-host.xtables-monitor.txt'), 'nft.rules': read('fixtures/explain/docker-host.nft.iptables-save'),
  };
  const packet = ['--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'];
  const runs: [string, string[]][] = [
    ['parse', ['parse', 'rules.save']],
    ['lint', ['lint', 'rules.save']],
    ['graph', ['graph', 'rules.save']],
    ['trace', ['trace', 'rules.save', 'host.json', ...packet]],
    ['explain', ['explain', 'xt.log', '--rules', 'nft.rules']],
    ['diff', ['diff', 'rules.save', 'other.save']],
    ['query', ['query', 'rules.save', '--masquerade']],
  ];
  it('lists every command that prints JSON', () => expect([...table.keys()].sort()).toEqual(runs.map((r) => r[0]).sort()));
  it.each(runs)('%s', async (command, argv) => {
    const out = await json([...argv, '--format', 'json'], files);
    expect(Object.keys(out)[0]).toBe('schema');
    expect(out.schema).toBe(table.get(command));
    expect(out.schema).toMatch(new RegExp(`^chainsight\\.${command}/\\d+$`));
  });
  it('trace --then: the conversation document', async () => {
    const out = await json(['trace', 'rules.save', 'host.json', ...packet, '--then', 'reply', '--format', 'json'], files);
    expect(doc('json.md')).toMatch(new RegExp(`^\\| \`chainsight trace\` \\|[^\\n]*\`${String(out.schema)}\``, 'm'));
    expect(out.schema).toBe('chainsight.trace-conversation/1');
  });
});
