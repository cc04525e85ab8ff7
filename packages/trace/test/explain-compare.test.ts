// explain --compare: the kernel's path of each captured packet beside the simulator's (fixtures/explain). On the
// docker-host captures the simulator must take the kernel's steps for every packet, in every format; with a
// ruleset that differs from the traced one, the first step where they part is named.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSnapshot, type Snapshot } from '@chainsight/grammar';
import { describe, expect, it } from 'vitest';
import { compareWithSimulation, explainTrace, renderExplanation } from '../src/explain/index';
import { parseHostContext } from '../src/index';
import { repoRoot } from '../../../test-support/shared';

const read = (f: string) => readFileSync(path.join(repoRoot, f), 'utf8');
const snapshotOf = (f: string, text = read(`fixtures/explain/${f}`)): Snapshot => parseSnapshot(text, { fileName: f }).snapshot;
const host = parseHostContext(read('fixtures/docker-host/host.json')).context!;

describe.each([
  // web's RST to the DNATed SYN, the echo reply worker → web, the echo reply to the host's ping
  ['docker-host.legacy.syslog.txt', ['docker-host.legacy.iptables-save'], 14, ['172.17.0.2 → 203.0.113.7', '172.17.0.3 → 172.17.0.2', '172.17.0.2 → 172.17.0.1']],
  ['docker-host.xtables-monitor.txt', ['docker-host.nft.iptables-save'], 15, ['172.17.0.2 → 203.0.113.7', '172.17.0.3 → 172.17.0.2', '172.17.0.2 → 172.17.0.1']],
  ['docker-host.nft-monitor-a.txt', ['docker-host.nft.iptables-save'], 15, ['172.17.0.2 → 203.0.113.7', '172.17.0.3 → 172.17.0.2', '172.17.0.2 → 172.17.0.1']],
  ['docker-host.nft-monitor.txt', ['docker-host.nft.iptables-save'], 15, ['172.17.0.2 → 203.0.113.7', '172.17.0.3 → 172.17.0.2', '172.17.0.2 → 172.17.0.1']],
  // Bridge and ip chains; the steps of the lab's nftrace table (in no snapshot) are left out of the comparison.
  ['docker-host-bridge.nft-monitor-a.txt', ['docker-host-bridge.nft.iptables-save', 'docker-host-bridge.ebtables-save'], 5, ['172.17.0.3 → 172.17.0.2', '172.17.0.2 → 172.17.0.1']],
])('%s', (log, rules, packets, expectedReplies) => {
  const snapshots = rules.map((f) => snapshotOf(f));
  const e = explainTrace(read(`fixtures/explain/${log}`), snapshots, { fileName: log });
  const comparisons = compareWithSimulation(e, snapshots, host);

  it('the simulation takes the kernel\'s steps for every packet', () => {
    expect(comparisons).toHaveLength(packets);
    const parted = comparisons.flatMap((c, i) => (c.diverge || c.verdictDiffers || c.error ? [{ packet: i + 1, diverge: c.diverge, error: c.error, assumed: c.assumed }] : []));
    expect(parted).toEqual([]);
  });

  it('rebuilds later packets as replies of the earlier ones (their NAT applies)', () => {
    const replies = e.packets.filter((_, i) => comparisons[i]!.spec.reply).map((p) => `${p.packet.src} → ${p.packet.dst}`);
    for (const r of expectedReplies) expect(replies).toContain(r);
  });
});

// Two pings from the LAN through SNAT on a router that saves the first reply's mark to the connection (CONNMARK);
// later packets are accepted by `-m mark ! --mark 0x0` in mangle PREROUTING. Each later packet is traced as the
// last of its conversation, so the simulation knows the mark the first reply stored.
describe.each([
  ['firewall.legacy.syslog.txt', 'firewall.legacy.iptables-save'],
  ['firewall.nflog.txt', 'firewall.legacy.iptables-save'],
  ['firewall.xtables-monitor.txt', 'firewall.nft.iptables-save'],
  ['firewall.nft-monitor-a.txt', 'firewall.nft.iptables-save'],
  ['firewall.nft-monitor.txt', 'firewall.nft.iptables-save'],
])('%s: a conversation', (log, rules) => {
  const snapshots = [snapshotOf(rules)];
  const routerHost = parseHostContext(read('fixtures/conformance/firewall/host.json')).context!;
  const e = explainTrace(read(`fixtures/explain/${log}`), snapshots, { fileName: log });
  const comparisons = compareWithSimulation(e, snapshots, routerHost);

  it('the simulation takes the kernel\'s steps for all four packets', () => {
    expect(comparisons).toHaveLength(4);
    expect(comparisons.map((c) => (c.diverge || c.verdictDiffers || c.error ? { diverge: c.diverge, error: c.error } : 'same'))).toEqual(['same', 'same', 'same', 'same']);
  });

  it('traces each later packet after the ones before it', () => {
    expect(comparisons.map((c) => c.assumed.find((a) => a.startsWith('packet ')) ?? null)).toEqual([
      null,
      expect.stringMatching(/^packet 2 of the connection packet 1 opened: /),
      expect.stringMatching(/^packet 3 of the connection packet 1 opened \(after packets 2\)/),
      expect.stringMatching(/^packet 4 of the connection packet 1 opened \(after packets 2, 3\)/),
    ]);
  });
});

describe('a snapshot that is not the traced ruleset', () => {
  const traced = snapshotOf('docker-host.legacy.iptables-save');
  // Without `-A FORWARD -i docker0 -o docker0 -j ACCEPT` the bridged echo request meets the FORWARD policy.
  const edited = snapshotOf('edited.rules', read('fixtures/explain/docker-host.legacy.iptables-save').replace('-A FORWARD -i docker0 -o docker0 -j ACCEPT\n', ''));
  const e = explainTrace(read('fixtures/explain/docker-host.legacy.syslog.txt'), [traced]);
  const [first] = compareWithSimulation(e, [edited], host);

  it('names the first step where the kernel and the simulation part', () => {
    expect(first!.diverge).toMatchObject({
      step: 11,
      real: { hook: 'FORWARD', table: 'filter', chain: 'FORWARD', type: 'rule', rule: 6, logLine: 11 },
      simulated: { hook: 'FORWARD', table: 'filter', chain: 'FORWARD', type: 'policy', rule: null, verdict: 'DROP', file: 'edited.rules' },
    });
    expect(first!.verdictDiffers).toBe(true);
  });

  it('says so in the text output', () => {
    const text = renderExplanation(e, { comparisons: compareWithSimulation(e, [edited], host) });
    expect(text).toContain('compare  kernel and simulation part at step 11 after 10 common steps:');
    expect(text).toContain('kernel:    FORWARD filter FORWARD rule 6 ACCEPT (line 11)');
    expect(text).toContain('simulated: FORWARD filter FORWARD policy DROP (edited.rules:');
  });
});
