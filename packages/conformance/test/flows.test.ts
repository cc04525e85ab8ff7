// From flows and the kernel's packets to the simulator's questions: roles, PacketSpecs, directions, and the
// mending of packets the lab's splitter cut in two (a packet to the host itself, a REJECT's late trace event).
import { describe, expect, it } from 'vitest';
import { directionOf, firstPacketSpec, flagsFromKernel, flagsFromLetters, mendPackets, questionFor, toLabFlow } from '../src/flows';
import type { LabFlowResult, LabPacket } from '../src/kernel-types';
import { candidatesFor, createSimulator, standaloneAnswer } from '../src/simulate';
import type { Step } from '../src/steps';
import { step } from './helpers';

const endpoints = { isNeighbour: (n: string) => ['c1', 'c2', 'lan'].includes(n) };
const pkt = (direction: LabPacket['direction'], packet: LabPacket['packet'], steps: Step[] = []): LabPacket => ({ direction, packet, steps });

describe('flag spellings', () => {
  it.each([
    ['S', 'SYN'],
    ['SA', 'SYN,ACK'],
    ['FA', 'FIN,ACK'],
    ['', 'NONE'], // no flag set: the simulator's spelling, as iptables'
  ])('scapy letters %j → %j', (letters, words) => expect(flagsFromLetters(letters)).toBe(words));
  it('rejects an unknown letter', () => expect(() => flagsFromLetters('SX')).toThrow(/unknown TCP flag letter 'X'/));
  it('the kernel lab\'s lower-case list', () => expect(flagsFromKernel('rst,ack')).toBe('RST,ACK'));
  it('an empty kernel list is no flag set', () => expect(flagsFromKernel('')).toBe('NONE'));
});

describe('firstPacketSpec', () => {
  it.each([
    ['a neighbour by name', { name: 'f', from: 'c1', to: 'c2', proto: 'icmp' as const }, { proto: 'icmp', dst: '192.168.0.3', from: 'c1' }],
    ['the host: a local packet from its address', { name: 'f', from: 'host', to: 'c1', proto: 'icmp' as const }, { proto: 'icmp', dst: '192.168.0.3', local: true, src: '192.168.0.2' }],
    ['an external address', { name: 'f', from: '10.28.61.30', to: 'c1', proto: 'udp' as const, dport: 53 }, { proto: 'udp', dst: '192.168.0.3', src: '192.168.0.2', sport: 40000, dport: 53 }],
    ['a crafted TCP segment keeps its flags', { name: 'f', from: 'c1', to: 'c2', proto: 'tcp' as const, dport: 80, tcpFlags: 'A' }, { proto: 'tcp', dst: '192.168.0.3', from: 'c1', sport: 40000, dport: 80, tcpFlags: 'ACK' }],
    ['a crafted ICMP type', { name: 'f', from: 'c1', to: 'c2', proto: 'icmp' as const, icmpType: 13 }, { proto: 'icmp', dst: '192.168.0.3', from: 'c1', icmpType: 13 }],
  ])('%s', (_name, flow, expected) => {
    expect(firstPacketSpec(flow, '192.168.0.2', '192.168.0.3', endpoints)).toEqual(expected);
  });

  it('the kernel\'s view wins: nc chose the source port, the kernel saw the flags', () => {
    const flow = { name: 'f', from: 'c1', to: 'c2', proto: 'tcp' as const, dport: 80 };
    expect(firstPacketSpec(flow, 'a', 'b', endpoints, { sport: 47726, dport: 80, tcpFlags: 'syn' })).toMatchObject({ sport: 47726, dport: 80, tcpFlags: 'SYN' });
  });

  it('toLabFlow leaves the note and the divergence out', () => {
    expect(toLabFlow({ name: 'f', from: 'c1', to: 'c2', proto: 'icmp', note: 'n', divergence: 'connection-history' })).toEqual({ name: 'f', from: 'c1', to: 'c2', proto: 'icmp' });
  });
});

describe('questionFor: each packet of a TCP flow', () => {
  const tcp = (flags: string, dir: LabPacket['direction']) =>
    dir === 'request' ? pkt(dir, { saddr: '10.1.0.5', daddr: '10.1.0.1', sport: 39212, dport: 22, tcpFlags: flags }) : pkt(dir, { saddr: '10.1.0.1', daddr: '10.1.0.5', sport: 22, dport: 39212, tcpFlags: flags });
  const result: LabFlowResult = {
    name: 'ssh',
    flow: { name: 'ssh', from: 'lan', to: '10.1.0.1', proto: 'tcp', dport: 22 },
    client: '10.1.0.5',
    server: '10.1.0.1',
    replied: true,
    packets: [tcp('syn', 'request'), tcp('syn', 'request'), tcp('syn,ack', 'reply'), tcp('ack', 'request'), pkt('reply', { saddr: '10.1.0.1', daddr: '10.1.0.5' })],
  };
  it.each([
    [0, 'first', { proto: 'tcp', dst: '10.1.0.1', from: 'lan', sport: 39212, dport: 22, tcpFlags: 'SYN' }],
    [1, 'retransmission', { proto: 'tcp', dst: '10.1.0.1', from: 'lan', sport: 39212, dport: 22, tcpFlags: 'SYN' }],
    [2, 'reply', { proto: 'tcp', dst: '10.1.0.1', from: 'lan', sport: 39212, dport: 22, tcpFlags: 'SYN,ACK', reply: true }],
    [3, 'later', { proto: 'tcp', dst: '10.1.0.1', from: 'lan', sport: 39212, dport: 22, tcpFlags: 'ACK', state: 'ESTABLISHED' }],
    [4, 'error', { proto: 'tcp', dst: '10.1.0.1', from: 'lan', sport: 39212, dport: 22, reply: true, state: 'RELATED' }],
  ])('packet %i is the %s', (index, role, spec) => {
    const q = questionFor(result, index, endpoints);
    expect({ role: q.role, spec: q.spec }).toEqual({ role, spec });
  });
});

describe('directionOf', () => {
  const first = pkt('request', { saddr: '172.17.0.2', daddr: '198.51.100.20', sport: 44496, dport: 8080 });
  it.each([
    ['the first request', first, 'request'],
    ['a container answering itself through its published port: same address, other port', pkt('request', { saddr: '172.17.0.2', daddr: '172.17.0.1', sport: 80, dport: 44496 }), 'reply'],
    ['an ICMP error from the host to itself in a UDP flow', pkt('request', { saddr: '172.17.0.2', daddr: '172.17.0.2' }), 'reply'],
    ['a later request keeps its source port', pkt('request', { saddr: '172.17.0.2', daddr: '198.51.100.20', sport: 44496, dport: 8080 }), 'request'],
  ])('%s', (_name, p, expected) => {
    expect(directionOf(p, first, { name: 'f', from: 'web', to: 'x', proto: 'udp', dport: 8080 })).toBe(expected);
  });

  // A ping from the host to an address DNAT turns into its own (random case 177 of seed 3): xtables-monitor prints no
  // ICMP type, but the echo reply is sent to the host's own address, and any request to the flow's destination.
  const ping = pkt('request', { oif: 'eth0', saddr: '198.51.100.1', daddr: '198.51.100.254' });
  it.each([
    ['the echo reply the host sends itself', pkt('request', { oif: 'lo', saddr: '198.51.100.1', daddr: '198.51.100.1' }), 'reply'],
    ['the ping sent again', pkt('request', { oif: 'eth0', saddr: '198.51.100.1', daddr: '198.51.100.254' }), 'request'],
  ])('%s', (_name, p, expected) => {
    expect(directionOf(p, ping, { name: 'f', from: 'host', to: '198.51.100.254', proto: 'icmp' })).toBe(expected);
  });
  it('a ping to the host\'s own address stays a request', () => {
    const self = pkt('request', { oif: 'lo', saddr: '198.51.100.1', daddr: '198.51.100.1' });
    expect(directionOf(pkt('request', { oif: 'lo', saddr: '198.51.100.1', daddr: '198.51.100.1' }), self, { name: 'f', from: 'host', to: '198.51.100.1', proto: 'icmp' })).toBe('request');
  });
});

describe('mendPackets', () => {
  const isReject = (s: Step) => s.chain === 'LOGREJECT' || (s.chain === 'OUTPUT' && s.rule === 1 && s.table === 'filter') || (s.chain === 'FORWARD' && s.rule === 2);
  const nft = { nft: true, isReject };

  it('joins a packet to the host itself with its way back in on lo', () => {
    const out = pkt('request', { oif: 'eth0', saddr: '192.0.2.10', daddr: '192.0.2.10' }, [step('OUTPUT', 'raw', 'OUTPUT', 'policy', null, 'ACCEPT'), step('POSTROUTING', 'mangle', 'POSTROUTING', 'policy', null, 'ACCEPT')]);
    const back = pkt('request', { iif: 'lo', saddr: '192.0.2.10', daddr: '192.0.2.10' }, [step('PREROUTING', 'raw', 'PREROUTING', 'policy', null, 'ACCEPT'), step('INPUT', 'filter', 'INPUT', 'rule', 1, 'ACCEPT')]);
    const mended = mendPackets([out, back], nft);
    expect(mended.map((p) => p.steps.length)).toEqual([4]);
  });

  it('puts a REJECT step that came after the answer back at the end of the rejected packet (unfinished traversal)', () => {
    const rejected = pkt('request', { saddr: '192.0.2.77' }, [step('INPUT', 'filter', 'INPUT', 'rule', 8, 'JUMP:LOGREJECT'), step('INPUT', 'filter', 'LOGREJECT', 'rule', 1, 'CONTINUE')]);
    const answer = pkt('reply', { saddr: '192.0.2.10' }, [step('OUTPUT', 'filter', 'OUTPUT', 'policy', null, 'ACCEPT')]);
    const tail = pkt('request', { saddr: '192.0.2.77' }, [step(undefined, 'filter', 'LOGREJECT', 'rule', 2, 'DROP')]);
    const mended = mendPackets([rejected, answer, tail], nft);
    expect(mended.map((p) => p.steps.map((s) => `${s.hook} ${s.chain} ${s.rule}`))).toEqual([
      ['INPUT INPUT 8', 'INPUT LOGREJECT 1', 'INPUT LOGREJECT 2'],
      ['OUTPUT OUTPUT null'],
    ]);
  });

  it('… also when the REJECT rule is the first step of its table (the packet stopped before reaching it)', () => {
    const rejected = pkt('request', {}, [step('OUTPUT', 'raw', 'OUTPUT', 'policy', null, 'ACCEPT'), step('OUTPUT', 'nat', 'OUTPUT', 'policy', null, 'ACCEPT')]);
    const answer = pkt('reply', {}, [step('OUTPUT', 'raw', 'OUTPUT', 'policy', null, 'ACCEPT'), step('OUTPUT', 'filter', 'OUTPUT', 'policy', null, 'ACCEPT')]);
    const tail = pkt('request', {}, [step('OUTPUT', 'filter', 'OUTPUT', 'rule', 1, 'DROP')]);
    expect(mendPackets([rejected, answer, tail], nft).map((p) => p.steps.length)).toEqual([3, 2]);
  });

  it('… and when the rejected packet was last seen in PREROUTING (the REJECT is in FORWARD)', () => {
    const rejected = pkt('request', {}, [step('PREROUTING', 'nat', 'PREROUTING', 'policy', null, 'ACCEPT')]);
    const answer = pkt('reply', {}, [step('OUTPUT', 'filter', 'OUTPUT', 'policy', null, 'ACCEPT')]);
    const tail = pkt('request', {}, [step('FORWARD', 'filter', 'FORWARD', 'rule', 2, 'DROP')]);
    expect(mendPackets([rejected, answer, tail], nft).map((p) => p.steps.map((s) => s.chain))).toEqual([['PREROUTING', 'FORWARD'], ['OUTPUT']]);
  });

  it('leaves legacy traces alone (the legacy TRACE logs a REJECT rule before its target runs)', () => {
    const rejected = pkt('request', {}, [step('PREROUTING', 'nat', 'PREROUTING', 'policy', null, 'ACCEPT')]);
    const tail = pkt('request', {}, [step('FORWARD', 'filter', 'FORWARD', 'rule', 2, 'DROP')]);
    expect(mendPackets([rejected, tail], { ...nft, nft: false })).toHaveLength(2);
  });

  it('does not move a DROP step of a rule that is not a REJECT', () => {
    const first = pkt('request', {}, [step('FORWARD', 'filter', 'FORWARD', 'rule', 1, 'JUMP:X')]);
    const other = pkt('request', {}, [step('FORWARD', 'filter', 'X', 'rule', 3, 'DROP')]);
    expect(mendPackets([first, other], nft)).toHaveLength(2);
  });
});

describe('questions the simulator answers differently', () => {
  const host = JSON.stringify({
    interfaces: [
      { name: 'eth0', addresses: ['192.0.2.10/24'] },
      { name: 'eth1', addresses: ['10.1.0.1/24'] },
    ],
    routes: [{ dst: 'default', via: '192.0.2.1', dev: 'eth0' }],
    neighbors: [
      { name: 'gateway', ip: '192.0.2.1', dev: 'eth0' },
      { name: 'lan', ip: '10.1.0.5', dev: 'eth1' },
    ],
  });
  const flow = (proto: 'udp' | 'icmp', to: string): LabFlowResult => ({
    name: 'f',
    flow: { name: 'f', from: 'lan', to, proto, ...(proto === 'udp' ? { dport: 123 } : {}) },
    client: '10.1.0.5',
    server: to,
    replied: false,
    packets: [pkt('request', { saddr: '10.1.0.5', daddr: to, ...(proto === 'udp' ? { sport: 40000, dport: 123 } : {}) }), pkt('request', { saddr: '10.1.0.5', daddr: to, ...(proto === 'udp' ? { sport: 40000, dport: 123 } : {}) }), pkt('reply', { saddr: to, daddr: '10.1.0.5' })],
  });

  it('an answer to an untracked packet is asked as a packet of its own (an ICMP error about it: INVALID)', () => {
    const sim = createSimulator({ iptablesSave: '*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -p udp -j CT --notrack\nCOMMIT\n', hostJson: host, backend: 'nft' });
    const q = questionFor(flow('udp', '10.1.0.1'), 2, sim);
    expect(q.role).toBe('error');
    expect(standaloneAnswer(q)).toEqual({ src: '10.1.0.1', dst: '10.1.0.5', proto: 'icmp', state: 'INVALID', icmpType: '3/3' });
    expect(candidatesFor(sim, q).map((c) => c.label)).toEqual([expect.stringContaining('asked as a packet of its own')]);
  });

  // docs/netfilter.md §nat-first-packet: nf_nat_inet_fn() consults the nat chains once per connection and manip.
  it.each([
    ['left the host: NEW on the confirmed connection, nat chains skipped', 'ACCEPT', false],
    ['was dropped: no confirmed connection, a first packet again with nat chains', 'DROP', true],
  ] as const)('a retransmitted first packet whose first copy %s', (_what, policy, natAgain) => {
    const sim = createSimulator({
      iptablesSave: `*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ${policy} [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -m conntrack --ctstate NEW\nCOMMIT\n`,
      hostJson: host, backend: 'nft',
    });
    const q = questionFor(flow('icmp', '198.51.100.9'), 1, sim);
    expect(q.role).toBe('retransmission');
    const [only, ...more] = candidatesFor(sim, q);
    expect(more).toEqual([]);
    expect(only!.steps.some((s) => s.table === 'nat')).toBe(natAgain);
    expect(only!.steps.find((s) => s.chain === 'FORWARD' && s.type === 'rule')).toMatchObject({ rule: 1 });
  });
});
