// `-m set` decided from the host's ipsets, case by case (xt_set.c and the set types' kadt functions). The
// paths through a real firewall with ipsets are checked against the kernel in the conformance scenario
// fixtures/conformance/ipset (and its offline replay, packages/conformance/test/ipset.test.ts).
import { describe, expect, it } from 'vitest';
import { parseIpsetSave, parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, HostModel, resolvePacket, trace, traceConversation, type HostContext, type PacketSpec } from '../src/index';
import { elementOf } from '../src/compile/target-set';

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
create subnets hash:ip family inet hashsize 1024 maxelem 65536 netmask 24
add subnets 192.0.2.0
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
    ['hash:ip netmask 24: the saved network address holds the whole /24', '-m set --match-set subnets src', fromA, 'DROP'],
    ['counter conditions depend on state: assumed', '-m set --match-set macs src --packets-gt 5', fromA, 'DROP (assumed) | pass (assumed)'],
  ] as const)('%s', (_name, match, spec, expected) => expect(verdict(match, spec as PacketSpec)).toBe(expected));
});

/** FORWARD rules (policy ACCEPT) against the sets below; the verdict of each outcome. */
function forward(rules: string[], spec: PacketSpec, sets: string): string {
  const text = `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${rules.map((r) => `-A FORWARD ${r}`).join('\n')}\nCOMMIT\n`;
  const snap = parseSnapshot(text, { fileName: 'r' }).snapshot;
  const outcomes = trace(compileRuleset([snap], HOST, { ipsets: parseIpsetSave(sets, 's').sets }), spec).outcomes;
  return outcomes.map((o) => (o.verdict === 'DROP' ? 'DROP' : 'pass') + (o.assumptions.length ? ' (assumed)' : '')).join(' | ');
}

const EMPTY = 'create seen hash:ip family inet\n';
const HAS_A = 'create seen hash:ip family inet\nadd seen 192.0.2.20\n';
const NETS = 'create seen hash:net family inet\nadd seen 198.51.100.0/24\nadd seen 203.0.113.0/28\n';
const TEST = '-m set --match-set seen src -j DROP';

describe('SET changes the sets for the rest of the path', () => {
  it.each([
    ['--add-set: a later -m set sees the element', EMPTY, ['-j SET --add-set seen src', TEST], 'DROP'],
    ['without the SET rule the set is empty', EMPTY, [TEST], 'pass'],
    ['the sides come from the flags (dst: 10.1.0.5)', EMPTY, ['-j SET --add-set seen dst', TEST], 'pass'],
    ['--del-set: a later -m set no longer sees it', HAS_A, ['-j SET --del-set seen src', TEST], 'pass'],
    ['add and delete in one rule: added, then deleted', EMPTY, ['-j SET --add-set seen src --del-set seen src', TEST], 'pass'],
    ['a SET rule that does not match changes nothing', EMPTY, ['-p udp -j SET --add-set seen src', TEST], 'pass'],
    ['a bitmap refuses an address outside its range', 'create seen bitmap:ip range 10.0.0.0/24\n', ['-j SET --add-set seen src', TEST], 'pass'],
    ['a set of the other family takes nothing', 'create seen hash:ip family inet6\n', ['-j SET --add-set seen src', TEST], 'pass'],
    ['hash:ip,port needs the packet\'s ports (ICMP: its type)', 'create seen hash:ip,port family inet\n', ['-j SET --add-set seen src,dst', '-m set --match-set seen src,dst -j DROP'], 'DROP'],
    ['list:set adds to its first member set that takes it', 'create six hash:ip family inet6\ncreate seen4 hash:ip family inet\ncreate all list:set size 4\nadd all six\nadd all seen4\n',
      ['-j SET --add-set all src', '-m set --match-set seen4 src -j DROP'], 'DROP'],
    ['an entry already there is not rewritten without --exist (a nomatch stays)', 'create seen hash:net family inet\nadd seen 192.0.2.0/24\nadd seen 192.0.2.20 nomatch\n',
      ['-j SET --add-set seen src', TEST], 'pass'],
    // (without the delete, the member saved without its MAC matches: DROP)
    ['bitmap:ip,mac: deleting by address removes a member whatever its MAC', 'create seen bitmap:ip,mac range 192.0.2.0/24\nadd seen 192.0.2.20\n',
      ['-j SET --del-set seen src,src', '-m set --match-set seen src,src -j DROP'], 'pass'],
    ['bitmap:ip,mac: the member saved without its MAC, not deleted', 'create seen bitmap:ip,mac range 192.0.2.0/24\nadd seen 192.0.2.20\n',
      ['-m set --match-set seen src,src -j DROP'], 'DROP'],
    ['with --exist it is, and its nomatch is gone', 'create seen hash:net family inet\nadd seen 192.0.2.0/24\nadd seen 192.0.2.20 nomatch\n',
      ['-j SET --add-set seen src --exist', TEST], 'DROP'],
  ] as const)('%s', (_name, sets, rules, expected) => expect(forward([...rules], fromA, sets)).toBe(expected));

  it.each([
    ['the element added, as ipset save prints it', EMPTY, '-j SET --add-set seen src', 'SET --add-set seen: 192.0.2.20 added'],
    ['hash:ip,port with an ICMP type', 'create seen hash:ip,port family inet\n', '-j SET --add-set seen src,dst', 'SET --add-set seen: 192.0.2.20,icmp:8/0 added'],
    ['a list:set names the member set that took it', 'create seen4 hash:ip family inet\ncreate seen list:set size 4\nadd seen seen4\n', '-j SET --add-set seen src', 'SET --add-set seen: 192.0.2.20 (in seen4) added'],
    ['nothing to delete', EMPTY, '-j SET --del-set seen src', 'SET --del-set seen: nothing changes (the element is already there, is not there, or the packet lacks a part of it)'],
  ])('the trace says what SET did: %s', (_name, sets, rule, note) => {
    const snap = parseSnapshot(`*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD ${rule}\nCOMMIT\n`, { fileName: 'r' }).snapshot;
    const o = trace(compileRuleset([snap], HOST, { ipsets: parseIpsetSave(sets, 's').sets }), fromA).outcomes[0]!;
    expect(o.events.map((e) => ('text' in e ? e.text : ''))).toContain(note);
  });

  it('a set the ipset file lacks: noted, and -m set on it is still assumed', () => {
    const snap = parseSnapshot('*filter\n:FORWARD ACCEPT [0:0]\n-A FORWARD -j SET --add-set other src\nCOMMIT\n', { fileName: 'r' }).snapshot;
    const o = trace(compileRuleset([snap], HOST, { ipsets: parseIpsetSave(EMPTY, 's').sets }), fromA).outcomes[0]!;
    expect(o.events.map((e) => ('text' in e ? e.text : '')).join('\n')).toContain("SET --add-set other: no set 'other' in the ipset file");
  });

  it('a bitmap:ip,mac member without its MAC takes the MAC of the first packet it matches', () => {
    // The reply (b → 192.0.2.20) is tested with `dst,dst`: its destination MAC is the host's eth1 (the received
    // frame's). An unfilled member matches it; once the request from a has filled in a's MAC, it does not.
    const conv = (rules: string[]) => {
      const text = `*filter\n:FORWARD ACCEPT [0:0]\n${['-m conntrack --ctstate INVALID -j DROP', ...rules].map((r) => `-A FORWARD ${r}`).join('\n')}\nCOMMIT\n`;
      const sets = parseIpsetSave('create st bitmap:ip,mac range 192.0.2.0/24\nadd st 192.0.2.20\n', 's').sets;
      const compiled = compileRuleset([parseSnapshot(text, { fileName: 'r' }).snapshot], HOST, { ipsets: sets });
      const r = traceConversation(compiled, { from: 'a', dst: '10.1.0.5', proto: 'udp', dport: 53 } as PacketSpec, [{ direction: 'reply' }]);
      return r.packets.map((p) => p.outcomes.map((o) => o.verdict).join(' | '));
    };
    const replyTest = '-d 192.0.2.20 -m set --match-set st dst,dst -j DROP';
    expect(conv([replyTest])).toEqual(['forwarded', 'DROP']);
    expect(conv(['-s 192.0.2.20 -m set --match-set st src,src -j ACCEPT', replyTest])).toEqual(['forwarded', 'forwarded']);
  });

  it('the later packets of a conversation see what earlier ones added', () => {
    // The request adds its source; the reply (from 10.1.0.5 to 192.0.2.20) is dropped when its destination is in the set.
    // (The ctstate rule loads conntrack, which a conversation needs.)
    const rules = ['-m conntrack --ctstate INVALID -j DROP', '-s 192.0.2.20 -j SET --add-set seen src', '-d 192.0.2.20 -m set --match-set seen dst -j DROP'];
    const text = `*filter\n:FORWARD ACCEPT [0:0]\n${rules.map((r) => `-A FORWARD ${r}`).join('\n')}\nCOMMIT\n`;
    const compiled = compileRuleset([parseSnapshot(text, { fileName: 'r' }).snapshot], HOST, { ipsets: parseIpsetSave(EMPTY, 's').sets });
    const r = traceConversation(compiled, { from: 'a', dst: '10.1.0.5', proto: 'udp', dport: 53 } as PacketSpec, [{ direction: 'reply' }]);
    expect(r.packets.map((p) => p.outcomes.map((o) => o.verdict).join(' | '))).toEqual(['forwarded', 'DROP']);
  });
});

describe('the element a SET target adds', () => {
  const packet = resolvePacket(fromA, new HostModel(HOST)).packet;
  const added = (sets: string, flags: ('src' | 'dst')[]) => {
    const set = parseIpsetSave(sets, 's').sets[0]!;
    const v = elementOf(set, set.members, packet, flags);
    return v ? v.map((x) => (x.kind === 'addr' ? `${x.from.toString(16)}/${x.prefix}` : x.kind === 'port' ? `${x.proto}:${x.from}` : x.kind)).join(' ') : null;
  };
  it.each([
    ['hash:ip: the address', 'create s hash:ip family inet\n', ['src'], 'c0000214/32'],
    ['hash:ip with netmask 24: its network', 'create s hash:ip family inet netmask 24\n', ['src'], 'c0000200/24'],
    // ip_set_hash_gen.h: the most specific prefix the set holds (/28), a host prefix when it holds none
    ['hash:net: the set\'s most specific prefix', NETS.replace(/seen/g, 's'), ['src'], 'c0000210/28'],
    ['hash:net, empty: a host', 'create s hash:net family inet\n', ['src'], 'c0000214/32'],
    ['hash:ip,port: the ICMP type as the port', 'create s hash:ip,port family inet\n', ['src', 'dst'], 'c0000214/32 1:2048'],
    ['bitmap:port: a packet without ports has nothing to add', 'create s bitmap:port range 0-1023\n', ['dst'], null],
    ['hash:mac: the Ethernet source', 'create s hash:mac\n', ['src'], 'mac'],
  ] as const)('%s', (_name, sets, flags, expected) => expect(added(sets, [...flags])).toBe(expected));
});
