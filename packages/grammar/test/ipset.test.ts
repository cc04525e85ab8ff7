// `ipset save` text (ipset(8)): sets with their dimensions and typed members; every bad line a located
// diagnostic, and the rest still read.
import { describe, expect, it } from 'vitest';
import { looksLikeIpsetSave, parseIpsetSave, type IpSetValue } from '@chainsight/grammar';

const SAVE = `create blocklist hash:net family inet hashsize 1024 maxelem 65536
add blocklist 192.0.2.64/28
add blocklist 192.0.2.70 nomatch
create v6 hash:ip family inet6 hashsize 1024 maxelem 65536
add v6 2001:db8::1
create web bitmap:port range 0-1023
add web 80
add web 440-443
create svc hash:ip,port family inet
add svc 10.1.0.20,udp:53 timeout 300 comment "dns server"
add svc 10.1.0.20,icmp:echo-request
add svc 10.1.0.21,22
create lan hash:net,iface family inet
add lan 10.1.0.0/24,physdev:veth1
create macs hash:mac
add macs 02:42:ac:11:00:02
create marks hash:ip,mark family inet
add marks 10.0.0.1,0x10
create range bitmap:ip range 10.0.0.0-10.0.0.255
add range 10.0.0.5-10.0.0.9
create stations bitmap:ip,mac range 10.0.0.0/24
add stations 10.0.0.5,52:54:00:00:00:05
add stations 10.0.0.6
create all list:set size 8
add all blocklist
create subnets hash:ip family inet hashsize 1024 maxelem 65536 netmask 24 bucketsize 12 initval 0x126c9fa6
add subnets 10.0.1.0
create blocks bitmap:ip range 10.0.0.0-10.0.255.255 netmask 24
add blocks 10.0.3.0
`;

const show = (v: IpSetValue): string => {
  switch (v.kind) {
    case 'addr': return `${v.from.toString(16)}-${v.to.toString(16)}`;
    case 'port': return `${v.proto}:${v.from}-${v.to}`;
    case 'mac': return v.address === null ? 'mac unset' : v.address.toString(16);
    case 'iface': return `${v.physdev ? 'physdev ' : ''}${v.name}`;
    case 'mark': return `mark ${v.value}`;
    case 'set': return `set ${v.name}`;
  }
};

describe('ipset save', () => {
  const r = parseIpsetSave(SAVE, 'ipset.save');
  it('reads every set without a word', () => {
    expect(looksLikeIpsetSave(SAVE)).toBe(true);
    expect(looksLikeIpsetSave('*filter\n')).toBe(false);
    expect(r.diagnostics).toEqual([]);
    expect(r.sets.map((s) => `${s.name} ${s.dimensions.join(',')} ${s.family}`)).toEqual([
      'blocklist net 4', 'v6 ip 6', 'web port null', 'svc ip,port 4', 'lan net,iface 4', 'macs mac null', 'marks ip,mark 4', 'range ip 4', 'stations ip,mac 4', 'all set null', 'subnets ip 4', 'blocks ip 4',
    ]);
  });

  it.each([
    ['blocklist', ['c0000240-c000024f', 'c0000246-c0000246 nomatch']],
    ['v6', ['20010db8000000000000000000000001-20010db8000000000000000000000001']],
    // bitmap:port members hold port numbers only (-1: any protocol with ports)
    ['web', ['-1:80-80', '-1:440-443']],
    // a bare port is TCP; ICMP as type*256+code, every code of a named type
    ['svc', ['a010014-a010014 17:53-53', 'a010014-a010014 1:2048-2303', 'a010015-a010015 6:22-22']],
    ['lan', ['a010000-a0100ff physdev veth1']],
    ['macs', ['242ac110002']],
    ['marks', ['a000001-a000001 mark 16']],
    ['range', ['a000005-a000009']],
    // a bitmap:ip,mac member saved before any packet filled in its MAC
    ['stations', ['a000005-a000005 525400000005', 'a000006-a000006 mac unset']],
    ['all', ['set blocklist']],
    // `netmask 24`: ipset save prints the network address; the member holds the whole /24
    ['subnets', ['a000100-a0001ff']],
    ['blocks', ['a000300-a0003ff']],
  ])('%s', (name, members) => {
    const set = r.sets.find((s) => s.name === name)!;
    expect(set.members.map((m) => m.values.map(show).join(' ') + (m.nomatch ? ' nomatch' : ''))).toEqual(members);
  });

  it.each([
    ['an unknown type', 'create x hash:foo\n', 'error ipset/unknown-type 1:10'],
    ['a member before its set', 'add x 10.0.0.1\n', 'error ipset/unknown-set 1:5'],
    ['a member with the wrong number of parts', 'create x hash:ip,port family inet\nadd x 10.0.0.1\n', 'error ipset/bad-value 2:7'],
    ['a MAC without its address', 'create x bitmap:ip,mac range 10.0.0.0/24\nadd x 52:54:00:00:00:05\n', 'error ipset/bad-value 2:7'],
    ['a bad address', 'create x hash:ip family inet\nadd x 10.0.0.300\n', 'error ipset/bad-value 2:7'],
    ['an IPv4 address in an IPv6 set', 'create x hash:ip family inet6\nadd x 10.0.0.1\n', 'error ipset/bad-value 2:7'],
    ['an unknown protocol', 'create x hash:ip,port family inet\nadd x 10.0.0.1,foo:1\n', 'error ipset/bad-value 2:7'],
    ['an unterminated quote', 'create x hash:ip family inet\nadd x 10.0.0.1 comment "oops\n', 'error ipset/unterminated-quote 2:1'],
    ['a line that is no command', 'flush x\n', 'warning ipset/unknown-command 1:1'],
    ['a netmask that is no prefix length', 'create x hash:ip family inet netmask 33\n', 'error ipset/bad-value 1:38'],
    ['a bitmask, which is not modelled', 'create x hash:ip family inet bitmask 255.255.0.255\n', 'warning ipset/unmodelled 1:30'],
  ])('%s', (_name, text, expected) => {
    const d = parseIpsetSave(text, 'f').diagnostics;
    expect(d.map((x) => `${x.severity} ${x.code} ${x.span.start.line}:${x.span.start.column}`)).toEqual([expected]);
  });

  it('goes on after a bad line', () => {
    const x = parseIpsetSave('create x hash:ip family inet\nadd x nope\nadd x 10.0.0.1\n', 'f');
    expect(x.sets[0]!.members).toHaveLength(1);
  });
});
