// Commands apply in order, as iptables-restore applies them: each row is a file, the chains and targets it
// leaves (rules as `chain:index→target/type`), and the target diagnostics in the order they are given (by chain,
// then by rule, whatever order the lines came in).
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';

function apply(text: string, format: 'iptables-save' | 'commands' = 'iptables-save') {
  const r = parseSnapshot(text, { fileName: 'f', format, family: 'ipv4' });
  const rules = r.snapshot.tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((x) => {
    expect(x.chain).toBe(c.name);
    expect(x.table).toBe(t.name);
    return `${x.chain}:${x.index}→${x.target?.name}/${x.target?.type}`;
  })));
  const targets = r.diagnostics.filter((d) => d.code.endsWith('-target')).map((d) => `${d.code} ${d.span.start.line}`);
  return { rules, targets };
}

describe('rules are numbered, named and resolved', () => {
  it.each([
    ['appended rules are numbered in order',
      '*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-A INPUT -j ACCEPT\n-A X -j DROP\nCOMMIT\n',
      ['INPUT:1→X/chain', 'INPUT:2→ACCEPT/verdict', 'X:1→DROP/verdict'], []],
    ['-I renumbers the chain',
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-I INPUT 1 -j DROP\nCOMMIT\n',
      ['INPUT:1→DROP/verdict', 'INPUT:2→ACCEPT/verdict'], []],
    ['-D by number renumbers the chain',
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\n-A INPUT -j DROP\n-A INPUT -j RETURN\n-D INPUT 1\nCOMMIT\n',
      ['INPUT:1→DROP/verdict', 'INPUT:2→RETURN/verdict'], []],
    ['a chain declared in a later section of the same table makes earlier jumps to it defined',
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j LATER\nCOMMIT\n*filter\n:LATER - [0:0]\nCOMMIT\n',
      ['INPUT:1→LATER/chain'], []],
    ['-X of a chain leaves jumps to it undefined',
      '*filter\n:INPUT ACCEPT [0:0]\n:X - [0:0]\n-A INPUT -j X\n-X X\nCOMMIT\n',
      ['INPUT:1→X/chain'], ['parse/undefined-target 4']],
    ['-E renames the chain and the jumps to it',
      '*filter\n:INPUT ACCEPT [0:0]\n:OLD - [0:0]\n-A INPUT -j OLD\n-A OLD -j ACCEPT\n-E OLD NEW\nCOMMIT\n',
      ['INPUT:1→NEW/chain', 'NEW:1→ACCEPT/verdict'], []],
    ['a user chain named like a target extension is jumped to',
      '*filter\n:INPUT ACCEPT [0:0]\n:LOG - [0:0]\n-A INPUT -j LOG\nCOMMIT\n',
      ['INPUT:1→LOG/chain'], ['parse/chain-shadows-target 4']],
    ['…and is the extension again once the chain is deleted',
      '*filter\n:INPUT ACCEPT [0:0]\n:LOG - [0:0]\n-A INPUT -j LOG\n-X LOG\nCOMMIT\n',
      ['INPUT:1→LOG/extension'], []],
    ['-F drops the rules and their warnings',
      '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -j NOPE\n-F INPUT\nCOMMIT\n',
      [], []],
    ['warnings come by chain order, then rule order, not line order',
      '*filter\n:INPUT ACCEPT [0:0]\n:B - [0:0]\n:A - [0:0]\n-A A -j NOPE1\n-A B -j NOPE2\n-A INPUT -j NOPE3\n-A B -j NOPE4\nCOMMIT\n',
      ['INPUT:1→NOPE3/chain', 'B:1→NOPE2/chain', 'B:2→NOPE4/chain', 'A:1→NOPE1/chain'],
      ['parse/undefined-target 7', 'parse/undefined-target 6', 'parse/undefined-target 8', 'parse/undefined-target 5']],
  ])('%s', (_name, text, rules, targets) => {
    const got = apply(text);
    expect(got.rules).toEqual(rules);
    expect(got.targets).toEqual(targets);
  });

  it('a shell script may create a chain after jumping to it (-N after -A)', () => {
    const got = apply('iptables -A INPUT -j LATER\niptables -N LATER\n', 'commands');
    expect(got.rules).toEqual(['INPUT:1→LATER/chain']);
    expect(got.targets).toEqual([]);
  });
});
