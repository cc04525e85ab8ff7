// The structural lint checks on nft rulesets (src/lint/structural.ts) and the chain graph they read
// (src/graph/chains.ts): each case is a small table, the findings it must give (code, line, message part), and
// nothing else.
import { describe, expect, it } from 'vitest';
import { baseChainsByHook, lintNftRuleset, parseNft, tableGraph } from '../src/index';

const table = (body: string) => `table inet t {\n${body}\n}\n`;
const base = (name: string, hook = 'input', prio = 'filter') => `\tchain ${name} {\n\t\ttype filter hook ${hook} priority ${prio}; policy accept;`;

const cases: Array<[string, string, Array<[string, number, string]>]> = [
  ['a clean ruleset', table(`${base('in')}\n\t\tjump c\n\t}\n\tchain c {\n\t\taccept\n\t}`), []],
  ['a jump to a chain the table lacks', table(`${base('in')}\n\t\ttcp dport 22 jump nope\n\t}`),
    [['lint/no-undefined-target', 4, "jump nope in chain in: table inet t has no chain 'nope'"]]],
  ['a vmap element going to a chain the table lacks', table(`${base('in')}\n\t\ttcp dport vmap { 22 : goto gone }\n\t}`),
    [['lint/no-undefined-target', 4, "vmap element 'goto gone' in chain in"]]],
  ['a lookup of a set the table lacks', table(`${base('in')}\n\t\tip saddr @blocked drop\n\t}`),
    [['lint/no-undefined-set', 4, "@blocked in chain in: table inet t has no set or map 'blocked'"]]],
  ['a set update of a set the table lacks', table(`${base('in')}\n\t\tadd @seen { ip saddr }\n\t}`),
    [['lint/no-undefined-set', 4, "@seen in chain in"]]],
  ['a loop reached from a base chain', table(`${base('in')}\n\t\tjump a\n\t}\n\tchain a {\n\t\tjump b\n\t}\n\tchain b {\n\t\tgoto a\n\t}`),
    [['lint/no-chain-loop', 7, 'loop a → b → a in table inet t, reached from a base chain']]],
  ['a loop through a named verdict map, reached from nothing (a warning)',
    table(`\tmap m {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : jump a }\n\t}\n\n\tchain a {\n\t\ttcp dport vmap @m\n\t}`),
    [['lint/no-chain-loop', 8, 'loop a → a in table inet t: accepted only because no base chain reaches it yet']]],
  ['a chain nothing names', table(`${base('in')}\n\t\taccept\n\t}\n\tchain old {\n\t\ttcp dport 1 drop\n\t\ttcp dport 2 drop\n\t}`),
    [['lint/no-unreferenced-chain', 6, "chain 'old' of table inet t is never jumped to: 2 rules never run"]]],
  ['a chain named only by a map element is referenced',
    table(`\tmap m {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : jump a }\n\t}\n\n\tchain a {\n\t}`), []],
  ['rules after a catch-all drop', table(`${base('in')}\n\t\tcounter drop\n\t\ttcp dport 22 accept\n\t\taccept\n\t}`),
    [['lint/no-unreachable-rule', 5, 'rules 2-3 of chain in (table inet t) are never reached: rule 1 before them (drop) ends every packet']]],
  ['a limit is a condition, not a catch-all', table(`${base('in')}\n\t\tlimit rate 10/second accept\n\t\tdrop\n\t}`), []],
  ['a jump returns: not a catch-all', table(`${base('in')}\n\t\tjump c\n\t\tdrop\n\t}\n\tchain c {\n\t}`), []],
];

describe('nft structural lint', () => {
  it.each(cases)('%s', (_name, text, expected) => {
    const r = parseNft(text, 't.nft');
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const found = lintNftRuleset(r.ruleset, 't.nft');
    expect(found.map((d) => d.code)).toEqual(expected.map((e) => e[0]));
    found.forEach((d, i) => {
      expect(d.span.start.line).toBe(expected[i]![1]);
      expect(d.message).toContain(expected[i]![2]);
    });
  });

  it('takes rules off, changes severities and allows chains by name', () => {
    const r = parseNft(table(`${base('in')}\n\t\tjump nope\n\t}\n\tchain old {\n\t}`), 't.nft').ruleset;
    expect(lintNftRuleset(r, 't.nft', { off: new Set(['no-unreferenced-chain']) }).map((d) => d.code)).toEqual(['lint/no-undefined-target']);
    expect(lintNftRuleset(r, 't.nft', { severity: new Map([['no-undefined-target', 'warning']]) }).map((d) => d.severity)).toEqual(['warning', 'warning']);
    expect(lintNftRuleset(r, 't.nft', { isAllowedChain: (n) => n === 'nope' || n === 'old' })).toEqual([]);
  });

  it('locates findings in JSON input at the rule object', () => {
    const doc = '{"nftables": [\n{"table": {"family": "ip", "name": "f"}},\n{"chain": {"family": "ip", "table": "f", "name": "in", "type": "filter", "hook": "input", "prio": 0}},\n{"rule": {"family": "ip", "table": "f", "chain": "in", "expr": [{"jump": {"target": "nope"}}]}}\n]}';
    const found = lintNftRuleset(parseNft(doc, 'f.json').ruleset, 'f.json');
    expect(found.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([['lint/no-undefined-target', 4, 10]]);
  });
});

describe('nft chain graph', () => {
  it('collects jump, goto and vmap edges, anonymous chains included', () => {
    const text = table(`\tmap m {\n\t\ttype ipv4_addr : verdict\n\t\telements = { 10.0.0.1 : goto b }\n\t}\n\n${base('in')}\n\t\tip saddr vmap @m\n\t\ttcp dport vmap { 22 : jump a }\n\t\tjump {\n\t\t\tgoto c\n\t\t}\n\t}\n\tchain a {\n\t}\n\tchain b {\n\t}\n\tchain c {\n\t}`);
    const g = tableGraph(parseNft(text, 't.nft').ruleset.tables.get('inet t')!);
    expect(g.edges.map((e) => `${e.from} ${e.kind}${e.map ? ` @${e.map}` : ''} ${e.verdict} ${e.to}`)).toEqual(['in vmap @m goto b', 'in vmap jump a', 'in goto goto c']);
    expect(g.unreferenced).toEqual([]);
  });

  it('orders base chains at a hook by priority across tables, named priorities resolved per family', () => {
    const text = 'table ip a {\n\tchain x {\n\t\ttype filter hook prerouting priority dstnat; policy accept;\n\t}\n\tchain y {\n\t\ttype filter hook prerouting priority -300; policy accept;\n\t}\n}\n'
      + 'table ip b {\n\tchain z {\n\t\ttype filter hook prerouting priority mangle + 5; policy accept;\n\t}\n\tchain w {\n\t\ttype filter hook prerouting priority -100; policy accept;\n\t}\n}\n'
      + 'table bridge br {\n\tchain p {\n\t\ttype filter hook prerouting priority dstnat; policy accept;\n\t}\n}\n';
    const groups = baseChainsByHook(parseNft(text, 'h.nft').ruleset);
    const ip = groups.find((g) => g.key === 'ip prerouting')!;
    // -300, -145, -100 (w registered after x: the later registration runs first), -100.
    expect(ip.chains.map((c) => `${c.table.name}/${c.chain.name} ${c.priority}`)).toEqual(['a/y -300', 'b/z -145', 'b/w -100', 'a/x -100']);
    expect(ip.ties.map((t) => t.map((c) => c.chain.name))).toEqual([['w', 'x']]);
    expect(groups.find((g) => g.key === 'bridge prerouting')!.chains.map((c) => c.priority)).toEqual([-300]);
  });
});
