// `chainsight lint`, driven through run(argv, io) without a process: exit codes, text with code frames and
// related locations, JSON, SARIF (validated against the SARIF 2.1.0 schema), configuration and suppression.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';
import { sarifErrors } from '../../../packages/analyzer/test/sarif-validate';

const CLEAN = `*filter
:INPUT DROP [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -p tcp --dport 22 -j ACCEPT
COMMIT
`;
/** One warning (a duplicate rule). */
const WARN = `*filter
:INPUT DROP [0:0]
-A INPUT -p tcp --dport 22 -j ACCEPT
-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
COMMIT
`;
/** One error (undefined target) and one warning (rule after a catch-all DROP). */
const ERRORS = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -p tcp --dport 22 -j SSH
-A INPUT -j DROP
-A INPUT -p tcp --dport 443 -j ACCEPT
COMMIT
`;
const BROKEN = `*filter
:INPUT ACCEPT [0:0]
-A INPUT -s 10.0.0.300 -j DROP
COMMIT
`;
const FILES = { 'clean.rules': CLEAN, 'warn.rules': WARN, 'errors.rules': ERRORS, 'broken.rules': BROKEN };

async function cli(argv: string[], files: Record<string, string> = FILES) {
  const io = memoryIo(files);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('chainsight lint: exit codes', () => {
  it.each([
    [['lint', 'clean.rules'], 0],
    [['lint', 'warn.rules'], 0],
    [['lint', '--max-warnings', '1', 'warn.rules'], 0],
    [['lint', '--max-warnings', '0', 'warn.rules'], 1],
    [['lint', 'errors.rules'], 1],
    [['lint', 'clean.rules', 'errors.rules'], 1],
    [['lint', '--rule', 'no-undefined-target=warning', 'errors.rules'], 0],
    [['lint', '--rule', 'no-duplicate-rule=error', 'warn.rules'], 1],
    [['lint', 'broken.rules'], 2],
    [['lint', 'missing.rules'], 2],
    [['lint', '--format', 'xml', 'clean.rules'], 2],
    [['lint', '--rule', 'no-such-rule=off', 'clean.rules'], 2],
    [['lint', '--rule', 'no-duplicate-rule', 'clean.rules'], 2],
    [['lint', '--max-warnings', 'many', 'clean.rules'], 2],
    [['lint', '--config', 'missing.json', 'clean.rules'], 2],
    [['lint'], 2],
    [['lint', '--list-rules'], 0],
    [['lint', '--help'], 0],
  ])('%j exits %i', async (argv, code) => {
    expect((await cli(argv)).code).toBe(code);
  });
});

describe('chainsight lint: text', () => {
  it('shows each finding with location, code frame, hint and related location', async () => {
    const r = await cli(['lint', 'errors.rules']);
    expect(r.out).toBe(`errors.rules:3:28: error -j SSH: table 'filter' has no chain 'SSH' [lint/no-undefined-target]
  3 | -A INPUT -p tcp --dport 22 -j SSH
    |                            ^^^^^^
  hint: the restore fails ("Chain 'SSH' does not exist") although iptables-nft-restore --test passes; declare it with :SSH - [0:0] or fix the name

errors.rules:5:1: warning rule 3 of INPUT is never reached: rule 2 before it (-j DROP) matches every packet [lint/no-unreachable-rule]
  5 | -A INPUT -p tcp --dport 443 -j ACCEPT
    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  hint: move the rule above rule 2, or delete it
  related: errors.rules:4:1: every packet stops here (-j DROP)
    4 | -A INPUT -j DROP
      | ^^^^^^^^^^^^^^^^

2 problems (1 error, 1 warning, 0 notes)
`);
  });

  it('says when there is nothing to report', async () => {
    expect((await cli(['lint', 'clean.rules', 'warn.rules', '--rule', 'no-duplicate-rule=off'])).out).toBe('no problems in 2 files\n');
  });

  it('--quiet keeps errors only', async () => {
    const r = await cli(['lint', '--quiet', 'errors.rules']);
    expect(r.out).toContain('[lint/no-undefined-target]');
    expect(r.out).not.toContain('no-unreachable-rule');
  });

  it('reports parse errors with the findings and exits 2', async () => {
    const r = await cli(['lint', 'broken.rules']);
    expect(r.out).toContain("broken.rules:3:13: error -s: '10.0.0.300' is not an IPv4 address");
  });

  it('--list-rules lists every rule', async () => {
    const r = await cli(['lint', '--list-rules']);
    expect(r.out.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0])).toEqual([
      'no-undefined-target', 'no-chain-loop', 'no-unreferenced-chain', 'no-unreachable-rule', 'no-duplicate-rule',
      'no-target-in-wrong-place', 'no-contradictory-match', 'no-empty-chain-jump', 'docker-forward-rule-order',
      'docker-published-port-input',
    ]);
  });
});

describe('chainsight lint: configuration and suppression', () => {
  it('reads ./chainsight.config.json when present', async () => {
    const config = JSON.stringify({ rules: { 'no-undefined-target': 'off', 'lint/no-unreachable-rule': 'info' } });
    const r = await cli(['lint', 'errors.rules'], { ...FILES, 'chainsight.config.json': config });
    expect(r.code).toBe(0);
    expect(r.out).toContain('info rule 3 of INPUT is never reached');
    expect(r.out).not.toContain('no-undefined-target');
  });

  it('--config FILE, allowChains, and --rule over the file', async () => {
    const config = JSON.stringify({ allowChains: ['SSH'], rules: { 'no-unreachable-rule': 'off' } });
    expect((await cli(['lint', '--config', 'ci.json', 'errors.rules'], { ...FILES, 'ci.json': config })).out).toBe('no problems in 1 file\n');
    const r = await cli(['lint', '--config', 'ci.json', '--rule', 'no-unreachable-rule=error', 'errors.rules'], { ...FILES, 'ci.json': config });
    expect(r.code).toBe(1);
  });

  it.each([
    ['{ "rules": { "no-such": "off" } }', "unknown rule 'no-such'"],
    ['{ "rules": { "no-duplicate-rule": "loud" } }', 'level must be one of'],
    ['{ "rules": { "no-unreferenced-chain": ["warning", { "alow": [] }] } }', "unknown option 'alow'"],
    ['{ "allowChain": [] }', "unknown key 'allowChain'"],
    ['{ "rules": ', 'not valid JSON'],
  ])('a bad configuration %s is an error (exit 2)', async (config, message) => {
    const r = await cli(['lint', 'clean.rules'], { ...FILES, 'chainsight.config.json': config });
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });

  it.each([
    ['-A INPUT -p tcp --dport 443 -m comment --comment "chainsight-disable no-unreachable-rule" -j ACCEPT', ['lint/no-undefined-target']],
    ['-A INPUT -p tcp --dport 443 -m comment --comment "chainsight-disable" -j ACCEPT', ['lint/no-undefined-target']],
    ['-A INPUT -p tcp --dport 443 -m comment --comment "legacy; chainsight-disable lint/no-unreachable-rule,no-chain-loop" -j ACCEPT', ['lint/no-undefined-target']],
    ['-A INPUT -p tcp --dport 443 -m comment --comment "chainsight-disable no-chain-loop" -j ACCEPT', ['lint/no-undefined-target', 'lint/no-unreachable-rule']],
  ])('a rule comment suppresses findings on that rule: %s', async (line, codes) => {
    const text = ERRORS.replace('-A INPUT -p tcp --dport 443 -j ACCEPT', line);
    const r = await cli(['lint', '--format', 'json', 'e.rules'], { 'e.rules': text });
    const j = JSON.parse(r.out) as { files: { diagnostics: { code: string }[] }[] };
    expect(j.files[0]!.diagnostics.map((d) => d.code)).toEqual(codes);
  });
});

describe('chainsight lint: machine formats', () => {
  it('json lists diagnostics per file and a summary', async () => {
    const r = await cli(['lint', '--format', 'json', 'clean.rules', 'errors.rules']);
    const j = JSON.parse(r.out) as { schema: number; files: { file: string; diagnostics: { code: string; span: { start: { line: number } } }[] }[]; summary: unknown };
    expect(j.schema).toBe(1);
    expect(j.files.map((f) => [f.file, f.diagnostics.map((d) => `${d.code}@${d.span.start.line}`)])).toEqual([
      ['clean.rules', []],
      ['errors.rules', ['lint/no-undefined-target@3', 'lint/no-unreachable-rule@5']],
    ]);
    expect(j.summary).toEqual({ errors: 1, warnings: 1, infos: 0 });
  });

  it('sarif is valid SARIF 2.1.0 with rule metadata and locations', async () => {
    const r = await cli(['lint', '--format', 'sarif', 'errors.rules', 'broken.rules']);
    expect(r.code).toBe(2);
    const log = JSON.parse(r.out) as { version: string; runs: { tool: { driver: { name: string; rules: { id: string }[] } }; results: { ruleId: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    expect(sarifErrors(log)).toEqual([]);
    expect(log.runs[0]!.tool.driver.name).toBe('chainsight');
    expect(log.runs[0]!.tool.driver.rules.map((x) => x.id)).toContain('lint/docker-published-port-input');
    expect(log.runs[0]!.results.map((x) => [x.ruleId, x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.region.startLine])).toEqual([
      ['lint/no-undefined-target', 'errors.rules', 3],
      ['lint/no-unreachable-rule', 'errors.rules', 5],
      ['parse/bad-value', 'broken.rules', 3],
    ]);
  });

  it("the project's Docker host fixture lints clean", async () => {
    const fixture = readFileSync(new URL('../../../fixtures/docker-host/iptables-save', import.meta.url), 'utf8');
    const r = await cli(['lint', '--format', 'json', 'host'], { host: fixture });
    const j = JSON.parse(r.out) as { files: { diagnostics: { code: string }[] }[] };
    expect(r.code).toBe(0);
    expect(j.files[0]!.diagnostics.map((d) => d.code)).toEqual([]);
  });
});
