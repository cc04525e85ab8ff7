// `x = (x & ~mask) ^ value` (xt_MARK --set-xmark, CONNMARK, TOS) as a map on sets: the image of {x = old} is
// exactly {x = (old & ~mask) ^ value}, for masks and values that set, clear and flip bits.
import { describe, expect, it } from 'vitest';
import { NameAlphabet, PacketSpace, xset } from '../src/index';

const space = new PacketSpace('ipv4', new NameAlphabet([], []), 0, { cacheBits: 10 });
const cases: { value: number; mask: number }[] = [
  { value: 0x1, mask: 0xffffffff },
  { value: 0x4000, mask: 0x4000 },
  { value: 0x5, mask: 0x4 },
  { value: 0x0, mask: 0xff00 },
  { value: 0xf0000001, mask: 0x1 },
];
const olds = [0, 1, 4, 5, 0x4000, 0xff00ff, 0xffffffff];

describe('xset', () => {
  it.each(cases)('value $value, mask $mask', ({ value, mask }) => {
    const t = xset(space, space.f.mark, value, mask);
    for (const old of olds) {
      const want = ((old & ~mask) ^ value) >>> 0;
      expect(t(space.eq(space.f.mark, old))).toBe(space.eq(space.f.mark, want));
    }
  });
});
