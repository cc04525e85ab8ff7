// Primary and secondary IPv4 addresses (host/model.ts interfaceAddresses(), selectSource()): the kernel selects
// only a primary address as a local packet's source and as MASQUERADE's (inet_select_addr() skips
// IFA_F_SECONDARY). The expectations are what the kernel (6.18) did in a lab namespace whose eth0 got 10.0.0.5/24,
// then 10.0.0.1/24 (secondary: same subnet), then 10.7.0.1/16, with the default route via 10.0.0.254: conntrack
// showed the source of each unbound UDP send, and MASQUERADE's reply tuple for a socket bound to 10.0.0.1.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, hostContextFromIproute, parseHostContext, trace, type HostContext, type PacketSpec } from '../src/index';

// `ip -j addr show dev eth0` in that namespace, as the kernel printed it.
const IP_ADDR = '[{"ifindex":2,"link_index":2,"ifname":"eth0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"qdisc":"noqueue","operstate":"UP","group":"default","txqlen":1000,"link_type":"ether","address":"a2:07:c5:b4:d3:a9","broadcast":"ff:ff:ff:ff:ff:ff","link_netnsid":0,"addr_info":[{"family":"inet","local":"10.0.0.5","prefixlen":24,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.7.0.1","prefixlen":16,"scope":"global","label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet","local":"10.0.0.1","prefixlen":24,"scope":"global","secondary":true,"label":"eth0","valid_life_time":4294967295,"preferred_life_time":4294967295},{"family":"inet6","local":"fe80::a007:c5ff:feb4:d3a9","prefixlen":64,"scope":"link","tentative":true,"valid_life_time":4294967295,"preferred_life_time":4294967295}]}]';

const host = (addresses: string[], secondary?: string[]): HostContext => ({
  interfaces: [{ name: 'eth0', mac: '02:00:00:00:00:01', addresses, ...(secondary ? { secondary } : {}) }],
  routes: [{ dst: 'default', via: '10.0.0.254', dev: 'eth0' }],
  neighbors: [],
  sysctl: {},
});
const RULES = '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -p udp -j MASQUERADE\nCOMMIT\n';
const v4 = parseSnapshot(RULES, { fileName: 'iptables-save' }).snapshot;
const udp = (dst: string, src?: string): PacketSpec => ({ local: true, dst, proto: 'udp', dport: 7000, ...(src ? { src } : {}) });

// The kernel's order (`ip addr` lists primaries first), the same with the secondary listed first but marked, and
// the same unmarked in the order addresses were added: each must give the kernel's answers.
const KERNEL_ORDER = ['10.0.0.5/24', '10.7.0.1/16', '10.0.0.1/24'];
const contexts: [string, HostContext][] = [
  ['as `ip -j addr` lists them (read by the capture reader)', hostContextFromIproute([{ text: IP_ADDR, fileName: 'addr.json' }]).context!],
  ['secondary listed first, marked by "secondary"', host(['10.0.0.1/24', '10.0.0.5/24', '10.7.0.1/16'], ['10.0.0.1/24'])],
  ['unmarked, in the order they were added (__inet_insert_ifa())', host(KERNEL_ORDER)],
];

describe.each(contexts)('primary and secondary addresses: %s', (_name, context) => {
  const ctx: HostContext = { ...context, routes: [{ dst: 'default', via: '10.0.0.254', dev: 'eth0' }] };
  const compiled = compileRuleset([v4], ctx);
  it.each([
    // packet, the source the kernel chose (before NAT), the source after MASQUERADE
    ['unbound, to the secondary\'s subnet', udp('10.0.0.77'), '10.0.0.5', '10.0.0.5'],
    ['unbound, by the default route', udp('192.0.2.1'), '10.0.0.5', '10.0.0.5'],
    ['unbound, to the other primary\'s subnet', udp('10.7.3.3'), '10.7.0.1', '10.7.0.1'],
    ['bound to the secondary: MASQUERADE takes the primary', udp('192.0.2.1', '10.0.0.1'), '10.0.0.1', '10.0.0.5'],
  ] as const)('%s', (_n, spec, chosen, masqueraded) => {
    const r = trace(compiled, spec);
    const o = r.outcomes[0]!;
    expect(o.steps[0]!.packet.src).toBe(chosen);
    expect(o.packet.src).toBe(masqueraded);
  });
  it('the secondary is still an address of the host', () => {
    expect(trace(compiled, { src: '10.0.0.254', in: 'eth0', dst: '10.0.0.1', proto: 'udp', dport: 7000 }).outcomes[0]!.verdict).toBe('delivered');
  });
});

describe('the `secondary` field', () => {
  it.each([
    ['["10.0.0.1/24"]', [], ['10.0.0.1/24']],
    ['["10.0.0.9/24"]', ["secondary address '10.0.0.9/24' is not one of the \"addresses\" of 'eth0'"], null],
    ['["nope"]', ["'nope' is not an address with prefix length (like 192.168.0.1/24)"], null],
  ] as const)('%s', (list, errors, kept) => {
    const r = parseHostContext(`{"interfaces":[{"name":"eth0","addresses":["10.0.0.5/24","10.0.0.1/24"],"secondary":${list}}],"routes":[],"neighbors":[],"sysctl":{}}`);
    expect(r.diagnostics.map((d) => d.message)).toEqual(errors);
    expect(r.context?.interfaces[0]!.secondary ?? null).toEqual(kept);
  });
});
