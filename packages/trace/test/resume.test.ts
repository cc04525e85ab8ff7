// A run answering a fork resumes at the rule that asked it (src/sim/resume.ts) instead of replaying the path from
// the start. Two promises: the outcomes are exactly those of replaying every path (`replay: true`, the reference:
// order, probabilities, assumptions, draws, steps, events, NAT, what was left out), and the work grows linearly
// with a chain of forks (kube-proxy's endpoint fan-out), counted in rule evaluations, choices and copies, never
// timed (bench/growth.mjs shows the times).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSnapshot } from '@chainsight/grammar';
import {
  compileRuleset, HostModel, renderKernelLog, renderText, toTraceJson, trace, traceConversation,
  type ConversationStep, type HostContext, type PacketSpec, type TraceOptions,
} from '../src/index';
import type { ExploreWork } from '../src/sim/choices';

function compile(texts: string[], host: HostContext | null = null) {
  const snaps = texts.map((t, i) => {
    const r = parseSnapshot(t.replace(/^\s+/gm, ''), { fileName: `r${i}` });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    return r.snapshot;
  });
  return compileRuleset(snaps, host ? new HostModel(host) : null);
}

/** kube-proxy's service chain of n endpoints: endpoint i is drawn with probability 1/(n-i), one rule each;
 *  `later`: every endpoint's path forks again afterwards (a rate-limited LOG in nat POSTROUTING). */
function fanOut(n: number, later = false) {
  const lines = ['*nat\n:PREROUTING ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n:SVC - [0:0]\n:MASQ - [0:0]'];
  if (later) lines.push('-A POSTROUTING -m limit --limit 1/sec -j LOG --log-prefix "svc "');
  for (let i = 0; i < n; i++) lines.push(`:SEP${i} - [0:0]`);
  lines.push('-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC');
  lines.push('-A OUTPUT -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC');
  lines.push('-A POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE');
  lines.push('-A SVC ! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j MASQ');
  lines.push('-A MASQ -j MARK --set-xmark 0x4000/0x4000');
  for (let i = 0; i < n; i++) {
    const p = i === n - 1 ? '' : ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(11)}`;
    lines.push(`-A SVC -m comment --comment "svc -> ep${i}"${p} -j SEP${i}`);
  }
  for (let i = 0; i < n; i++) lines.push(`-A SEP${i} -p tcp -m tcp -j DNAT --to-destination 10.244.${i >> 8}.${i & 255}:8080`);
  lines.push('COMMIT');
  return `${lines.join('\n')}\n`;
}

/** Forks of every kind in one ruleset: draws and assumptions in one rule, forks before and after a MARK, a
 *  LOG, NAT and SET targets between forks, an unknown OUT device asked with a draw, REJECT answers. */
const MIXED = [`*mangle
  :PREROUTING ACCEPT [0:0]
  :INPUT ACCEPT [0:0]
  :FORWARD ACCEPT [0:0]
  :OUTPUT ACCEPT [0:0]
  :POSTROUTING ACCEPT [0:0]
  -A PREROUTING -m statistic --mode random --probability 0.3 -j MARK --set-xmark 0x1/0xffffffff
  -A PREROUTING -m limit --limit 1/sec -m statistic --mode random --probability 0.5 -j MARK --set-xmark 0x2/0x2
  -A PREROUTING -j LOG --log-prefix "pre "
  COMMIT
  *nat
  :PREROUTING ACCEPT [0:0]
  :INPUT ACCEPT [0:0]
  :OUTPUT ACCEPT [0:0]
  :POSTROUTING ACCEPT [0:0]
  :SVC - [0:0]
  :SEP0 - [0:0]
  :SEP1 - [0:0]
  :SEP2 - [0:0]
  :SEP3 - [0:0]
  -A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC
  -A OUTPUT -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC
  -A SVC -m statistic --mode random --probability 0.25 -j SEP0
  -A SVC -m mark --mark 0x1/0x1 -m statistic --mode random --probability 0.33333333349 -j SEP1
  -A SVC -m recent --rcheck --name z -m statistic --mode random --probability 0.5 -j SEP2
  -A SVC -j SEP3
  -A SEP0 -j LOG --log-prefix "sep0 "
  -A SEP0 -p tcp -m tcp -j DNAT --to-destination 10.244.0.1:8080
  -A SEP1 -p tcp -m tcp -j DNAT --to-destination 10.244.0.2:8080
  -A SEP2 -m limit --limit 2/sec -j DNAT --to-destination 10.244.0.3:8080
  -A SEP2 -p tcp -j DNAT --to-destination 10.244.0.33:8080
  -A SEP3 -p tcp -m tcp -j DNAT --to-destination 10.244.0.4:8080
  -A POSTROUTING -o veth+ -m statistic --mode random --probability 0.5 -j MASQUERADE
  -A POSTROUTING -m addrtype --dst-type LOCAL -m limit --limit 3/sec -j MASQUERADE
  COMMIT
  *filter
  :INPUT ACCEPT [0:0]
  :FORWARD ACCEPT [0:0]
  :OUTPUT ACCEPT [0:0]
  -A INPUT -m limit --limit 1/sec -j REJECT --reject-with tcp-reset
  -A FORWARD -m recent --rcheck --name x -j LOG --log-prefix "a "
  -A FORWARD -m mark --mark 0x1/0x1 -m limit --limit 9/sec -j REJECT
  -A FORWARD -m set --match-set s src -j SET --add-set t dst
  -A FORWARD -m set --match-set t dst -m statistic --mode random --probability 0.5 -j ACCEPT
  -A FORWARD -o eth9 -m statistic --mode random --probability 0.5 -j DROP
  -A FORWARD -m statistic --mode nth --every 3 -j REJECT --reject-with icmp-host-prohibited
  -A OUTPUT -m statistic --mode random --probability 0.5 -m limit --limit 1/sec -j REJECT --reject-with tcp-reset
  COMMIT
`];

/** A bridge whose ebtables and iptables FORWARD chains both fork (br_netfilter on). */
const BRIDGE_HOST: HostContext = {
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8'] },
    { name: 'br0', type: 'bridge', mac: '02:00:00:00:00:01', addresses: ['10.9.0.1/24'] },
    { name: 'p1', type: 'veth', master: 'br0' },
    { name: 'p2', type: 'veth', master: 'br0' },
  ],
  routes: [],
  neighbors: [
    { name: 'a', ip: '10.9.0.2', mac: '02:00:00:00:00:02', dev: 'br0', port: 'p1' },
    { name: 'b', ip: '10.9.0.3', mac: '02:00:00:00:00:03', dev: 'br0', port: 'p2' },
  ],
  sysctl: {},
};
const BRIDGED = [`*filter
  :INPUT ACCEPT
  :FORWARD ACCEPT
  :OUTPUT ACCEPT
  :CHK RETURN
  -A FORWARD -j CHK
  -A FORWARD --limit 5/sec -j mark --mark-set 0x9 --mark-target CONTINUE
  -A CHK --limit 1/sec -j DROP
  -A CHK -p IPv4 --ip-proto udp -j CONTINUE
`, `*filter
  :INPUT ACCEPT [0:0]
  :FORWARD ACCEPT [0:0]
  :OUTPUT ACCEPT [0:0]
  -A FORWARD -m mark --mark 0x9 -m statistic --mode random --probability 0.5 -j DROP
  -A FORWARD -m statistic --mode random --probability 0.25 -j REJECT
  -A FORWARD -m recent --rcheck --name q -m limit --limit 1/sec -j LOG --log-prefix "fw "
  COMMIT
`];

const recent = (n: number) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${
  Array.from({ length: n }, (_, i) => `-A FORWARD -m recent --rcheck --name r${i} --rsource -m limit --limit 5/sec`).join('\n')}\nCOMMIT\n`;

const corpus = (name: string) => readFileSync(fileURLToPath(new URL(`../../../fixtures/trace/corpus/${name}.iptables-save`, import.meta.url)), 'utf8');

const SVC: PacketSpec = { src: '192.0.2.7', dst: '10.96.0.10', proto: 'tcp', dport: 80 };

describe('resuming at a fork gives exactly the outcomes of replaying every path', () => {
  const fan = compile([fanOut(40)]);
  const fanThenFork = compile([fanOut(40, true)]);
  const mixed = compile(MIXED);
  const bridged = compile(BRIDGED, BRIDGE_HOST);
  const fork = compile([recent(20)]);
  const e2e = compile([corpus('TestInternalTrafficPolicyE2E--cluster')]);
  it.each<{ name: string; rules: ReturnType<typeof compile>; spec: PacketSpec; options?: TraceOptions }>([
    { name: 'a fan-out of 40 endpoints, received', rules: fan, spec: { ...SVC, in: 'eth0' }, options: { maxOutcomes: 100 } },
    { name: 'the same, sent by this host (nat OUTPUT)', rules: fan, spec: { ...SVC, local: true }, options: { maxOutcomes: 100 } },
    { name: 'the same, stopped by the limit inside the chain', rules: fan, spec: { ...SVC, in: 'eth0' }, options: { maxOutcomes: 7 } },
    { name: 'a fan-out of 40 endpoints, each path forking again in POSTROUTING', rules: fanThenFork, spec: { ...SVC, local: true }, options: { maxOutcomes: 100 } },
    { name: 'a later packet of each endpoint\'s connection', rules: fan, spec: { ...SVC, in: 'eth0', state: 'ESTABLISHED' }, options: { maxOutcomes: 100 } },
    { name: 'the reply of each endpoint\'s connection', rules: fan, spec: { ...SVC, in: 'eth0', reply: true }, options: { maxOutcomes: 100 } },
    { name: 'forks of every kind, received', rules: mixed, spec: { ...SVC, in: 'eth0' }, options: { maxOutcomes: 400 } },
    { name: 'forks of every kind, stopped by the limit', rules: mixed, spec: { ...SVC, in: 'eth0' }, options: { maxOutcomes: 37 } },
    { name: 'forks of every kind, sent by this host', rules: mixed, spec: { ...SVC, local: true }, options: { maxOutcomes: 400 } },
    { name: 'forks of every kind, pinned by --assume', rules: mixed, spec: { ...SVC, in: 'eth0', out: 'eth9' }, options: { maxOutcomes: 400, assume: new Map([['limit', true]]) } },
    { name: 'forks of every kind, the reply', rules: mixed, spec: { ...SVC, in: 'eth0', reply: true }, options: { maxOutcomes: 400 } },
    { name: 'ebtables and iptables forks on a bridge', rules: bridged, spec: { from: 'a', to: 'b', proto: 'udp', dport: 53 }, options: { traceAll: true } },
    { name: '20 rules forking twice each (2^40 paths), stopped at 150', rules: fork, spec: { in: 'eth0', out: 'eth1', src: '192.0.2.7', dst: '198.51.100.7' }, options: { maxOutcomes: 150 } },
    { name: 'the same, the first rule pinned before its fork (--assume recent:r0=true)', rules: fork, spec: { in: 'eth0', out: 'eth1', src: '192.0.2.7', dst: '198.51.100.7' }, options: { maxOutcomes: 150, assume: new Map([['recent:r0', true]]) } },
    { name: 'kube-proxy\'s own test ruleset (corpus), sent by this host', rules: e2e, spec: { local: true, src: '10.0.0.5', dst: '172.30.1.1', proto: 'tcp', dport: 80 } },
  ])('$name', ({ rules, spec, options = {} }) => {
    const replayed = trace(rules, spec, { ...options, replay: true });
    const resumed = trace(rules, spec, options);
    expect(resumed.outcomes.length).toBeGreaterThan(1);
    expect(resumed).toEqual(replayed);
    expect(toTraceJson(resumed)).toEqual(toTraceJson(replayed));
    expect(renderText(resumed)).toBe(renderText(replayed));
    expect(renderKernelLog(resumed)).toEqual(renderKernelLog(replayed));
  });

  it('a conversation: every packet after the first explored both ways alike', () => {
    const steps: ConversationStep[] = [{ direction: 'reply' }, { direction: 'request' }];
    for (const rules of [fan, mixed]) {
      const spec = { ...SVC, in: 'eth0' };
      expect(traceConversation(rules, spec, steps, { maxOutcomes: 300 })).toEqual(traceConversation(rules, spec, steps, { maxOutcomes: 300, replay: true }));
    }
  });
});

describe('the work of a fan-out grows linearly with its endpoints', () => {
  /** The work of tracing a packet to a service of n endpoints, every path explored. */
  function work(n: number, replay: boolean, later = false): number {
    const w: ExploreWork = { rules: 0, choices: 0, copied: 0 };
    const paths = later ? 2 * n : n;
    const r = trace(compile([fanOut(n, later)]), { ...SVC, local: true }, { maxOutcomes: paths, work: w, replay });
    expect(r.outcomes).toHaveLength(paths);
    return w.rules + w.choices + w.copied;
  }
  it.each([[250], [500], [1000]])('%i endpoints → twice as many: at most 2.2 times the work', (n) => {
    expect(work(2 * n, false) / work(n, false)).toBeLessThanOrEqual(2.2);
  });
  it('the same when every endpoint\'s path forks again in a later table (2n paths)', () => {
    expect(work(1000, false, true) / work(500, false, true)).toBeLessThanOrEqual(2.2);
  });
  it('replaying every path from the start is quadratic (what the counter would catch)', () => {
    expect(work(500, true) / work(250, true)).toBeGreaterThan(3.5);
  });
});
