// Multicast membership decides local delivery (ip_route_input_rcu → ip_check_mc_rcu; ip6_mc_input →
// ipv6_chk_mcast_addr): the groups the kernel joins by itself, the `multicast` list of the host context, and
// that list read from `ip -j maddr` (the kernel's own output, recorded for fixtures/trace/nd-router).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, hostContextFromIproute, parseHostContext, trace, type HostContext, type PacketSpec } from '../src/index';
import { repoRoot } from './kernel-recorded';

const host = (multicast?: string[], sysctl: Record<string, number> = {}): HostContext => ({
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8', '::1/128'] },
    { name: 'eth0', mac: '02:00:00:00:00:01', addresses: ['10.0.0.1/24', '2001:db8::1/64', 'fe80::1/64'], ...(multicast ? { multicast } : {}) },
  ],
  routes: [],
  neighbors: [{ name: 'n', ip: '10.0.0.2', mac: '02:00:00:00:00:02', dev: 'eth0' }, { name: 'n6', ip: '2001:db8::2', mac: '02:00:00:00:00:02', dev: 'eth0' }],
  sysctl,
});
const RULES = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -j ACCEPT\nCOMMIT\n';
const v4 = parseSnapshot(RULES, { fileName: 'iptables-save' }).snapshot;
const v6 = parseSnapshot(RULES, { fileName: 'ip6tables-save', family: 'ipv6' }).snapshot;

describe('a received multicast packet is delivered only for a group joined on its interface', () => {
  const udp = (from: string, dst: string): PacketSpec => ({ from, dst, proto: 'udp', dport: 5353 });
  it.each([
    // the group, the interface's `multicast` list (undefined: not given), sysctls, delivered?
    ['224.0.0.1 (all hosts, always joined)', udp('n', '224.0.0.1'), [], {}, true],
    ['224.0.0.251 joined (mDNS socket)', udp('n', '224.0.0.251'), ['224.0.0.1', '224.0.0.251'], {}, true],
    ['224.0.0.251 not in the list', udp('n', '224.0.0.251'), ['224.0.0.1'], {}, false],
    ['224.0.0.251, the list not given: unknown, delivered', udp('n', '224.0.0.251'), undefined, {}, true],
    ['ff02::1 (all nodes)', udp('n6', 'ff02::1'), [], {}, true],
    ['ff02::1:ff00:1 (solicited-node of 2001:db8::1 and fe80::1)', udp('n6', 'ff02::1:ff00:1'), [], {}, true],
    ['ff02::1:ff00:0 (subnet-router anycast) while forwarding', udp('n6', 'ff02::1:ff00:0'), [], {}, true],
    ['ff02::2 (all routers) while forwarding', udp('n6', 'ff02::2'), [], {}, true],
    ['ff02::2 without forwarding', udp('n6', 'ff02::2'), [], { 'net.ipv6.conf.all.forwarding': 0 }, false],
    ['ff02::16 (MLDv2 routers) not joined', udp('n6', 'ff02::16'), [], {}, false],
    ['ff02::fb joined (mDNS)', udp('n6', 'ff02::fb'), ['ff02::fb'], {}, true],
  ] as const)('%s', (_name, spec, multicast, sysctl, delivered) => {
    const compiled = compileRuleset([spec.from === 'n' ? v4 : v6], host(multicast ? [...multicast] : undefined, sysctl));
    const o = trace(compiled, spec).outcomes[0]!;
    expect(o.verdict === 'delivered').toBe(delivered);
    // not delivered: dropped by routing after PREROUTING, before INPUT
    if (!delivered) expect(o.steps.some((s) => s.chain === 'INPUT')).toBe(false);
  });
});

describe('the `multicast` field', () => {
  it.each([
    ['["224.0.0.251", "ff02::fb"]', [], ['224.0.0.251', 'ff02::fb']],
    // an error leaves no context (the errors are all reported, each at its line and column)
    ['["10.0.0.1"]', ["'10.0.0.1' is not a multicast address (224.0.0.0/4, ff00::/8)"], null],
    ['["nope"]', ["a multicast group 'nope' is not an IP address"], null],
  ] as const)('%s', (list, errors, kept) => {
    const r = parseHostContext(`{"interfaces":[{"name":"eth0","multicast":${list}}],"routes":[],"neighbors":[],"sysctl":{}}`);
    expect(r.diagnostics.map((d) => d.message)).toEqual(errors);
    expect(r.context?.interfaces[0]!.multicast ?? null).toEqual(kept);
  });
  it('is read from `ip -j maddr`: the nd-router capture gives the host context\'s list', () => {
    const rec = JSON.parse(readFileSync(path.join(repoRoot, 'fixtures', 'trace', 'recorded-raw', 'nd-router.json'), 'utf8')) as { maddr: unknown };
    const given = parseHostContext(readFileSync(path.join(repoRoot, 'fixtures', 'trace', 'nd-router', 'host.json'), 'utf8')).context!;
    const r = hostContextFromIproute([{ text: JSON.stringify(rec.maddr), fileName: 'maddr.json' }]);
    expect(r.outputs.map((o) => o.output)).toEqual(['ip-maddr']);
    expect(r.context!.interfaces.find((i) => i.name === 'eth0')!.multicast).toEqual(given.interfaces.find((i) => i.name === 'eth0')!.multicast);
  });
});
