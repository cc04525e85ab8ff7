// compareWithXtables (src/xt/mixed.ts): which tables of an nft listing an iptables-nft save omits, and which rules
// in its tables it misprints. Each row: a rule added to `ip filter INPUT`, and what iptables-nft-save 1.8.9 makes
// of it (observed in a cs- namespace, see the file's header) — reported only where nft's listing cannot come from
// an xt match nft translated.
import { describe, expect, it } from 'vitest';
import { compareWithXtables, parseNft } from '../src/index';

const host = (rule: string) => `table ip filter {\n\tset s {\n\t\ttype ipv4_addr\n\t}\n\n\tchain INPUT {\n\t\ttype filter hook input priority filter; policy accept;\n\t\t${rule}\n\t}\n}\n`;
const view = [{ family: 'ip' as const, tables: ['filter'] }];

describe('rules iptables-nft-save misprints', () => {
  it.each([
    ['ip saddr @s accept', ['set lookup @s']], // saved as -A INPUT -j ACCEPT
    ['ip saddr { 192.0.2.1, 192.0.2.2 } accept', ['anonymous set']], // saved as -A INPUT -j ACCEPT
    ['ip saddr . tcp dport { 192.0.2.1 . 22 } accept', ['concatenation', 'anonymous set']], // -A INPUT -p tcp -j ACCEPT
    ['tcp dport vmap { 22 : accept }', ['verdict map']], // -A INPUT -p tcp (no target)
    ['ip saddr @ipset accept', []], // -m set --match-set ipset src, as nft translates it: no set of that name here
    ['meta l4proto tcp tcp dport { 22, 80 } accept', []], // -m multiport, as nft translates it
    ['ip saddr 10.0.0.0/8 tcp dport 22 ct state new counter packets 0 bytes 0 accept', []],
  ])('%s', (rule, reasons) => {
    const r = compareWithXtables(parseNft(host(rule), 'h.nft').ruleset, view);
    expect(r.omitted).toEqual([]);
    expect(r.misprinted.map((m) => m.reasons)).toEqual(reasons.length ? [reasons] : []);
    if (reasons.length) expect(r.misprinted[0]).toMatchObject({ family: 'ip', table: 'filter', chain: 'INPUT', line: 8, text: rule });
  });
});

describe('tables the save omits', () => {
  it('native tables of any family, and x_tables tables the save left out; other families of x_tables not judged', () => {
    const text = `${host('accept')}table inet fw {\n}\ntable ip nat {\n}\ntable ip6 filter {\n}\ntable netdev ingress {\n}\ntable ip mine {\n}\n`;
    const r = compareWithXtables(parseNft(text, 'h.nft').ruleset, view);
    expect(r.omitted.map((t) => `${t.family} ${t.name} ${t.why} ${t.line}`)).toEqual([
      'inet fw native 11', 'ip nat incompatible 13', 'netdev ingress native 17', 'ip mine native 19',
    ]);
  });
});
