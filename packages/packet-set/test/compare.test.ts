// The semantic diff of two snapshots, as a table: refactors that change rules but no packet's outcome, and real
// changes with the region, the outcomes on both sides (with the rule that decided) and a witness of each.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compareSnapshots, contains, detailedVerdict, type Comparison, type ConcretePacket } from '../src/index';
import { MODULES, packetArb } from './arbitraries';
import { concreteResult } from './concrete';

const snap = (text: string, fileName: string) => {
  const parsed = parseSnapshot(text, { fileName, family: 'ipv4' });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(errors.map((d) => d.message).join('; '));
  return parsed.snapshot;
};

const filter = (rules: string, chains = '', policy = 'ACCEPT') => `*filter\n:INPUT ${policy} [0:0]\n:FORWARD ${policy} [0:0]\n:OUTPUT ACCEPT [0:0]\n${chains}${rules}COMMIT\n`;

/** Each change as `table HOOK: fields: was X (decider), now Y (decider)`. */
function lines(c: Comparison): string[] {
  const who = (s: { by: { chain: string; rule: number | null }[] }) => s.by.map((d) => (d.rule === null ? `${d.chain} policy` : `${d.chain} rule ${d.rule}`)).join(', ');
  const when = (r: Comparison['changes'][number]['regions'][number]) => (r.unknowns.length ? ` when ${r.unknowns.map((u) => `${u.text} (${u.where}) ${u.holds ? 'matches' : 'does not match'}`).join(' and ')}` : '');
  return c.changes.flatMap((h) => h.regions.map((r) => `${h.table} ${h.hook}: ${r.fields.map((f) => `${f.field}=${f.text}`).join(' ')}: was ${r.before.outcome} (${who(r.before)}), now ${r.after.outcome} (${who(r.after)})${when(r)}`));
}

function compare(before: string, after: string) {
  return compareSnapshots(snap(before, 'old.rules'), snap(after, 'new.rules'), { cacheBits: 12 });
}

const nat = (rules: string, chains = '') => `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${chains}${rules}COMMIT\n`;

const SAME: { name: string; before: string; after: string }[] = [
  {
    name: 'disjoint rules reordered',
    before: filter('-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p udp --dport 53 -j DROP\n'),
    after: filter('-A INPUT -p udp --dport 53 -j DROP\n-A INPUT -p tcp --dport 22 -j ACCEPT\n'),
  },
  {
    name: 'a user chain renamed (and its jump)',
    before: filter('-A INPUT -j OLDNAME\n-A OLDNAME -s 10.0.0.0/8 -j DROP\n', ':OLDNAME - [0:0]\n'),
    after: filter('-A INPUT -j NEWNAME\n-A NEWNAME -s 10.0.0.0/8 -j DROP\n', ':NEWNAME - [0:0]\n'),
  },
  {
    name: 'a chain split in two with a jump',
    before: filter('-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp -j DROP\n', '', 'ACCEPT'),
    after: filter('-A INPUT -p tcp -j TCP\n-A TCP -p tcp --dport 22 -j ACCEPT\n-A TCP -p tcp --dport 80 -j ACCEPT\n-A TCP -j DROP\n', ':TCP - [0:0]\n', 'ACCEPT'),
  },
  {
    name: 'separate port rules merged into one multiport rule',
    before: filter('-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 80 -j ACCEPT\n-A INPUT -p tcp --dport 443 -j ACCEPT\n', '', 'DROP'),
    after: filter('-A INPUT -p tcp -m multiport --dports 22,80,443 -j ACCEPT\n', '', 'DROP'),
  },
  {
    name: 'a redundant rule removed (an earlier rule already takes its packets)',
    before: filter('-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -s 10.1.0.0/16 -j DROP\n'),
    after: filter('-A INPUT -s 10.0.0.0/8 -j DROP\n'),
  },
  {
    name: 'a final ACCEPT rule in place of the ACCEPT policy',
    before: filter('-A INPUT -s 10.0.0.0/8 -j DROP\n'),
    after: filter('-A INPUT -s 10.0.0.0/8 -j DROP\n-A INPUT -j ACCEPT\n'),
  },
  {
    name: 'the same ipset test on both sides: whatever the set holds, it cancels out',
    before: filter('-A INPUT -m set --match-set blocked src -j DROP\n'),
    after: filter('-A INPUT -p tcp --dport 9999 -m set --match-set blocked src -j DROP\n-A INPUT -m set --match-set blocked src -j DROP\n'),
  },
  {
    name: 'a rate-limited rule kept as it was while a disjoint rule is inserted before it: the same draw',
    before: filter('-A INPUT -p tcp -m limit --limit 5/sec -j ACCEPT\n-A INPUT -p tcp -j DROP\n'),
    after: filter('-A INPUT -p udp --dport 53 -j ACCEPT\n-A INPUT -p tcp -m limit --limit 5/sec -j ACCEPT\n-A INPUT -p tcp -j DROP\n'),
  },
];

describe('compareSnapshots: refactors that change no packet', () => {
  it.each(SAME)('$name', (c) => {
    const r = compare(c.before, c.after);
    expect(lines(r)).toEqual([]);
    expect(r.compared.length).toBeGreaterThan(0);
  });
});

const mangle = (rules: string) => `*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${rules}COMMIT\n`;

const CHANGED: { name: string; before: string; after: string; regions: string[] }[] = [
  {
    // The walk's sets are of packets as they end the chain: the mark set on the way is part of the outcome, and
    // a side may have no packet ending in a region's state ("none"); the chain is flagged as rewriting.
    name: 'a mark changed on the way: regions are packets as they end the chain',
    before: mangle('-A PREROUTING -p tcp --dport 80 -j MARK --set-xmark 0x1/0xffffffff\n'),
    after: mangle('-A PREROUTING -p tcp --dport 80 -j MARK --set-xmark 0x2/0xffffffff\n'),
    regions: [
      'mangle PREROUTING: proto=tcp dport=80 mark=0x1: was ACCEPT (PREROUTING policy), now none ()',
      'mangle PREROUTING: proto=tcp dport=80 mark=0x2: was none (), now ACCEPT (PREROUTING policy)',
    ],
  },
  {
    name: 'a port opened',
    before: filter('-A INPUT -p tcp --dport 22 -j ACCEPT\n', '', 'DROP'),
    after: filter('-A INPUT -p tcp --dport 22 -j ACCEPT\n-A INPUT -p tcp --dport 443 -j ACCEPT\n', '', 'DROP'),
    regions: ['filter INPUT: proto=tcp dport=443: was DROP (INPUT policy), now ACCEPT (INPUT rule 2)'],
  },
  {
    name: 'a DROP moved above an ACCEPT it overlaps',
    before: filter('-A FORWARD -i docker0 -p tcp --dport 80 -j ACCEPT\n-A FORWARD -s 10.0.0.0/8 -j DROP\n'),
    after: filter('-A FORWARD -s 10.0.0.0/8 -j DROP\n-A FORWARD -i docker0 -p tcp --dport 80 -j ACCEPT\n'),
    regions: ['filter FORWARD: in=docker0 proto=tcp src=10.0.0.0/8 dport=80: was ACCEPT (FORWARD rule 1), now DROP (FORWARD rule 1)'],
  },
  {
    name: 'a DNAT target address changed',
    before: nat('-A PREROUTING -d 192.0.2.1/32 -p tcp --dport 80 -j DNAT --to-destination 10.244.1.5:8080\n'),
    after: nat('-A PREROUTING -d 192.0.2.1/32 -p tcp --dport 80 -j DNAT --to-destination 10.244.1.6:8080\n'),
    regions: ['nat PREROUTING: proto=tcp dst=192.0.2.1/32 dport=80: was DNAT --to-destination 10.244.1.5:8080 (PREROUTING rule 1), now DNAT --to-destination 10.244.1.6:8080 (PREROUTING rule 1)'],
  },
  {
    name: 'a REJECT answer changed (the default port unreachable against a TCP reset)',
    before: filter('-A INPUT -p tcp --dport 23 -j REJECT\n'),
    after: filter('-A INPUT -p tcp --dport 23 -j REJECT --reject-with tcp-reset\n'),
    regions: ['filter INPUT: proto=tcp dport=23: was REJECT --reject-with icmp-port-unreachable (INPUT rule 1), now REJECT --reject-with tcp-reset (INPUT rule 1)'],
  },
  {
    name: 'a rate changed: the two limits are different events, and the regions say which draws they need',
    before: filter('-A INPUT -p tcp -m limit --limit 5/sec -j ACCEPT\n-A INPUT -p tcp -j DROP\n'),
    after: filter('-A INPUT -p tcp -m limit --limit 50/sec -j ACCEPT\n-A INPUT -p tcp -j DROP\n'),
    regions: [
      'filter INPUT: proto=tcp: was DROP (INPUT rule 2), now ACCEPT (INPUT rule 1) when -m limit --limit 5/sec (old.rules:5) does not match and -m limit --limit 50/sec (new.rules:5) matches',
      'filter INPUT: proto=tcp: was ACCEPT (INPUT rule 1), now DROP (INPUT rule 2) when -m limit --limit 5/sec (old.rules:5) matches and -m limit --limit 50/sec (new.rules:5) does not match',
    ],
  },
  {
    name: 'kube-proxy: one endpoint of a two-endpoint service replaced; the draw that picks the first is the same',
    before: nat(
      '-A PREROUTING -j KUBE-SERVICES\n-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp --dport 80 -j KUBE-SVC-A\n-A KUBE-SVC-A -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1\n-A KUBE-SVC-A -j KUBE-SEP-2\n-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.244.1.5:8080\n-A KUBE-SEP-2 -p tcp -j DNAT --to-destination 10.244.2.7:8080\n',
      ':KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n:KUBE-SEP-1 - [0:0]\n:KUBE-SEP-2 - [0:0]\n'),
    after: nat(
      '-A PREROUTING -j KUBE-SERVICES\n-A KUBE-SERVICES -d 10.96.0.10/32 -p tcp --dport 80 -j KUBE-SVC-A\n-A KUBE-SVC-A -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-1\n-A KUBE-SVC-A -j KUBE-SEP-3\n-A KUBE-SEP-1 -p tcp -j DNAT --to-destination 10.244.1.5:8080\n-A KUBE-SEP-3 -p tcp -j DNAT --to-destination 10.244.3.9:8080\n',
      ':KUBE-SERVICES - [0:0]\n:KUBE-SVC-A - [0:0]\n:KUBE-SEP-1 - [0:0]\n:KUBE-SEP-3 - [0:0]\n'),
    // Paired, the draw sends half the connections to the first endpoint on both sides: only the other half moves.
    regions: ['nat PREROUTING: proto=tcp dst=10.96.0.10/32 dport=80: was DNAT --to-destination 10.244.2.7:8080 (KUBE-SEP-2 rule 1), now DNAT --to-destination 10.244.3.9:8080 (KUBE-SEP-3 rule 1) when -m statistic --mode random --probability 0.50000000000 (old.rules:12) does not match'],
  },
];

describe('verdict keys with the target\'s options (outcome.ts)', () => {
  const target = (args: string) => snap(`*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING ${args}\nCOMMIT\n`, 'k').tables[0]!.chains[0]!.rules[0]!.target!;
  it.each([
    ['-j REJECT', 'REJECT --reject-with icmp-port-unreachable'],
    ['-j REJECT --reject-with tcp-reset', 'REJECT --reject-with tcp-reset'],
    ['-j DNAT --to-destination 10.0.0.1:80', 'DNAT --to-destination 10.0.0.1:80'],
    ['-j MASQUERADE', 'MASQUERADE'],
  ])('%s → %s', (args, key) => expect(detailedVerdict('ipv4', target(args))).toBe(key));
});

describe('compareSnapshots: changes, as regions', () => {
  it('a chain that rewrites marks is flagged', () => {
    const c = CHANGED.find((x) => x.name.startsWith('a mark changed'))!;
    expect(compare(c.before, c.after).changes.map((h) => h.rewrites)).toEqual([true]);
  });

  it('a region that needs random draws gives their chance (kube-proxy: half the connections move)', () => {
    const kube = CHANGED.find((c) => c.name.startsWith('kube-proxy'))!;
    const r = compare(kube.before, kube.after);
    expect(r.changes.flatMap((h) => h.regions.map((x) => x.chance))).toEqual([0.5]);
    // The service's endpoints and their shares, before and after.
    const region = r.changes[0]!.regions[0]!;
    expect([region.before.chances, region.after.chances]).toEqual([
      [{ outcome: 'DNAT --to-destination 10.244.1.5:8080', chance: 0.5 }, { outcome: 'DNAT --to-destination 10.244.2.7:8080', chance: 0.5 }],
      [{ outcome: 'DNAT --to-destination 10.244.1.5:8080', chance: 0.5 }, { outcome: 'DNAT --to-destination 10.244.3.9:8080', chance: 0.5 }],
    ]);
    const limit = CHANGED.find((c) => c.name.startsWith('a rate changed'))!;
    // A rate limit is no random draw: no chance is given.
    const limited = compare(limit.before, limit.after).changes.flatMap((h) => h.regions);
    expect(limited.map((x) => [x.chance, x.before.chances, x.after.chances])).toEqual([[null, null, null], [null, null, null]]);
  });

  it.each(CHANGED)('$name', (c) => {
    const r = compare(c.before, c.after);
    expect(lines(r)).toEqual(c.regions);
    // Every witness is a changed packet.
    for (const h of r.changes) for (const x of h.regions) expect(contains(r.space, h.set, x.witness)).toBe(true);
  });
});

// The changed set against a concrete walk: random FORWARD chains (with a user chain, jumps, gotos, RETURN) before
// and after, random packets. A packet is in the changed set exactly when the concrete walks of the two end it
// differently (a rule's DROP and the policy's DROP being the same outcome), and every region's witness is such
// a packet.
const fragment = fc.constantFrom(...Object.keys(MODULES)).chain((k) => MODULES[k]!);
const ruleArb = (t: fc.Arbitrary<string>) => fc.tuple(fragment, t).map(([m, tg]) => ({ m, t: tg }));
interface R { m: string; t: string }
const chainText = (forward: R[], user: R[]) => {
  const line = (chain: string, r: R) => `-A ${chain} ${r.m}${r.t === '' ? '' : r.t === 'J' ? ' -j U' : r.t === 'G' ? ' -g U' : ` -j ${r.t}`}\n`;
  return `# Generated by iptables-save v1.8.9 (nf_tables)\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n:U - [0:0]\n${forward.map((r) => line('FORWARD', r)).join('')}${user.map((r) => line('U', r)).join('')}COMMIT\n`;
};
function concreteOutcome(forward: R[], user: R[], p: ConcretePacket): string {
  const run = (rules: R[]): string | null => {
    for (const r of rules) {
      if (concreteResult(r.m, p) !== true) continue;
      if (r.t === 'ACCEPT' || r.t === 'DROP') return r.t;
      if (r.t === 'RETURN') return null;
      if (r.t === 'J' || r.t === 'G') {
        const sub = run(user);
        if (sub !== null) return sub;
        if (r.t === 'G') return null;
      }
    }
    return null;
  };
  return run(forward) ?? 'DROP';
}

describe('the changed set agrees with concrete walks of both snapshots', () => {
  it('random chains before and after', () => {
    const side = fc.tuple(fc.array(ruleArb(fc.constantFrom('ACCEPT', 'DROP', '', 'RETURN', 'J', 'G')), { minLength: 1, maxLength: 4 }), fc.array(ruleArb(fc.constantFrom('ACCEPT', 'DROP', '', 'RETURN')), { minLength: 1, maxLength: 2 }));
    fc.assert(
      fc.property(side, side, fc.array(packetArb, { minLength: 8, maxLength: 8 }), ([f1, u1], [f2, u2], packets) => {
        const c = compare(chainText(f1, u1), chainText(f2, u2));
        const fwd = c.changes.find((h) => h.hook === 'FORWARD');
        const ctx = `${chainText(f1, u1)}----\n${chainText(f2, u2)}`;
        for (const p0 of packets) {
          const p = { ...p0, in: p0.in || 'eth0', out: p0.out || 'eth1' };
          const differs = concreteOutcome(f1, u1, p) !== concreteOutcome(f2, u2, p);
          expect(fwd ? contains(c.space, fwd.set, p) : false, ctx).toBe(differs);
        }
        for (const r of fwd?.regions ?? []) {
          // The concrete harness builds first fragments only (concrete.ts); a later-fragment witness is left out.
          if (r.witness.fragment) continue;
          expect(concreteOutcome(f1, u1, r.witness), ctx).toBe(r.before.outcome);
          expect(concreteOutcome(f2, u2, r.witness), ctx).toBe(r.after.outcome);
        }
      }),
      { numRuns: Number(process.env.RUNS ?? 60) },
    );
  }, 600_000);
});
