// explain on traces the kernel printed (fixtures/explain, captured by the kernel lab; see its README): every
// capture of the same flows — legacy TRACE as syslog lines and as the NFLOG reader printed them,
// xtables-monitor, nft monitor trace with and without handles — must give the same packets, paths, verdicts and
// NAT, and every line must be tied to a rule or chain end of the snapshot taken on the traced host.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseSnapshot, type Snapshot } from '@chainsight/grammar';
import { describe, expect, it } from 'vitest';
import { explainTrace, type Explanation, type PathStep } from '../src/explain/index';
import { repoRoot, sharedAvailable, sharedDir } from '../../../test-support/shared';

const fixture = (f: string) => readFileSync(path.join(repoRoot, 'fixtures/explain', f), 'utf8');
const snapshotOf = (f: string): Snapshot => parseSnapshot(fixture(f), { fileName: f }).snapshot;

/** One line per (hook, table) run: `FORWARD filter: FORWARD#1 DOCKER-USER#3 DOCKER:return FORWARD:policy`, with
 *  the family for non-IP tables (`bridge filter:`) and `#?` for a rule that could not be tied. The TRACE rule itself
 *  is left out: nf_tables prints it, x_tables does not (docs/netfilter.md §nft-trace). */
export function compactPath(steps: readonly PathStep[]): string[] {
  const out: string[] = [];
  let head = '';
  for (const s of steps) {
    if (s.target === 'TRACE') continue;
    const h = `${s.hook} ${s.family === 'ip' || s.family === 'ip6' ? '' : `${s.family} `}${s.table}:`;
    const tok = `${s.chain}${s.type === 'rule' ? `#${s.rule ?? '?'}` : `:${s.type}`}`;
    if (h === head) out[out.length - 1] += ` ${tok}`;
    else out.push(`${h} ${tok}`);
    head = h;
  }
  return out;
}

interface Expected {
  flow: string;
  src: string;
  dst: string;
  path: string[];
  verdict: string;
  nat: string[];
  /** Captures without this packet (the kernel printed no line for it). */
  absentFrom?: string[];
}

const PRE_ACCEPT = ['PREROUTING raw: PREROUTING:policy', 'PREROUTING nat: PREROUTING:policy'];
const ISOLATION_OUT = 'FORWARD#2 DOCKER-ISOLATION-STAGE-1#1 DOCKER-ISOLATION-STAGE-2#2 DOCKER-ISOLATION-STAGE-1#2';

/** What the kernel did with each packet of the docker-host flows, in log order (fixtures/explain/README.md). */
const DOCKER_HOST: Expected[] = [
  { flow: 'web → worker echo request (bridged)', src: '172.17.0.2', dst: '172.17.0.3', nat: [],
    path: [...PRE_ACCEPT, 'FORWARD filter: FORWARD#1 DOCKER-USER#1 DOCKER-USER#2 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#4 DOCKER:return FORWARD#6', 'POSTROUTING nat: POSTROUTING:policy'],
    verdict: 'ACCEPT by nat POSTROUTING policy at POSTROUTING: sent out docker0' },
  { flow: 'worker → web echo reply (ESTABLISHED: no nat chain)', src: '172.17.0.3', dst: '172.17.0.2', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', 'FORWARD filter: FORWARD#1 DOCKER-USER#1 DOCKER-USER#2 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#3'],
    verdict: 'ACCEPT by filter FORWARD rule 3 at FORWARD (no later hook was traced)' },
  { flow: 'web → client echo request (MASQUERADE)', src: '172.17.0.2', dst: '203.0.113.7', nat: ['MASQUERADE nat POSTROUTING rule 1'],
    path: [...PRE_ACCEPT, `FORWARD filter: FORWARD#1 DOCKER-USER#1 DOCKER-USER#2 DOCKER-USER#3 ${ISOLATION_OUT} FORWARD#5`, 'POSTROUTING nat: POSTROUTING#1'],
    verdict: 'ACCEPT by nat POSTROUTING rule 1 at POSTROUTING: sent out eth0' },
  { flow: 'client → web echo reply, to the masqueraded address', src: '203.0.113.7', dst: '198.51.100.10', nat: [], absentFrom: ['legacy'],
    path: ['PREROUTING raw: PREROUTING:policy', 'FORWARD filter: FORWARD#1 DOCKER-USER#1 DOCKER-USER#2 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#3'],
    verdict: 'ACCEPT by filter FORWARD rule 3 at FORWARD (no later hook was traced)' },
  { flow: 'host → web echo request (local)', src: '172.17.0.1', dst: '172.17.0.2', nat: [],
    path: ['OUTPUT raw: OUTPUT:policy', 'OUTPUT nat: OUTPUT:policy', 'OUTPUT filter: OUTPUT:policy', 'POSTROUTING nat: POSTROUTING:policy'],
    verdict: 'ACCEPT by nat POSTROUTING policy at POSTROUTING: sent out docker0' },
  { flow: 'web → host echo reply: HOST-IN ends without RETURN, then the unconditional ACCEPT', src: '172.17.0.2', dst: '172.17.0.1', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', 'INPUT filter: INPUT#2 HOST-IN#2 HOST-IN:return INPUT#4'],
    verdict: 'ACCEPT by filter INPUT rule 4 at INPUT: delivered to the host' },
  { flow: 'client SYN to the published port (DNAT)', src: '203.0.113.7', dst: '198.51.100.10', nat: ['DNAT to 172.17.0.2:80 nat DOCKER rule 2'],
    path: ['PREROUTING raw: PREROUTING:policy', 'PREROUTING nat: PREROUTING#1 DOCKER#2', 'FORWARD filter: FORWARD#1 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#4 DOCKER#1', 'POSTROUTING nat: POSTROUTING:policy'],
    verdict: 'ACCEPT by nat POSTROUTING policy at POSTROUTING: sent out docker0' },
  { flow: "web's RST back to the client", src: '172.17.0.2', dst: '203.0.113.7', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', `FORWARD filter: FORWARD#1 DOCKER-USER#3 ${ISOLATION_OUT} FORWARD#5`],
    verdict: 'ACCEPT by filter FORWARD rule 5 at FORWARD (no later hook was traced)' },
  { flow: 'client SYN to port 23 (REJECT)', src: '203.0.113.7', dst: '198.51.100.10', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', 'PREROUTING nat: PREROUTING#1 DOCKER:return PREROUTING:policy', 'INPUT filter: INPUT#1'],
    verdict: 'REJECT by filter INPUT rule 1 at INPUT' },
  { flow: "the REJECT's RST (local; nat OUTPUT does not run for it)", src: '198.51.100.10', dst: '203.0.113.7', nat: [],
    path: ['OUTPUT raw: OUTPUT:policy', 'OUTPUT filter: OUTPUT:policy', 'POSTROUTING nat: POSTROUTING:policy'],
    verdict: 'ACCEPT by nat POSTROUTING policy at POSTROUTING: sent out eth0' },
  { flow: 'web → host echo request (nat DOCKER returns for docker0, HOST-IN marks it)', src: '172.17.0.2', dst: '172.17.0.1', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', 'PREROUTING nat: PREROUTING#1 DOCKER#1 PREROUTING:policy', 'INPUT filter: INPUT#2 HOST-IN#2 HOST-IN:return INPUT#4', 'INPUT nat: INPUT:policy'],
    verdict: 'ACCEPT by nat INPUT policy at INPUT: delivered to the host' },
  { flow: 'host → web echo reply', src: '172.17.0.1', dst: '172.17.0.2', nat: [],
    path: ['OUTPUT raw: OUTPUT:policy', 'OUTPUT filter: OUTPUT:policy'],
    verdict: 'ACCEPT by filter OUTPUT policy at OUTPUT (no later hook was traced)' },
  { flow: 'client UDP: -g UDP-IN, whose end returns past INPUT to the policy', src: '203.0.113.7', dst: '198.51.100.10', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', 'PREROUTING nat: PREROUTING#1 DOCKER:return PREROUTING:policy', 'INPUT filter: INPUT#3 UDP-IN:return INPUT:policy'],
    verdict: 'DROP by filter INPUT policy at INPUT' },
  { flow: 'web UDP 5353: HOST-IN, then -g UDP-IN rule 2 DROP', src: '172.17.0.2', dst: '172.17.0.1', nat: [],
    path: ['PREROUTING raw: PREROUTING:policy', 'PREROUTING nat: PREROUTING#1 DOCKER#1 PREROUTING:policy', 'INPUT filter: INPUT#2 HOST-IN:return INPUT#3 UDP-IN#2'],
    verdict: 'DROP by filter UDP-IN rule 2 at INPUT' },
  { flow: 'client SYN to worker: DOCKER has no rule for it, FORWARD policy DROP', src: '203.0.113.7', dst: '172.17.0.3', nat: [],
    path: [...PRE_ACCEPT, 'FORWARD filter: FORWARD#1 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#4 DOCKER:return FORWARD:policy'],
    verdict: 'DROP by filter FORWARD policy at FORWARD' },
];

const CAPTURES = [
  { name: 'legacy TRACE, syslog lines', log: 'docker-host.legacy.syslog.txt', rules: 'docker-host.legacy.iptables-save', kind: 'legacy', ambiguous: 0 },
  { name: 'legacy TRACE, NFLOG reader output', log: 'docker-host.nflog.txt', rules: 'docker-host.legacy.iptables-save', kind: 'legacy', ambiguous: 0 },
  { name: 'xtables-monitor --trace', log: 'docker-host.xtables-monitor.txt', rules: 'docker-host.nft.iptables-save', kind: 'xtables-monitor', ambiguous: 0 },
  { name: 'nft -a monitor trace', log: 'docker-host.nft-monitor-a.txt', rules: 'docker-host.nft.iptables-save', kind: 'nft-monitor', ambiguous: 0 },
  // Without handles the two identical DOCKER-USER rules are told apart by order (4 ICMP packets cross them).
  { name: 'nft monitor trace (no handles)', log: 'docker-host.nft-monitor.txt', rules: 'docker-host.nft.iptables-save', kind: 'nft-monitor', ambiguous: 8 },
];

describe.each(CAPTURES)('docker-host: $name', ({ log, rules, kind, ambiguous }) => {
  const e: Explanation = explainTrace(fixture(log), [snapshotOf(rules)], { fileName: log });
  const expected = DOCKER_HOST.filter((x) => !x.absentFrom?.includes(kind === 'legacy' ? 'legacy' : kind));

  it('reads the format and ties every trace line to a rule or chain end', () => {
    expect(e.formats).toEqual([kind]);
    expect(e.stats).toMatchObject({ unmapped: 0, ambiguous });
    expect(e.notes.filter((n) => n.severity === 'warning')).toEqual([]);
  });

  it('finds one packet per traced packet, in log order', () => {
    expect(e.packets.map((p) => `${p.packet.src} → ${p.packet.dst}`)).toEqual(expected.map((x) => `${x.src} → ${x.dst}`));
  });

  it.each(expected.map((x, i) => [x.flow, i, x] as const))('%s', (_flow, i, x) => {
    const p = e.packets[i]!;
    expect(compactPath(p.path)).toEqual(x.path);
    expect(p.verdict.text).toBe(x.verdict);
    expect(p.nat.map((n) => `${n.type}${n.to ? ` to ${n.to}` : ''} ${n.table} ${n.chain} rule ${n.rule?.index}`)).toEqual(x.nat);
  });
});

describe('the readings behind the docker-host paths', () => {
  const legacy = explainTrace(fixture('docker-host.legacy.syslog.txt'), [snapshotOf('docker-host.legacy.iptables-save')]);
  const lines = legacy.packets.flatMap((p) => p.lines);
  const reading = (label: string) => lines.find((l) => l.line.kind === 'legacy' && l.line.text.startsWith(`TRACE: ${label} `))?.mapping;

  it.each([
    ['filter:INPUT:policy:4', { kind: 'rule', legacyCase: 'unconditional-verdict', rule: expect.objectContaining({ index: 4, text: '-A INPUT -j ACCEPT', line: 42 }) }],
    ['filter:INPUT:policy:5', { kind: 'policy', legacyCase: 'policy', chain: expect.objectContaining({ chain: 'INPUT', policy: 'DROP', rules: 4 }) }],
    ['filter:DOCKER-USER:return:3', { kind: 'rule', legacyCase: 'unconditional-verdict', rule: expect.objectContaining({ index: 3, text: '-A DOCKER-USER -j RETURN' }) }],
    ['filter:HOST-IN:return:3', { kind: 'return', legacyCase: 'return', chain: expect.objectContaining({ chain: 'HOST-IN', rules: 2 }) }],
    ['filter:UDP-IN:return:3', { kind: 'return', legacyCase: 'return' }],
    ['raw:PREROUTING:policy:4', { kind: 'policy', legacyCase: 'policy', chain: expect.objectContaining({ chain: 'PREROUTING', rules: 3 }) }],
  ])('%s', (label, expected) => {
    expect(reading(label)).toMatchObject(expected);
  });

  it('joins the trace ids of a frame that a bridge handed up to IP (docs/netfilter.md §nft-trace)', () => {
    const x = explainTrace(fixture('docker-host.xtables-monitor.txt'), [snapshotOf('docker-host.nft.iptables-save')]);
    const routed = x.packets[2]!;
    expect(routed.traceIds).toHaveLength(2);
    expect(routed.stitched).toMatch(/became .* at FORWARD/);
    // Bridged frames keep their id: the echo request web → worker has one.
    expect(x.packets[0]!.traceIds).toHaveLength(1);
  });

  it.each([
    ['docker-host.xtables-monitor.txt'], ['docker-host.nft-monitor-a.txt'], ['docker-host.nft-monitor.txt'],
  ])('tells packets that reuse a trace id apart (%s twice in a row)', (log) => {
    const once = explainTrace(fixture(log), [snapshotOf('docker-host.nft.iptables-save')]);
    const twice = explainTrace(fixture(log) + fixture(log), [snapshotOf('docker-host.nft.iptables-save')]);
    const paths = (e: Explanation) => e.packets.map((p) => compactPath(p.path));
    expect(paths(twice)).toEqual([...paths(once), ...paths(once)]);
  });

  it('marks the implicit end of DOCKER that nf_tables does not print', () => {
    const n = explainTrace(fixture('docker-host.nft-monitor-a.txt'), [snapshotOf('docker-host.nft.iptables-save')]);
    expect(n.packets[0]!.path.filter((s) => s.inferred).map((s) => `${s.chain}:${s.type}`)).toEqual(['DOCKER:return']);
    expect(legacy.packets[0]!.path.some((s) => s.inferred)).toBe(false);
  });
});

// The seed host: its rules are read from the shared folder (not stored in fixtures, no licence), with the lab's
// TRACE rules added where the lab inserted them (-I … 1, one per protocol: udp, tcp, icmp from the top).
function seedLive(): Snapshot {
  const text = readFileSync(path.join(sharedDir, 'seed/docker-2017.iptables-save'), 'utf8');
  const lab = (chain: string) => ['udp', 'tcp', 'icmp'].map((p) => `-A ${chain} -p ${p} -j TRACE`).join('\n');
  const live = text
    .replace(/^(-A PREROUTING -p icmp -j TRACE)$/m, `${lab('PREROUTING')}\n$1`)
    .replace(/^(-A OUTPUT -p icmp -j TRACE)$/m, `${lab('OUTPUT')}\n$1`);
  return parseSnapshot(live, { fileName: 'docker-2017.iptables-save' }).snapshot;
}

const SEED: { src: string; dst: string; last: string; verdict: string; nat: string[] }[] = [
  { src: '192.168.0.2', dst: '192.168.0.3', last: 'POSTROUTING nat: POSTROUTING:policy', verdict: 'ACCEPT', nat: [] },
  { src: '192.168.0.3', dst: '192.168.0.2', last: 'FORWARD filter: FORWARD#1 DOCKER-USER#1 FORWARD#2 DOCKER-ISOLATION#1 FORWARD#3', verdict: 'ACCEPT', nat: [] },
  { src: '192.168.0.2', dst: '10.28.61.30', last: 'POSTROUTING nat: POSTROUTING#1', verdict: 'ACCEPT', nat: ['MASQUERADE'] },
  { src: '10.28.61.30', dst: '10.171.77.0', last: 'FORWARD filter: FORWARD#1 DOCKER-USER#1 FORWARD#2 DOCKER-ISOLATION#1 FORWARD#3', verdict: 'ACCEPT', nat: [] },
  { src: '192.168.0.1', dst: '192.168.0.2', last: 'POSTROUTING nat: POSTROUTING:policy', verdict: 'ACCEPT', nat: [] },
  { src: '192.168.0.2', dst: '192.168.0.1', last: 'INPUT filter: INPUT:policy', verdict: 'ACCEPT', nat: [] },
];

describe.runIf(sharedAvailable('the seed snapshot'))('seed host (shared/seed): c1 → c2, c1 → external, host → c1', () => {
  it.each(['seed.legacy.syslog.txt', 'seed.nflog.txt', 'seed.xtables-monitor.txt', 'seed.nft-monitor-a.txt', 'seed.nft-monitor.txt'])('%s', (log) => {
    const e = explainTrace(fixture(log), [seedLive()], { fileName: log });
    expect(e.stats.unmapped).toBe(0);
    expect(e.packets.map((p) => ({
      src: p.packet.src, dst: p.packet.dst, last: compactPath(p.path).at(-1), verdict: p.verdict.verdict, nat: p.nat.map((n) => n.type),
    }))).toEqual(SEED);
  });
});

// ebtables rules traced with `nft -a monitor trace`; the lab's own bridge table (cs_trace) sets nftrace and is in no
// snapshot, so its lines are reported as not tied (and nothing else is).
describe('docker-host with ebtables rules: bridge and ip chains in one nft trace', () => {
  const snapshots = [snapshotOf('docker-host-bridge.nft.iptables-save'), snapshotOf('docker-host-bridge.ebtables-save')];
  const e = explainTrace(fixture('docker-host-bridge.nft-monitor-a.txt'), snapshots);
  const TRACER = 'PREROUTING bridge cs_trace: PREROUTING#? PREROUTING:policy';

  it('says plainly which lines it cannot tie: only those of the tracing table', () => {
    const unmapped = e.notes.filter((n) => n.severity === 'warning');
    expect(new Set(unmapped.map((n) => n.message))).toEqual(new Set(['table bridge cs_trace is not in the snapshots (a native nftables table, or a table the snapshot was taken without)']));
    expect(e.stats).toMatchObject({ unmapped: 10, ambiguous: 0 });
  });

  it.each([
    ['web → worker echo request: bridge FORWARD jumps to WEB, whose RETURN policy nf_tables does not print', [
      TRACER, 'PREROUTING bridge nat: PREROUTING#1 PREROUTING:policy', ...PRE_ACCEPT,
      'FORWARD bridge filter: FORWARD#1 WEB:return FORWARD#2',
      'FORWARD filter: FORWARD#1 DOCKER-USER#1 DOCKER-USER#2 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#4 DOCKER:return FORWARD#6',
      'POSTROUTING bridge nat: POSTROUTING:policy', 'POSTROUTING nat: POSTROUTING:policy'], 'ACCEPT'],
    ['worker → web echo reply', [
      TRACER, 'PREROUTING bridge nat: PREROUTING#1 PREROUTING:policy', 'PREROUTING raw: PREROUTING:policy',
      'FORWARD bridge filter: FORWARD#2', 'FORWARD filter: FORWARD#1 DOCKER-USER#1 DOCKER-USER#2 DOCKER-USER#3 FORWARD#2 DOCKER-ISOLATION-STAGE-1#2 FORWARD#3',
      'POSTROUTING bridge nat: POSTROUTING:policy'], 'ACCEPT'],
    ['web → worker UDP: dropped by the bridge before iptables FORWARD', [
      TRACER, 'PREROUTING bridge nat: PREROUTING:policy', ...PRE_ACCEPT, 'FORWARD bridge filter: FORWARD#1 WEB#1'], 'DROP'],
    ['host → web: iptables OUTPUT and POSTROUTING, then the bridge OUTPUT chains', [
      'OUTPUT raw: OUTPUT:policy', 'OUTPUT nat: OUTPUT:policy', 'OUTPUT filter: OUTPUT:policy', 'POSTROUTING nat: POSTROUTING:policy',
      'OUTPUT bridge cs_trace: OUTPUT#? OUTPUT:policy', 'OUTPUT bridge filter: OUTPUT:policy', 'OUTPUT bridge nat: OUTPUT:policy', 'POSTROUTING bridge nat: POSTROUTING:policy'], 'ACCEPT'],
    ['web → host echo reply: bridge INPUT, then IP INPUT under a new trace id', [
      TRACER, 'PREROUTING bridge nat: PREROUTING#1 PREROUTING:policy', 'PREROUTING raw: PREROUTING:policy',
      'INPUT bridge filter: INPUT:policy', 'INPUT filter: INPUT#2 HOST-IN#2 HOST-IN:return INPUT#4'], 'ACCEPT'],
  ])('%s', (name, expected, verdict) => {
    const i = ['web → worker echo request', 'worker → web echo reply', 'web → worker UDP', 'host → web', 'web → host echo reply'].findIndex((n) => name.startsWith(n));
    const p = e.packets[i]!;
    expect(compactPath(p.path)).toEqual(expected);
    expect(p.verdict.verdict).toBe(verdict);
  });
});

