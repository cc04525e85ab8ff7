// diffSnapshots, one row per change kind and option: a before and an after snapshot, and the changes expected,
// each summarised on one line as `kind chain before→after details` (b:/a: are line numbers in each file).
import { describe, expect, it } from 'vitest';
import { diffSnapshots, type Change, type DiffOptions } from '../src/index';
import { snapshot } from './helpers';

function summary(c: Change): string {
  const at = (side: 'b' | 'a', ref: { span: { start: { line: number } } | null } | undefined) => (ref?.span ? `${side}:${ref.span.start.line}` : '');
  const move = (b?: { span: { start: { line: number } } | null }, a?: { span: { start: { line: number } } | null }) => `${at('b', b)}→${at('a', a)}`;
  switch (c.kind) {
    case 'table-added': return `table-added ${c.table} ${c.chains.map((x) => x.chain).join(',')}`;
    case 'table-removed': return `table-removed ${c.table} ${c.chains.map((x) => x.chain).join(',')}`;
    case 'chain-added': return `chain-added ${c.chain} ${move(undefined, c.after)} rules ${c.rules.length} reach ${c.reach.after!.join(',') || '-'}`;
    case 'chain-removed': return `chain-removed ${c.chain} ${move(c.before, undefined)} rules ${c.rules.length} reach ${c.reach.before!.join(',') || '-'}`;
    case 'chain-renamed': return `chain-renamed ${c.before.chain}→${c.after.chain} by ${c.pairedBy}`;
    case 'policy-changed': return `policy-changed ${c.chain} ${move(c.before, c.after)} ${c.from}→${c.to}`;
    case 'rule-added': return `rule-added ${c.chain} ${move(undefined, c.after)}`;
    case 'rule-removed': return `rule-removed ${c.chain} ${move(c.before, undefined)}`;
    case 'rule-modified': return `rule-modified ${c.chain} ${move(c.before, c.after)} ${c.options.map((o) => `${o.option} ${o.before ?? '∅'}→${o.after ?? '∅'}`).join('; ')}`;
    case 'rule-moved': {
      const first = c.crossed.find((x) => !x.sameEffect);
      return `rule-moved ${c.chain} ${move(c.before, c.after)} ${c.behaviour} crossed ${c.crossedCount}${first ? ` first a:${first.rule.span.start.line} ${first.overlap.verdict}` : ''}`;
    }
    case 'counters-changed': {
      const f = (x: { packets: bigint; bytes: bigint } | null) => (x ? `[${x.packets}:${x.bytes}]` : '-');
      return `counters-changed ${c.chain} ${move(c.before, c.after)} ${f(c.from)}→${f(c.to)}`;
    }
    case 'service-endpoints': return `service-endpoints ${c.service} ${[...c.removed.map((x) => '-' + x), ...c.added.map((x) => '+' + x)].join(' ')}`;
    case 'service-added': return `service-added ${c.service} ${c.after.map((e) => e.address).join(',')}`;
    case 'service-removed': return `service-removed ${c.service} ${c.before.map((e) => e.address).join(',')}`;
  }
}

/** `*filter` with the three built-in chains (lines 2-4), user chains, then rules. */
function filter(chains: string[], rules: string[], policies: Record<string, string> = {}, counters = '[0:0]'): string {
  const builtin = ['INPUT', 'FORWARD', 'OUTPUT'].map((c) => `:${c} ${policies[c] ?? 'ACCEPT'} ${counters}`);
  return ['*filter', ...builtin, ...chains.map((c) => `:${c} - [0:0]`), ...rules, 'COMMIT', ''].join('\n');
}

// Line numbers: 1 *filter, 2-4 built-ins, 5 :WEB, then rules from line 6.
const BASE_RULES = [
  '-A INPUT -i lo -j ACCEPT', // 6
  '-A INPUT -p tcp -m tcp --dport 80 -j WEB', // 7
  '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT', // 8
  '-A INPUT -s 203.0.113.0/24 -j DROP', // 9
  '-A FORWARD -j WEB', // 10
  '-A WEB -s 10.0.0.0/8 -j ACCEPT', // 11
  '-A WEB -j DROP', // 12
];
const BASE = filter(['WEB'], BASE_RULES);

const withRules = (rules: string[]) => filter(['WEB'], rules);
const replace = (i: number, line: string) => BASE_RULES.map((r, k) => (k === i ? line : r));

interface Case {
  name: string;
  before: string;
  after: string;
  options?: DiffOptions;
  expected: string[];
}

const cases: Case[] = [
  {
    name: 'equivalent spellings are no change',
    before: BASE,
    after: withRules([
      '-A INPUT -i lo -j ACCEPT',
      '-A INPUT -p 6 --destination-port 80 -j WEB',
      '-A INPUT -p tcp --dport 22 -j ACCEPT',
      '-A INPUT -s 203.0.113.7/255.255.255.0 -j DROP',
      '-A FORWARD -j WEB',
      '-A WEB -s 10.0.0.0/8 -j ACCEPT',
      '-A WEB -j DROP',
    ]),
    expected: [],
  },
  {
    name: 'counters are ignored by default',
    before: filter(['WEB'], BASE_RULES.map((r) => '[1:60] ' + r), {}, '[9:900]'),
    after: filter(['WEB'], BASE_RULES.map((r) => '[5:300] ' + r), {}, '[10:1000]'),
    expected: [],
  },
  {
    name: 'counters compared on request',
    before: filter(['WEB'], BASE_RULES.map((r, i) => (i === 0 ? '[1:60] ' : '[0:0] ') + r)),
    after: filter(['WEB'], BASE_RULES.map((r, i) => (i === 0 ? '[5:300] ' : '[0:0] ') + r), { FORWARD: 'ACCEPT' }),
    options: { ignoreCounters: false },
    expected: ['counters-changed INPUT b:6→a:6 [1:60]→[5:300]'],
  },
  {
    name: 'policy changed',
    before: BASE,
    after: filter(['WEB'], BASE_RULES, { FORWARD: 'DROP' }),
    expected: ['policy-changed FORWARD b:3→a:3 ACCEPT→DROP'],
  },
  {
    name: 'rule added and rule removed',
    before: BASE,
    after: withRules([...BASE_RULES.slice(0, 2), '-A INPUT -p udp -m udp --dport 53 -j ACCEPT', ...BASE_RULES.slice(2, 5), BASE_RULES[6]!]),
    expected: ['rule-added INPUT →a:8', 'rule-removed WEB b:11→'],
  },
  {
    name: 'rule modified in place: which options',
    before: BASE,
    after: withRules(replace(2, '-A INPUT -p tcp -m tcp --dport 2222 -s 198.51.100.0/24 -j ACCEPT')),
    expected: ['rule-modified INPUT b:8→a:8 -m tcp --dport 22→2222; -s ∅→198.51.100.0/24'],
  },
  {
    name: 'moved across a disjoint rule: cannot change behaviour',
    before: BASE,
    after: withRules([BASE_RULES[0]!, BASE_RULES[2]!, BASE_RULES[1]!, ...BASE_RULES.slice(3)]),
    expected: ['rule-moved INPUT b:7→a:8 unchanged crossed 1'],
  },
  {
    name: 'moved across an overlapping rule: can change behaviour',
    before: BASE,
    after: withRules([BASE_RULES[0]!, BASE_RULES[1]!, BASE_RULES[3]!, BASE_RULES[2]!, ...BASE_RULES.slice(4)]),
    expected: ['rule-moved INPUT b:8→a:9 may-change crossed 1 first a:8 overlap'],
  },
  {
    name: 'moved across a rule with the same verdict: cannot change behaviour',
    before: withRules(['-A INPUT -s 10.0.0.0/8 -j DROP', '-A INPUT -p udp -j DROP', '-A INPUT -j ACCEPT']),
    after: withRules(['-A INPUT -p udp -j DROP', '-A INPUT -s 10.0.0.0/8 -j DROP', '-A INPUT -j ACCEPT']),
    expected: ['rule-moved INPUT b:6→a:7 unchanged crossed 1'],
  },
  {
    name: 'moved across a rule that cannot be reasoned about',
    before: withRules(['-A INPUT -m set --match-set allow src -j ACCEPT', '-A INPUT -s 10.0.0.0/8 -j DROP']),
    after: withRules(['-A INPUT -s 10.0.0.0/8 -j DROP', '-A INPUT -m set --match-set allow src -j ACCEPT']),
    expected: ['rule-moved INPUT b:6→a:7 unknown crossed 1 first a:6 unknown'],
  },
  {
    name: 'chain added and chain removed, with the built-in chains that reach them',
    before: filter(['OLD', 'WEB'], ['-A INPUT -j WEB', '-A OLD -j DROP', '-A WEB -j ACCEPT']),
    after: filter(['LOGDROP', 'WEB'], ['-A INPUT -j WEB', '-A FORWARD -j LOGDROP', '-A LOGDROP -j LOG', '-A LOGDROP -j DROP', '-A WEB -j ACCEPT']),
    expected: ['rule-added FORWARD →a:8', 'chain-added LOGDROP →a:5 rules 2 reach FORWARD', 'chain-removed OLD b:5→ rules 1 reach -'],
  },
  {
    name: 'table added and table removed',
    before: BASE + '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n',
    after: '*nat\n:PREROUTING ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n' + BASE,
    expected: ['table-added nat PREROUTING,POSTROUTING', 'table-removed raw PREROUTING,OUTPUT'],
  },
  {
    name: 'hash-named chain renamed: paired by content, jumps compare through the rename',
    before: filter(['cali-pi-_AAAAAAAAAAAAAAAAAAA'], ['-A INPUT -j cali-pi-_AAAAAAAAAAAAAAAAAAA', '-A cali-pi-_AAAAAAAAAAAAAAAAAAA -p tcp -m tcp --dport 443 -j ACCEPT']),
    after: filter(['cali-pi-_BBBBBBBBBBBBBBBBBBB'], ['-A INPUT -j cali-pi-_BBBBBBBBBBBBBBBBBBB', '-A cali-pi-_BBBBBBBBBBBBBBBBBBB -p tcp -m tcp --dport 443 -j ACCEPT']),
    expected: ['chain-renamed cali-pi-_AAAAAAAAAAAAAAAAAAA→cali-pi-_BBBBBBBBBBBBBBBBBBB by content'],
  },
  {
    name: 'a chain not hash-named is not paired by content',
    before: filter(['A'], ['-A INPUT -j A', '-A A -j ACCEPT']),
    after: filter(['B'], ['-A INPUT -j B', '-A B -j ACCEPT']),
    expected: ['rule-modified INPUT b:6→a:6 -j A→B', 'chain-added B →a:5 rules 1 reach INPUT', 'chain-removed A b:5→ rules 1 reach INPUT'],
  },
  {
    name: '--table restricts to one table',
    before: BASE + '*raw\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n',
    after: filter(['WEB'], BASE_RULES, { FORWARD: 'DROP' }),
    options: { tables: ['raw'] },
    expected: ['table-removed raw PREROUTING'],
  },
  {
    name: '--chain restricts to matching chains',
    before: BASE,
    after: filter(['WEB'], replace(6, '-A WEB -j REJECT'), { FORWARD: 'DROP' }),
    options: { chains: ['W*'] },
    expected: ['rule-modified WEB b:12→a:12 -j DROP→REJECT'],
  },
  {
    name: '--ignore-chains leaves chains out and compares jumps into them by the pattern',
    before: filter(['KUBE-SEP-AAAA', 'KUBE-SVC-X'], ['-A KUBE-SVC-X -j KUBE-SEP-AAAA', '-A KUBE-SEP-AAAA -j DNAT --to-destination 10.0.0.1:80']),
    after: filter(['KUBE-SEP-BBBB', 'KUBE-SVC-X'], ['-A KUBE-SVC-X -j KUBE-SEP-BBBB', '-A KUBE-SEP-BBBB -j DNAT --to-destination 10.0.0.2:80']),
    options: { ignoreChains: ['KUBE-SEP-*'] },
    expected: [],
  },
  {
    name: '--ignore-comments',
    before: withRules(replace(0, '-A INPUT -i lo -m comment --comment loopback -j ACCEPT')),
    after: withRules(replace(0, '-A INPUT -i lo -m comment --comment "local traffic" -j ACCEPT')),
    options: { ignoreComments: true },
    expected: [],
  },
  {
    name: 'comments compared by default',
    before: withRules(replace(0, '-A INPUT -i lo -m comment --comment loopback -j ACCEPT')),
    after: withRules(replace(0, '-A INPUT -i lo -m comment --comment "local traffic" -j ACCEPT')),
    expected: ['rule-modified INPUT b:6→a:6 -m comment --comment "loopback"→"local traffic"'],
  },
];

describe('diffSnapshots', () => {
  it.each(cases)('$name', ({ before, after, options, expected }) => {
    const r = diffSnapshots(snapshot(before, 'b'), snapshot(after, 'a'), options);
    expect(r.changes.map(summary)).toEqual(expected);
    expect(r.identical).toBe(expected.length === 0);
    expect(r.changes.map((c) => c.id)).toEqual(expected.map((_, i) => i));
  });

  it('rejects no input but notes a family mismatch', () => {
    const v6 = snapshot('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', 'v6');
    const r = diffSnapshots(snapshot(BASE, 'b'), { ...v6, family: 'ipv6' });
    expect(r.notes.map((n) => n.code)).toContain('diff/family-mismatch');
  });

  it('says which built-in chains reach a changed user chain, on each side', () => {
    const r = diffSnapshots(snapshot(BASE, 'b'), snapshot(withRules(replace(6, '-A WEB -j REJECT')), 'a'));
    expect(r.changes[0]!.reach).toEqual({ before: ['INPUT', 'FORWARD'], after: ['INPUT', 'FORWARD'] });
    const unhooked = diffSnapshots(snapshot(BASE, 'b'), snapshot(withRules([...BASE_RULES.slice(0, 4), ...replace(6, '-A WEB -j REJECT').slice(5)]), 'a'));
    expect(unhooked.changes.map((c) => [c.kind, c.reach])).toEqual([
      ['rule-removed', { before: ['FORWARD'], after: ['FORWARD'] }],
      ['rule-modified', { before: ['INPUT', 'FORWARD'], after: ['INPUT'] }],
    ]);
  });

  it('counts changes per table', () => {
    const r = diffSnapshots(snapshot(BASE, 'b'), snapshot(filter(['WEB'], replace(2, '-A INPUT -p tcp --dport 2222 -j ACCEPT'), { FORWARD: 'DROP' }), 'a'));
    expect(r.stats).toEqual([{ table: 'filter', counts: { 'rule-modified': 1, 'policy-changed': 1 }, explained: 0 }]);
  });
});
