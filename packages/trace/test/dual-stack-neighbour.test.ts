// A neighbour with an IPv4 and an IPv6 address is one entry of the host context (`ip` and `ip6`): --from/--to
// take the address of the packet's family, given by --dst or --src, else --to's IPv4 address.
import { describe, expect, it } from 'vitest';
import { compileRuleset, parseHostContext, trace, type PacketSpec } from '../src/index';

const CONTEXT = `{
  "interfaces": [{ "name": "eth0", "mac": "02:00:00:00:00:01", "addresses": ["10.0.0.1/24", "2001:db8::1/64"] }],
  "neighbors": [
    { "name": "a", "ip": "10.0.0.2", "ip6": "2001:db8::2", "mac": "02:00:00:00:00:02", "dev": "eth0" },
    { "name": "b", "ip": "10.0.0.3", "ip6": "2001:db8::3", "mac": "02:00:00:00:00:03", "dev": "eth0" }
  ]
}`;
const host = parseHostContext(CONTEXT).context!;
const compiled = compileRuleset([], host);

describe('a dual-stack neighbour', () => {
  it.each([
    [{ from: 'a', dst: '2001:db8::1' }, '2001:db8::2', '2001:db8::1'],
    [{ from: 'a', dst: '10.0.0.1' }, '10.0.0.2', '10.0.0.1'],
    [{ from: 'a', to: 'b' }, '10.0.0.2', '10.0.0.3'],
    [{ src: '2001:db8::2', to: 'b' }, '2001:db8::2', '2001:db8::3'],
    [{ from: 'a', dst: '2001:db8::1', proto: 'icmpv6' }, '2001:db8::2', '2001:db8::1'],
  ] as const)('%o: %s → %s', (spec, src, dst) => {
    const r = trace(compiled, spec as PacketSpec);
    expect([r.packet.src, r.packet.dst]).toEqual([src, dst]);
    // the MAC and the interface are the neighbour's in both families
    expect(r.packet.srcMac).toBe('02:00:00:00:00:02');
  });
  it.each([
    ['"ip": "10.0.0.2", "ip6": "10.0.0.9"', "neighbour ip6 '10.0.0.9' is not an IPv6 address"],
    ['"ip": "2001:db8::2", "ip6": "2001:db8::9"', `a neighbour with "ip6" needs an IPv4 "ip", not '2001:db8::2'`],
  ])('%s: %s', (fields, message) => {
    const r = parseHostContext(`{ "neighbors": [{ ${fields} }] }`);
    expect(r.diagnostics.map((d) => d.message)).toEqual([message]);
  });
});
