// `xt` compatibility statements (model/stmt.ts XtStmt): the x_tables matches and targets iptables-nft leaves in a
// rule when nft cannot show them natively. Read from text (nft 1.0.6 writes the name bare, later releases quote
// it) and JSON, printed back as read, and linked by compareWithXtables to the iptables-save rule at the same
// position of the same chain.
import { describe, expect, it } from 'vitest';
import { compareWithXtables, parseNft, printRuleset, type SavedRule, type XtablesView } from '../src/index';

// nft 1.0.6's listing after, in a cs- namespace (iptables 1.8.9, nf_tables):
//   iptables-nft -A INPUT -m string --string foo --algo bm -j ACCEPT
//   iptables-nft -A INPUT -p tcp --dport 22 -j ACCEPT
//   iptables-nft -A INPUT -m conntrack --ctstate ESTABLISHED -m hashlimit --hashlimit-upto 5/sec --hashlimit-name h1 -j ACCEPT
//   iptables-nft -t mangle -A PREROUTING -p tcp -j TPROXY --on-port 1 --tproxy-mark 1
const LISTED = `table ip filter {
	chain INPUT {
		type filter hook input priority filter; policy accept;
		xt match string counter packets 0 bytes 0 accept
		tcp dport 22 counter packets 0 bytes 0 accept
		ct state established xt match hashlimit counter packets 0 bytes 0 accept
	}
}
table ip mangle {
	chain PREROUTING {
		type filter hook prerouting priority mangle; policy accept;
		meta l4proto tcp counter packets 0 bytes 0 xt target TPROXY
	}
}
`;
// The same host's `nft -j list ruleset` (one rule of it): the JSON names every compat match, even those text translates.
const JSON_RULE = '{"nftables": [{"table": {"family": "ip", "name": "filter", "handle": 1}}, {"chain": {"family": "ip", "table": "filter", "name": "INPUT", "handle": 1}}, '
  + '{"rule": {"family": "ip", "table": "filter", "chain": "INPUT", "handle": 4, "expr": [{"xt": {"type": "match", "name": "conntrack"}}, {"xt": {"type": "match", "name": "hashlimit"}}, {"counter": {"packets": 0, "bytes": 0}}, {"accept": null}]}}]}';

const rule = (text: string) => `table bridge filter {\n\tchain INPUT {\n\t\t${text}\n\t}\n}\n`;

describe('xt statements are typed', () => {
  it.each<[string, string, Array<{ type: string; name: string; quoted?: boolean }>]>([
    ['a bare match name (nft 1.0.6)', 'xt match string counter accept', [{ type: 'match', name: 'string' }]],
    ['a quoted target name (later nft)', 'xt target "TPROXY"', [{ type: 'target', name: 'TPROXY', quoted: true }]],
    ['an ebtables watcher', 'xt watcher log accept', [{ type: 'watcher', name: 'log' }]],
  ])('%s', (_name, text, xt) => {
    const r = parseNft(rule(text), 'x.nft');
    expect(r.diagnostics).toEqual([]);
    const stmts = r.ruleset.tables.get('bridge filter')!.chains.get('INPUT')!.rules[0]!.stmts;
    expect(stmts.filter((s) => s.kind === 'xt').map(({ span: _s, ...s }) => s)).toEqual(xt.map((x) => ({ kind: 'xt', ...x })));
    expect(printRuleset(r.ruleset)).toBe(rule(text));
  });
  it('a real listing reads without warnings and prints back byte for byte', () => {
    const r = parseNft(LISTED, 'host.nft');
    expect(r.diagnostics).toEqual([]);
    expect(printRuleset(r.ruleset)).toBe(LISTED);
  });
  it('JSON: {"xt": {type, name}}', () => {
    const r = parseNft(JSON_RULE, 'host.json');
    expect(r.diagnostics).toEqual([]);
    const stmts = r.ruleset.tables.get('ip filter')!.chains.get('INPUT')!.rules[0]!.stmts;
    expect(stmts.filter((s) => s.kind === 'xt').map((s) => s.kind === 'xt' && s.name)).toEqual(['conntrack', 'hashlimit']);
  });
});

describe('compareWithXtables links xt rules to the save', () => {
  const save = (n: number): SavedRule[] => Array.from({ length: n }, (_, i) => ({ file: 'host.save', line: 5 + i, text: `-A INPUT rule${i + 1}` }));
  const view = (input: number | null): XtablesView[] => [{
    family: 'ip', tables: ['filter', 'mangle'],
    ...(input === null ? {} : { rules: new Map([['filter', new Map([['INPUT', save(input)]])]]) }),
  }];
  const xt = (v: XtablesView[]) => compareWithXtables(parseNft(LISTED, 'host.nft').ruleset, v).xtRules;
  it.each<[string, number | null, Array<[string, number, number, string[], string | undefined, boolean]>]>([
    ['same rule counts: each xt rule names the save line at its position', 3, [
      ['INPUT', 1, 4, ['match string'], '-A INPUT rule1', false],
      ['INPUT', 3, 6, ['match hashlimit'], '-A INPUT rule3', false],
      ['PREROUTING', 1, 12, ['target TPROXY'], undefined, false],
    ]],
    ['other rule counts: the dumps are of two states, nothing linked', 4, [
      ['INPUT', 1, 4, ['match string'], undefined, true],
      ['INPUT', 3, 6, ['match hashlimit'], undefined, true],
      ['PREROUTING', 1, 12, ['target TPROXY'], undefined, false],
    ]],
    ['a view without rules: found, not linked', null, [
      ['INPUT', 1, 4, ['match string'], undefined, false],
      ['INPUT', 3, 6, ['match hashlimit'], undefined, false],
      ['PREROUTING', 1, 12, ['target TPROXY'], undefined, false],
    ]],
  ])('%s', (_name, input, expected) => {
    expect(xt(view(input)).map((x) => [x.chain, x.position, x.line, x.xt.map((e) => `${e.type} ${e.name}`), x.saved?.text, x.counts !== undefined])).toEqual(expected);
  });
});
