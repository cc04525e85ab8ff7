// Random members of a set: always members, always well-formed, spread over the whole set, reproducible from a seed.
import { describe, expect, it } from 'vitest';
import { NameAlphabet, PacketSpace, contains, randomMember, type Random } from '../src/index';

/** A seeded generator (mulberry32), so that a failure is reproducible. */
function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const space = new PacketSpace('ipv4', new NameAlphabet(['eth0'], ['veth']), 2);
const { bdd, f } = space;
const tcp = space.eq(f.proto, 6);

const SETS: { name: string; set: number; values: (p: NonNullable<ReturnType<typeof randomMember>>) => string; expected: string[] }[] = [
  {
    name: 'tcp to port 22 or 443: both ports drawn',
    set: bdd.and(tcp, space.oneOf(f.dport, [22, 443])),
    values: (p) => String(p.dport),
    expected: ['22', '443'],
  },
  {
    name: 'a /30 of sources: all four addresses drawn',
    set: space.prefix(f.src, 0x0a000004n, 30),
    values: (p) => String(p.src),
    expected: ['167772164', '167772165', '167772166', '167772167'],
  },
  {
    name: 'any input device: every class drawn (eth0, veth*, any other, none)',
    set: 1,
    values: (p) => p.in,
    expected: ['', 'cs0', 'eth0', 'vethx0'],
  },
];

describe('randomMember', () => {
  it.each(SETS)('$name', ({ set, values, expected }) => {
    const random = seeded(7);
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = randomMember(space, set, random)!;
      expect(contains(space, set, p)).toBe(true);
      expect(contains(space, space.universe, p)).toBe(true);
      seen.add(values(p));
    }
    expect([...seen].sort()).toEqual(expected);
  });

  it('is uniform: a port range holding 3/4 of the set gets about 3/4 of the draws', () => {
    // dport 0..767 against 768..1023 under tcp: a 3:1 split of the members.
    const set = bdd.and(tcp, space.range(f.dport, 0, 1023));
    const random = seeded(11);
    let low = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) if (randomMember(space, set, random)!.dport! < 768) low++;
    expect(low / n).toBeGreaterThan(0.7);
    expect(low / n).toBeLessThan(0.8);
  });

  it('is reproducible from its seed, and null for an empty set', () => {
    const set = bdd.and(tcp, space.range(f.dport, 1000, 2000));
    const draw = (seed: number) => Array.from({ length: 5 }, ((r) => () => randomMember(space, set, r)!.dport)(seeded(seed)));
    expect(draw(3)).toEqual(draw(3));
    expect(draw(3)).not.toEqual(draw(4));
    expect(randomMember(space, bdd.and(tcp, space.eq(f.proto, 17)), seeded(1))).toBeNull();
  });

  it('reports the oracles the set depends on, and only those', () => {
    const set = bdd.and(tcp, space.oracle(1));
    const p = randomMember(space, set, seeded(5))!;
    expect([...p.oracles!]).toEqual([[1, true]]);
  });
});
