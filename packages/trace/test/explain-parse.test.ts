// Reading trace lines: the three formats (lines copied from the kernel captures in fixtures/explain), the log
// prefixes real logs put before them, and logs with other messages and wrapped lines in between.
import { describe, expect, it } from 'vitest';
import { parsePrefix, readTraceLog, type TraceLine } from '../src/explain/index';

const LEGACY_ICMP =
  'TRACE: raw:PREROUTING:policy:4 IN=docker0 OUT= PHYSIN=veth1a2b3c4 MAC=02:42:ac:11:00:03:02:42:ac:11:00:02:08:00 SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=57844 DF PROTO=ICMP TYPE=8 CODE=0 ID=23094 SEQ=1 ';
const LEGACY_TCP =
  'TRACE: nat:DOCKER:rule:2 IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:aa:bb:cc:08:00 SRC=203.0.113.7 DST=198.51.100.10 LEN=40 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=TCP SPT=40000 DPT=8080 SEQ=1000 ACK=0 WINDOW=8192 RES=0x00 SYN URGP=0 ';

function one(text: string): TraceLine {
  const log = readTraceLog(text);
  expect(log.lines, text).toHaveLength(1);
  return log.lines[0]!;
}

describe('legacy TRACE lines (ip_tables.c trace_packet, nf_log_syslog.c fields)', () => {
  it.each([
    ['policy label, ICMP echo request', LEGACY_ICMP, { table: 'raw', chain: 'PREROUTING', label: 'policy', num: 4 },
      { in: 'docker0', physIn: 'veth1a2b3c4', srcMac: '02:42:ac:11:00:02', dstMac: '02:42:ac:11:00:03', src: '172.17.0.2', dst: '172.17.0.3', length: 84, ttl: 64, ipId: 57844, proto: 'icmp', icmpType: 8, icmpCode: 0, icmpId: 23094, icmpSeq: 1 }],
    ['rule label in a user chain, TCP SYN (SEQ=/ACK= are numbers, SYN the flag)', LEGACY_TCP, { table: 'nat', chain: 'DOCKER', label: 'rule', num: 2 },
      { in: 'eth0', src: '203.0.113.7', dst: '198.51.100.10', length: 40, ipId: 1, proto: 'tcp', sport: 40000, dport: 8080, tcpFlags: ['SYN'] }],
    ['UDP: the second LEN= is the UDP length',
      'TRACE: filter:INPUT:rule:3 IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:aa:bb:cc:08:00 SRC=203.0.113.7 DST=198.51.100.10 LEN=38 TOS=0x00 PREC=0x00 TTL=64 ID=1 PROTO=UDP SPT=40000 DPT=5000 LEN=18 ',
      { table: 'filter', chain: 'INPUT', label: 'rule', num: 3 }, { length: 38, proto: 'udp', sport: 40000, dport: 5000 }],
    ['return label with MARK, PHYSOUT, no MAC (POSTROUTING of a bridged frame has no IN)',
      'TRACE: filter:HOST-IN:return:3 IN= OUT=docker0 PHYSOUT=veth5d6e7f8 SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=57844 DF PROTO=ICMP TYPE=0 CODE=0 ID=23094 SEQ=1 MARK=0x1 ',
      { table: 'filter', chain: 'HOST-IN', label: 'return', num: 3 }, { out: 'docker0', physOut: 'veth5d6e7f8', mark: 1, icmpType: 0 }],
    ['ICMP error: the embedded packet in brackets does not overwrite the outer fields',
      'TRACE: filter:OUTPUT:policy:1 IN= OUT=eth0 SRC=198.51.100.10 DST=203.0.113.7 LEN=66 TOS=0x00 PREC=0xC0 TTL=64 ID=7 PROTO=ICMP TYPE=3 CODE=3 [SRC=203.0.113.7 DST=198.51.100.10 LEN=38 TOS=0x00 PREC=0x00 TTL=63 ID=1 PROTO=UDP SPT=40000 DPT=5000 LEN=18 ] UID=0 GID=0 ',
      { table: 'filter', chain: 'OUTPUT', label: 'policy', num: 1 }, { src: '198.51.100.10', dst: '203.0.113.7', ipId: 7, icmpType: 3, icmpCode: 3, uid: 0, gid: 0 }],
    ['IPv6 (ip6_tables.c prints the same prefix; no IPv4 ID)',
      'TRACE: filter:FORWARD:rule:2 IN=eth0 OUT=docker0 MAC=52:54:00:12:34:56:52:54:00:aa:bb:cc:86:dd SRC=2001:db8::7 DST=fd00::2 LEN=104 TC=0 HOPLIMIT=63 FLOWLBL=0 PROTO=ICMPv6 TYPE=128 CODE=0 ID=7 SEQ=1 ',
      { table: 'filter', chain: 'FORWARD', label: 'rule', num: 2, family: 'ip6' }, { src: '2001:db8::7', ttl: 63, proto: 'icmpv6', icmpType: 128, icmpId: 7 }],
    ['a chain name with colons', 'TRACE: filter:a:b:c:rule:1 IN=eth0 OUT= SRC=10.0.0.1 DST=10.0.0.2 LEN=84 ', { chain: 'a:b:c', label: 'rule', num: 1 }, { src: '10.0.0.1' }],
  ])('%s', (_name, text, head, packet) => {
    const l = one(text);
    expect(l.kind).toBe('legacy');
    if (l.kind !== 'legacy') return;
    expect(l).toMatchObject({ family: 'ip', ...head });
    expect(l.packet).toMatchObject(packet);
  });

  it('keeps PHYSIN out of the packet when the kernel did not print it (it differs from IN only on bridges)', () => {
    const l = one('TRACE: raw:OUTPUT:policy:4 IN= OUT=docker0 SRC=172.17.0.1 DST=172.17.0.2 LEN=84 TOS=0x00 PREC=0x00 TTL=64 ID=40600 DF PROTO=ICMP TYPE=8 CODE=0 ID=1 SEQ=1 ');
    expect(l.kind === 'legacy' && l.packet).toEqual({
      out: 'docker0', src: '172.17.0.1', dst: '172.17.0.2', length: 84, ttl: 64, ipId: 40600, proto: 'icmp', icmpType: 8, icmpCode: 0, icmpId: 1, icmpSeq: 1,
    });
  });
});

describe('log prefixes before the kernel text', () => {
  it.each([
    ['no prefix', '', null, null],
    ['dmesg', '[ 8124.123606] ', '8124.123606', null],
    ['dmesg -T', '[Tue Nov 24 10:00:01 2026] ', 'Tue Nov 24 10:00:01 2026', null],
    ['dmesg -x', 'kern  :warn  : [ 8124.123606] ', '8124.123606', null],
    ['/dev/kmsg, dmesg -r', '<4>[ 8124.123606] ', '8124.123606', null],
    ['syslog with printk time', 'Nov 24 10:00:01 docker-host kernel: [ 8124.123606] ', 'Nov 24 10:00:01', 'docker-host'],
    ['syslog, single-digit day', 'Nov  4 10:00:01 docker-host kernel: ', 'Nov  4 10:00:01', 'docker-host'],
    ['rsyslog RFC 3339', '2026-11-24T10:00:01.123456+00:00 docker-host kernel: ', '2026-11-24T10:00:01.123456+00:00', 'docker-host'],
    ['journalctl -o short-iso', '2026-11-24T10:00:01+0000 docker-host kernel: ', '2026-11-24T10:00:01+0000', 'docker-host'],
    ['journalctl -o short-precise', 'Nov 24 10:00:01.123456 docker-host kernel: ', 'Nov 24 10:00:01.123456', 'docker-host'],
    ['journalctl -o short-monotonic', '[ 8124.123606] docker-host kernel: ', '8124.123606', 'docker-host'],
    ['kernel: only', 'kernel: ', null, null],
  ])('%s', (_name, prefix, time, host) => {
    const l = one(prefix + LEGACY_TCP);
    expect(l).toMatchObject({ kind: 'legacy', table: 'nat', chain: 'DOCKER', num: 2, text: LEGACY_TCP.trimEnd() });
    if (prefix === '') expect(l.prefix).toBeNull();
    else expect(l.prefix).toEqual({ text: prefix, time, host });
    expect(parsePrefix(prefix)).toEqual({ text: prefix, time, host });
  });
});

describe('xtables-monitor --trace (iptables xtables-monitor.c trace_cb)', () => {
  it.each([
    ['a jump, with the rule re-printed', ' TRACE: 2 aa0992f9 filter:FORWARD:rule:0xe:JUMP:DOCKER-USER  -4 -t filter -A FORWARD -j DOCKER-USER',
      { family: 'ip', id: 'aa0992f9', table: 'filter', chain: 'FORWARD', label: 'rule', handle: 14, verdict: 'JUMP:DOCKER-USER', ruleText: '-4 -t filter -A FORWARD -j DOCKER-USER' }],
    ['NFT_RETURN printed as 0xfffffffb', ' TRACE: 2 aa0992f9 filter:DOCKER-USER:rule:0x1b:0xfffffffb  -4 -t filter -A DOCKER-USER -j RETURN',
      { handle: 27, verdict: 'RETURN' }],
    ['a goto', ' TRACE: 2 8454293a filter:INPUT:rule:0xc:GOTO:UDP-IN  -4 -t filter -A INPUT -p udp -g UDP-IN', { verdict: 'GOTO:UDP-IN', handle: 12 }],
    ['a quoted comment in the rule text', ' TRACE: 2 aa0992f9 filter:DOCKER-USER:rule:0x19:CONTINUE  -4 -t filter -A DOCKER-USER -p icmp -m comment --comment "icmp seen"',
      { verdict: 'CONTINUE', ruleText: '-4 -t filter -A DOCKER-USER -p icmp -m comment --comment "icmp seen"' }],
    ['policy', ' TRACE: 2 aa0992f9 raw:PREROUTING:policy:ACCEPT ', { label: 'policy', verdict: 'ACCEPT', handle: null, ruleText: null }],
    ['return (older kernels), with the chain', ' TRACE: 2 aa0992f9 filter:DOCKER:return:DOCKER', { label: 'return', verdict: 'RETURN' }],
    ['return without a chain', ' TRACE: 2 aa0992f9 filter:FORWARD:return:', { label: 'return', chain: 'FORWARD' }],
    ['IPv6 family number', ' TRACE: 10 0000abcd filter:INPUT:policy:DROP ', { family: 'ip6', verdict: 'DROP' }],
    ['bridge family (no rule text: ebtables rules are not re-printed)', ' TRACE: 7 1a2b3c4d filter:FORWARD:rule:0x4:ACCEPT ', { family: 'bridge', ruleText: null, handle: 4 }],
  ])('%s', (_name, text, expected) => {
    expect(one(text)).toMatchObject({ kind: 'xtables', ...expected });
  });

  it.each([
    ['IPv4 TCP SYN: MACs padded, no protocol field (inferred from ports and flags)',
      'PACKET: 2 5d0e9253 IN=eth0 MACSRC=52:54:0:aa:bb:cc MACDST=52:54:0:12:34:56 MACPROTO=0800 SRC=203.0.113.7 DST=198.51.100.10 LEN=40 TOS=0x0 TTL=64 ID=1 SPORT=40000 DPORT=8080 SYN ',
      { in: 'eth0', srcMac: '52:54:00:aa:bb:cc', dstMac: '52:54:00:12:34:56', src: '203.0.113.7', ipId: 1, sport: 40000, dport: 8080, tcpFlags: ['SYN'], proto: 'tcp' }],
    ['bridged POSTROUTING: an LL= blob instead of MACs',
      'PACKET: 2 aa0992f9 OUT=docker0 LL=0x0 0242ffffffac1100030242ffffffac1100020800 SRC=172.17.0.2 DST=172.17.0.3 LEN=84 TOS=0x0 TTL=64 ID=40576 DF ',
      { out: 'docker0', src: '172.17.0.2', ipId: 40576 }],
    ['xtables-monitor before 2021 printed the family as 0', 'PACKET: 0 aa0992f9 IN=eth0 SRC=10.0.0.1 DST=10.0.0.2 LEN=84 TOS=0x0 TTL=64 ID=5 ', { src: '10.0.0.1' }],
  ])('PACKET: %s', (_name, text, packet) => {
    const l = one(text);
    expect(l.kind).toBe('xtables-packet');
    if (l.kind === 'xtables-packet') expect(l.packet).toMatchObject(packet);
  });
});

describe('nft monitor trace (nftables src/trace.c)', () => {
  it.each([
    ['rule with handle (nft -a)', 'trace id b2fa5ec9 ip filter FORWARD rule counter packets 7 bytes 456 jump DOCKER-USER # handle 14 (verdict jump DOCKER-USER)',
      { kind: 'nft', family: 'ip', id: 'b2fa5ec9', table: 'filter', chain: 'FORWARD', label: 'rule', handle: 14, verdict: 'JUMP:DOCKER-USER', ruleText: 'counter jump DOCKER-USER' }],
    ['rule without handle', 'trace id 2958e5fb ip filter DOCKER-USER rule meta l4proto icmp  counter packets 8 bytes 672 (verdict continue)',
      { handle: null, verdict: 'CONTINUE', ruleText: 'meta l4proto icmp counter' }],
    ['DNAT rule', 'trace id 7ae24f5b ip nat DOCKER rule iifname != "docker0" tcp dport 8080 counter packets 3 bytes 120 dnat to 172.17.0.2:80 # handle 11 (verdict accept)',
      { chain: 'DOCKER', verdict: 'ACCEPT', ruleText: 'iifname != "docker0" tcp dport 8080 counter dnat to 172.17.0.2:80' }],
    ['unknown rule handle (a rule deleted since)', 'trace id 7ae24f5b ip filter INPUT unknown rule handle 99 (verdict accept)', { handle: 99, ruleText: null, verdict: 'ACCEPT' }],
    ['policy with the mark', 'trace id 19038e1b ip nat INPUT policy accept meta mark 0x00000001', { label: 'policy', verdict: 'ACCEPT' }],
    ['end of a chain (NFT_TRACETYPE_RETURN)', 'trace id 19038e1b ip filter DOCKER verdict continue', { label: 'return', verdict: 'CONTINUE' }],
    ['bridge family', 'trace id 0ad0b158 bridge nat PREROUTING rule ether type ip ip protocol icmp counter packets 2 bytes 168 accept # handle 4 (verdict accept)',
      { family: 'bridge', table: 'nat', handle: 4 }],
  ])('%s', (_name, text, expected) => {
    expect(one(text)).toMatchObject(expected);
  });

  it.each([
    ['ICMP echo request: type names to numbers, code 0 printed as net-unreachable',
      'trace id b2fa5ec9 ip raw PREROUTING packet: iif "docker0" ether saddr 02:42:ac:11:00:02 ether daddr 02:42:ac:11:00:03 ip saddr 172.17.0.2 ip daddr 172.17.0.3 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 41289 ip length 84 icmp type echo-request icmp code net-unreachable icmp id 18981 icmp sequence 1 @th,64,96 0x9318066b00000000eac90700 ',
      { in: 'docker0', srcMac: '02:42:ac:11:00:02', src: '172.17.0.2', dst: '172.17.0.3', ttl: 64, ipId: 41289, length: 84, proto: 'icmp', icmpType: 8, icmpCode: 0, icmpId: 18981, icmpSeq: 1 }],
    ['TCP SYN (one flag by name)',
      'trace id 7ae24f5b ip raw PREROUTING packet: iif "eth0" ether saddr 52:54:00:aa:bb:cc ether daddr 52:54:00:12:34:56 ip saddr 203.0.113.7 ip daddr 198.51.100.10 ip dscp cs0 ip ecn not-ect ip ttl 64 ip id 1 ip length 40 tcp sport 40000 tcp dport 8080 tcp flags == syn tcp window 8192 ',
      { proto: 'tcp', sport: 40000, dport: 8080, tcpFlags: ['SYN'] }],
    ['TCP RST,ACK (a combination as a number)', 'trace id 0be3b7d3 ip filter FORWARD packet: iif "docker0" oif "eth0" ip saddr 172.17.0.2 ip daddr 203.0.113.7 ip id 0 tcp sport 80 tcp dport 40000 tcp flags == 0x14 tcp window 0 ',
      { in: 'docker0', out: 'eth0', tcpFlags: ['RST', 'ACK'] }],
    ['conntrack line (nftables ≥ 1.0.7)', 'trace id 0be3b7d3 ip filter FORWARD conntrack: ct direction original ct state new ct id 1234 ', { ctState: 'new' }],
  ])('packet: %s', (_name, text, packet) => {
    const l = one(text);
    expect(l.kind).toBe('nft-packet');
    if (l.kind === 'nft-packet') expect(l.packet).toMatchObject(packet);
  });
});

describe('messy logs', () => {
  it('skips other messages between the trace lines and keeps real line numbers', () => {
    const log = readTraceLog([
      'Nov 24 10:00:01 docker-host systemd[1]: Started Session 3 of user root.',
      `Nov 24 10:00:01 docker-host kernel: [ 8124.1] ${LEGACY_ICMP}`,
      'Nov 24 10:00:01 docker-host kernel: [ 8124.2] docker0: port 1(veth1a2b3c4) entered forwarding state',
      '',
      `Nov 24 10:00:02 docker-host kernel: [ 8124.3] ${LEGACY_TCP}`,
      '# ready',
    ].join('\n'));
    expect(log.lines.map((l) => l.line)).toEqual([2, 5]);
    expect({ skipped: log.skipped, joined: log.joined, totalLines: log.totalLines, formats: log.formats }).toEqual({ skipped: 4, joined: 0, totalLines: 6, formats: ['legacy'] });
  });

  it('reads CRLF line ends', () => {
    expect(readTraceLog(`${LEGACY_ICMP}\r\n${LEGACY_TCP}\r\n`).lines.map((l) => l.kind === 'legacy' && l.num)).toEqual([4, 2]);
  });

  const full = `Nov 24 10:00:01 docker-host kernel: [ 8124.123606] ${LEGACY_TCP}`.trimEnd();
  it.each([
    ['cut at a fixed width inside a word (fold -w 80)', (t: string) => t.match(/.{1,80}/g)!.join('\n')],
    ['broken after spaces (fold -s -w 70)', (t: string) => t.replace(/(.{1,69} )/g, '$1\n').replace(/\n$/, '')],
    ['broken at spaces that the wrapper dropped (fmt, mail)', (t: string) => t.replace(/ (SRC=|PROTO=|WINDOW=)/g, '\n$1')],
    ['continuation lines indented', (t: string) => t.replace(/ (SRC=|PROTO=)/g, '\n    $1')],
  ])('joins wrapped lines: %s', (_name, wrap) => {
    const wrapped = wrap(full);
    expect(wrapped.split('\n').length).toBeGreaterThan(1);
    const log = readTraceLog(`${wrapped}\n${full}\n`);
    expect(log.lines).toHaveLength(2);
    const [a, b] = log.lines as [TraceLine, TraceLine];
    expect(a.kind === 'legacy' && a.packet).toEqual(b.kind === 'legacy' && b.packet);
    expect(a.endLine).toBe(wrapped.split('\n').length);
    expect(log.joined).toBe(wrapped.split('\n').length - 1);
  });

  it('does not join an unrelated message that follows a trace line', () => {
    const log = readTraceLog(`${LEGACY_TCP}\nIPv6: ADDRCONF(NETDEV_CHANGE): veth1a2b3c4: link becomes ready\n`);
    expect({ lines: log.lines.length, joined: log.joined, skipped: log.skipped }).toEqual({ lines: 1, joined: 0, skipped: 1 });
  });

  it('reads the three formats mixed in one file', () => {
    const log = readTraceLog([
      LEGACY_ICMP,
      ' TRACE: 2 aa0992f9 raw:PREROUTING:policy:ACCEPT ',
      'trace id b2fa5ec9 ip raw PREROUTING policy accept ',
    ].join('\n'));
    expect(log.formats).toEqual(['legacy', 'xtables-monitor', 'nft-monitor']);
  });
});
