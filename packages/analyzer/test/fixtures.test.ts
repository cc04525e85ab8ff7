// Real defects found in real rulesets (fixtures/lint, see ATTRIBUTION.md there): the findings chainsight
// reports on them, checked exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { lint } from '@chainsight/analyzer';

function lintFixture(name: string) {
  const text = readFileSync(new URL(`../../../fixtures/lint/${name}`, import.meta.url), 'utf8');
  const parsed = parseSnapshot(text, { fileName: name });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const found = lint(parsed.snapshot);
  const byCode: Record<string, number> = {};
  for (const d of found) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
  const at = (line: number) => found.filter((d) => d.span.start.line === line).map((d) => `${d.severity} ${d.message}`);
  return { found, byCode, at };
}

describe('fixtures/lint: real defects', () => {
  it('Synology DS414: the per-interface rules after a catch-all DROP are dead; each finding names the rule that takes its packets', () => {
    const { byCode, at } = lintFixture('synology-ds414.v4.save');
    expect(byCode).toEqual({ 'lint/no-unreachable-rule': 6 });
    // A DROP whose packets an earlier ACCEPT takes never drops anything: a warning.
    expect(at(18)).toEqual(['warning rule 9 of DEFAULT_INPUT is never reached: rule 3 before it (-j ACCEPT) matches every packet this rule matches']);
    expect(at(26)).toEqual(['warning rule 17 of DEFAULT_INPUT is never reached: rule 8 before it (-j DROP) matches every packet']);
    // DROPs behind DROPs change nothing: info.
    expect(at(19)).toEqual(['info 3 rules of DEFAULT_INPUT are never reached (rules 10, 13, 15): rule 8 before them (-j DROP) matches every packet']);
    expect(at(20)).toEqual(['info 2 rules of DEFAULT_INPUT are never reached (rules 11, 16): rule 6 before them (-j DROP) matches every packet they match']);
  });

  it("UGent: libvirt's MASQUERADE rules appended 57 times", () => {
    const { byCode, found, at } = lintFixture('ugent.v4.save');
    expect(byCode).toEqual({ 'lint/no-duplicate-rule': 171, 'lint/no-unreachable-rule': 1 });
    const dups = found.filter((d) => d.code === 'lint/no-duplicate-rule');
    // Three rules, each repeated: every copy points at one of the first three.
    expect(new Set(dups.map((d) => d.related![0]!.span.start.line))).toEqual(new Set([71, 72, 73]));
    expect(at(74)).toEqual(['warning rule 4 of POSTROUTING duplicates rule 1']);
    expect(at(27)).toEqual(['info 3 rules of INPUT are never reached (rules 22, 29-30): rule 1 before them (-j ACCEPT) matches every packet they match']);
  });

  it('Docker host: a FORWARD rule appended after Docker never sees container traffic', () => {
    const { byCode, at } = lintFixture('pastebin-docker.v4.save');
    expect(byCode).toEqual({ 'lint/docker-forward-rule-order': 1, 'lint/no-duplicate-rule': 1, 'lint/no-unreachable-rule': 1 });
    // The jump to LOGGING_FORWARD (a rate-limited LOG, then DROP) ends every packet: the two rules after it are dead.
    expect(at(61)).toEqual(['warning 2 rules of FORWARD are never reached (rules 6-7): rule 5 before them (-j LOGGING_FORWARD) matches every packet']);
    expect(at(60)).toEqual([
      "warning rule 5 of FORWARD (-j LOGGING_FORWARD) comes after Docker's rule 1, which accepts connections to ports published on docker0 first: this rule never sees that traffic",
    ]);
    expect(at(55)).toEqual(['warning rule 8 of INPUT duplicates rule 6']);
  });
});
