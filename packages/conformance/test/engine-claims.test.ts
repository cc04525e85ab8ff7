// The packet-set engine's claims in the lab's terms, without a kernel: which paths the lab's packets take, what
// they look like at each hook (conntrack's verdict on a first packet included), how an engine packet becomes a
// packet the lab sends, how counters are read — and every witness of the first random cases, traced by the
// simulator through its reduced ruleset, hits the rule the engine names (the kernel run is in
// conformance.test.ts; this is the same check against the simulator the kernel already referees).
import { NameAlphabet, PacketSpace, contains, witness, type ConcretePacket } from '@chainsight/packet-set';
import { describe, expect, it } from 'vitest';
import { parseCounters } from '../src/kernel/engine-check';
import { generateCase } from '../src/random/differential';
import { labPacket, labPaths, ruleKey, unreachableClaims, wireSet, witnessClaims } from '../src/random/engine-claims';
import { Rng } from '../src/random/prng';
import { RANDOM_HOST_JSON, RANDOM_IPSETS, sourceAddress } from '../src/random/topology';
import { createSimulator } from '../src/simulate';

describe('the paths of the lab packets', () => {
  const paths = labPaths();
  const show = (from: string, dst: string) => paths.filter((p) => p.from === from && p.dst === dst).map((p) => `${p.hook} ${p.in || '-'}>${p.out || '-'} ttl ${p.ttl}`);
  it.each([
    ['b1', '198.51.100.7', ['PREROUTING br0>- ttl 64', 'FORWARD br0>eth0 ttl 63', 'POSTROUTING br0>eth0 ttl 63']],
    ['b1', '10.0.0.3', ['PREROUTING br0>- ttl 64', 'FORWARD br0>br0 ttl 63', 'POSTROUTING br0>br0 ttl 63']],
    ['lan', '10.0.0.1', ['PREROUTING eth1>- ttl 64', 'INPUT eth1>- ttl 64']],
    ['192.0.2.50', '203.0.113.5', ['PREROUTING eth0>- ttl 64', 'FORWARD eth0>eth1 ttl 63', 'POSTROUTING eth0>eth1 ttl 63']],
    ['host', '10.0.0.2', ['OUTPUT ->br0 ttl 64', 'POSTROUTING ->br0 ttl 64']],
    // Same side of eth0: never crosses the host, never drawn.
    ['wan', '192.0.2.50', []],
  ])('%s → %s', (from, dst, expected) => {
    expect(show(from, dst)).toEqual(expected);
  });
});

describe('what the lab packets look like at a hook', () => {
  const space = new PacketSpace('ipv4', new NameAlphabet(['eth0', 'br0'], ['eth']), 0);
  const base: ConcretePacket = {
    in: 'br0', out: 'eth0', proto: 6, fragment: false, src: 0x0a000002n, dst: 0xc6336407n, sport: 41000, dport: 80, icmpType: null, icmpCode: null,
    tcpFlags: 0x02, ctState: 'NEW', ctDir: 'ORIGINAL', snat: false, dnat: false, mark: 0, ctMark: 0, pktType: 'host', length: 40, ttl: 63, tos: 0,
  };
  const icmp = { proto: 1, sport: null, dport: null, icmpCode: 0, tcpFlags: 0, length: 38 };
  it.each<[string, string, string, Partial<ConcretePacket>, boolean]>([
    ['a SYN is NEW', 'filter', 'FORWARD', {}, true],
    ['a SYN cannot be INVALID', 'filter', 'FORWARD', { ctState: 'INVALID', ctDir: null }, false],
    ['a bare ACK is NEW (nf_conntrack_tcp_loose=1)', 'filter', 'FORWARD', { tcpFlags: 0x10 }, true],
    ['a SYN/ACK is INVALID', 'filter', 'FORWARD', { tcpFlags: 0x12, ctState: 'INVALID', ctDir: null }, true],
    ['an echo request is NEW', 'filter', 'FORWARD', { ...icmp, icmpType: 8 }, true],
    ['an echo reply is INVALID', 'filter', 'FORWARD', { ...icmp, icmpType: 0, ctState: 'INVALID', ctDir: null }, true],
    ['raw sees every packet before conntrack: INVALID', 'raw', 'PREROUTING', { in: 'br0', out: '', ttl: 64, ctState: 'INVALID', ctDir: null }, true],
    ['raw never sees NEW', 'raw', 'PREROUTING', { in: 'br0', out: '', ttl: 64 }, false],
    ['forwarded packets have TTL 63 at FORWARD', 'filter', 'FORWARD', { ttl: 64 }, false],
    ['no mark on a first packet', 'mangle', 'FORWARD', { mark: 1 }, false],
    ['the source is the sender\'s own address', 'filter', 'FORWARD', { src: 0x0a000009n }, false],
    ['the devices are the path\'s', 'filter', 'FORWARD', { out: 'br0' }, false],
  ])('%s', (_name, table, hook, change, expected) => {
    expect(contains(space, wireSet(space, table, hook), { ...base, ...change })).toBe(expected);
  });

  it('turns an engine packet into the packet the lab sends, and refuses what no path sends', () => {
    const w = witness(space, space.bdd.and(wireSet(space, 'filter', 'FORWARD'), space.eq(space.f.tcpFlags, 0x12)))!;
    expect(labPacket(space, w, 'FORWARD')).toMatchObject({ packet: { proto: 'tcp', flags: 'SA' }, path: { hook: 'FORWARD' } });
    expect(labPacket(space, { ...base, src: 0x01020304n }, 'FORWARD')).toEqual({ skip: 'no lab path from 1.2.3.4 (in br0) to 198.51.100.7 (out eth0) at FORWARD' });
  });
});

describe('counters', () => {
  it('are read per rule, the lab TRACE rules counted apart', () => {
    const text = ['*raw', ':PREROUTING ACCEPT [0:0]', '[5:300] -A PREROUTING -p tcp -j TRACE', '[2:100] -A PREROUTING -p udp -j TRACE', '[1:40] -A PREROUTING -j CT --notrack', 'COMMIT',
      '*filter', ':INPUT ACCEPT [0:0]', '[0:0] -A INPUT -p tcp -j ACCEPT', '[3:120] -A INPUT', 'COMMIT', ''].join('\n');
    const c = parseCounters(text);
    expect(c.traced).toBe(7n);
    expect([...c.rules]).toEqual([[ruleKey('raw', 'PREROUTING', 1), 1n], [ruleKey('filter', 'INPUT', 1), 0n], [ruleKey('filter', 'INPUT', 2), 3n]]);
  });
});

describe('the claims of the first random cases', () => {
  const cases = Array.from({ length: 8 }, (_, i) => generateCase(1, i, 0));

  it('every witness, traced by the simulator through its reduced ruleset, hits its rule', () => {
    let checked = 0;
    const misses: string[] = [];
    for (const c of cases) {
      for (const rc of witnessClaims(c.ruleset).cases) {
        if (rc.claims.length === 0) continue;
        const sim = createSimulator({ iptablesSave: rc.text, hostJson: RANDOM_HOST_JSON, ipsetSave: RANDOM_IPSETS, backend: 'nft' });
        for (const claim of rc.claims) {
          const p = claim.packet;
          const from = p.from === 'host' ? { local: true, src: sourceAddress(p.from, p.dst) } : /^\d/.test(p.from) ? { src: p.from } : { from: p.from };
          const flags = p.flags === undefined ? {} : { tcpFlags: [...p.flags].map((l) => ({ F: 'FIN', S: 'SYN', R: 'RST', P: 'PSH', A: 'ACK', U: 'URG', E: 'ECE', C: 'CWR' })[l]).join(',') || 'NONE' };
          const spec = p.proto === 'icmp' ? { icmpType: p.icmpType! } : { sport: p.sport!, dport: p.dport!, ...flags };
          const steps = sim.trace({ ...from, dst: p.dst, proto: p.proto, ...spec }).outcomes[0]!.steps;
          checked++;
          if (!steps.some((s) => s.type === 'rule' && ruleKey(s.table, s.chain, s.rule ?? 0) === claim.key)) misses.push(`case ${c.index} ${rc.table} ${rc.hook}: ${claim.key} ${JSON.stringify(p)}`);
        }
      }
    }
    expect(misses).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('draws distinct packets for unreachable rules, reproducibly', () => {
    const draw = () => cases.slice(0, 4).flatMap((c) => { const rng = new Rng(3); return unreachableClaims(c.ruleset, () => rng.next(), 20); });
    const claims = draw();
    expect(claims.length).toBeGreaterThan(0);
    for (const u of claims) {
      expect(u.samples.length).toBeLessThanOrEqual(20);
      expect(new Set(u.samples.map((s) => JSON.stringify(s))).size).toBe(u.samples.length);
    }
    expect(draw()).toEqual(claims);
  });
});
