// Text renderings: the default unified-diff-like listing and --stat, on the project's host fixture pair, and
// folding of long runs of harmless moves (a reordered kube-proxy KUBE-SERVICES).
import { describe, expect, it } from 'vitest';
import { diffSnapshots, renderStat, renderText, type RuleMoved } from '../src/index';
import { fixture, snapshot } from './helpers';

describe('renderText', () => {
  const r = diffSnapshots(fixture('host/before.rules'), fixture('host/after.rules'));

  it('lists changes by table and chain with file:line on both sides', () => {
    expect(renderText(r)).toMatchInlineSnapshot(`
      "--- host/before.rules
      +++ host/after.rules
      *filter
        chains only in host/before.rules (1):
          OLD-RULES  host/before.rules:12 · 1 rule, not reached from any built-in chain
        chains only in host/after.rules (1):
          WEB  host/after.rules:8 · 2 rules, reached from INPUT
      @@ INPUT · reached from INPUT @@
      ↕host/before.rules:17 → host/after.rules:13  -A INPUT -p tcp -m tcp --dport 80 -j ACCEPT
          moved past 1 rule: cannot change behaviour (every crossed rule is disjoint from it or has the same effect)
      ↕host/before.rules:19 → host/after.rules:15  -A INPUT -s 203.0.113.0/24 -j DROP
          moved past 1 rule: can change behaviour — overlaps host/after.rules:14 -A INPUT -p udp -m udp --dport 53 -j ACCEPT (some packet can match both)
      -host/before.rules:21  -A INPUT -p icmp -m icmp --icmp-type 8 -j ACCEPT
      +host/after.rules:16  -A INPUT -p icmp -m icmp --icmp-type 8 -m limit --limit 10/sec -j ACCEPT
          -m limit --limit: (absent) → 10/sec
      +host/after.rules:17  -A INPUT -p tcp -m tcp --dport 8080 -j WEB
      @@ FORWARD · reached from FORWARD @@
      ~host/before.rules:9 → host/after.rules:4  policy ACCEPT → DROP
      @@ SSH · reached from INPUT @@
      +host/after.rules:22  -A SSH -s 192.0.2.7 -j ACCEPT
      *raw
        table raw only in host/before.rules (host/before.rules:2: 2 chains, 1 rule)
      "
    `);
  });

  it('--stat summarises per table', () => {
    expect(renderStat(r)).toMatchInlineSnapshot(`
      "host/before.rules → host/after.rules
        filter  1 chain added, 1 chain removed, 1 policy changed, 2 rules added, 1 rule modified, 2 rules moved
        raw     1 table removed
        moves: 1 move can or may change behaviour, 1 cannot
        9 changes in 2 tables
      "
    `);
  });

  it('says when there is no difference', () => {
    const same = diffSnapshots(fixture('host/before.rules'), fixture('host/before.rules'));
    expect(renderText(same)).toBe('--- host/before.rules\n+++ host/before.rules\nno differences\n');
  });
});

describe('reordered chains', () => {
  // 400 services: one rule per cluster IP, like KUBE-SERVICES, then the same rules in another order.
  const rules = Array.from({ length: 400 }, (_, i) => `-A KUBE-SERVICES -d 172.30.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport 80 -j ACCEPT`);
  const shuffled = rules.map((r, i) => [r, (i * 7919) % 400] as const).sort((a, b) => a[1] - b[1]).map(([r]) => r);
  const text = (list: string[]) => `*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SERVICES - [0:0]\n-A PREROUTING -j KUBE-SERVICES\n${list.join('\n')}\nCOMMIT\n`;

  it('moves between rules for distinct cluster IPs cannot change behaviour, and are folded in the text', () => {
    const r = diffSnapshots(snapshot(text(rules), 'before'), snapshot(text(shuffled), 'after'));
    const moves = r.changes.filter((c): c is RuleMoved => c.kind === 'rule-moved');
    expect(moves.length).toBe(r.changes.length);
    expect(moves.length).toBeGreaterThan(300);
    expect(moves.every((m) => m.behaviour === 'unchanged')).toBe(true);
    expect(renderText(r)).toContain(`… ${moves.length - 10} more moves that cannot change behaviour (--verbose lists them)`);
  });

  it('reports behaviour unknown, and why, when the check budget runs out', () => {
    const r = diffSnapshots(snapshot(text([...rules.slice(0, 10), '-A KUBE-SERVICES -d 172.30.0.0/16 -j DROP']), 'before'),
      snapshot(text(['-A KUBE-SERVICES -d 172.30.0.0/16 -j DROP', ...rules.slice(0, 10)]), 'after'), { moveCheckBudget: 3 });
    const moved = r.changes.find((c): c is RuleMoved => c.kind === 'rule-moved')!;
    expect(moved).toMatchObject({ behaviour: 'may-change', crossedCount: 10 });
    const starved = diffSnapshots(snapshot(text([...rules.slice(0, 10), '-A KUBE-SERVICES -d 172.31.0.0/16 -j DROP']), 'before'),
      snapshot(text(['-A KUBE-SERVICES -d 172.31.0.0/16 -j DROP', ...rules.slice(0, 10)]), 'after'), { moveCheckBudget: 3 });
    expect(starved.changes[0]).toMatchObject({ kind: 'rule-moved', behaviour: 'unknown', note: expect.stringContaining('budget') });
  });
});
