// The crossed rules of a move, found through the segment tree of crossings.ts, are exactly those of the
// definition — (b < bm) !== (a < am) — in after order, cut at the limit; and a shuffled chain's moves are judged
// with at most PER_MOVE_CHECKS overlap checks each (the quadratic part of diffing a reordered chain).
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { diffSnapshots } from '../src/index';
import { CrossingIndex } from '../src/crossings';
import { PER_MOVE_CHECKS } from '../src/moves';

function shuffled(n: number, seed: number): number[] {
  const xs = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [xs[i], xs[j]] = [xs[j]!, xs[i]!];
  }
  return xs;
}

describe('CrossingIndex', () => {
  it.each([
    { name: 'no pairs', n: 0, seed: 1, limit: 10 },
    { name: 'one pair', n: 1, seed: 1, limit: 10 },
    { name: '8 pairs, every crossing', n: 8, seed: 3, limit: 100 },
    { name: '300 pairs, every crossing', n: 300, seed: 5, limit: 1000 },
    { name: '300 pairs, the first 7 only', n: 300, seed: 9, limit: 7 },
  ])('$name: the definition, in after order', ({ n, seed, limit }) => {
    const after = shuffled(n, seed);
    const pairs = after.map((a, b) => [b, a] as const);
    const members = pairs.map((_, i) => i).filter((i) => i % 5 !== 4); // a group: not every pair
    const index = new CrossingIndex(pairs, members);
    for (const [bm, am] of pairs) {
      const expected = members
        .filter((i) => (pairs[i]![0] < bm) !== (pairs[i]![1] < am))
        .sort((x, y) => pairs[x]![1] - pairs[y]![1])
        .slice(0, limit);
      expect(index.crossing(bm, am, limit)).toEqual(expected);
    }
  });
});

describe('a shuffled chain', () => {
  const head = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n';
  const rules = Array.from({ length: 400 }, (_, i) => `-A FORWARD -s 10.0.${i >> 8}.${i & 255}/32 -p tcp -m tcp --dport ${1000 + i} -j ${i % 3 ? 'ACCEPT' : 'DROP'}`);
  const order = shuffled(rules.length, 11);
  const before = parseSnapshot(`${head}${rules.join('\n')}\nCOMMIT\n`, { fileName: 'b' }).snapshot;
  const after = parseSnapshot(`${head}${order.map((i) => rules[i]).join('\n')}\nCOMMIT\n`, { fileName: 'a' }).snapshot;

  it('every move is judged from at most PER_MOVE_CHECKS crossed rules, and says so when it stopped there', () => {
    const budget = { left: 1e9 };
    const r = diffSnapshots(before, after, { moveCheckBudget: budget.left });
    const moves = r.changes.filter((c) => c.kind === 'rule-moved');
    expect(moves.length).toBeGreaterThan(300);
    for (const m of moves) {
      if (m.kind !== 'rule-moved') continue;
      // Distinct sources: every pair is disjoint, so a move is 'unchanged' only when all its crossed rules were checked.
      if (m.crossedCount <= PER_MOVE_CHECKS) expect(m.behaviour).toBe('unchanged');
      else expect([m.behaviour, m.note]).toEqual(['unknown', `only the first ${PER_MOVE_CHECKS} crossed rules (in the new order) that could overlap it were checked`]);
    }
  });
});
