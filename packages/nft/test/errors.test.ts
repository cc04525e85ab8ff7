// Bad input: every error names the line and column (text) or the JSON path and position, and the rest of the
// input still parses.
import { describe, expect, it } from 'vitest';
import { parseNftJson, parseNftText } from '../src/index';

const good = '\tchain ok {\n\t\taccept\n\t}\n';

const textCases: Array<[string, string, Array<[number, number, RegExp]>]> = [
  ['missing value after a selector', `table ip t {\n\tchain c {\n\t\tip saddr accept\n\t}\n${good}}\n`, [[3, 12, /expected a value/]]],
  ['unknown table item', `table ip t {\n\tfrobnicate x\n${good}}\n`, [[2, 2, /expected a chain, set, map/]]],
  ['unknown family word is taken as the name, then junk', 'table ip6 t extra {\n}\n', [[1, 13, /unexpected 'extra'/]]],
  ['bad policy', `table ip t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy maybe;\n\t}\n${good}}\n`, [[3, 45, /'accept' or 'drop'/]]],
  ['unterminated string', `table ip t {\n\tchain c {\n\t\tiifname "eth0 accept\n\t}\n${good}}\n`, [[3, 11, /unterminated string/]]],
  ['unclosed set literal recovers at the line', `table ip t {\n\tchain c {\n\t\ttcp dport { 22, 80 accept\n\t\tdrop\n\t}\n${good}}\n`, [[3, 22, /expected ',' or '}'/]]],
  ['missing closing brace of a chain', `table ip t {\n\tchain c {\n\t\taccept\n${good}}\n`, [[2, 8, /chain 'c' is not closed/]]],
  ['stray top-level word', `bogus\ntable ip t {\n${good}}\n`, [[1, 1, /expected 'table'/]]],
];

describe('text errors', () => {
  it.each(textCases)('%s', (_name, text, expected) => {
    const r = parseNftText(text, 'bad.nft');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.span.start.line, d.span.start.column])).toEqual(expected.map(([l, c]) => [l, c]));
    errors.forEach((d, i) => {
      expect(d.message).toMatch(expected[i]![2]);
      expect(d.file).toBe('bad.nft');
    });
    // The rest still parses: the chain after the error is there.
    expect(r.ruleset.tables.get('ip t')?.chains.has('ok') || !text.includes('chain ok')).toBe(true);
  });

  it('keeps the text of a broken rule verbatim (nothing dropped)', () => {
    const r = parseNftText('table ip t {\n\tchain c {\n\t\ttcp dport accept\n\t}\n}\n');
    const st = r.ruleset.tables.get('ip t')?.chains.get('c')?.rules[0]?.stmts;
    expect(st?.map((s) => s.kind)).toEqual(['verbatim']);
    expect(st?.[0]).toMatchObject({ text: 'tcp dport accept' });
  });

  it('names from input are never object keys', () => {
    const r = parseNftText('table ip __proto__ {\n\tchain constructor {\n\t\taccept\n\t}\n}\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.ruleset.tables.get('ip __proto__')?.chains.get('constructor')?.rules.length).toBe(1);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});

const jsonCases: Array<[string, string, string, number, number]> = [
  ['invalid JSON', '{"nftables": [\n  {"table": {"family": "ip",, "name": "t"}}]}', '$', 2, 29],
  ['not an nftables document', '{"rules": []}', '$', 1, 1],
  ['unknown family', '{"nftables": [\n{"table": {"family": "ipx", "name": "t"}}]}', 'nftables[0].table.family', 2, 22],
  ['chain of an unknown table', '{"nftables": [\n{"chain": {"family": "ip", "table": "nope", "name": "c"}}]}', 'nftables[0].chain', 2, 11],
  ['rule without expr', '{"nftables": [{"table": {"family": "ip", "name": "t"}}, {"chain": {"family": "ip", "table": "t", "name": "c"}},\n{"rule": {"family": "ip", "table": "t", "chain": "c"}}]}', 'nftables[2].rule.expr', 2, 10],
];

describe('JSON errors', () => {
  it.each(jsonCases)('%s', (_name, text, path, line, column) => {
    const r = parseNftJson(text, 'bad.json');
    const e = r.diagnostics.find((d) => d.severity === 'error');
    expect(e?.path).toBe(path);
    expect([e?.span.start.line, e?.span.start.column]).toEqual([line, column]);
    expect(e?.message.startsWith(path)).toBe(true);
  });

  it('an error in one item does not stop the next', () => {
    const r = parseNftJson('{"nftables": [{"chain": {"family": "ip", "table": "x", "name": "c"}}, {"table": {"family": "ip", "name": "t"}}]}');
    expect(r.diagnostics.filter((d) => d.severity === 'error').length).toBe(1);
    expect(r.ruleset.tables.has('ip t')).toBe(true);
  });
});
