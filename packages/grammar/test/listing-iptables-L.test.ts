// `iptables -L` / `ip6tables -L` listings read into the same typed model as iptables-save / iptables -S.
// Expected rules come from the real tools (listing-print-forms.data.ts, and -S output of the same rulesets),
// or, for forms of old iptables versions, from the corpus listings and the iptables sources they cite.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allRules, parseSnapshot, printRuleArgs, type Diagnostic, type Rule, type Snapshot } from '@chainsight/grammar';
import { meaning } from './model';
import { PRINT_FORMS } from './listing-print-forms.data';
import { sharedAvailable, sharedDir as shared, walk } from '../../../test-support/shared';

const haveShared = sharedAvailable('the shared corpus (listing files)');
const sharedIt = haveShared ? it : it.skip;

const HEADER_VX = '    pkts      bytes target     prot opt in     out     source               destination         ';

function listing(text: string, o: { family?: 'ipv4' | 'ipv6'; table?: string } = {}) {
  return parseSnapshot(text, { format: 'iptables-L', fileName: 'listing.txt', ...o });
}

function saved(text: string, o: { family?: 'ipv4' | 'ipv6'; table?: string } = {}) {
  return parseSnapshot(text, { format: 'iptables-S', fileName: 'rules.S', ...o });
}

/** The typed rules of a snapshot, without counters (a listing's counters are compared on their own). */
function rulesOf(s: Snapshot) {
  return meaning(s).tables.flatMap((t) => t.chains.flatMap((c) => c.rules.map((r) => ({ chain: c.name, ...r, counters: null }))));
}

const others = (ds: Diagnostic[], codes: string[]) => ds.filter((d) => !codes.includes(d.code));

describe('print forms: one row per extension form, as iptables 1.8.9 printed it', () => {
  const cases = PRINT_FORMS.flatMap((row) => (['n', 'names'] as const).filter((m) => row[m] !== undefined).map((mode) => ({ row, mode })));
  it.each(cases.map((c) => [`${c.row.family ?? 'ipv4'} ${c.row.table ?? 'filter'} ${c.mode}: ${c.row.save}`, c] as const))('%s', (_name, { row, mode }) => {
    const chainLine = row.chain ? `Chain ${row.chain} (policy ACCEPT 0 packets, 0 bytes)` : 'Chain X (0 references)';
    const line = row[mode]!;
    const got = listing(`${chainLine}\n${HEADER_VX}\n${line}\n`, { family: row.family ?? 'ipv4', table: row.table ?? 'filter' });
    const want = saved(row.chain ? `-A ${row.chain} ${row.save}\n` : `-N X\n-A X ${row.save}\n`, { family: row.family ?? 'ipv4', table: row.table ?? 'filter' });
    const lossy = row.lossy?.[mode];
    if (!row.lossy) expect(want.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    if (lossy) {
      const warnings = got.diagnostics.filter((d) => d.code === 'parse/listing-lossy');
      expect(warnings).toHaveLength(1);
      const w = warnings[0]!;
      expect(w.message).toContain(lossy);
      // The warning points at the column it names, on the row's line.
      expect(w.span.start.line).toBe(3);
      expect(w.message).toContain(`'${line.slice(w.span.start.column - 1, w.span.end.column - 1)}' (column ${w.span.start.column})`);
      expect(others(got.diagnostics, ['parse/listing-lossy']).filter((d) => d.severity === 'error')).toEqual([]);
      return;
    }
    expect(got.diagnostics).toEqual([]);
    if (!row.printNote) expect([...allRules(got.snapshot)].map(printRuleArgs)).toEqual([...allRules(want.snapshot)].map(printRuleArgs));
    expect(rulesOf(got.snapshot)).toEqual(rulesOf(want.snapshot));
  });
});

/** Rows of older iptables versions, verbatim from corpus listings (file named) or printed as the cited source does. */
const OLD_FORMS: { what: string; row: string; save: string; header?: string }[] = [
  {
    what: 'iptables 1.4 tcp: ports and flags: printed without a space (Tails 1.4.1, -Lnv)',
    row: '    0     0 ACCEPT     tcp  --  *      lo      0.0.0.0/0            127.0.0.1            tcp dpt:9050flags: 0x17/0x02 owner UID match 13',
    save: '-d 127.0.0.1/32 -o lo -p tcp -m tcp --dport 9050 --tcp-flags FIN,SYN,RST,ACK SYN -m owner --uid-owner 13 -j ACCEPT',
  },
  {
    what: 'iptables 1.4 tcp: flags without ports, glued to the module name (Tails 1.4.1, -Lnv)',
    row: '   19   988 ACCEPT     tcp  --  *      lo      0.0.0.0/0            127.0.0.1            tcpflags: 0x17/0x02 multiport dports 9050,9061,9062,9150 owner UID match 1000',
    save: '-d 127.0.0.1/32 -o lo -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -m multiport --dports 9050,9061,9062,9150 -m owner --uid-owner 1000 -j ACCEPT',
  },
  {
    what: 'iptables 1.4 tcp without -n: a service name glued to flags: (Tails 1.4.1, -Lv)',
    row: '    0     0 ACCEPT     tcp  --  any    lo      anywhere             127.0.0.2            tcp dpt:domainflags: FIN,SYN,RST,ACK/SYN owner UID match 1000',
    save: '-d 127.0.0.2/32 -o lo -p tcp -m tcp --dport 53 --tcp-flags FIN,SYN,RST,ACK SYN -m owner --uid-owner 1000 -j ACCEPT',
  },
  {
    what: 'iptables 1.4 LOG without -n: level name and flag words (Tails 1.4.1, -Lv)',
    row: '12512 1051K LOG        all  --  any    any     anywhere             anywhere             LOG level debug uid prefix "Dropped outbound packet: "',
    save: '-j LOG --log-prefix "Dropped outbound packet: " --log-level 7 --log-uid',
  },
  {
    what: 'iptables 1.4 LOG with -n: flags as a number (Tails 1.4.1, -Lnv)',
    row: '12512 1051K LOG        all  --  *      *       0.0.0.0/0            0.0.0.0/0            LOG flags 8 level 7 prefix "Dropped outbound packet: "',
    save: '-j LOG --log-prefix "Dropped outbound packet: " --log-level 7 --log-uid',
  },
  {
    what: 'iptables 1.3 LOG: prefix in `quotes\' (libipt_LOG.c print: printf("prefix `%s\' ", …))',
    row: '    0     0 LOG        all  --  *      *       0.0.0.0/0            0.0.0.0/0            LOG flags 0 level 4 prefix `IPTABLES FRAGMENTS: \' ',
    save: '-j LOG --log-prefix "IPTABLES FRAGMENTS: "',
  },
  {
    what: 'fragments and negated tcp flags (sns.ias.edu, -Lnv)',
    row: '   18  1986 DROP       tcp  --  wlan0  *       0.0.0.0/0            0.0.0.0/0            tcp flags:!0x17/0x02 state NEW',
    save: '-i wlan0 -p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN -m state --state NEW -j DROP',
  },
  {
    what: 'a negated protocol glued to a short target (openlab, -Lnv)',
    row: '    0     0 DROP      !tcp  --  *      *       0.0.0.0/0            10.10.0.0/16        ',
    save: '-d 10.10.0.0/16 ! -p tcp -j DROP',
  },
  {
    what: 'icmp type with -n and limit (Synology, -Ln)',
    header: 'target     prot opt source               destination         ',
    row: 'RETURN     icmp --  0.0.0.0/0            0.0.0.0/0            icmptype 8 limit: avg 1/sec burst 5',
    save: '-p icmp -m icmp --icmp-type 8 -m limit --limit 1/sec -j RETURN',
  },
  {
    what: 'cilium\'s listing: socket, comment, MARK and TPROXY (header without trailing blanks)',
    header: 'target     prot opt source               destination',
    row: 'TPROXY     udp  --  0.0.0.0/0            0.0.0.0/0            mark match 0xd7a90200 /* cilium: TPROXY to host cilium-random-ingress proxy */ TPROXY redirect 0.0.0.0:43479 mark 0x200/0xffffffff',
    save: '-p udp -m mark --mark 0xd7a90200 -m comment --comment "cilium: TPROXY to host cilium-random-ingress proxy" -j TPROXY --on-port 43479 --on-ip 0.0.0.0 --tproxy-mark 0x200/0xffffffff',
  },
  {
    what: 'ipset match (libxt_set.c set_print_v4_matchinfo prints its save form without dashes)',
    row: '    0     0 DROP       all  --  *      *       0.0.0.0/0            0.0.0.0/0            ! match-set blocked src,dst return-nomatch ! update-counters',
    save: '-m set ! --match-set blocked src,dst --return-nomatch ! --update-counters -j DROP',
  },
  {
    what: 'SET target (libxt_SET.c set_target_print_v2)',
    row: '    0     0 SET        all  --  *      *       0.0.0.0/0            0.0.0.0/0            add-set seen src exist timeout 60',
    save: '-j SET --add-set seen src --exist --timeout 60',
  },
  {
    what: 'MARK revision 0/1 (libipt_MARK.c print: "MARK set 0x%lx")',
    row: '    0     0 MARK       all  --  *      *       0.0.0.0/0            0.0.0.0/0            MARK set 0x4',
    save: '-j MARK --set-xmark 0x4/0xffffffff',
  },
];

describe('print forms of older iptables versions', () => {
  it.each(OLD_FORMS.map((c) => [c.what, c] as const))('%s', (_what, c) => {
    const header = c.header ?? ' pkts bytes target     prot opt in     out     source               destination         ';
    const got = listing(`Chain OUTPUT (policy ACCEPT 0 packets, 0 bytes)\n${header}\n${c.row}\n`, { table: 'filter' });
    const want = saved(`-A OUTPUT ${c.save}\n`, { table: 'filter' });
    expect(got.diagnostics.filter((d) => d.code !== 'parse/listing-rounded-counters' && d.code !== 'parse/unknown-target' && d.code !== 'parse/undefined-target')).toEqual([]);
    expect([...allRules(got.snapshot)].map(printRuleArgs)).toEqual([...allRules(want.snapshot)].map(printRuleArgs));
    expect(rulesOf(got.snapshot)).toEqual(rulesOf(want.snapshot));
  });
});

/** One ruleset listed five ways by iptables 1.8.9 (legacy), with its `iptables -S`. */
const RULESET_S = `-P INPUT ACCEPT
-P FORWARD DROP
-P OUTPUT ACCEPT
-N WEB
-A INPUT -p tcp -m tcp --dport 80 -j WEB
-A INPUT -s 10.1.2.3/32 -p udp
-A INPUT -p icmp -j ACCEPT
-A WEB -m comment --comment "web in" -j ACCEPT
`;

const VARIANTS: Record<string, string> = {
  '-L': `Chain INPUT (policy ACCEPT)
target     prot opt source               destination         
WEB        tcp  --  anywhere             anywhere             tcp dpt:http
           udp  --  10.1.2.3             anywhere            
ACCEPT     icmp --  anywhere             anywhere            

Chain FORWARD (policy DROP)
target     prot opt source               destination         

Chain OUTPUT (policy ACCEPT)
target     prot opt source               destination         

Chain WEB (1 references)
target     prot opt source               destination         
ACCEPT     all  --  anywhere             anywhere             /* web in */
`,
  '-L -n --line-numbers': `Chain INPUT (policy ACCEPT)
num  target     prot opt source               destination         
1    WEB        6    --  0.0.0.0/0            0.0.0.0/0            tcp dpt:80
2               17   --  10.1.2.3             0.0.0.0/0           
3    ACCEPT     1    --  0.0.0.0/0            0.0.0.0/0           

Chain FORWARD (policy DROP)
num  target     prot opt source               destination         

Chain OUTPUT (policy ACCEPT)
num  target     prot opt source               destination         

Chain WEB (1 references)
num  target     prot opt source               destination         
1    ACCEPT     0    --  0.0.0.0/0            0.0.0.0/0            /* web in */
`,
  '-L -v -n': `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         
    0     0 WEB        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80
    0     0            17   --  *      *       10.1.2.3             0.0.0.0/0           
    6  240K ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0           

Chain FORWARD (policy DROP 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         

Chain OUTPUT (policy ACCEPT 6 packets, 240K bytes)
 pkts bytes target     prot opt in     out     source               destination         

Chain WEB (1 references)
 pkts bytes target     prot opt in     out     source               destination         
    0     0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* web in */
`,
  '-L -v -n -x --line-numbers': `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)
num      pkts      bytes target     prot opt in     out     source               destination         
1           0        0 WEB        6    --  *      *       0.0.0.0/0            0.0.0.0/0            tcp dpt:80
2           0        0            17   --  *      *       10.1.2.3             0.0.0.0/0           
3           6   240168 ACCEPT     1    --  *      *       0.0.0.0/0            0.0.0.0/0           

Chain FORWARD (policy DROP 0 packets, 0 bytes)
num      pkts      bytes target     prot opt in     out     source               destination         

Chain OUTPUT (policy ACCEPT 6 packets, 240168 bytes)
num      pkts      bytes target     prot opt in     out     source               destination         

Chain WEB (1 references)
num      pkts      bytes target     prot opt in     out     source               destination         
1           0        0 ACCEPT     0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* web in */
`,
};

describe('columns: -L, -n, -v, -x, --line-numbers', () => {
  const want = saved(RULESET_S, { table: 'filter' });
  it.each(Object.keys(VARIANTS))('iptables %s gives the rules of iptables -S', (flags) => {
    const got = listing(VARIANTS[flags]!);
    expect(got.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect(got.snapshot.lossy).toBe(true);
    expect(got.snapshot.format).toBe('iptables-L');
    expect(rulesOf(got.snapshot)).toEqual(rulesOf(want.snapshot));
    const t = got.snapshot.tables[0]!;
    expect(t.chains.map((c) => [c.name, c.builtin, c.policy])).toEqual([
      ['INPUT', true, 'ACCEPT'], ['FORWARD', true, 'DROP'], ['OUTPUT', true, 'ACCEPT'], ['WEB', false, null],
    ]);
  });

  const counters: [string, [string, bigint | null, bigint | null][], [string, bigint | null] | null][] = [
    ['-L', [['INPUT', null, null]], null],
    ['-L -v -n', [['INPUT', 6n, 240000n], ['OUTPUT', 6n, 240000n]], ['OUTPUT', 240000n]],
    ['-L -v -n -x --line-numbers', [['INPUT', 6n, 240168n], ['OUTPUT', 6n, 240168n]], ['OUTPUT', 240168n]],
  ];
  it.each(counters)('%s: rule and policy counters', (flags, rules, policy) => {
    const got = listing(VARIANTS[flags]!);
    const t = got.snapshot.tables[0]!;
    for (const [chain, packets, bytes] of rules) {
      const r = t.chains.find((c) => c.name === chain)!.rules.at(-1);
      if (chain === 'INPUT') expect(r?.counters ?? null).toEqual(packets === null ? null : { packets, bytes });
    }
    const c = policy && t.chains.find((x) => x.name === policy[0])!;
    if (c) expect(c.counters).toEqual({ packets: 6n, bytes: policy[1] });
  });

  it('K/M/G counters are noted once, at the first rounded value', () => {
    const got = listing(VARIANTS['-L -v -n']!);
    const notes = got.diagnostics.filter((d) => d.code === 'parse/listing-rounded-counters');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.severity).toBe('info');
    const line = VARIANTS['-L -v -n']!.split('\n')[4]!;
    expect([notes[0]!.span.start.line, notes[0]!.span.start.column, notes[0]!.span.end.column]).toEqual([5, line.indexOf('240K') + 1, line.indexOf('240K') + 5]);
  });

  it('rows keep their text and location', () => {
    const got = listing(VARIANTS['-L -n --line-numbers']!);
    const r = [...allRules(got.snapshot)][1]!;
    expect(r.raw).toBe('2               17   --  10.1.2.3             0.0.0.0/0');
    expect([r.span.start.line, r.span.start.column, r.chain, r.index, r.target]).toEqual([4, 1, 'INPUT', 2, null]);
  });

  it('[goto] before the matches is -g', () => {
    const got = listing(`Chain INPUT (policy ACCEPT)\ntarget     prot opt source               destination         \nWEB        6    --  0.0.0.0/0            0.0.0.0/0           [goto]  tcp dpt:80\n\nChain WEB (1 references)\ntarget     prot opt source               destination         \n`);
    expect(got.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect([...allRules(got.snapshot)].map(printRuleArgs)).toEqual(['-p tcp -m tcp --dport 80 -g WEB']);
  });

  it('ip6tables -L -v', () => {
    const text = `Chain INPUT (policy DROP 0 packets, 0 bytes)
 pkts bytes target     prot opt in     out     source               destination         
    0     0 ACCEPT     ipv6-icmp --  eth0   any     fe80::/10            anywhere             ipv6-icmp neighbour-solicitation
    0     0 DROP       all      *      *       ::/0                !2001:db8::1          
`;
    const got = listing(text, { family: 'ipv6' });
    expect(got.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
    expect([...allRules(got.snapshot)].map(printRuleArgs)).toEqual([
      '-s fe80::/10 -i eth0 -p ipv6-icmp -m icmp6 --icmpv6-type 135 -j ACCEPT',
      '! -d 2001:db8::1/128 -j DROP',
    ]);
  });
});

describe('the table of a listing', () => {
  const chains = (names: [string, string | null][]) =>
    names.map(([n, p]) => `Chain ${n} (${p ? `policy ${p}` : '1 references'})\ntarget     prot opt source               destination\n`).join('\n');
  const cases: [string, string, { table?: string }, string, string][] = [
    ['filter chains', chains([['INPUT', 'ACCEPT'], ['FORWARD', 'DROP'], ['OUTPUT', 'ACCEPT']]), {}, 'filter', "read as 'filter' (built-in chains INPUT, FORWARD, OUTPUT)"],
    ['nat chains', chains([['PREROUTING', 'ACCEPT'], ['INPUT', 'ACCEPT'], ['OUTPUT', 'ACCEPT'], ['POSTROUTING', 'ACCEPT']]), {}, 'nat', "read as 'nat'"],
    ['raw chains', chains([['PREROUTING', 'ACCEPT'], ['OUTPUT', 'ACCEPT']]), {}, 'raw', "read as 'raw'"],
    ['mangle chains', chains([['PREROUTING', 'ACCEPT'], ['INPUT', 'ACCEPT'], ['FORWARD', 'ACCEPT'], ['OUTPUT', 'ACCEPT'], ['POSTROUTING', 'ACCEPT']]), {}, 'mangle', "read as 'mangle'"],
    ['a user chain with a mangle-only target', 'Chain P (1 references)\ntarget     prot opt source               destination\nTPROXY     tcp  --  0.0.0.0/0            0.0.0.0/0            TPROXY redirect 0.0.0.0:1 mark 0x1/0x1\n', {}, 'mangle', 'target TPROXY (only in mangle)'],
    ['the command line above', `# iptables -nL -t nat\n${chains([['PREROUTING', 'ACCEPT'], ['OUTPUT', 'ACCEPT']])}`, {}, 'nat', "table 'nat' taken from the command line"],
  ];
  it.each(cases)('%s', (_what, text, o, table, message) => {
    const got = listing(text, o);
    expect(got.snapshot.tables.map((t) => t.name)).toEqual([table]);
    const info = got.diagnostics.filter((d) => d.code === 'parse/listing-table');
    expect(info).toHaveLength(1);
    expect(info[0]!.severity).toBe('info');
    expect(info[0]!.message).toContain(message);
    expect(info[0]!.span.start.line).toBe(1);
  });

  it('a given table wins and is not reported', () => {
    const got = listing(chains([['PREROUTING', 'ACCEPT'], ['OUTPUT', 'ACCEPT']]), { table: 'nat' });
    expect(got.snapshot.tables.map((t) => t.name)).toEqual(['nat']);
    expect(got.diagnostics).toEqual([]);
  });

  it('two listings in one file are two tables', () => {
    const got = listing(`# iptables -t nat -L -n\n${chains([['PREROUTING', 'ACCEPT'], ['INPUT', 'ACCEPT'], ['OUTPUT', 'ACCEPT'], ['POSTROUTING', 'ACCEPT']])}\n${chains([['INPUT', 'ACCEPT'], ['FORWARD', 'ACCEPT'], ['OUTPUT', 'ACCEPT']])}`);
    expect(got.snapshot.tables.map((t) => [t.name, t.chains.length])).toEqual([['nat', 4], ['filter', 3]]);
    expect(got.diagnostics.filter((d) => d.severity !== 'info')).toEqual([]);
  });
});

describe('malformed lines: located errors, and the rest still parses', () => {
  const HDR = 'target     prot opt source               destination';
  /** `at`: the text the error's span covers on that line (empty: a point at the end of the row). */
  const cases: [string, string, { code: string; line: number; at: string }][] = [
    ['a row before any chain', `ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\nChain INPUT (policy ACCEPT)\n${HDR}\nDROP       all  --  0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/unexpected-line', line: 1, at: 'ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0' }],
    ['a row missing its destination', `Chain INPUT (policy ACCEPT)\n${HDR}\nACCEPT     all  --  0.0.0.0/0\nDROP       all  --  0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/listing-row', line: 3, at: '' }],
    ['no target/prot/opt columns', `Chain INPUT (policy ACCEPT)\n${HDR}\n?? ?? ?? ??\nDROP       all  --  0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/listing-row', line: 3, at: '??' }],
    ['a bad rule number', `Chain INPUT (policy ACCEPT)\nnum  ${HDR}\nx    ACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\n1    DROP       all  --  0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/listing-row', line: 3, at: 'x' }],
    ['a bad counter', `Chain INPUT (policy ACCEPT 0 packets, 0 bytes)\n pkts bytes ${HDR.replace('opt ', 'opt in     out     ')}\n    0  12Q DROP all -- * * 0.0.0.0/0 0.0.0.0/0\n    0     0 DROP       all  --  *      *       0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/listing-row', line: 3, at: '12Q' }],
    ['a chain header that cannot be read (its rows are skipped)', `Chain INPUT (policy ACCEPT 1 packet)\n${HDR}\nACCEPT     all  --  0.0.0.0/0            0.0.0.0/0\nChain OUTPUT (policy ACCEPT)\n${HDR}\nDROP       all  --  0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/listing-chain', line: 1, at: 'Chain INPUT (policy ACCEPT 1 packet)' }],
    ['a bad port in the free text', `Chain INPUT (policy ACCEPT)\n${HDR}\nACCEPT     tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:99999\nDROP       all  --  0.0.0.0/0            0.0.0.0/0\n`,
      { code: 'parse/bad-value', line: 3, at: '99999' }],
  ];
  it.each(cases)('%s', (_what, text, want) => {
    const got = listing(text, { table: 'filter' });
    const errors = got.diagnostics.filter((d) => d.severity === 'error');
    const lineText = text.split('\n')[want.line - 1]!;
    const column = want.at === '' ? lineText.length + 1 : lineText.indexOf(want.at) + 1;
    expect(errors.map((d) => ({ code: d.code, line: d.span.start.line, column: d.span.start.column, endColumn: d.span.end.column })))
      .toEqual([{ code: want.code, line: want.line, column, endColumn: column + want.at.length }]);
    expect(errors[0]!.span.start.offset).toBe(text.split('\n').slice(0, want.line - 1).join('\n').length + (want.line > 1 ? 1 : 0) + column - 1);
    // The DROP row after the bad one is still read.
    const rules = [...allRules(got.snapshot)];
    expect(rules.at(-1)?.target?.name).toBe('DROP');
    for (const d of got.diagnostics) expect(d.file).toBe('listing.txt');
  });

  it('text no form knows stays verbatim, with one warning naming its column', () => {
    const row = 'ACCEPT     tcp  --  0.0.0.0/0            0.0.0.0/0            tcp dpt:22 frobnicate 7 /* c */';
    const got = listing(`Chain INPUT (policy ACCEPT)\n${HDR}\n${row}\n`, { table: 'filter' });
    const warnings = got.diagnostics.filter((d) => d.severity !== 'info');
    expect(warnings.map((d) => [d.code, d.span.start.line, d.span.start.column])).toEqual([['parse/listing-lossy', 3, row.indexOf('frobnicate') + 1]]);
    expect(warnings[0]!.message).toContain(`'frobnicate 7' (column ${row.indexOf('frobnicate') + 1})`);
    const rule = [...allRules(got.snapshot)][0]!;
    // The comment after the unknown text is still read; the verbatim text keeps its place among the matches.
    expect(rule.matches.map((m) => [m.module, m.known])).toEqual([['tcp', true], ['listing', false], ['comment', true]]);
    expect(rule.matches[1]!.options.map((o) => [o.key, o.value])).toEqual([['--text', { type: 'raw', words: ['frobnicate 7'] }]]);
    expect(rule.comment).toBe('c');
    expect(printRuleArgs(rule)).toBe('-p tcp -m tcp --dport 22 -m listing --text "frobnicate 7" -m comment --comment c -j ACCEPT');
  });
});

/** Every listing in the corpus and the seed: no errors, one rule per row. */
function listingFiles(): string[] {
  if (!haveShared) return [];
  const listings = walk(path.join(shared, 'corpus')).filter((f) => f.endsWith('.listing.txt') && !f.includes('.eb.'));
  return [...listings, path.join(shared, 'seed', 'docker-2017.iptables-L-filter.txt'), path.join(shared, 'seed', 'docker-2017.iptables-L-nat.txt')].sort();
}

const isRow = (l: string) => l.trim() !== '' && !/^(Chain |#)/.test(l) && !/^\s*(num\s+)?(pkts\s+bytes\s+)?target\s+prot/.test(l);

describe('corpus and seed listings', () => {
  sharedIt('there are listings to read', () => expect(listingFiles().length).toBeGreaterThanOrEqual(25));
  it.each(listingFiles().map((f) => [path.relative(shared, f), f] as const))('%s', (_name, file) => {
    const text = readFileSync(file, 'utf8');
    const got = parseSnapshot(text, { fileName: file });
    expect(got.detected.format).toBe('iptables-L');
    expect(got.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect([...allRules(got.snapshot)]).toHaveLength(text.split('\n').filter(isRow).length);
  });
});

/** Rules of the listing and of the -S/-save text differ only where a diagnostic on that row says why. */
function crossCheck(listed: Snapshot, diagnostics: Diagnostic[], reference: Snapshot, table: string) {
  const ref = reference.tables.find((t) => t.name === table)!;
  const got = listed.tables[0]!;
  expect(got.name).toBe(table);
  expect(got.chains.map((c) => c.name).sort()).toEqual(ref.chains.map((c) => c.name).sort());
  const lossyRows = new Set(diagnostics.filter((d) => d.severity === 'warning').map((d) => d.span.start.line));
  let compared = 0;
  for (const c of got.chains) {
    const rc = ref.chains.find((x) => x.name === c.name)!;
    expect([c.name, c.builtin, c.policy]).toEqual([rc.name, rc.builtin, rc.policy]);
    expect(c.rules.length).toBe(rc.rules.length);
    c.rules.forEach((r: Rule, k) => {
      const a = printRuleArgs(r);
      const b = printRuleArgs(rc.rules[k]!);
      if (a !== b) expect(lossyRows.has(r.span.start.line), `${c.name} #${k + 1}: ${a} ≠ ${b} without a warning`).toBe(true);
      else compared++;
    });
  }
  return compared;
}

describe('cross-check: a listing and iptables -S / iptables-save of the same rules', () => {
  const moby = haveShared ? readdirSync(path.join(shared, 'corpus/moby/iptablesdoc')).filter((f) => f.endsWith('.listing.txt')) : [];
  it.each(moby)('moby %s equals its .S.txt', (name) => {
    const dir = path.join(shared, 'corpus/moby/iptablesdoc');
    const table = name.split('.').at(-3)!;
    const got = parseSnapshot(readFileSync(path.join(dir, name), 'utf8'), { fileName: name });
    const ref = saved(readFileSync(path.join(dir, name.replace('.listing.txt', '.S.txt')), 'utf8'), { table });
    const total = [...allRules(got.snapshot)].length;
    expect(crossCheck(got.snapshot, got.diagnostics, ref.snapshot, table)).toBe(total);
  });

  sharedIt('the seed: docker-2017 -L filter and nat equal the tables of its iptables-save', () => {
    const save = parseSnapshot(readFileSync(path.join(shared, 'seed/docker-2017.iptables-save'), 'utf8'), { fileName: 'save' });
    for (const table of ['filter', 'nat']) {
      const got = parseSnapshot(readFileSync(path.join(shared, `seed/docker-2017.iptables-L-${table}.txt`), 'utf8'), { fileName: table });
      const total = [...allRules(got.snapshot)].length;
      expect(total).toBeGreaterThan(0);
      expect(crossCheck(got.snapshot, got.diagnostics, save.snapshot, table)).toBe(total);
      // The listing's (exact) rule counters are those iptables-save -c would give.
      const st = save.snapshot.tables.find((t) => t.name === table)!;
      for (const c of got.snapshot.tables[0]!.chains) {
        const sc = st.chains.find((x) => x.name === c.name)!;
        c.rules.forEach((r, k) => { if (sc.rules[k]!.counters) expect(r.counters).toEqual(sc.rules[k]!.counters); });
      }
    }
  });
});
