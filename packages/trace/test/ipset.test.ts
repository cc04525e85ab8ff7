// `-m set` decided from the host's ipsets, case by case (xt_set.c and the set types' kadt functions). The
// paths through a real firewall with ipsets are checked against the kernel in the conformance scenario
// fixtures/conformance/ipset (and its offline replay, packages/conformance/test/ipset.test.ts).
import { describe, expect, it } from 'vitest';
import { parseIpsetSave, parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, trace, type HostContext, type PacketSpec } from '../src/index';

const HOST: HostContext = {
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8'] },
    { name: 'eth0', mac: '52:54:00:00:00:01', addresses: ['192.0.2.10/24'] },
    { name: 'eth1', mac: '52:54:00:00:01:01', addresses: ['10.1.0.1/24'] },
  ],
  routes: [],
  neighbors: [
    { name: 'a', ip: '192.0.2.20', mac: '52:54:00:00:00:20', dev: 'eth0' },
    { name: 'b', ip: '10.1.0.5', mac: '52:54:00:00:01:05', dev: 'eth1' },
  ],
  sysctl: {},
};

const SETS = parseIpsetSave(`create nets hash:net family inet
add nets 192.0.2.0/24
add nets 192.0.2.20 nomatch
create macs hash:mac
add macs 52:54:00:00:00:20
create marks hash:ip,mark family inet
add marks 10.1.0.5,0x7
create pings hash:ip,port family inet
add pings 10.1.0.5,icmp:echo-request
create six hash:ip family inet6
add six 2001:db8::1
create ports hash:net,iface family inet
add ports 10.1.0.0/24,physdev:eth1
create stations bitmap:ip,mac range 192.0.2.0/24
add stations 192.0.2.20
create fixed bitmap:ip,mac range 192.0.2.0/24
add fixed 192.0.2.20,52:54:00:00:00:99
create list list:set size 4
add list six
add list marks
`, 'sets').sets;

/** The verdict of a packet through one FORWARD rule `-m set …  -j DROP` (policy ACCEPT). */
function verdict(match: string, spec: PacketSpec, sets = SETS): string {
  const rules = `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD ${match} -j DROP\nCOMMIT\n`;
  const snap = parseSnapshot(rules, { fileName: 'r' }).snapshot;
  const outcomes = trace(compileRuleset([snap], HOST, { ipsets: sets }), spec).outcomes;
  return outcomes.map((o) => (o.verdict === 'DROP' ? 'DROP' : 'pass') + (o.assumptions.length ? ' (assumed)' : '')).join(' | ');
}

const fromA = { from: 'a', dst: '10.1.0.5', proto: 'icmp' } as PacketSpec;
const fromB = { from: 'b', dst: '192.0.2.20', proto: 'icmp' } as PacketSpec;

describe('-m set with the set contents', () => {
  it.each([
    ['a net of the set', '-m set --match-set nets dst', fromB, 'pass'], // 192.0.2.20 is a nomatch hole
    ['a nomatch hole is a match with --return-nomatch', '-m set --match-set nets dst --return-nomatch', fromB, 'DROP'],
    ['the source side', '-m set --match-set nets src', fromA, 'pass'],
    ['! inverts', '-m set ! --match-set nets src', fromA, 'DROP'],
    ['a source MAC from the Ethernet header', '-m set --match-set macs src', fromA, 'DROP'],
    ['a MAC the packet does not carry', '-m set --match-set macs src', fromB, 'pass'],
    ['bitmap:ip,mac: a member without its MAC matches (the packet fills it in)', '-m set --match-set stations src,src', fromA, 'DROP'],
    ['bitmap:ip,mac: a member with another MAC does not', '-m set --match-set fixed src,src', fromA, 'pass'],
    ['address and skb mark', '-m set --match-set marks src,dst', { ...fromB, mark: 7 }, 'DROP'],
    ['address and another mark', '-m set --match-set marks src,dst', { ...fromB, mark: 8 }, 'pass'],
    ['ICMP type as the port of hash:ip,port', '-m set --match-set pings src,src', fromB, 'DROP'],
    ['an ICMP type is the port whichever the flag (a missing flag is dst)', '-m set --match-set pings src', fromB, 'DROP'],
    ['an IPv6 set never matches IPv4', '-m set --match-set six src', fromB, 'pass'],
    ['list:set: the first member set that matches', '-m set --match-set list src,dst', { ...fromB, mark: 7 }, 'DROP'],
    ['a physdev: entry never matches from iptables', '-m set --match-set ports src,src', { from: 'b', dst: '192.0.2.20', proto: 'icmp' }, 'pass'],
    ['a set not in the file is assumed both ways', '-m set --match-set other src', fromB, 'DROP (assumed) | pass (assumed)'],
    ['counter conditions depend on state: assumed', '-m set --match-set macs src --packets-gt 5', fromA, 'DROP (assumed) | pass (assumed)'],
  ] as const)('%s', (_name, match, spec, expected) => expect(verdict(match, spec as PacketSpec)).toBe(expected));
});
