// Address arithmetic as inet_pton(3) reads addresses and iptables masks them: dotted quads with one to three
// decimal digits per part and no leading zero (glibc inet_pton4 refuses `01`; iptables would read it as octal),
// prefixes from a shared table, dotted masks.
import { describe, expect, it } from 'vitest';
import { formatIpv4, parseAddressMask, parseIpv4, prefixMask } from '../src/registry/address';

describe('parseIpv4', () => {
  it.each([
    ['0.0.0.0', 0n],
    ['10.244.1.5', 0x0af40105n],
    ['255.255.255.255', 0xffffffffn],
  ])('%s → %s', (text, value) => {
    expect(parseIpv4(text)).toBe(value);
    expect(formatIpv4(value)).toBe(text.replace(/\b0+(\d)/g, '$1'));
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '256.0.0.1', '1.2.3.256', '1..2.3', '.1.2.3', '1.2.3.', '1.2.3.4 ', 'a.b.c.d', '1.2.3.1234', '1.2.3.-4', '::1', '192.168.001.010', '010.0.0.1', '1.2.3.00'])(
    '%j is not an IPv4 address',
    (text) => expect(parseIpv4(text)).toBeNull(),
  );
});

describe('prefixMask', () => {
  it.each([
    [4, 0, 0n],
    [4, 8, 0xff000000n],
    [4, 32, 0xffffffffn],
    [6, 64, 0xffffffffffffffff0000000000000000n],
    [6, 128, (1n << 128n) - 1n],
  ] as const)('IPv%i /%i', (version, prefix, mask) => expect(prefixMask(version, prefix)).toBe(mask));

  it.each([[4, 33], [6, 129], [4, -1], [4, 1.5]] as const)('IPv%i /%s is out of range', (version, prefix) =>
    expect(() => prefixMask(version, prefix)).toThrow(RangeError));
});

describe('parseAddressMask masks the address as iptables does', () => {
  it.each([
    ['10.1.2.3', 0x0a010203n, 32],
    ['10.1.2.3/32', 0x0a010203n, 32],
    ['10.1.2.3/8', 0x0a000000n, 8],
    ['10.1.2.3/255.255.0.0', 0x0a010000n, 16],
    ['10.1.2.3/255.0.255.0', 0x0a000200n, null],
  ] as const)('%s', (text, address, prefix) => {
    const v = parseAddressMask(text, 4);
    expect(v.address).toBe(address);
    expect(v.prefix).toBe(prefix);
  });

  it('rejects a prefix longer than the address', () => expect(() => parseAddressMask('10.0.0.0/33', 4)).toThrow(/larger than 32/));
});
