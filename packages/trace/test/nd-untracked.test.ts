// ICMPv6 neighbour discovery, router discovery and MLD are UNTRACKED, not INVALID (nf_conntrack_proto_icmpv6.c
// nf_conntrack_icmpv6_error, the noct_valid_new table), so the common "drop INVALID, then accept the ICMPv6 types"
// order lets them through; and a neighbour-discovery message carries hop limit 255 (MLD: 1) unless --ttl says
// otherwise. The same order recorded from the kernel on both backends: fixtures/trace/nd-router
// (test/nd-recorded.test.ts).
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, trace, type HostContext, type PacketSpec } from '../src/index';

const HOST: HostContext = {
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8', '::1/128'] },
    { name: 'eth0', mac: '02:00:00:06:00:01', addresses: ['2001:db8:1::1/64', 'fe80::1/64'] },
  ],
  routes: [],
  neighbors: [{ name: 'a', ip: '2001:db8:1::2', mac: '02:00:00:06:00:02', dev: 'eth0' }],
  sysctl: {},
};

const RULES = `*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
-A INPUT -m conntrack --ctstate NEW -j ACCEPT
COMMIT
`;

const compiled = compileRuleset([parseSnapshot(RULES, { fileName: 'ip6tables-save', family: 'ipv6' }).snapshot], HOST);

describe('the conntrack state of ICMPv6 messages without a connection', () => {
  it.each([
    // type, state, the INPUT rule that decides (1 drops INVALID, 2 accepts UNTRACKED, 3 accepts NEW)
    ['mld-listener-query (130)', 130, 'UNTRACKED', 2],
    ['mld-listener-report (131)', 131, 'UNTRACKED', 2],
    ['mld-listener-done (132)', 132, 'UNTRACKED', 2],
    ['router-solicitation (133)', 133, 'UNTRACKED', 2],
    ['router-advertisement (134)', 134, 'UNTRACKED', 2],
    ['neighbour-solicitation (135)', 135, 'UNTRACKED', 2],
    ['neighbour-advertisement (136)', 136, 'UNTRACKED', 2],
    ['redirect (137): not in noct_valid_new', 137, 'INVALID', 1],
    ['mldv2 report (143)', 143, 'UNTRACKED', 2],
    ['echo-request (128) opens a connection', 128, 'NEW', 3],
    ['echo-reply (129) without one', 129, 'INVALID', 1],
    ['node information query (139) opens a connection', 139, 'NEW', 3],
  ] as const)('%s: %s', (_name, type, state, rule) => {
    const r = trace(compiled, { from: 'a', dst: '2001:db8:1::1', proto: 'icmpv6', icmpType: type });
    const o = r.outcomes[0]!;
    expect(o.packet.ctState).toBe(state);
    expect(o.steps.at(-1)!.rule).toBe(rule);
  });
  it('raw still sees INVALID: the state is set by the conntrack hook, after raw (priority -300 < -200)', () => {
    const raw = `*raw\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A PREROUTING -m conntrack --ctstate INVALID -j MARK --set-xmark 0x1/0xffffffff\nCOMMIT\n`;
    const c = compileRuleset([parseSnapshot(raw + RULES, { fileName: 'ip6tables-save', family: 'ipv6' }).snapshot], HOST);
    const o = trace(c, { from: 'a', dst: 'ff02::1:ff00:1', proto: 'icmpv6', icmpType: 'neighbour-solicitation' }).outcomes[0]!;
    expect([o.packet.mark, o.packet.ctState, o.verdict]).toEqual([1, 'UNTRACKED', 'delivered']);
  });
  it('says why in the conntrack event', () => {
    const o = trace(compiled, { from: 'a', dst: '2001:db8:1::1', proto: 'icmpv6', icmpType: 'neighbour-advertisement' }).outcomes[0]!;
    expect(o.events.find((e) => e.kind === 'conntrack' && e.text.startsWith('ctstate'))?.text).toMatch(/ctstate UNTRACKED: ICMPv6 type 136 .*never tracked/);
  });
});

describe('the hop limit of neighbour discovery and MLD', () => {
  const spec = (icmpType: string, extra: Partial<PacketSpec> = {}): PacketSpec => ({ from: 'a', dst: 'ff02::1:ff00:1', proto: 'icmpv6', icmpType, ...extra });
  it.each([
    ['neighbour-solicitation', {}, 255, /hop limit 255 assumed: ICMPv6 type 135/],
    ['router-solicitation', {}, 255, /hop limit 255 assumed: ICMPv6 type 133/],
    ['137', {}, 255, /hop limit 255 assumed: ICMPv6 type 137/],
    ['131', {}, 1, /hop limit 1 assumed: ICMPv6 type 131 is MLD/],
    ['neighbour-solicitation', { ttl: 64 }, 64, null],
    ['echo-request', {}, 64, null],
  ] as const)('%s %o: hop limit %i', (type, extra, ttl, inferred) => {
    const r = trace(compiled, spec(type, extra));
    expect(r.packet.ttl).toBe(ttl);
    const said = r.inferred.filter((x) => x.startsWith('hop limit'));
    if (inferred) expect(said).toEqual([expect.stringMatching(inferred)]);
    else expect(said).toEqual([]);
  });
});
