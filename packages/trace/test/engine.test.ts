// Targets, chain traversal, conntrack, NAT and the bridge path on small rulesets, case by case. The paths of real
// hosts are checked against the kernel in kernel-recorded.test.ts; these cases cover what those do not exercise.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, renderKernelLog, trace, type HostContext, type PacketSpec, type TraceOptions } from '../src/index';

const HOST: HostContext = {
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8', '::1/128'] },
    { name: 'eth0', mac: '52:54:00:00:00:01', addresses: ['192.0.2.10/24', '2001:db8::10/64'] },
    { name: 'eth1', mac: '52:54:00:00:01:01', addresses: ['10.1.0.1/24'] },
    { name: 'eth2', mac: '52:54:00:00:02:01', addresses: [] },
    { name: 'br0', type: 'bridge', mac: '02:00:00:00:00:01', addresses: ['10.9.0.1/24'] },
    { name: 'p1', type: 'veth', master: 'br0' },
    { name: 'p2', type: 'veth', master: 'br0' },
  ],
  routes: [{ dst: 'default', via: '192.0.2.1', dev: 'eth0' }, { dst: '::/0', via: '2001:db8::1', dev: 'eth0' }, { dst: '198.51.100.0/24', dev: 'eth2' }],
  neighbors: [
    { name: 'gw', ip: '192.0.2.1', mac: '52:54:00:00:00:fe', dev: 'eth0' },
    { name: 'gw6', ip: '2001:db8::1', mac: '52:54:00:00:00:fe', dev: 'eth0' },
    { name: 'lan', ip: '10.1.0.5', mac: '52:54:00:00:01:05', dev: 'eth1' },
    { name: 'a', ip: '10.9.0.2', mac: '02:00:00:00:00:02', dev: 'br0', port: 'p1' },
    { name: 'b', ip: '10.9.0.3', mac: '02:00:00:00:00:03', dev: 'br0', port: 'p2' },
  ],
  sysctl: {},
};

function tables(text: string): string {
  return text.replace(/^\s+/gm, '');
}

function tr(rules: string | string[], spec: PacketSpec, opts: TraceOptions & { host?: HostContext; backend?: 'nft' | 'legacy' } = {}) {
  const snaps = (Array.isArray(rules) ? rules : [rules]).map((t, i) => {
    const r = parseSnapshot(tables(t), { fileName: `r${i}` });
    const errs = r.diagnostics.filter((d) => d.severity === 'error');
    if (errs.length) throw new Error(errs.map((d) => d.message).join('; '));
    return r.snapshot;
  });
  return trace(compileRuleset(snaps, opts.host ?? HOST, opts.backend ? { backend: opts.backend } : {}), spec, opts);
}

const steps = (o: { steps: { table: string; chain: string; label: { type: string; num: number }; verdict: string }[] }) =>
  o.steps.map((s) => `${s.table}:${s.chain}:${s.label.type}:${s.label.num} ${s.verdict}`);

describe('chain traversal (ipt_do_table)', () => {
  const rules = `*filter
    :INPUT ACCEPT [0:0]
    :FORWARD DROP [0:0]
    :OUTPUT ACCEPT [0:0]
    :A - [0:0]
    :B - [0:0]
    -A FORWARD -p tcp -g A
    -A FORWARD -j B
    -A FORWARD -j ACCEPT
    -A A -p tcp -m tcp --dport 81 -j RETURN
    -A A -p tcp -m tcp --dport 82 -j B
    -A B -p tcp -m tcp --dport 82 -j MARK --set-xmark 0x7/0xff
    COMMIT`;
  it.each([
    // goto: RETURN from A goes back to FORWARD's caller, i.e. the policy (labelled policy:4)
    [{ dport: 81 }, ['filter:FORWARD:rule:1 GOTO:A', 'filter:A:rule:1 RETURN', 'filter:FORWARD:policy:4 DROP'], 'DROP'],
    // jump inside a goto'ed chain, MARK continues, implicit returns (return:N = rules + 1)
    [{ dport: 82 }, ['filter:FORWARD:rule:1 GOTO:A', 'filter:A:rule:2 JUMP:B', 'filter:B:rule:1 CONTINUE', 'filter:B:return:2 RETURN', 'filter:A:return:3 RETURN', 'filter:FORWARD:policy:4 DROP'], 'DROP'],
  ] as const)('%o', (extra, want, verdict) => {
    const r = tr(rules, { from: 'lan', dst: '198.51.100.7', proto: 'tcp', ...extra });
    expect(steps(r.outcomes[0]!)).toEqual(want);
    expect(r.outcomes[0]!.verdict).toBe(verdict);
  });
  it('labels an unconditional -j ACCEPT in a built-in chain "policy" with its own number (the quirk of docs/netfilter.md §legacy-trace)', () => {
    const r = tr(rules, { from: 'lan', dst: '198.51.100.7', proto: 'udp', dport: 53 });
    expect(steps(r.outcomes[0]!)).toEqual(['filter:FORWARD:rule:2 JUMP:B', 'filter:B:return:2 RETURN', 'filter:FORWARD:policy:3 ACCEPT']);
    expect(r.outcomes[0]!.steps.map((s) => [s.type, s.rule])).toEqual([['rule', 2], ['return', null], ['rule', 3]]);
  });
});

describe('targets', () => {
  it('MARK/CONNMARK: set-xmark arithmetic, save and restore, seen by later rules', () => {
    const r = tr(`*mangle
      :PREROUTING ACCEPT [0:0]
      :INPUT ACCEPT [0:0]
      :FORWARD ACCEPT [0:0]
      :OUTPUT ACCEPT [0:0]
      :POSTROUTING ACCEPT [0:0]
      -A PREROUTING -j MARK --set-xmark 0x4000/0x4000
      -A PREROUTING -j MARK --set-xmark 0x1/0x0
      -A PREROUTING -j CONNMARK --save-mark --nfmask 0xffffffff --ctmask 0xffffffff
      -A PREROUTING -j MARK --set-xmark 0x0/0xffffffff
      -A PREROUTING -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff
      -A FORWARD -m mark --mark 0x1 -j ACCEPT
      COMMIT`, { from: 'lan', dst: '198.51.100.7', mark: 0x10 });
    const o = r.outcomes[0]!;
    // 0x10 | 0x4000 = 0x4010; ^0x1 = 0x4011; saved; cleared; restored under 0xff → 0x11; FORWARD rule 1 needs 0x1
    expect(o.mark).toBe(0x11);
    expect(steps(o).slice(-2)).toEqual(['mangle:FORWARD:policy:2 ACCEPT', 'mangle:POSTROUTING:policy:1 ACCEPT']);
  });

  it('SNAT to a range forks over its addresses; DNAT without an address changes only the port', () => {
    const r = tr(`*nat
      :PREROUTING ACCEPT [0:0]
      :INPUT ACCEPT [0:0]
      :OUTPUT ACCEPT [0:0]
      :POSTROUTING ACCEPT [0:0]
      -A PREROUTING -p tcp -m tcp --dport 8080 -j DNAT --to-destination :80
      -A POSTROUTING -o eth0 -j SNAT --to-source 192.0.2.20-192.0.2.21
      COMMIT`, { from: 'lan', dst: '203.0.113.9', proto: 'tcp', dport: 8080 });
    expect(r.outcomes.map((o) => [o.probability, o.nat.map((n) => `${n.type} ${n.to}`)])).toEqual([
      [0.5, ['DNAT 203.0.113.9:80', 'SNAT 192.0.2.20:40000']],
      [0.5, ['DNAT 203.0.113.9:80', 'SNAT 192.0.2.21:40000']],
    ]);
  });

  it.each([
    ['-A PREROUTING -p tcp -j REDIRECT --to-ports 3128', { from: 'lan', dst: '203.0.113.9', proto: 'tcp', dport: 80 }, 'delivered', 'REDIRECT 10.1.0.1:3128'],
    ['-A PREROUTING -d 203.0.113.0/24 -j NETMAP --to 10.1.0.0/24', { from: 'gw', src: '198.18.0.1', dst: '203.0.113.5', in: 'eth0' }, 'forwarded', 'NETMAP 10.1.0.5'],
    ['-A POSTROUTING -o eth2 -j MASQUERADE', { from: 'lan', dst: '198.51.100.7' }, 'DROP', ''],
  ] as const)('%s', (rule, spec, verdict, nat) => {
    const r = tr(`*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n${rule}\nCOMMIT\n`, spec);
    expect(r.outcomes[0]!.verdict).toBe(verdict);
    expect(r.outcomes[0]!.nat.map((n) => `${n.type} ${n.to}`).join(', ')).toBe(nat);
  });

  it('an unknown target is an explicit assumption', () => {
    const r = tr('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j FROBNICATE\nCOMMIT\n', { from: 'lan', dst: '198.51.100.7' });
    expect(r.outcomes.map((o) => [o.verdict, o.assumptions])).toEqual([
      ['forwarded', ['target FROBNICATE (not a chain of this table nor a known extension) lets the packet continue: matches']],
      ['DROP', ['target FROBNICATE (not a chain of this table nor a known extension) lets the packet continue: does not match']],
    ]);
  });
});

describe('forks and --assume', () => {
  const rules = '*filter\n:INPUT DROP [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -m limit --limit 3/min -j ACCEPT\nCOMMIT\n';
  const spec = { from: 'lan', dst: '10.1.0.1', proto: 'tcp', dport: 22 } as const;
  it('forks on state the snapshot does not hold, each outcome stating its assumption', () => {
    const r = tr(rules, spec);
    expect(r.outcomes.map((o) => [o.verdict, o.assumptions[0]])).toEqual([
      ['delivered', '-m limit --limit 3/min (r0:5) (rate-limit bucket state): matches'],
      ['DROP', '-m limit --limit 3/min (r0:5) (rate-limit bucket state): does not match'],
    ]);
  });
  it.each([['limit', false], ['limit@5', true], ['limit@r0:5', false]] as const)('--assume %s=%s pins it', (key, value) => {
    const r = tr(rules, spec, { assume: new Map([[key, value]]) });
    expect(r.outcomes.map((o) => o.verdict)).toEqual([value ? 'delivered' : 'DROP']);
    expect(r.outcomes[0]!.assumptions[0]).toContain(`--assume ${key}=${value}`);
  });
  it('stops at --max-outcomes and says so', () => {
    const many = `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${Array.from({ length: 6 }, (_, i) => `-A FORWARD -m statistic --mode random --probability 0.5 -j MARK --set-xmark ${i + 1}/0x0`).join('\n')}\nCOMMIT\n`;
    const r = tr(many, { from: 'lan', dst: '198.51.100.7' }, { maxOutcomes: 10 });
    expect([r.outcomes.length, r.truncated]).toEqual([10, true]);
    expect(tr(many, { from: 'lan', dst: '198.51.100.7' }).outcomes.length).toBe(64);
  });
});

describe('conntrack', () => {
  const nat = '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0 -j MASQUERADE\nCOMMIT\n';
  it.each([
    [{ proto: 'tcp', dport: 80 }, 'NEW', 1],
    [{ proto: 'tcp', dport: 80, tcpFlags: 'ACK' }, 'NEW', 1],
    [{ proto: 'tcp', dport: 80, tcpFlags: 'RST' }, 'INVALID', 0],
    [{ proto: 'tcp', dport: 80, tcpFlags: 'SYN,ACK' }, 'INVALID', 0],
    [{ proto: 'icmp', icmpType: 'echo-reply' }, 'INVALID', 0],
    [{ proto: 'udp', dport: 53 }, 'NEW', 1],
    [{ proto: 'tcp', dport: 80, state: 'ESTABLISHED' }, 'ESTABLISHED', 0],
    [{ proto: 'tcp', dport: 80, state: 'UNTRACKED' }, 'UNTRACKED', 0],
  ] as const)('%o: ctstate %s, nat POSTROUTING traversed %i times', (extra, state, natSteps) => {
    const r = tr(nat, { from: 'lan', dst: '203.0.113.9', ...extra });
    const o = r.outcomes[0]!;
    expect(o.packet.ctState).toBe(state);
    expect(o.steps.filter((s) => s.table === 'nat' && s.chain === 'POSTROUTING').length).toBe(natSteps);
    // later packets keep the first packet's MASQUERADE without traversing the chain
    expect(o.masquerade).toBe(state === 'NEW' || state === 'ESTABLISHED');
  });
  it('no rule needs conntrack: the nat chains are not consulted (docs/netfilter.md §conntrack-active)', () => {
    const r = tr('*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A POSTROUTING -o eth0\nCOMMIT\n', { from: 'lan', dst: '203.0.113.9' });
    expect(r.outcomes[0]!.steps).toEqual([]);
  });
  it('the reply is de-masqueraded in PREROUTING and routed back', () => {
    const r = tr(nat, { from: 'lan', dst: '203.0.113.9', proto: 'udp', dport: 53, reply: true });
    const o = r.outcomes[0]!;
    expect([o.verdict, o.egress?.dev, o.packet.src, o.packet.dst, o.packet.ctDir]).toEqual(['forwarded', 'eth1', '203.0.113.9', '10.1.0.5', 'REPLY']);
  });
});

describe('bridge path', () => {
  const eb = `*filter
    :INPUT ACCEPT
    :FORWARD ACCEPT
    :OUTPUT ACCEPT
    :CHK RETURN
    -A FORWARD -j CHK
    -A FORWARD -p IPv4 --ip-proto icmp -j mark --mark-set 0x9 --mark-target CONTINUE
    -A FORWARD -j RETURN
    -A FORWARD -p IPv4 --ip-proto udp -j DROP
    -A CHK -s 02:00:00:00:00:02 -j CONTINUE`;
  it('ebtables: user chain policy RETURN, mark target with CONTINUE, RETURN in a base chain continues', () => {
    const r = tr(eb, { from: 'a', to: 'b', proto: 'udp', dport: 53 }, { backend: 'nft' });
    expect(r.outcomes[0]!.steps.map((s) => `${s.hook} ${s.table}:${s.chain}:${s.type}:${s.rule ?? '-'} ${s.verdict}`)).toEqual([
      'FORWARD filter:FORWARD:rule:1 JUMP:CHK', 'FORWARD filter:CHK:rule:1 CONTINUE', 'FORWARD filter:CHK:return:- RETURN',
      'FORWARD filter:FORWARD:rule:3 RETURN', 'FORWARD filter:FORWARD:rule:4 DROP',
    ]);
    expect(r.outcomes[0]!.verdict).toBe('DROP');
  });
  it('hairpin: the bridge drops a frame for the port it came in on unless the port is in hairpin mode', () => {
    const nat = '*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n-A PREROUTING -d 10.9.0.1/32 -j DNAT --to-destination 10.9.0.2\nCOMMIT\n';
    expect(tr(nat, { from: 'a', dst: '10.9.0.1' }).outcomes[0]!.summary).toMatch(/hairpin mode is off/);
    const hairpin = { ...HOST, interfaces: HOST.interfaces.map((i) => (i.name === 'p1' ? { ...i, hairpin: true } : i)) };
    expect(tr(nat, { from: 'a', dst: '10.9.0.1' }, { host: hairpin }).outcomes[0]!.summary).toBe('bridged out p1 (bridge br0)');
  });
  it('without bridge-nf-call-iptables bridged frames meet no iptables chain (docs/netfilter.md §brnf-off)', () => {
    const f = '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n';
    expect(tr(f, { from: 'a', to: 'b' }).outcomes[0]!.verdict).toBe('DROP');
    const off = { ...HOST, sysctl: { 'net.bridge.bridge-nf-call-iptables': 0 } };
    expect(tr(f, { from: 'a', to: 'b' }, { host: off }).outcomes[0]!.verdict).toBe('forwarded');
  });
  it('broute DROP routes the frame instead of bridging it (legacy ebtables)', () => {
    const r = tr('*broute\n:BROUTING ACCEPT\n-A BROUTING -p IPv4 -j DROP\n', { from: 'a', to: 'b' });
    expect(r.outcomes[0]!.events.some((e) => e.kind === 'bridge' && /routed, not bridged/.test(e.text))).toBe(true);
  });
  it('legacy ebtables runs nat OUTPUT before filter OUTPUT, ebtables-nft the other way round (docs/netfilter.md §bridge-priorities)', () => {
    const out = '*nat\n:PREROUTING ACCEPT\n:OUTPUT ACCEPT\n:POSTROUTING ACCEPT\n-A OUTPUT -j CONTINUE\n*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n-A OUTPUT -j CONTINUE\n';
    const order = (backend: 'nft' | 'legacy') => tr(out, { local: true, to: 'a' }, { backend }).outcomes[0]!.steps.filter((s) => s.hook === 'OUTPUT').map((s) => s.table);
    expect(order('legacy')).toEqual(['nat', 'nat', 'filter', 'filter']);
    expect(order('nft')).toEqual(['filter', 'filter', 'nat', 'nat']);
  });
});

describe('IPv6 and local traffic', () => {
  it('forwards IPv6 with ip6tables chains and decrements the hop limit', () => {
    // with the rules in an IPv4 snapshot only, the IPv6 packet meets no chain
    const v4 = parseSnapshot('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -j ACCEPT\nCOMMIT\n', { fileName: 'v4', family: 'ipv4' }).snapshot;
    expect(trace(compileRuleset([v4], HOST), { src: '2001:db8:5::1', dst: '2001:db8::77', in: 'eth1', proto: 'icmpv6' }).outcomes[0]!.steps).toEqual([]);
    const v6 = parseSnapshot('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD -p ipv6-icmp -j ACCEPT\nCOMMIT\n', { fileName: 'v6', family: 'ipv6' }).snapshot;
    const r6 = trace(compileRuleset([v6], HOST), { src: '2001:db8:5::1', dst: '2001:db8::77', in: 'eth1', proto: 'icmpv6' });
    expect([steps(r6.outcomes[0]!), r6.outcomes[0]!.packet.ttl, r6.outcomes[0]!.egress?.dev]).toEqual([['filter:FORWARD:rule:1 ACCEPT'], 63, 'eth0']);
  });
  it('a packet to the host itself loops back: OUTPUT, POSTROUTING, then PREROUTING and INPUT on lo', () => {
    const r = tr('*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n', { local: true, dst: '127.0.0.1', proto: 'tcp', dport: 5432 });
    expect(r.outcomes[0]!.steps.map((s) => `${s.hook} ${s.packet.in}/${s.packet.out}`)).toEqual(['OUTPUT /lo', 'INPUT lo/']);
  });
});

describe('kernel log', () => {
  const rules = `*raw
    :PREROUTING ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A PREROUTING -p icmp -j TRACE
    COMMIT
    *filter
    :INPUT ACCEPT [0:0]
    :FORWARD ACCEPT [0:0]
    :OUTPUT ACCEPT [0:0]
    -A FORWARD -j LOG --log-prefix "fwd: "
    COMMIT`;
  it('prints TRACE lines from the rule after the TRACE rule, and LOG lines after their rule\'s TRACE line', () => {
    const lines = renderKernelLog(tr(rules, { from: 'lan', dst: '198.51.100.7' })).trim().split('\n').map((l) => l.split(' IN=')[0]);
    expect(lines).toEqual(['TRACE: raw:PREROUTING:policy:2', 'TRACE: filter:FORWARD:rule:1', 'fwd:', 'TRACE: filter:FORWARD:policy:2']);
  });
  it('--trace-all also prints the TRACE rule itself', () => {
    const out = renderKernelLog(tr(rules, { from: 'lan', dst: '198.51.100.7' }, { traceAll: true }));
    expect(out.split('\n')[0]).toBe('TRACE: raw:PREROUTING:rule:1 IN=eth1 OUT= MAC=52:54:00:00:01:01:52:54:00:00:01:05:08:00 SRC=10.1.0.5 DST=198.51.100.7 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=0 DF PROTO=ICMP TYPE=8 CODE=0 ID=4660 SEQ=1');
  });
  it('prints ebtables --log lines as ebt_log.c does (legacy) or as nf_log_syslog\'s bridge logger does (ebtables-nft)', () => {
    const eb = '*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n-A FORWARD -p IPv4 --log-level info --log-prefix "eb-fwd" --log-ip -j ACCEPT\n';
    expect(renderKernelLog(tr(eb, { from: 'a', to: 'b', proto: 'udp', dport: 53 }, { backend: 'legacy' })).trim()).toBe(
      'eb-fwd IN=p1 OUT=p2 MAC source = 02:00:00:00:00:02 MAC dest = 02:00:00:00:00:03 proto = 0x0800 IP SRC=10.9.0.2 IP DST=10.9.0.3, IP tos=0x00, IP proto=17 SPT=40000 DPT=53');
    expect(renderKernelLog(tr(eb, { from: 'a', to: 'b', proto: 'udp', dport: 53 }, { backend: 'nft' })).trim()).toBe(
      'eb-fwdIN=p1 OUT=p2 MAC=02:00:00:00:00:03:02:00:00:00:00:02:08:00 SRC=10.9.0.2 DST=10.9.0.3 LEN=29 TOS=0x00 PREC=0x00 TTL=64 ID=0 PROTO=UDP SPT=40000 DPT=53 LEN=9');
  });
});
