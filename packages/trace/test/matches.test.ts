// Every match module of the grammar's registry has semantics in the simulator: for each, cases of a rule and a
// packet with the expected result (true, false, or 'fork' when the result depends on state the snapshot does not
// hold and the trace forks). The default packet is tcp 10.0.0.1:40000 → 10.0.1.2:80 [SYN], NEW, in eth0 out eth1.
import { describe, expect, it } from 'vitest';
import { EB_MATCHES, MATCHES } from '@chainsight/grammar';
import { evaluate, type MatchCase } from './match-harness';

const udp = { proto: 'udp', dport: 53, sport: 5353 } as const;
const icmp = { proto: 'icmp', sport: undefined, dport: undefined } as const;
const ping6 = { proto: 'icmpv6', sport: undefined, dport: undefined } as const;

const CASES: Record<string, MatchCase[]> = {
  tcp: [
    { rule: '-p tcp -m tcp --dport 80', expect: true },
    { rule: '-p tcp -m tcp --dport 81:90', expect: false },
    { rule: '-p tcp -m tcp ! --dport 22', expect: true },
    { rule: '-p tcp -m tcp --sport 40000:40010 --dport 80', expect: true },
    { rule: '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN', expect: true },
    { rule: '-p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN', spec: { tcpFlags: 'SYN,ACK' }, expect: false },
    { rule: '-p tcp -m tcp ! --tcp-flags FIN,SYN,RST,ACK SYN', spec: { tcpFlags: 'ACK' }, expect: true },
    { rule: '-p tcp -m tcp --tcp-option 2', expect: true },
    { rule: '-p tcp -m tcp --tcp-option 2', spec: { tcpFlags: 'ACK' }, expect: false },
    // Both single ports inverted: legacy tests each (xt_tcpudp.c); iptables-nft 1.8.9 compares both at once, so
    // it matches when either differs (docs/divergences.md#nft-inverted-ports).
    { rule: '-p tcp -m tcp ! --sport 3000 ! --dport 3000', spec: { sport: 3000, dport: 40000 }, backend: 'legacy', expect: false },
    { rule: '-p tcp -m tcp ! --sport 3000 ! --dport 3000', spec: { sport: 3000, dport: 40000 }, backend: 'nft', expect: true },
    { rule: '-p tcp -m tcp ! --sport 3000 ! --dport 3000', spec: { sport: 3000, dport: 3000 }, backend: 'nft', expect: false },
    { rule: '-p tcp -m tcp ! --sport 3000:3001 ! --dport 3000', spec: { sport: 3000, dport: 40000 }, backend: 'nft', expect: false },
  ],
  udp: [
    { rule: '-p udp -m udp --dport 53', spec: udp, expect: true },
    { rule: '-p udp -m udp --sport 53', spec: udp, expect: false },
  ],
  udplite: [
    { rule: '-p udplite -m udplite --dport 53', spec: { proto: 'udplite', dport: 53 }, expect: true },
    { rule: '-p udplite -m udplite --dport 54', spec: { proto: 'udplite', dport: 53 }, expect: false },
  ],
  sctp: [
    { rule: '-p sctp -m sctp --dport 80', spec: { proto: 'sctp', dport: 80 }, expect: true },
    { rule: '-p sctp -m sctp --chunk-types any INIT', spec: { proto: 'sctp', dport: 80 }, expect: true },
    { rule: '-p sctp -m sctp --chunk-types any INIT', spec: { proto: 'sctp', dport: 80 }, set: { conn: 'established', ctState: 'ESTABLISHED' }, expect: false },
    { rule: '-p sctp -m sctp --chunk-types all DATA,INIT', spec: { proto: 'sctp', dport: 80 }, expect: false },
  ],
  dccp: [
    { rule: '-p dccp -m dccp --dport 80 --dccp-types REQUEST', spec: { proto: 'dccp', dport: 80 }, expect: true },
    { rule: '-p dccp -m dccp --dccp-types ACK', spec: { proto: 'dccp', dport: 80 }, expect: false },
    { rule: '-p dccp -m dccp --dccp-option 4', spec: { proto: 'dccp', dport: 80 }, expect: 'fork' },
  ],
  icmp: [
    { rule: '-p icmp -m icmp --icmp-type 8', spec: icmp, expect: true },
    { rule: '-p icmp -m icmp --icmp-type echo-reply', spec: icmp, expect: false },
    { rule: '-p icmp -m icmp --icmp-type any', spec: icmp, expect: true },
    { rule: '-p icmp -m icmp --icmp-type 3/3', spec: { ...icmp, icmpType: '3/3' }, expect: true },
    { rule: '-p icmp -m icmp --icmp-type 3/1', spec: { ...icmp, icmpType: '3/3' }, expect: false },
    { rule: '-p icmp -m icmp ! --icmp-type 0', spec: icmp, expect: true },
  ],
  icmp6: [
    { rule: '-p ipv6-icmp -m icmp6 --icmpv6-type 128', family: 'ipv6', spec: ping6, expect: true },
    { rule: '-p ipv6-icmp -m icmp6 --icmpv6-type echo-reply', family: 'ipv6', spec: ping6, expect: false },
  ],
  multiport: [
    { rule: '-p tcp -m multiport --dports 22,80,443', expect: true },
    { rule: '-p tcp -m multiport --dports 8000:8100', expect: false },
    { rule: '-p tcp -m multiport ! --dports 22,443', expect: true },
    { rule: '-p tcp -m multiport --ports 40000', expect: true },
    { rule: '-p tcp -m multiport --sports 1:1023', expect: false },
  ],
  conntrack: [
    { rule: '-m conntrack --ctstate NEW', expect: true },
    { rule: '-m conntrack --ctstate RELATED,ESTABLISHED', expect: false },
    { rule: '-m conntrack --ctstate RELATED,ESTABLISHED', set: { conn: 'established', ctState: 'ESTABLISHED' }, expect: true },
    { rule: '-m conntrack --ctstate INVALID', set: { conn: 'none', ctState: 'INVALID' }, expect: true },
    { rule: '-m conntrack ! --ctstate INVALID', set: { conn: 'none', ctState: 'INVALID' }, expect: false },
    { rule: '-m conntrack --ctstate UNTRACKED', set: { conn: 'none', ctState: 'UNTRACKED' }, expect: true },
    { rule: '-m conntrack --ctdir ORIGINAL', expect: true },
    { rule: '-m conntrack --ctdir REPLY', expect: false },
    { rule: '-m conntrack --ctdir ORIGINAL', set: { conn: 'none', ctState: 'INVALID' }, expect: false },
    { rule: '-m conntrack --ctorigdst 10.0.1.0/24 --ctorigdstport 80', expect: true },
    { rule: '-m conntrack --ctorigsrc 10.0.0.9', expect: false },
    { rule: '-m conntrack --ctproto tcp', expect: true },
    { rule: '-m conntrack --ctstatus CONFIRMED', expect: false },
    { rule: '-m conntrack --ctexpire 10:100', expect: 'fork' },
  ],
  state: [
    { rule: '-m state --state NEW', expect: true },
    { rule: '-m state --state ESTABLISHED', expect: false },
    { rule: '-m state --state INVALID', set: { conn: 'none', ctState: 'INVALID' }, expect: true },
  ],
  addrtype: [
    { rule: '-m addrtype --dst-type LOCAL', spec: { dst: '10.0.1.254' }, expect: true },
    { rule: '-m addrtype --dst-type LOCAL', expect: false },
    { rule: '-m addrtype --dst-type UNICAST', expect: true },
    { rule: '-m addrtype ! --dst-type LOCAL', expect: true },
    { rule: '-m addrtype --dst-type BROADCAST', spec: { dst: '10.0.1.255' }, expect: true },
    { rule: '-m addrtype --dst-type MULTICAST', spec: { ...udp, dst: '224.0.0.251' }, expect: true },
    // the address is local, but not on the input interface eth0
    { rule: '-m addrtype --dst-type LOCAL --limit-iface-in', spec: { dst: '10.0.1.254' }, expect: false },
    { rule: '-m addrtype --dst-type LOCAL --limit-iface-in', spec: { dst: '10.0.0.254' }, expect: true },
    { rule: '-m addrtype --src-type LOCAL', expect: false },
  ],
  mark: [
    { rule: '-m mark --mark 0x4000/0x4000', spec: { mark: 0x4001 }, expect: true },
    { rule: '-m mark --mark 0x4000/0x4000', expect: false },
    { rule: '-m mark ! --mark 0x4000/0x4000', expect: true },
    { rule: '-m mark --mark 0x1', spec: { mark: 0x1 }, expect: true },
  ],
  connmark: [
    { rule: '-m connmark --mark 0x0', expect: true },
    { rule: '-m connmark --mark 0x1', expect: false },
    { rule: '-m connmark ! --mark 0x1', set: { conn: 'none', ctState: 'INVALID' }, expect: false },
  ],
  comment: [{ rule: '-m comment --comment "anything at all"', expect: true }],
  statistic: [
    { rule: '-m statistic --mode random --probability 0.50000000000', expect: 'fork' },
    { rule: '-m statistic --mode nth --every 3 --packet 0', expect: 'fork' },
    { rule: '-m statistic --mode random --probability 1.00000000000', expect: true },
  ],
  set: [{ rule: '-m set --match-set blocklist src', expect: 'fork' }],
  physdev: [
    { rule: '-m physdev --physdev-is-bridged', expect: false },
    { rule: '-m physdev ! --physdev-is-bridged', expect: true },
    { rule: '-m physdev --physdev-is-bridged', set: { bridged: true, physIn: 'p1', physOut: 'p2' }, expect: true },
    { rule: '-m physdev --physdev-in p1 --physdev-out p+', set: { bridged: true, physIn: 'p1', physOut: 'p2' }, expect: true },
    { rule: '-m physdev --physdev-in p2', set: { bridged: true, physIn: 'p1', physOut: 'p2' }, expect: false },
    { rule: '-m physdev --physdev-is-in --physdev-is-out', set: { bridged: true, physIn: 'p1', physOut: '' }, expect: false },
    // xt_physdev.c: no output port fails --physdev-out before the inversion; no input port skips --physdev-in.
    { rule: '-m physdev ! --physdev-out p2', set: { bridged: true, physIn: 'p1', physOut: '' }, expect: false },
    { rule: '-m physdev ! --physdev-out p2', set: { bridged: true, physIn: 'p1', physOut: 'p1' }, expect: true },
    { rule: '-m physdev --physdev-in p2', set: { bridged: true, physIn: '', physOut: 'p2' }, expect: true },
    { rule: '-m physdev ! --physdev-out p2', expect: true },
  ],
  limit: [{ rule: '-m limit --limit 5/min --limit-burst 10', expect: 'fork' }],
  hashlimit: [{ rule: '-m hashlimit --hashlimit-upto 10/sec --hashlimit-mode srcip --hashlimit-name ssh', expect: 'fork' }],
  dstlimit: [{ rule: '-m dstlimit --dstlimit 10 --dstlimit-mode dstip --dstlimit-name d', expect: 'fork' }],
  recent: [
    { rule: '-m recent --set --name ssh --mask 255.255.255.255 --rsource', expect: true },
    { rule: '-m recent --rcheck --seconds 60 --name ssh --mask 255.255.255.255 --rsource', expect: 'fork' },
  ],
  mac: [
    { rule: '-m mac --mac-source 52:54:00:00:00:09', spec: { srcMac: '52:54:00:00:00:09' }, expect: true },
    { rule: '-m mac --mac-source 52:54:00:00:00:09', spec: { srcMac: '52:54:00:00:00:08' }, expect: false },
    { rule: '-m mac ! --mac-source 52:54:00:00:00:09', spec: { srcMac: '52:54:00:00:00:08' }, expect: true },
  ],
  iprange: [
    { rule: '-m iprange --src-range 10.0.0.1-10.0.0.9', expect: true },
    { rule: '-m iprange --dst-range 10.0.1.3-10.0.1.9', expect: false },
    { rule: '-m iprange ! --dst-range 10.0.1.3-10.0.1.9', expect: true },
  ],
  owner: [
    // forwarded packets have no local socket: true only when every option is inverted (xt_owner)
    { rule: '-m owner --uid-owner 0', expect: false },
    { rule: '-m owner ! --uid-owner 0', expect: true },
    { rule: '-m owner --uid-owner 1000', set: { local: true, uid: 1000, gid: 1000 }, expect: true },
    { rule: '-m owner --uid-owner 1000', set: { local: true }, expect: 'fork' },
  ],
  pkttype: [
    { rule: '-m pkttype --pkt-type unicast', expect: true },
    { rule: '-m pkttype --pkt-type broadcast', expect: false },
    { rule: '-m pkttype --pkt-type broadcast', set: { pktType: 'broadcast' }, expect: true },
  ],
  length: [
    { rule: '-m length --length 0:100', expect: true },
    { rule: '-m length --length 1000:65535', expect: false },
    { rule: '-m length ! --length 1000:65535', expect: true },
  ],
  length2: [{ rule: '-m length2 --length 60', expect: true }],
  tos: [
    { rule: '-m tos --tos 0x10/0x3f', spec: { tos: 0x10 }, expect: true },
    { rule: '-m tos --tos Minimize-Delay', expect: false },
    { rule: '-m tos ! --tos Minimize-Delay', expect: true },
  ],
  dscp: [
    { rule: '-m dscp --dscp 0x2e', spec: { tos: 0xb8 }, expect: true },
    { rule: '-m dscp --dscp-class EF', spec: { tos: 0xb8 }, expect: true },
    { rule: '-m dscp --dscp-class AF11', spec: { tos: 0xb8 }, expect: false },
  ],
  ttl: [
    { rule: '-m ttl --ttl-eq 64', expect: true },
    { rule: '-m ttl ! --ttl-eq 64', expect: false },
    { rule: '-m ttl --ttl-lt 10', expect: false },
    { rule: '-m ttl --ttl-gt 10', expect: true },
  ],
  hl: [
    { rule: '-m hl --hl-eq 64', family: 'ipv6', expect: true },
    { rule: '-m hl --hl-lt 5', family: 'ipv6', expect: false },
  ],
  string: [{ rule: '-m string --string "GET /" --algo bm --to 65535', expect: 'fork' }],
  time: [{ rule: '-m time --timestart 09:00:00 --timestop 17:00:00 --weekdays Mon,Tue', expect: 'fork' }],
  connlimit: [{ rule: '-p tcp -m connlimit --connlimit-above 10 --connlimit-mask 32 --connlimit-saddr', expect: 'fork' }],
  rpfilter: [
    // the route back to 10.0.0.1 leaves through eth0, where the packet came in
    { rule: '-m rpfilter', expect: true },
    { rule: '-m rpfilter --invert', expect: false },
    { rule: '-m rpfilter', spec: { src: '10.0.1.7' }, expect: false },
    { rule: '-m rpfilter --loose', spec: { src: '10.0.1.7' }, expect: true },
  ],
  policy: [
    { rule: '-m policy --dir in --pol none', expect: true },
    { rule: '-m policy --dir in --pol ipsec', expect: false },
  ],
  socket: [{ rule: '-m socket --transparent', expect: 'fork' }],
  frag: [{ rule: '-m frag --fragid 1:100', family: 'ipv6', expect: false }],
  ipv6header: [
    { rule: '-m ipv6header --header prot', family: 'ipv6', expect: true },
    { rule: '-m ipv6header --header frag', family: 'ipv6', expect: false },
    { rule: '-m ipv6header --header frag --soft', family: 'ipv6', expect: false },
  ],
  rt: [{ rule: '-m rt --rt-type 0', family: 'ipv6', expect: false }],
  ah: [
    { rule: '-p ah -m ah --ahspi 500', spec: { proto: 'ah', sport: undefined, dport: undefined }, expect: 'fork' },
    { rule: '-m ah --ahspi 500', expect: false },
  ],
  esp: [
    { rule: '-p esp -m esp --espspi 500:600', spec: { proto: 'esp', sport: undefined, dport: undefined }, expect: 'fork' },
    { rule: '-m esp --espspi 500', expect: false },
  ],
  hbh: [{ rule: '-m hbh --hbh-len 8', family: 'ipv6', expect: false }],
  dst: [{ rule: '-m dst --dst-len 8', family: 'ipv6', expect: false }],
  mh: [
    { rule: '-p mh -m mh --mh-type 1', family: 'ipv6', spec: { proto: 'mh', sport: undefined, dport: undefined }, expect: 'fork' },
    { rule: '-m mh --mh-type 1', family: 'ipv6', expect: false },
  ],
  ecn: [
    { rule: '-p tcp -m ecn --ecn-tcp-ece', spec: { tcpFlags: 'SYN,ECE,CWR' }, expect: true },
    { rule: '-p tcp -m ecn --ecn-tcp-cwr', expect: false },
    { rule: '-m ecn --ecn-ip-ect 1', spec: { tos: 1 }, expect: true },
  ],
  helper: [
    { rule: '-m helper --helper ftp', expect: false },
    { rule: '-m helper ! --helper ftp', expect: true },
  ],
  realm: [
    { rule: '-m realm --realm 0', expect: true },
    { rule: '-m realm --realm 5', expect: false },
  ],
  cgroup: [
    { rule: '-m cgroup --cgroup 0x100001', expect: false },
    { rule: '-m cgroup --cgroup 0x100001', set: { local: true }, expect: 'fork' },
  ],
  nfacct: [{ rule: '-m nfacct --nfacct-name http', expect: 'fork' }],
  tcpmss: [
    { rule: '-p tcp -m tcpmss --mss 1400:1500', expect: true },
    { rule: '-p tcp -m tcpmss --mss 1:500', expect: false },
    { rule: '-p tcp -m tcpmss --mss 1400:1500', spec: { tcpFlags: 'ACK' }, expect: false },
  ],
  connbytes: [
    { rule: '-m connbytes --connbytes 0:10 --connbytes-dir original --connbytes-mode packets', expect: true },
    { rule: '-m connbytes --connbytes 2:10 --connbytes-dir original --connbytes-mode packets', expect: false },
    { rule: '-m connbytes --connbytes 0:10 --connbytes-dir original --connbytes-mode packets', set: { conn: 'established', ctState: 'ESTABLISHED' }, expect: 'fork' },
  ],
  quota: [{ rule: '-m quota --quota 1000000', expect: 'fork' }],
  u32: [{ rule: '-m u32 --u32 "0>>22&0x3C@12>>26&0x3C@0=0x47455420"', expect: 'fork' }],
  ipv4options: [
    { rule: '-m ipv4options --flags 7', expect: false },
    { rule: '-m ipv4options ! --flags 7', expect: true },
  ],
  devgroup: [
    { rule: '-m devgroup --src-group 0x3', expect: true },
    { rule: '-m devgroup --dst-group 0x3', expect: false },
  ],
  cpu: [{ rule: '-m cpu --cpu 0', expect: 'fork' }],
  cluster: [{ rule: '-m cluster --cluster-total-nodes 2 --cluster-local-node 1 --cluster-hash-seed 0xdeadbeef', expect: 'fork' }],
  connlabel: [
    { rule: '-m connlabel --label 5', expect: false },
    { rule: '-m connlabel --label 5 --set', expect: true },
    { rule: '-m connlabel ! --label 5', set: { conn: 'none', ctState: 'INVALID' }, expect: true },
  ],
  bpf: [{ rule: '-m bpf --bytecode "4,48 0 0 9,21 0 1 6,6 0 0 1,6 0 0 0"', expect: 'fork' }],
  osf: [{ rule: '-m osf --genre Linux', expect: 'fork' }],
  ipvs: [
    { rule: '-m ipvs --ipvs', expect: false },
    { rule: '-m ipvs ! --ipvs', expect: true },
  ],
  nth: [{ rule: '-m nth --every 2', expect: 'fork' }],
  random: [{ rule: '-m random --average 30', expect: 'fork' }],
  condition: [{ rule: '-m condition --condition maintenance', expect: 'fork' }],
  account: [{ rule: '-m account --aaddr 10.0.0.0/24 --aname lan', expect: 'fork' }],
  fuzzy: [{ rule: '-m fuzzy --lower-limit 100 --upper-limit 1000', expect: 'fork' }],
  psd: [{ rule: '-m psd --psd-weight-threshold 21', expect: 'fork' }],
  ip_nat_talk: [{ rule: '-m ip_nat_talk', expect: 'fork' }],
  ip_conntrack_talk: [{ rule: '-m ip_conntrack_talk', expect: 'fork' }],
};

const B = { bridge: true } as const;
const BRIDGE_CASES: Record<string, MatchCase[]> = {
  ip: [
    { ...B, rule: '-p IPv4 --ip-src 10.0.0.0/24 --ip-proto tcp --ip-dport 80', expect: true },
    { ...B, rule: '-p IPv4 --ip-dst 10.0.0.0/24', expect: false },
    { ...B, rule: '-p IPv4 --ip-proto icmp --ip-icmp-type 8', spec: icmp, expect: true },
    { ...B, rule: '-p IPv4 --ip-proto udp', expect: false },
  ],
  ip6: [
    { ...B, rule: '-p IPv6 --ip6-src fd00::/64 --ip6-proto tcp --ip6-dport 80', family: 'ipv6', expect: true },
    { ...B, rule: '-p IPv6 --ip6-proto udp', family: 'ipv6', expect: false },
  ],
  arp: [{ ...B, rule: '-p ARP --arp-op Request', expect: false }],
  vlan: [{ ...B, rule: '-p 802_1Q --vlan-id 10', expect: false }],
  stp: [{ ...B, rule: '-d BGA --stp-type config', expect: false }],
  among: [
    { ...B, rule: '--among-src 52:54:00:00:00:09,52:54:00:00:00:0a', spec: { srcMac: '52:54:00:00:00:09' }, expect: true },
    { ...B, rule: '--among-src 52:54:00:00:00:0a', spec: { srcMac: '52:54:00:00:00:09' }, expect: false },
    { ...B, rule: '--among-src 52:54:00:00:00:09=10.0.0.1', spec: { srcMac: '52:54:00:00:00:09' }, expect: true },
  ],
  limit: [{ ...B, rule: '--limit 10/sec', expect: 'fork' }],
  mark_m: [
    { ...B, rule: '--mark 0x10/0xf0', spec: { mark: 0x13 }, expect: true },
    { ...B, rule: '--mark 0x20', spec: { mark: 0x13 }, expect: false },
  ],
  pkttype: [
    { ...B, rule: '--pkttype-type otherhost', set: { pktType: 'otherhost' }, expect: true },
    { ...B, rule: '--pkttype-type broadcast', set: { pktType: 'otherhost' }, expect: false },
  ],
  '802_3': [{ ...B, rule: '--802_3-type 0x0800', expect: false }],
  log: [{ ...B, rule: '--log-level info --log-prefix "x" --log-ip', expect: true }],
  nflog: [{ ...B, rule: '--nflog-group 2 --nflog-prefix "x"', expect: true }],
  ulog: [{ ...B, rule: '--ulog-prefix "x" --ulog-nlgroup 2', expect: true }],
};

describe('every match module has semantics and cases', () => {
  it('iptables modules', () => expect(MATCHES.map((m) => m.name).filter((n) => !CASES[n])).toEqual([]));
  it('ebtables modules', () => expect(EB_MATCHES.map((m) => m.name).filter((n) => !BRIDGE_CASES[n])).toEqual([]));
});

const rows = (table: Record<string, MatchCase[]>) =>
  Object.entries(table).flatMap(([mod, cases]) => cases.map((c) => [mod, `${c.rule}${c.spec ? ` ${JSON.stringify(c.spec)}` : ''}${c.set ? ` ${JSON.stringify(c.set)}` : ''}`, c] as const));

describe.each(rows(CASES))('iptables -m %s', (_m, _name, c) => {
  it(`${c.rule} → ${String(c.expect)}`, () => expect(evaluate(c)).toBe(c.expect));
});

describe.each(rows(BRIDGE_CASES))('ebtables %s', (_m, _name, c) => {
  it(`${c.rule} → ${String(c.expect)}`, () => expect(evaluate(c)).toBe(c.expect));
});

describe('base match (-s -d -i -o -p -f)', () => {
  it.each([
    ['-s 10.0.0.0/24 -d 10.0.1.2/32 -i eth0 -o eth1 -p tcp', true],
    ['! -s 10.0.0.0/24', false],
    ['-i eth+ -o eth1', true],
    ['-i eth1', false],
    ['! -o eth0', true],
    ['-p udp', false],
    ['-f', false],
    ['! -f', true],
  ] as const)('%s → %s', (rule, expected) => expect(evaluate({ rule, expect: expected })).toBe(expected));
});
