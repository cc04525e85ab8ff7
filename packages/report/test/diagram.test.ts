// The diagram's cards list what @chainsight/netfilter says runs at each hook, in its order, for the trace's
// backend: the picture is not a second copy of the kernel's table order.
import { describe, expect, it } from 'vitest';
import { buildDiagram } from '../src/index';

const rowsOf = (backend: 'nft' | 'legacy', key: string) =>
  buildDiagram({ ip: backend, bridge: backend }).cards.find((c) => `${c.layer}:${c.hook}` === key)!.rows.map((r) => r.label);

describe.each([
  { hook: 'ip:prerouting', backend: 'nft', rows: ['defrag', 'raw', 'conntrack', 'mangle', 'nat'] },
  { hook: 'ip:input', backend: 'legacy', rows: ['mangle', 'filter', 'security', 'nat', 'confirm'] },
  // iptables-nft creates the security chains at 150, after nat INPUT (100).
  { hook: 'ip:input', backend: 'nft', rows: ['mangle', 'filter', 'nat', 'security', 'confirm'] },
  { hook: 'ip:forward', backend: 'nft', rows: ['mangle', 'filter', 'security'] },
  { hook: 'ip:output', backend: 'nft', rows: ['defrag', 'raw', 'conntrack', 'mangle', 'nat', 'filter', 'security'] },
  { hook: 'ip:postrouting', backend: 'nft', rows: ['mangle', 'nat', 'confirm'] },
  // The broute table runs first at bridge prerouting (legacy only; ebtables-nft has none).
  { hook: 'bridge:prerouting', backend: 'legacy', rows: ['broute', 'nat'] },
  { hook: 'bridge:prerouting', backend: 'nft', rows: ['nat'] },
  // ebtables-nft puts filter OUTPUT at -200, before nat OUTPUT (100); legacy at 200, after it.
  { hook: 'bridge:output', backend: 'legacy', rows: ['nat', 'filter'] },
  { hook: 'bridge:output', backend: 'nft', rows: ['filter', 'nat'] },
  { hook: 'bridge:input', backend: 'nft', rows: ['filter'] },
  { hook: 'bridge:forward', backend: 'nft', rows: ['filter'] },
  { hook: 'bridge:postrouting', backend: 'nft', rows: ['nat'] },
] as const)('$hook under $backend', ({ hook, backend, rows }) => {
  it(`runs ${rows.join(', ')}`, () => expect(rowsOf(backend, hook)).toEqual(rows));
});

describe('layout', () => {
  const d = buildDiagram({ ip: 'legacy', bridge: 'legacy' });
  const boxes = [
    ...d.cards.map((c) => ({ id: `${c.layer}:${c.hook}`, x: c.x, y: c.y, w: c.w, h: 26 + c.rows.length * 20 })),
    ...d.nodes.map((n) => ({ id: n.id, x: n.cx - n.w / 2, y: n.cy - n.h / 2, w: n.w, h: n.h })),
  ];

  it('keeps every card and node inside the picture', () => {
    for (const b of boxes) expect(b.x >= 0 && b.y >= 0 && b.x + b.w <= d.width && b.y + b.h <= d.height, b.id).toBe(true);
  });

  it('overlaps no two cards or nodes', () => {
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart, `${a.id} / ${b.id}`).toBe(true);
      }
    }
  });
});
