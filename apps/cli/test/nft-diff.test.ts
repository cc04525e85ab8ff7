// `chainsight diff` of two nftables rulesets (src/commands/nft-diff.ts, @chainsight/nft diffNftRulesets): what it
// prints and exits with, what it refuses, and docs/diff-nft.md's JSON example as the command prints it.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';
import { repoRoot } from '../../../test-support/shared';

async function cli(argv: string[], files: Record<string, string>) {
  const io = memoryIo(files);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

const OLD = 'table inet t {\n\tchain in {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 accept # handle 3\n\t}\n}\n';
const NEW = 'table inet t {\n\tchain in {\n\t\ttype filter hook input priority filter; policy accept;\n\t\ttcp dport 22 accept # handle 7\n\t\ttcp dport 80 accept # handle 8\n\t}\n}\n';
const SAVE = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
const files = { 'old.nft': OLD, 'new.nft': NEW, 'same.nft': OLD.replace('# handle 3', '# handle 99'), 'host.save': SAVE, 'bad.nft': 'table inet t {\n\tchain in {\n\t\ttcp dport { 22 accept\n\t}\n}\n' };

describe('chainsight diff of nftables rulesets', () => {
  it.each<[string, string[], number, string, string]>([
    ['a rule added: exit 1, the rule with its line', ['old.nft', 'new.nft'], 1, 'table inet t\n  chain in:\n    + rule 2: tcp dport 80 accept (new.nft:5)\n', ''],
    ['only handles differ: exit 0, nothing printed', ['old.nft', 'same.nft'], 0, '', ''],
    ['an nft ruleset and an iptables-save: usage error naming both', ['old.nft', 'host.save'], 2, '',
      'OLD (old.nft) is an nftables ruleset and NEW (host.save) is an iptables-save snapshot'],
    ['an iptables-only option is refused, not ignored', ['old.nft', 'new.nft', '--semantic'], 2, '', '--semantic is not available for nftables rulesets yet'],
    ['a parse error: exit 2, located', ['old.nft', 'bad.nft'], 2, '', 'bad.nft:3:'],
  ])('%s', async (_name, argv, code, out, err) => {
    const r = await cli(['diff', ...argv], files);
    expect(r.code).toBe(code);
    if (out || code !== 2) expect(r.out).toBe(out);
    expect(r.err).toContain(err);
  });

  it('docs/diff-nft.md: its JSON example is what the command prints', async () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'diff-nft.md'), 'utf8');
    const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!) as unknown;
    const r = await cli(['diff', 'old.nft', 'new.nft', '--format', 'json'], files);
    expect(JSON.parse(r.out)).toEqual(example);
  });

  it('iptables-save pairs still go to the iptables diff', async () => {
    const r = await cli(['diff', 'host.save', 'host.save', '--format', 'json'], files);
    expect(JSON.parse(r.out).schema).toBe('chainsight.diff/1');
  });
});
