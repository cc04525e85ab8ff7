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

  it('warns about an empty input and about text that is not valid UTF-8', async () => {
    const r = await cli(['lint', 'empty.rules', 'mangled.rules'], { 'empty.rules': '\n# nothing here\n', 'mangled.rules': CLEAN.replace('INPUT ACCEPT', 'INPUT ACCEPT').replace('COMMIT', '# caf\uFFFD\nCOMMIT') });
    expect(r.out).toContain('empty.rules:1:1: warning');
    expect(r.out).toContain('[input/empty]');
    expect(r.out).toContain('[parse/invalid-utf8]');
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
    const j = JSON.parse(r.out) as { schema: string; files: { file: string; diagnostics: { code: string; span: { start: { line: number } } }[] }[]; summary: unknown };
    expect(j.schema).toBe('chainsight.lint/1');
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

describe('chainsight lint: a bad configuration is located errors, exit 2, never a stack trace', () => {
  it.each([
    ['{"foo":1}', "chainsight.config.json:1:2: error unknown key 'foo' (known: $schema, rules, allowChains) [config/invalid]"],
    ['[1,2]', 'chainsight.config.json:1:1: error the configuration must be a JSON object such as { "rules": { … } } (got an array) [config/invalid]'],
    ['null', 'chainsight.config.json:1:1: error the configuration must be a JSON object such as { "rules": { … } } (got null) [config/invalid]'],
    ['{"allowChains":"x"}', 'chainsight.config.json:1:16: error allowChains: expected a list of chain names or globs (got "x") [config/invalid]'],
    ['{"rules":5}', "chainsight.config.json:1:10: error rules: 'rules' must be an object of rule id → level (got 5) [config/invalid]"],
    ['{\n  "rules": {\n    "__proto__": "off"\n  }\n}', "chainsight.config.json:3:5: error rules: unknown rule '__proto__' ('chainsight lint --list-rules' lists them) [config/invalid]"],
    ['{"rules": {"no-duplicate-rule": "off"}, "rules": {}}', "chainsight.config.json:1:41: error key 'rules' is given twice (first at 1:2); JSON readers differ on which one counts [config/duplicate-key]"],
    ['{ "rules": ', 'chainsight.config.json:1:12: error not valid JSON: unexpected end of input [config/syntax]'],
  ])('%s', async (config, first) => {
    for (const [argv, files] of [
      [['lint', 'clean.rules'], { ...FILES, 'chainsight.config.json': config }],
      [['lint', '--config', 'chainsight.config.json', 'clean.rules'], { ...FILES, 'chainsight.config.json': config }],
    ] as const) {
      const r = await cli([...argv], files);
      expect(r.code).toBe(2);
      expect(r.err.split('\n')[0]).toBe(first);
      expect(r.err).not.toMatch(/internal error|    at /);
      expect(r.out).toBe('');
    }
  });

  it('lists every problem at once', async () => {
    const r = await cli(['lint', 'clean.rules'], { ...FILES, 'chainsight.config.json': '{"rules": {"no-dup": "off", "no-chain-loop": "loud"}, "allowChain": []}' });
    expect(r.err.match(/^\S+: error .*$/gm)).toEqual([
      "chainsight.config.json:1:12: error rules: unknown rule 'no-dup' ('chainsight lint --list-rules' lists them) [config/invalid]",
      'chainsight.config.json:1:46: error rules.no-chain-loop: level must be one of error, warning, info, off (got "loud") [config/invalid]',
      "chainsight.config.json:1:55: error unknown key 'allowChain' (did you mean 'allowChains'?) (known: $schema, rules, allowChains) [config/invalid]",
    ]);
  });

  it.each([
    ['__proto__=off', "--rule: unknown rule '__proto__'"],
    ['constructor=off', "--rule: unknown rule 'constructor'"],
    ['no-unreachabel-rule=off', "--rule: unknown rule 'no-unreachabel-rule' (did you mean 'no-unreachable-rule'?)"],
  ])('--rule %s is a usage error', async (rule, message) => {
    const r = await cli(['lint', '--rule', rule, 'clean.rules']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
  });
});

describe('chainsight lint: findings people keep switched on', () => {
  const HIDES = `*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j DROP\n${Array.from({ length: 150 }, (_, i) => `-A INPUT -p tcp --dport ${1000 + i} -j ACCEPT\n`).join('')}COMMIT\n`;

  it('one catch-all DROP above 150 rules: one finding; text shows 3 related locations, JSON and SARIF all 150', async () => {
    const text = await cli(['lint', 'h.rules'], { 'h.rules': HIDES });
    expect(text.out).toContain('h.rules:4:1: warning 150 rules of INPUT are never reached (rules 2-151): rule 1 before them (-j DROP) matches every packet');
    expect(text.out).toContain('… and 147 more related locations (--format json or sarif lists them all)');
    expect(text.out.endsWith('1 problem (0 errors, 1 warning, 0 notes)\n')).toBe(true);
    const json = JSON.parse((await cli(['lint', '--format', 'json', 'h.rules'], { 'h.rules': HIDES })).out) as { files: { diagnostics: { related: unknown[] }[] }[] };
    expect(json.files[0]!.diagnostics.map((d) => d.related.length)).toEqual([150]);
    const sarif = JSON.parse((await cli(['lint', '--format', 'sarif', 'h.rules'], { 'h.rules': HIDES })).out) as { runs: { results: { relatedLocations: unknown[] }[] }[] };
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0]!.results.map((x) => x.relatedLocations.length)).toEqual([150]);
  });

  it('a misspelt id in a suppression comment is a located warning', async () => {
    const text = ERRORS.replace('-A INPUT -p tcp --dport 443 -j ACCEPT', '-A INPUT -p tcp --dport 443 -m comment --comment "chainsight-disable no-unreachabel-rule" -j ACCEPT');
    const r = await cli(['lint', 'e.rules'], { 'e.rules': text });
    expect(r.out).toContain("e.rules:5:70: warning chainsight-disable names no lint rule 'no-unreachabel-rule' (did you mean 'no-unreachable-rule'?): it suppresses nothing [suppress/unknown-rule]");
  });
});

describe('chainsight lint: several files as one ruleset', () => {
  const BASE = '*filter\n:INPUT DROP [0:0]\n-A INPUT -j ufw-before-input\nCOMMIT\n';
  const BEFORE = '*filter\n:ufw-before-input - [0:0]\n-A ufw-before-input -i lo -j ACCEPT\n-A ufw-before-input -j ufw-after-input\nCOMMIT\n';
  const AFTER = '*filter\n:ufw-after-input - [0:0]\n-A ufw-after-input -p udp --dport 137 -j DROP\nCOMMIT\n';
  const PARTS = { 'base.rules': BASE, 'before.rules': BEFORE, 'after.rules': AFTER };
  const codes = async (argv: string[], files: Record<string, string> = PARTS) => {
    const r = await cli(['lint', '--format', 'json', ...argv], files);
    const j = JSON.parse(r.out) as { assumptions: string[]; files: { file: string; diagnostics: { code: string; span: { start: { line: number } } }[] }[] };
    return { assumptions: j.assumptions, found: j.files.flatMap((f) => f.diagnostics.map((d) => `${f.file}:${d.span.start.line} ${d.code}`)) };
  };

  it.each([
    [['base.rules', 'before.rules', 'after.rules'], [], 1],
    [['--merge', 'base.rules', 'before.rules', 'after.rules'], [], 1],
    [['--no-merge', 'base.rules', 'before.rules', 'after.rules'], ['base.rules:3 lint/no-undefined-target', 'before.rules:4 lint/no-undefined-target'], 0],
    // Two versions of one file are not parts of one ruleset: linted one at a time.
    [['clean.rules', 'warn.rules'], ['warn.rules:4 lint/no-duplicate-rule'], 0],
  ])('%j gives %j', async (argv, expected, assumptions) => {
    const r = await codes(argv as string[], { ...PARTS, 'clean.rules': CLEAN, 'warn.rules': WARN });
    expect(r.found).toEqual(expected);
    expect(r.assumptions.length).toBe(assumptions);
  });

  it('says in text that the files were read as one ruleset', async () => {
    const r = await cli(['lint', 'base.rules', 'before.rules', 'after.rules'], PARTS);
    expect(r.out.split('\n')[0]).toBe('Inferred: base.rules, before.rules, after.rules: read as one ipv4 ruleset, in this order, since no chain is in two of them (parts of one host, as iptables-restore --noflush loads them); --no-merge lints each alone');
    expect(r.code).toBe(0);
  });

  it('each finding keeps its own file:line; related locations in another file show that file', async () => {
    const after = AFTER.replace('-A ufw-after-input -p udp --dport 137 -j DROP', '-A ufw-after-input -j DROP\n-A ufw-after-input -p udp -j ACCEPT');
    const more = '*filter\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n';
    const r = await cli(['lint', '--merge', 'base.rules', 'before.rules', 'after.rules', 'more.rules'], { ...PARTS, 'after.rules': after, 'more.rules': more });
    expect(r.out).toContain('after.rules:4:1: warning rule 2 of ufw-after-input is never reached: rule 1 before it (-j DROP) matches every packet');
    expect(r.out).toContain('related: after.rules:3:1: every packet stops here (-j DROP)');
    const sarif = JSON.parse((await cli(['lint', '--format', 'sarif', '--merge', 'base.rules', 'more.rules'], { ...PARTS, 'more.rules': '*filter\n-A INPUT -j DROP\n-A INPUT -p tcp -j ACCEPT\nCOMMIT\n' })).out) as { runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string; index: number }; region: { startLine: number } } }[] }[] }[] };
    expect(sarifErrors(sarif)).toEqual([]);
    expect(sarif.runs[0]!.results.map((x) => [x.locations[0]!.physicalLocation.artifactLocation.uri, x.locations[0]!.physicalLocation.artifactLocation.index, x.locations[0]!.physicalLocation.region.startLine]))
      .toEqual([['base.rules', 0, 3], ['more.rules', 1, 3]]);
  });

  it('--merge and --no-merge together are a usage error', async () => {
    expect((await cli(['lint', '--merge', '--no-merge', 'base.rules'], PARTS)).code).toBe(2);
  });
});

describe('chainsight lint: text output is bounded, machine output complete', () => {
  // 500 lines of garbage: 500 diagnostics of one code.
  const GARBAGE = Array.from({ length: 500 }, (_, i) => `garbage line ${i}`).join('\n') + '\n';

  it('folds after 20 diagnostics of one code in a file', async () => {
    const r = await cli(['lint', 'g.txt'], { 'g.txt': GARBAGE });
    expect(r.code).toBe(2);
    const shown = r.out.match(/^g\.txt:\d+:\d+: error /gm) ?? [];
    expect(shown.length).toBe(20);
    expect(r.out).toMatch(/^g\.txt: … and 480 more \[parse\/[a-z-]+\] \(500 in all; --format json or sarif lists every one\)$/m);
    expect(r.out).toContain('500 problems (500 errors, 0 warnings, 0 notes)');
  });

  it('json and sarif keep every diagnostic', async () => {
    const j = JSON.parse((await cli(['lint', '--format', 'json', 'g.txt'], { 'g.txt': GARBAGE })).out) as { files: { diagnostics: unknown[] }[]; summary: { errors: number } };
    expect(j.files[0]!.diagnostics.length).toBe(500);
    expect(j.summary.errors).toBe(500);
    const s = JSON.parse((await cli(['lint', '--format', 'sarif', 'g.txt'], { 'g.txt': GARBAGE })).out) as { runs: { results: unknown[] }[] };
    expect(s.runs[0]!.results.length).toBe(500);
  });
});
