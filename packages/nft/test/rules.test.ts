// How rules read: each row is one rule of an `nft list ruleset` chain, the statements it becomes, and (by the
// round trip) that printing gives the same line back.
import { describe, expect, it } from 'vitest';
import { parseNftText, printRuleset, type Stmt } from '../src/index';

const wrap = (rule: string) => `table inet t {\n\tchain c {\n\t\t${rule}\n\t}\n}\n`;

function stmtsOf(rule: string): { stmts: Stmt[]; warnings: number; errors: string[] } {
  const r = parseNftText(wrap(rule), 'rule.nft');
  const chain = r.ruleset.tables.get('inet t')?.chains.get('c');
  const stmts = (chain?.rules[0]?.stmts ?? []).map(({ span: _s, ...s }) => s as Stmt);
  return { stmts, warnings: r.diagnostics.filter((d) => d.severity === 'warning').length, errors: r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message) };
}

const ip = (field: string) => ({ kind: 'payload', protocol: 'ip', field });
const v = (text: string) => ({ kind: 'value', text });

const cases: Array<[string, string, unknown[]]> = [
  ['payload match and verdict', 'ip saddr 10.0.0.1 accept', [{ kind: 'match', left: ip('saddr'), right: v('10.0.0.1') }, { kind: 'verdict', verdict: 'accept' }]],
  ['negation', 'tcp dport != 22 drop', [{ kind: 'match', left: { kind: 'payload', protocol: 'tcp', field: 'dport' }, op: '!=', right: v('22') }, { kind: 'verdict', verdict: 'drop' }]],
  ['prefix', 'ip daddr 10.0.0.0/8', [{ kind: 'match', left: ip('daddr'), right: { kind: 'prefix', addr: v('10.0.0.0'), len: 8 } }]],
  ['range', 'th dport 1000-2000', [{ kind: 'match', left: { kind: 'payload', protocol: 'th', field: 'dport' }, right: { kind: 'range', low: v('1000'), high: v('2000') } }]],
  ['anonymous set', 'tcp dport { 22, 80 }', [{ kind: 'match', left: { kind: 'payload', protocol: 'tcp', field: 'dport' }, right: { kind: 'set', elements: [{ key: v('22'), options: [], span: expect.anything() }, { key: v('80'), options: [], newline: false, span: expect.anything() }] } }]],
  ['named set lookup with concatenation', 'ip saddr . tcp dport @allowed', [{ kind: 'match', left: { kind: 'concat', parts: [ip('saddr'), { kind: 'payload', protocol: 'tcp', field: 'dport' }] }, right: { kind: 'setref', name: 'allowed' } }]],
  ['bare meta key', 'iifname "eth0"', [{ kind: 'match', left: { kind: 'meta', key: 'iifname', explicit: false }, right: v('"eth0"') }]],
  ['ct state list', 'ct state established,related accept', [{ kind: 'match', left: { kind: 'ct', key: 'state' }, right: { kind: 'list', items: [v('established'), v('related')] } }, { kind: 'verdict', verdict: 'accept' }]],
  ['binop with explicit ==', 'meta mark & 0x0000ff00 == 0x00000100', [{ kind: 'match', left: { kind: 'binop', op: '&', left: { kind: 'meta', key: 'mark', explicit: true }, right: v('0x0000ff00') }, op: '==', right: v('0x00000100') }]],
  ['fib', 'fib daddr type local', [{ kind: 'match', left: { kind: 'fib', flags: ['daddr'], result: 'type' }, right: v('local') }]],
  ['vmap', 'ct state vmap @m', [{ kind: 'vmap', key: { kind: 'ct', key: 'state' }, map: { kind: 'setref', name: 'm' } }]],
  ['jump', 'jump other', [{ kind: 'verdict', verdict: 'jump', chain: 'other' }]],
  ['counter with values', 'counter packets 3 bytes 180', [{ kind: 'counter', packets: '3', bytes: '180' }]],
  ['dnat with family and port', 'dnat ip to 10.0.0.2:8080', [{ kind: 'nat', type: 'dnat', family: 'ip', to: v('10.0.0.2:8080'), flags: [] }]],
  ['dnat through a map', 'dnat to ip daddr map @dst', [{ kind: 'nat', type: 'dnat', to: { kind: 'map', key: ip('daddr'), map: { kind: 'setref', name: 'dst' } }, flags: [] }]],
  ['masquerade with flags', 'masquerade random,persistent', [{ kind: 'nat', type: 'masquerade', flags: ['random', 'persistent'] }]],
  ['mark set', 'meta mark set 0x00000001', [{ kind: 'mangle', target: { kind: 'meta', key: 'mark', explicit: true }, value: v('0x00000001') }]],
  ['ct mark from meta mark', 'ct mark set meta mark', [{ kind: 'mangle', target: { kind: 'ct', key: 'mark' }, value: { kind: 'meta', key: 'mark', explicit: true } }]],
  ['log', 'log prefix "in: " level info', [{ kind: 'log', options: [{ key: 'prefix', value: '"in: "' }, { key: 'level', value: 'info' }] }]],
  ['limit', 'limit rate over 10/second burst 5 packets drop', [{ kind: 'limit', over: true, rate: '10', per: 'second', burst: '5', burstUnit: 'packets' }, { kind: 'verdict', verdict: 'drop' }]],
  ['quota', 'quota over 25 mbytes', [{ kind: 'quota', over: true, amount: '25', unit: 'mbytes' }]],
  ['set update', 'update @seen { ip saddr counter }', [{ kind: 'setUpdate', op: 'update', set: 'seen', elem: ip('saddr'), stmts: [{ kind: 'counter', span: expect.anything() }] }]],
  ['reject variants', 'reject with icmpx admin-prohibited', [{ kind: 'reject', with: 'icmpx', code: 'admin-prohibited' }]],
  ['tcp reset', 'reject with tcp reset', [{ kind: 'reject', with: 'tcp', code: 'reset' }]],
  ['notrack', 'notrack', [{ kind: 'notrack' }]],
  ['tproxy', 'tproxy ip to 127.0.0.1:9000', [{ kind: 'tproxy', family: 'ip', to: v('127.0.0.1:9000') }]],
  ['queue', 'queue num 1-3 fanout,bypass', [{ kind: 'queue', options: ['num 1-3', 'fanout,bypass'] }]],
  ['numgen map', 'dnat to numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }', [{ kind: 'nat', type: 'dnat', flags: [], to: { kind: 'map', key: { kind: 'numgen', mode: 'inc', mod: 2 }, map: expect.objectContaining({ kind: 'set' }) } }]],
  ['jhash', 'meta mark set jhash ip saddr mod 4 seed 0x1', [{ kind: 'mangle', target: { kind: 'meta', key: 'mark', explicit: true }, value: { kind: 'hash', fn: 'jhash', expr: ip('saddr'), mod: 4, seed: '0x1' } }]],
  ['nftrace', 'meta nftrace set 1', [{ kind: 'mangle', target: { kind: 'meta', key: 'nftrace', explicit: true }, value: v('1') }]],
];

describe('rules of nft list ruleset text', () => {
  it.each(cases)('%s: %s', (_name, rule, expected) => {
    const r = stmtsOf(rule);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toBe(0);
    expect(r.stmts).toEqual(expected);
    expect(printRuleset(parseNftText(wrap(rule)).ruleset)).toBe(wrap(rule));
  });

  it('keeps comment and handle on the rule', () => {
    const r = parseNftText(wrap('tcp dport 22 accept comment "ssh" # handle 7'));
    const rule = r.ruleset.tables.get('inet t')?.chains.get('c')?.rules[0];
    expect(rule?.comment).toBe('ssh');
    expect(rule?.handle).toBe(7);
  });

  it('keeps an untyped statement verbatim, with a warning at it', () => {
    const r = stmtsOf('tcp dport 22 synproxy mss 1460 wscale 7 accept');
    expect(r.stmts[1]).toEqual({ kind: 'verbatim', text: 'synproxy mss 1460 wscale 7' });
    expect(r.warnings).toBe(1);
    expect(printRuleset(parseNftText(wrap('tcp dport 22 synproxy mss 1460 wscale 7 accept')).ruleset)).toBe(wrap('tcp dport 22 synproxy mss 1460 wscale 7 accept'));
  });

  it('reads an anonymous chain (jump { … }) as nested rules', () => {
    const text = 'table inet x {\n\tchain y {\n\t\ttcp dport 53 jump {\n\t\t\tip saddr 127.0.0.0/8 accept\n\t\t\tdrop\n\t\t}\n\t}\n}\n';
    const r = parseNftText(text);
    const st = r.ruleset.tables.get('inet x')?.chains.get('y')?.rules[0]?.stmts[1];
    expect(st?.kind === 'verdict' && st.rules?.length).toBe(2);
    expect(printRuleset(r.ruleset)).toBe(text);
  });
});
