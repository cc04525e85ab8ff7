// Parsers and the normaliser on real kernel output (fixtures/README.md); no root needed.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createResolver,
  formatSteps,
  handlesFromSave,
  locateByRuleText,
  normaliseTrace,
  parseLegacyTrace,
  parseNftHandles,
  parseNftMonitorTrace,
  parseSave,
  parseXtablesMonitorTrace,
  ruleVerdict,
} from '../src/index.js';
import { C1_C2_REQUEST, ESTABLISHED_TO_DOCKER0, ip, strip } from './seed-expectations.js';

const fx = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const ipSave = fx('seed.iptables-save.txt');
const listings = {
  'ip:raw': fx('seed.listing-ip-raw.txt'),
  'ip:filter': fx('seed.listing-ip-filter.txt'),
  'ip:nat': fx('seed.listing-ip-nat.txt'),
  'bridge:filter': fx('seed.listing-bridge-filter.txt'),
  'bridge:nat': fx('seed.listing-bridge-nat.txt'),
};
const harness = { harnessTop: { 'ip:raw:PREROUTING': 1, 'ip:raw:OUTPUT': 1 }, harnessTables: ['bridge:cs_trace'] };
describe('trace parsers', () => {
  it('parses xtables-monitor TRACE and PACKET lines', () => {
    const events = parseXtablesMonitorTrace(fx('seed-c1-c2.xtables-monitor.txt'));
    const traces = events.filter((e) => e.format === 'xtables-monitor');
    expect(traces[0]).toMatchObject({ family: 2, table: 'raw', chain: 'PREROUTING', type: 'rule', handle: 5, verdict: 'CONTINUE', ruleText: '-4 -t raw -A PREROUTING -p icmp -j TRACE' });
    expect(traces.find((e) => e.chain === 'DOCKER-USER')).toMatchObject({ type: 'rule', handle: 14, verdict: 'RETURN' }); // printed 0xfffffffb
    expect(traces.find((e) => e.type === 'policy')).toMatchObject({ table: 'raw', verdict: 'ACCEPT' });
    expect(traces.some((e) => e.verdict === 'JUMP:DOCKER')).toBe(true);
    const packet = events.find((e) => e.format === 'xtables-monitor-packet');
    expect(packet).toMatchObject({ family: 2, fields: { IN: 'docker0', SRC: '192.168.0.2', DST: '192.168.0.3' } });
  });

  it('parses legacy TRACE lines with their fields', () => {
    const events = parseLegacyTrace(fx('seed-c1-c2.nflog.txt'));
    expect(events[0]).toMatchObject({ table: 'raw', chain: 'PREROUTING', type: 'rule', rulenum: 2, hook: 'PREROUTING' });
    expect(events[0]!.fields).toMatchObject({ IN: 'docker0', OUT: '', PHYSIN: 'veth0594f4b', SRC: '192.168.0.2', PROTO: 'ICMP', TYPE: '8' });
    expect(events[0]!.fields.ID_2).toBeDefined(); // the ICMP echo id after the IP id
    expect(events[0]!.flags).toContain('DF');
    expect(events.map((e) => `${e.table}:${e.chain}:${e.type}:${e.rulenum}`)).toContain('filter:DOCKER:return:1');
    const fwd = events.find((e) => e.chain === 'FORWARD')!;
    expect(fwd.fields).toMatchObject({ IN: 'docker0', OUT: 'docker0', PHYSIN: 'veth0594f4b', PHYSOUT: 'veth57a3dec' });
    // Also the kernel's syslog rendering (docs/netfilter.md §legacy-log-line).
    const [sys] = parseLegacyTrace('[ 12.3] TRACE: filter:FORWARD:rule:1 IN=br0 OUT=up0 PHYSIN=c1p SRC=10.88.0.2 DST=192.168.77.2 LEN=84 DF PROTO=ICMP TYPE=8 CODE=0 ID=7 SEQ=1 MARK=0x1 ');
    expect(sys).toMatchObject({ table: 'filter', chain: 'FORWARD', rulenum: 1, fields: { MARK: '0x1', PHYSIN: 'c1p' } });
  });

  it('parses nft monitor trace lines of both families', () => {
    const events = parseNftMonitorTrace(fx('seed-c1-c2.nft-monitor.txt'));
    const bridgeFwd = events.find((e) => e.family === 'bridge' && e.table === 'filter' && e.chain === 'FORWARD' && e.kind === 'rule');
    expect(bridgeFwd).toMatchObject({ verdict: 'ACCEPT', handle: 5 });
    const pkt = events.find((e) => e.family === 'bridge' && e.kind === 'packet' && e.chain === 'FORWARD');
    expect(pkt?.packet).toMatchObject({ iif: 'veth0594f4b', oif: 'veth57a3dec', saddr: '192.168.0.2', daddr: '192.168.0.3', proto: 'icmp', icmpType: 'echo-request' });
    expect(events.find((e) => e.family === 'ip' && e.chain === 'FORWARD' && e.kind === 'rule')).toMatchObject({ verdict: 'JUMP:DOCKER-USER', handle: 7 });
    expect(events.some((e) => e.kind === 'policy' && e.verdict === 'ACCEPT')).toBe(true);
  });
});

describe('rule handles and positions (docs/netfilter.md §nft-handles)', () => {
  it('maps handles from the live listing and from save arithmetic identically for a fresh restore', () => {
    const live = parseNftHandles(listings['ip:filter']);
    expect(live.get(7)).toEqual({ chain: 'FORWARD', index: 1 });
    expect(live.get(12)).toEqual({ chain: 'FORWARD', index: 6 });
    expect(live.get(14)).toEqual({ chain: 'DOCKER-USER', index: 1 });
    for (const table of ['filter', 'nat']) {
      expect(handlesFromSave(ipSave, table)).toEqual(parseNftHandles(listings[`ip:${table}` as 'ip:filter']));
    }
    // raw got the harness rules afterwards: handles 5/6 are at the top of the listing.
    expect(parseNftHandles(listings['ip:raw']).get(5)).toEqual({ chain: 'PREROUTING', index: 1 });
  });

  it('finds a rule by the text xtables-monitor prints', () => {
    const model = parseSave(ipSave);
    expect(locateByRuleText(model, 'filter', '-4 -t filter -A FORWARD -i docker0 ! -o docker0 -j ACCEPT')).toEqual({ chain: 'FORWARD', index: 5 });
    expect(locateByRuleText(model, 'nat', '-4 -t nat -A POSTROUTING -s 192.168.0.0/20 ! -o docker0 -j MASQUERADE')).toEqual({ chain: 'POSTROUTING', index: 1 });
    expect(locateByRuleText(model, 'filter', '-4 -t filter -A FORWARD -j NOPE')).toBeUndefined();
  });

  it('derives verdicts from targets', () => {
    const model = parseSave(ipSave);
    const filter = model.tables.get('filter')!;
    const fwd = filter.chains.get('FORWARD')!;
    expect(fwd.rules.map((r) => ruleVerdict(r, filter))).toEqual(['JUMP:DOCKER-USER', 'JUMP:DOCKER-ISOLATION', 'ACCEPT', 'JUMP:DOCKER', 'ACCEPT', 'ACCEPT']);
    const nat = model.tables.get('nat')!;
    expect(ruleVerdict(nat.chains.get('POSTROUTING')!.rules[0]!, nat)).toBe('ACCEPT'); // MASQUERADE
    expect(ruleVerdict(model.tables.get('raw')!.chains.get('PREROUTING')!.rules[0]!, model.tables.get('raw')!)).toBe('CONTINUE'); // TRACE
  });
});

describe('normaliseTrace', () => {
  it('turns the xtables-monitor trace into request/reply steps, inferring the silent return of DOCKER', () => {
    const resolver = createResolver({ saves: { ip: ipSave }, listings, ...harness });
    const packets = normaliseTrace(parseXtablesMonitorTrace(fx('seed-c1-c2.xtables-monitor.txt')), { resolver, clientAddresses: ['192.168.0.2'] });
    expect(packets.map((p) => p.direction)).toEqual(['request', 'reply']);
    expect(strip(packets[0]!.steps), formatSteps(packets[0]!.steps).join('\n')).toEqual(C1_C2_REQUEST);
    expect(packets[0]!.steps.find((s) => s.chain === 'DOCKER')?.inferred).toBe(true);
    expect(strip(packets[1]!.steps)).toEqual(ESTABLISHED_TO_DOCKER0);
  });

  it('turns the legacy trace into the same steps (quirk labels and harness offset converted)', () => {
    const resolver = createResolver({ saves: { ip: ipSave }, ...harness });
    const packets = normaliseTrace(parseLegacyTrace(fx('seed-c1-c2.nflog.txt')), { resolver, clientAddresses: ['192.168.0.2'] });
    expect(packets.map((p) => p.direction)).toEqual(['request', 'reply']);
    expect(packets[0]!.steps, formatSteps(packets[0]!.steps).join('\n')).toEqual(C1_C2_REQUEST);
    expect(packets[1]!.steps).toEqual(ESTABLISHED_TO_DOCKER0);
  });

  // Two packets in flight at once (a server's ACK and FIN handled on two CPUs) interleave their trace lines. The
  // second reply here is the real one with another identity (legacy: IP ID and ICMP sequence; nft: trace id), its
  // lines woven one by one into the first's.
  it.each([
    ['legacy (no ids): by the packet\'s unchanging fields', 'nflog', parseLegacyTrace, (l: string) => l.replace('ID=55562', 'ID=55563').replace('SEQ=1 ', 'SEQ=2 ')],
    ['nft: by trace id', 'xtables-monitor', parseXtablesMonitorTrace, (l: string) => l.replace(' eef4f6bf ', ' eef4f6b0 ')],
  ] as const)('keeps interleaved packets apart — %s', (_what, format, parse, other) => {
    const lines = fx(`seed-c1-c2.${format}.txt`).split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    const firstReply = lines.findIndex((l) => l.includes('SRC=192.168.0.3'));
    const request = lines.slice(0, firstReply);
    const reply = lines.slice(firstReply);
    const woven = reply.flatMap((l, i) => (i === 0 ? [l] : [other(reply[i - 1]!), l]));
    woven.push(other(reply[reply.length - 1]!));
    const resolver = createResolver({ saves: { ip: ipSave }, listings, ...harness });
    const packets = normaliseTrace(parse([...request, ...woven].join('\n')), { resolver, clientAddresses: ['192.168.0.2'] });
    expect(packets.map((p) => p.direction)).toEqual(['request', 'reply', 'reply']);
    expect(strip(packets[1]!.steps), formatSteps(packets[1]!.steps).join('\n')).toEqual(ESTABLISHED_TO_DOCKER0);
    expect(strip(packets[2]!.steps), formatSteps(packets[2]!.steps).join('\n')).toEqual(ESTABLISHED_TO_DOCKER0);
  });

  it('keeps one packet across the trace-id change when a bridge hands a frame to IP (c1 → external)', () => {
    const resolver = createResolver({ saves: { ip: ipSave }, listings, ...harness });
    const events = parseXtablesMonitorTrace(fx('seed-c1-ext.xtables-monitor.txt'));
    const packets = normaliseTrace(events, { resolver, clientAddresses: ['192.168.0.2'] });
    expect(packets.map((p) => p.direction)).toEqual(['request', 'reply']);
    expect(packets[0]!.traceIds.length).toBe(2);
    expect(packets[0]!.steps.at(-1)).toEqual(ip('POSTROUTING', 'nat', 'POSTROUTING', 'rule', 1, 'ACCEPT'));
    expect(packets[1]!.steps.some((s) => s.table === 'nat')).toBe(false);
  });

  it('interleaves bridge-family (ebtables) steps from nft monitor trace and drops the harness table', () => {
    const resolver = createResolver({ saves: { ip: ipSave, bridge: fx('seed-no-broute.ebtables-save.txt') }, listings, ...harness });
    const packets = normaliseTrace(parseNftMonitorTrace(fx('seed-c1-c2.nft-monitor.txt')), { resolver, clientAddresses: ['192.168.0.2'] });
    const req = packets[0]!.steps;
    const names = req.map((s) => `${s.family} ${s.table} ${s.chain}`);
    expect(names.some((n) => n.includes('cs_trace'))).toBe(false);
    // docs/netfilter.md §bridge-paths A: bridge nat PREROUTING before ip raw PREROUTING, bridge filter FORWARD before
    // ip filter FORWARD, bridge nat POSTROUTING before ip nat POSTROUTING.
    const at = (n: string): number => names.indexOf(n);
    expect(at('bridge nat PREROUTING')).toBeLessThan(at('ip raw PREROUTING'));
    expect(at('ip nat PREROUTING')).toBeLessThan(at('bridge filter FORWARD'));
    expect(at('bridge filter FORWARD')).toBeLessThan(at('ip filter FORWARD'));
    expect(at('bridge nat POSTROUTING')).toBeLessThan(at('ip nat POSTROUTING'));
    expect(req.find((s) => s.family === 'bridge' && s.chain === 'FORWARD')).toMatchObject({ type: 'rule', rule: 1, verdict: 'ACCEPT', hook: 'FORWARD' });
    expect(strip(req.filter((s) => s.family === 'ip'))).toEqual(C1_C2_REQUEST);
  });
});

describe('packet details', () => {
  it('reads TCP flags from every format into one canonical order', async () => {
    const { parseNftPacket, packetInfoFromFields, parseFields } = await import('../src/index.js');
    expect(parseNftPacket('ip saddr 1.2.3.4 ip daddr 5.6.7.8 tcp sport 80 tcp dport 4000 tcp flags == 0x12 tcp window 1').tcpFlags).toBe('syn,ack');
    expect(parseNftPacket('tcp flags == syn tcp window 1')).toMatchObject({ tcpFlags: 'syn', proto: 'tcp' });
    const legacy = parseFields('SRC=1.2.3.4 PROTO=TCP SPT=80 DPT=4000 ACK SYN URGP=0'.split(' '));
    expect(packetInfoFromFields(legacy.fields, legacy.flags)).toMatchObject({ tcpFlags: 'syn,ack', sport: 80, dport: 4000, proto: 'tcp' });
  });
});
