import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { RULES, lint, toSarif } from '@chainsight/analyzer';
import { sarifErrors } from './sarif-validate';

const text = `*filter
:INPUT DROP [0:0]
:SSH - [0:0]
-A INPUT -p tcp --dport 22 -j SSH-ALLOW
-A INPUT -j DROP
-A INPUT -p tcp --dport 443 -j ACCEPT
COMMIT
`;

describe('SARIF output', () => {
  const parsed = parseSnapshot(text, { fileName: 'rules/host.v4', family: 'ipv4' });
  const diagnostics = [...parsed.diagnostics, ...lint(parsed.snapshot)];
  const log = toSarif([{ path: 'rules/host.v4', diagnostics }], { toolVersion: '0.1.0', rules: RULES });

  it('is valid against the SARIF 2.1.0 schema', () => {
    expect(sarifErrors(log)).toEqual([]);
  });

  it('the validator does reject a broken log', () => {
    expect(sarifErrors({ version: '2.1.0', runs: [{ tool: {} }] }).length).toBeGreaterThan(0);
  });

  it('describes every lint rule with help and default level', () => {
    const rules = log.runs[0]!.tool.driver.rules;
    for (const r of RULES) {
      const d = rules.find((x) => x.id === `lint/${r.id}`);
      expect(d, r.id).toBeDefined();
      expect(d!.shortDescription.text).toBe(r.description);
      expect(d!.help.text).toContain(r.help);
    }
  });

  it.each([
    ['lint/no-undefined-target', 'error', 4, 28, 'rules/host.v4'],
    ['lint/no-unreachable-rule', 'warning', 6, 1, 'rules/host.v4'],
    ['lint/no-unreferenced-chain', 'warning', 3, 1, 'rules/host.v4'],
  ])('%s → level %s at %i:%i in %s', (ruleId, level, line, column, uri) => {
    const results = log.runs[0]!.results as { ruleId: string; ruleIndex: number; level: string; locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: { startLine: number; startColumn: number } } }[] }[];
    const r = results.find((x) => x.ruleId === ruleId)!;
    expect(r).toBeDefined();
    expect(r.level).toBe(level);
    expect(log.runs[0]!.tool.driver.rules[r.ruleIndex]!.id).toBe(ruleId);
    const loc = r.locations[0]!.physicalLocation;
    expect([loc.region.startLine, loc.region.startColumn, loc.artifactLocation.uri, loc.artifactLocation.uriBaseId]).toEqual([line, column, uri, '%SRCROOT%']);
  });

  it('keeps related locations', () => {
    const r = (log.runs[0]!.results as { ruleId: string; relatedLocations?: { message: { text: string }; physicalLocation: { region: { startLine: number } } }[] }[])
      .find((x) => x.ruleId === 'lint/no-unreachable-rule')!;
    expect(r.relatedLocations?.map((x) => [x.physicalLocation.region.startLine, x.message.text])).toEqual([[5, 'every packet stops here (-j DROP)']]);
  });

  it('gives parse diagnostics a descriptor of their own', () => {
    const withParse = toSarif([{ path: '/abs/x.rules', diagnostics: [{ code: 'parse/unknown-option', severity: 'warning', message: 'm', file: '/abs/x.rules', span: diagnostics[0]!.span }] }], { toolVersion: '0.1.0', rules: RULES });
    expect(sarifErrors(withParse)).toEqual([]);
    const result = withParse.runs[0]!.results[0] as { ruleIndex: number; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] };
    expect(withParse.runs[0]!.tool.driver.rules[result.ruleIndex]!.id).toBe('parse/unknown-option');
    expect(result.locations[0]!.physicalLocation.artifactLocation.uri).toBe('file:///abs/x.rules');
  });
});
