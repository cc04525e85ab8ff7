// A broadcast or multicast packet a local process sends (sim/cast-route.ts, path.ts castOut()): the device the
// kernel picks (ip_route_output_key_hash_rcu()), and the copy ip_mc_output() loops back in on that device.
// Expected devices, loops, nat passes and pkttype are what the kernel did on 6.18 in a lab namespace with this
// host context (br0 10.88.0.1/24 with a veth port, eth0 192.168.1.10/24 with the default route; a python socket per
// row; mangle/nat rule counters per device): a looped copy showed as one more mangle POSTROUTING pass, nat
// POSTROUTING counted once, and the copy matched PREROUTING/INPUT `-i <dev>`, `--pkt-type broadcast|multicast`,
// `--ctstate NEW`.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, trace, type HostContext, type PacketSpec } from '../src/index';

const host = (br0Groups: string[] | undefined, eth0Groups: string[] | undefined): HostContext => ({
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8'] },
    { name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['192.168.1.10/24'], ...(eth0Groups ? { multicast: eth0Groups } : {}) },
    { name: 'br0', type: 'bridge', mac: '02:00:00:00:00:aa', addresses: ['10.88.0.1/24'], ...(br0Groups ? { multicast: br0Groups } : {}) },
    { name: 'vnet0', master: 'br0' },
  ],
  routes: [{ dst: 'default', via: '192.168.1.1', dev: 'eth0' }],
  neighbors: [],
  sysctl: {},
});
// The looped copy is accepted only with the pkttype the kernel gives it (xt_pkttype.c: PACKET_LOOPBACK).
const RULES = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A POSTROUTING -s 10.88.0.0/24 ! -d 10.88.0.0/24 -j MASQUERADE
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m pkttype --pkt-type broadcast -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -m pkttype --pkt-type multicast -m conntrack --ctstate NEW -j ACCEPT
-A INPUT -j DROP
COMMIT
`;
const v4 = parseSnapshot(RULES, { fileName: 'iptables-save' }).snapshot;
const udp = (dst: string, more: Partial<PacketSpec>): PacketSpec => ({ local: true, dst, proto: 'udp', sport: 40000, dport: 6800, ...more });
const mdns = ['224.0.0.1', '224.0.0.251'];
const none = ['224.0.0.1'];

describe('a local broadcast or multicast leaves by the kernel\'s device, with a copy looped back in on it', () => {
  it.each([
    // name, packet, br0 groups, eth0 groups, the device, its Inferred reason, outcomes (verdict device), source after NAT
    ['DHCP offer: bound to the bridge address, to 255.255.255.255', udp('255.255.255.255', { src: '10.88.0.1', boundSrc: true }), none, none,
      'br0', 'the device that owns the bound source 10.88.0.1', ['delivered br0', 'forwarded br0'], '10.88.0.1'],
    ['the same address, not bound: the route (default, eth0) decides', udp('255.255.255.255', { src: '10.88.0.1' }), none, none,
      'eth0', 'the route to 255.255.255.255 (default route, without its gateway 192.168.1.1', ['delivered eth0', 'forwarded eth0'], '192.168.1.10'],
    ['no source: the route\'s device and its primary address', udp('255.255.255.255', {}), none, none,
      'eth0', 'the route to 255.255.255.255', ['delivered eth0', 'forwarded eth0'], '192.168.1.10'],
    ['socket device br0 (SO_BINDTODEVICE, --out)', udp('255.255.255.255', { out: 'br0' }), none, none,
      'br0', "the socket's device (--out br0)", ['delivered br0', 'forwarded br0'], '10.88.0.1'],
    ['subnet broadcast from another interface\'s bound address: the local table\'s broadcast route', udp('10.88.0.255', { src: '192.168.1.10', boundSrc: true }), none, none,
      'br0', '10.88.0.255 is the broadcast address of br0 (local table)', ['delivered br0', 'forwarded br0'], '192.168.1.10'],
    ['mDNS from the bridge address, group joined on br0', udp('224.0.0.251', { src: '10.88.0.1', boundSrc: true }), mdns, none,
      'br0', 'the device that owns the bound source 10.88.0.1', ['delivered br0', 'forwarded br0'], '10.88.0.1'],
    ['mDNS from the bridge address, group not joined: no copy', udp('224.0.0.251', { src: '10.88.0.1', boundSrc: true }), none, none,
      'br0', 'the device that owns the bound source 10.88.0.1', ['forwarded br0'], '10.88.0.1'],
    ['mDNS unbound, joined on br0 only: the route says eth0, no copy', udp('224.0.0.251', {}), mdns, none,
      'eth0', 'the route to 224.0.0.251', ['forwarded eth0'], '192.168.1.10'],
  ] as const)('%s', (_name, spec, br0, eth0, dev, why, outcomes, natSrc) => {
    const r = trace(compileRuleset([v4], host([...br0], [...eth0])), spec);
    expect(r.inferred.find((l) => l.includes(' leaves by '))).toContain(`leaves by ${dev}: ${why}`);
    expect(r.outcomes.map((o) => `${o.verdict} ${o.egress?.dev}`)).toEqual(outcomes);
    for (const o of r.outcomes) {
      // nat POSTROUTING is traversed once per connection (the kernel's counter said 1): by the copy, which goes
      // first; the packet sent out gets the binding from the connection
      const natPasses = o.steps.filter((s) => s.table === 'nat' && s.chain === 'POSTROUTING' && (s.type === 'policy' || s.target === 'MASQUERADE'));
      expect(natPasses.length).toBe(1);
      expect(o.packet.src).toBe(natSrc);
      expect(o.steps.some((s) => s.chain === 'OUTPUT' && s.table === 'filter')).toBe(true);
    }
  });

  it.each([
    // Received: the sender addresses a broadcast or multicast to the broadcast or group MAC, and pkttype says so
    // (eth_type_trans()); the kernel's counters showed `--pkt-type broadcast` in PREROUTING and INPUT for a subnet
    // broadcast on a bridge port and on a plain interface.
    ['subnet broadcast on eth0', { in: 'eth0', src: '192.168.1.20', dst: '192.168.1.255' }, 'ff:ff:ff:ff:ff:ff', ['delivered eth0']],
    ['subnet broadcast on a bridge port', { in: 'vnet0', src: '10.88.0.50', dst: '10.88.0.255' }, 'ff:ff:ff:ff:ff:ff', ['delivered br0']],
    ['255.255.255.255 on eth0', { in: 'eth0', src: '192.168.1.20', dst: '255.255.255.255' }, 'ff:ff:ff:ff:ff:ff', ['delivered eth0']],
    ['mDNS on a bridge port, joined on br0', { in: 'vnet0', src: '10.88.0.50', dst: '224.0.0.251' }, '01:00:5e:00:00:fb', ['delivered br0']],
  ] as const)('received: %s has the %s MAC and that pkttype', (_name, spec, mac, outcomes) => {
    const r = trace(compileRuleset([v4], host(mdns, none)), { ...spec, proto: 'udp', dport: 6800 });
    expect(r.inferred.find((l) => l.startsWith('destination MAC'))).toMatch(new RegExp(`^destination MAC ${mac}: ${spec.dst} is a (broadcast|multicast) address`));
    // INPUT accepts only a broadcast or multicast pkttype (RULES)
    expect(r.outcomes.map((o) => `${o.verdict} ${o.egress?.dev}`)).toEqual(outcomes);
  });

  it('a group of unknown membership loops a copy under a stated assumption', () => {
    const r = trace(compileRuleset([v4], host(undefined, none)), udp('224.0.0.251', { src: '10.88.0.1', boundSrc: true }));
    expect(r.outcomes.map((o) => [o.verdict, o.assumptions])).toEqual([
      ['delivered', ['the host has joined 224.0.0.251 on br0']],
      ['forwarded', []],
    ]);
  });

  it.each([
    ['--bound-src without --src', udp('255.255.255.255', { boundSrc: true }), '--bound-src needs a packet sent by a local process with --src'],
    ['--bound-src on a received packet', { in: 'eth0', src: '192.168.1.20', dst: '255.255.255.255', proto: 'udp', dport: 67, boundSrc: true }, '--bound-src needs a packet sent by a local process'],
  ] as const)('%s is refused', (_name, spec, message) => {
    expect(() => trace(compileRuleset([v4], host(none, none)), spec as PacketSpec)).toThrow(message);
  });

  it('forks inside the copies resume to the outcomes a replay of every path gives', () => {
    const forks = parseSnapshot(`*mangle\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]
-A OUTPUT -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x1/0xffffffff
-A POSTROUTING -m limit --limit 1/sec -j MARK --set-xmark 0x2/0x2
-A POSTROUTING -m statistic --mode random --probability 0.25 -j DROP
-A PREROUTING -m statistic --mode random --probability 0.5 -j DROP
-A INPUT -m limit --limit 1/sec -j ACCEPT
COMMIT\n`, { fileName: 'iptables-save' }).snapshot;
    const c = compileRuleset([forks, v4], host(mdns, none));
    const spec = udp('224.0.0.251', { src: '10.88.0.1', boundSrc: true });
    const resumed = trace(c, spec);
    expect(resumed.outcomes.length).toBeGreaterThan(4);
    expect(resumed).toEqual(trace(c, spec, { replay: true }));
  });

  it('a bound source that is not the host\'s: no device (ENETUNREACH)', () => {
    const r = trace(compileRuleset([v4], host(none, none)), udp('255.255.255.255', { src: '10.99.0.1', boundSrc: true }));
    expect(r.outcomes.map((o) => o.verdict)).toEqual(['no-route']);
  });
});
