// iptables/ip6tables match extensions (iptables-extensions(8), "MATCH EXTENSIONS"). Option order within a
// module is kept as written; the first spelling of a key is the one iptables-save prints.
import { CT_STATES } from './names';
import { match, opt, type ModuleSpec } from './spec';
import * as v from './value-types';
import type { ValueType } from './value-types';
import type { NumberValue, TcpFlags } from '../ir/values';

const n = v.uint();
const f = v.flag;
const s = v.string;

/** `--syn` is `--tcp-flags FIN,SYN,RST,ACK SYN`; iptables-save prints it that way. */
const syn: ValueType<TcpFlags> = { arity: 0, parse: () => ({ type: 'tcp-flags', mask: 0x17, compare: 0x02 }) };

/** statistic `--probability 0.5`: kept as written (iptables-save prints 11 decimals). */
const probability: ValueType<NumberValue> = {
  arity: 1,
  parse: (w) => {
    const p = Number(w[0]);
    if (!Number.isFinite(p) || p < 0 || p > 1) throw new v.ValueError(`probability '${w[0]}' is not between 0 and 1`);
    return { type: 'number', value: p };
  },
};

const ctstate = v.keywordList(CT_STATES);
const ctStatus = v.keywordList(['NONE', 'EXPECTED', 'SEEN_REPLY', 'ASSURED', 'CONFIRMED']);
const addrTypes = v.keywordList([
  'UNSPEC', 'UNICAST', 'LOCAL', 'BROADCAST', 'ANYCAST', 'MULTICAST', 'BLACKHOLE', 'UNREACHABLE', 'PROHIBIT',
  'THROW', 'NAT', 'XRESOLVE',
]);
const ports = () => [
  opt('sport', ['--sport', '--source-port'], v.portRange),
  opt('dport', ['--dport', '--destination-port'], v.portRange),
];

export const MATCHES: readonly ModuleSpec[] = [
  match('tcp', [
    ...ports(),
    opt('tcp-flags', '--tcp-flags', v.tcpFlags),
    opt('tcp-flags', '--syn', syn),
    opt('tcp-option', '--tcp-option', v.uint(255)),
  ], { implicitFor: [6] }),
  match('udp', ports(), { implicitFor: [17] }),
  match('udplite', ports(), { implicitFor: [136] }),
  match('sctp', [
    ...ports(),
    opt('chunk-types', '--chunk-types', v.raw(2)),
  ], { implicitFor: [132] }),
  match('dccp', [
    ...ports(),
    opt('dccp-types', '--dccp-types', v.list),
    opt('dccp-option', '--dccp-option', n),
  ], { implicitFor: [33] }),
  match('icmp', [opt('icmp-type', '--icmp-type', v.icmpType)], { families: ['ipv4'], implicitFor: [1] }),
  match('icmp6', [opt('icmpv6-type', '--icmpv6-type', v.icmpv6Type)], {
    aliases: ['icmpv6', 'ipv6-icmp'], families: ['ipv6'], implicitFor: [58],
  }),
  match('multiport', [
    // fwbuilder writes `-m multiport --destination-port 80,119`; written after -m multiport it means the list.
    opt('sports', ['--sports', '--source-ports', '--source-port'], v.portList),
    opt('dports', ['--dports', '--destination-ports', '--destination-port'], v.portList),
    opt('ports', '--ports', v.portList),
  ]),
  match('conntrack', [
    opt('ctstate', '--ctstate', ctstate),
    opt('ctproto', '--ctproto', v.protocolNumber),
    opt('ctorigsrc', '--ctorigsrc', v.address),
    opt('ctorigdst', '--ctorigdst', v.address),
    opt('ctreplsrc', '--ctreplsrc', v.address),
    opt('ctrepldst', '--ctrepldst', v.address),
    opt('ctorigsrcport', '--ctorigsrcport', v.portRange),
    opt('ctorigdstport', '--ctorigdstport', v.portRange),
    opt('ctreplsrcport', '--ctreplsrcport', v.portRange),
    opt('ctrepldstport', '--ctrepldstport', v.portRange),
    opt('ctstatus', '--ctstatus', ctStatus),
    opt('ctexpire', '--ctexpire', v.numberRange(0xffffffff)),
    opt('ctdir', '--ctdir', v.keyword(['ORIGINAL', 'REPLY']), false),
  ]),
  match('state', [opt('state', '--state', ctstate)]),
  match('addrtype', [
    opt('src-type', '--src-type', addrTypes),
    opt('dst-type', '--dst-type', addrTypes),
    opt('limit-iface-in', '--limit-iface-in', f, false),
    opt('limit-iface-out', '--limit-iface-out', f, false),
  ]),
  match('mark', [opt('mark', '--mark', v.mark)]),
  match('connmark', [opt('mark', '--mark', v.mark)]),
  match('comment', [opt('comment', '--comment', v.quotedString, false)]),
  match('statistic', [
    opt('mode', '--mode', v.keyword(['random', 'nth']), false),
    opt('probability', '--probability', probability),
    opt('every', '--every', n),
    opt('packet', '--packet', n, false),
  ]),
  match('set', [
    opt('match-set', ['--match-set', '--set'], v.raw(2)),
    opt('return-nomatch', '--return-nomatch', f, false),
    opt('update-counters', '--update-counters', f),
    opt('update-subcounters', '--update-subcounters', f),
    opt('packets-eq', '--packets-eq', n),
    opt('packets-lt', '--packets-lt', n, false),
    opt('packets-gt', '--packets-gt', n, false),
    opt('bytes-eq', '--bytes-eq', n),
    opt('bytes-lt', '--bytes-lt', n, false),
    opt('bytes-gt', '--bytes-gt', n, false),
  ]),
  match('physdev', [
    opt('physdev-in', '--physdev-in', v.iface),
    opt('physdev-out', '--physdev-out', v.iface),
    opt('physdev-is-in', '--physdev-is-in', f),
    opt('physdev-is-out', '--physdev-is-out', f),
    opt('physdev-is-bridged', '--physdev-is-bridged', f),
  ]),
  match('limit', [
    opt('limit', '--limit', v.rate, false),
    opt('limit-burst', '--limit-burst', n, false),
  ]),
  match('hashlimit', [
    opt('hashlimit-upto', ['--hashlimit-upto', '--hashlimit'], v.raw(), false),
    opt('hashlimit-above', '--hashlimit-above', v.raw(), false),
    opt('hashlimit-burst', '--hashlimit-burst', v.raw(), false),
    opt('hashlimit-mode', '--hashlimit-mode', v.list, false),
    opt('hashlimit-srcmask', '--hashlimit-srcmask', n, false),
    opt('hashlimit-dstmask', '--hashlimit-dstmask', n, false),
    opt('hashlimit-name', '--hashlimit-name', s, false),
    opt('hashlimit-htable-size', '--hashlimit-htable-size', n, false),
    opt('hashlimit-htable-max', '--hashlimit-htable-max', n, false),
    opt('hashlimit-htable-expire', '--hashlimit-htable-expire', n, false),
    opt('hashlimit-htable-gcinterval', '--hashlimit-htable-gcinterval', n, false),
    opt('hashlimit-rate-match', '--hashlimit-rate-match', f, false),
    opt('hashlimit-rate-interval', '--hashlimit-rate-interval', n, false),
  ]),
  match('dstlimit', [
    opt('dstlimit', '--dstlimit', v.raw(), false),
    opt('dstlimit-burst', '--dstlimit-burst', n, false),
    opt('dstlimit-mode', '--dstlimit-mode', s, false),
    opt('dstlimit-name', '--dstlimit-name', s, false),
    opt('dstlimit-htable-size', '--dstlimit-htable-size', n, false),
    opt('dstlimit-htable-max', '--dstlimit-htable-max', n, false),
    opt('dstlimit-htable-expire', '--dstlimit-htable-expire', n, false),
    opt('dstlimit-htable-gcinterval', '--dstlimit-htable-gcinterval', n, false),
  ], { families: ['ipv4'] }),
  match('recent', [
    opt('name', '--name', s, false),
    opt('set', '--set', f),
    opt('rcheck', '--rcheck', f),
    opt('update', '--update', f),
    opt('remove', '--remove', f),
    opt('seconds', '--seconds', n, false),
    opt('reap', '--reap', f, false),
    opt('hitcount', '--hitcount', n, false),
    opt('rttl', '--rttl', f, false),
    opt('rsource', '--rsource', f, false),
    opt('rdest', '--rdest', f, false),
    opt('mask', '--mask', v.plainAddress, false),
  ]),
  match('mac', [opt('mac-source', '--mac-source', v.macMask)]),
  match('iprange', [
    opt('src-range', '--src-range', v.addressRange),
    opt('dst-range', '--dst-range', v.addressRange),
  ]),
  match('owner', [
    opt('uid-owner', '--uid-owner', v.raw()),
    opt('gid-owner', '--gid-owner', v.raw()),
    opt('socket-exists', '--socket-exists', f),
    opt('suppl-groups', '--suppl-groups', f, false),
    opt('pid-owner', '--pid-owner', n),
    opt('sid-owner', '--sid-owner', n),
    opt('cmd-owner', '--cmd-owner', s),
  ]),
  match('pkttype', [opt('pkt-type', '--pkt-type', v.keyword(['unicast', 'broadcast', 'multicast', 'host', 'otherhost']))]),
  match('length', [opt('length', '--length', v.numberRange(65535))]),
  match('length2', [
    opt('length', '--length', v.numberRange(65535)),
    opt('layer3', '--layer3', f, false),
    opt('layer4', '--layer4', f, false),
    opt('layer5', '--layer5', f, false),
  ]),
  match('tos', [opt('tos', '--tos', v.tosValue)]),
  match('dscp', [
    opt('dscp', '--dscp', v.uint(63, 'DSCP value')),
    opt('dscp-class', '--dscp-class', s),
  ]),
  match('ttl', [
    opt('ttl-eq', '--ttl-eq', v.uint(255)),
    opt('ttl-lt', '--ttl-lt', v.uint(255), false),
    opt('ttl-gt', '--ttl-gt', v.uint(255), false),
  ], { families: ['ipv4'] }),
  match('hl', [
    opt('hl-eq', '--hl-eq', v.uint(255)),
    opt('hl-lt', '--hl-lt', v.uint(255), false),
    opt('hl-gt', '--hl-gt', v.uint(255), false),
  ], { families: ['ipv6'] }),
  match('string', [
    opt('algo', '--algo', v.keyword(['bm', 'kmp']), false),
    opt('from', '--from', n, false),
    opt('to', '--to', n, false),
    opt('string', '--string', v.quotedString),
    opt('hex-string', '--hex-string', v.quotedString),
    opt('icase', '--icase', f, false),
  ]),
  match('time', [
    opt('datestart', '--datestart', s, false),
    opt('datestop', '--datestop', s, false),
    opt('timestart', '--timestart', s, false),
    opt('timestop', '--timestop', s, false),
    opt('monthdays', '--monthdays', v.list),
    { ...opt('weekdays', ['--weekdays', '--days'], v.list), savedSpellings: ['--days'] },
    opt('contiguous', '--contiguous', f, false),
    opt('kerneltz', '--kerneltz', f, false),
    opt('utc', '--utc', f, false),
    opt('localtz', '--localtz', f, false),
  ]),
  match('connlimit', [
    opt('connlimit-upto', '--connlimit-upto', n, false),
    opt('connlimit-above', '--connlimit-above', n),
    opt('connlimit-mask', '--connlimit-mask', n, false),
    opt('connlimit-saddr', '--connlimit-saddr', f, false),
    opt('connlimit-daddr', '--connlimit-daddr', f, false),
  ]),
  match('rpfilter', [
    opt('loose', '--loose', f, false),
    opt('validmark', '--validmark', f, false),
    opt('accept-local', '--accept-local', f, false),
    opt('invert', '--invert', f, false),
  ]),
  match('policy', [
    opt('dir', '--dir', v.keyword(['in', 'out']), false),
    opt('pol', '--pol', v.keyword(['none', 'ipsec']), false),
    opt('strict', '--strict', f, false),
    opt('reqid', '--reqid', n),
    opt('spi', '--spi', n),
    opt('proto', '--proto', v.protocol),
    opt('mode', '--mode', v.keyword(['tunnel', 'transport'])),
    opt('tunnel-src', '--tunnel-src', v.address),
    opt('tunnel-dst', '--tunnel-dst', v.address),
    opt('next', '--next', f, false),
  ]),
  match('socket', [
    opt('transparent', '--transparent', f, false),
    opt('nowildcard', '--nowildcard', f, false),
    opt('restore-skmark', '--restore-skmark', f, false),
  ]),
  match('frag', [
    opt('fragid', '--fragid', v.numberRange(0xffffffff)),
    opt('fraglen', '--fraglen', n),
    opt('fragres', '--fragres', f, false),
    opt('fragfirst', '--fragfirst', f, false),
    opt('fragmore', '--fragmore', f, false),
    opt('fraglast', '--fraglast', f, false),
  ], { families: ['ipv6'] }),
  match('ipv6header', [
    opt('header', '--header', v.list),
    opt('soft', '--soft', f, false),
  ], { families: ['ipv6'] }),
  match('rt', [
    opt('rt-type', '--rt-type', n),
    opt('rt-segsleft', '--rt-segsleft', v.numberRange(0xffffffff)),
    opt('rt-len', '--rt-len', n),
    opt('rt-0-res', '--rt-0-res', f, false),
    opt('rt-0-addrs', '--rt-0-addrs', v.list, false),
    opt('rt-0-not-strict', '--rt-0-not-strict', f, false),
  ], { families: ['ipv6'] }),
  match('ah', [
    opt('ahspi', '--ahspi', v.numberRange(0xffffffff)),
    opt('ahlen', '--ahlen', n),
    opt('ahres', '--ahres', f, false),
  ]),
  match('esp', [opt('espspi', '--espspi', v.numberRange(0xffffffff))]),
  match('hbh', [opt('hbh-len', '--hbh-len', n), opt('hbh-opts', '--hbh-opts', v.list, false)], { families: ['ipv6'] }),
  match('dst', [opt('dst-len', '--dst-len', n), opt('dst-opts', '--dst-opts', v.list, false)], { families: ['ipv6'] }),
  match('mh', [opt('mh-type', '--mh-type', v.raw())], { families: ['ipv6'], implicitFor: [135] }),
  match('ecn', [
    opt('ecn-tcp-cwr', '--ecn-tcp-cwr', f),
    opt('ecn-tcp-ece', '--ecn-tcp-ece', f),
    opt('ecn-ip-ect', '--ecn-ip-ect', v.uint(3)),
  ]),
  match('helper', [opt('helper', '--helper', s)]),
  match('realm', [opt('realm', '--realm', v.raw())], { families: ['ipv4'] }),
  match('cgroup', [opt('cgroup', '--cgroup', n), opt('path', '--path', s)]),
  match('nfacct', [opt('nfacct-name', '--nfacct-name', s, false)]),
  match('tcpmss', [opt('mss', '--mss', v.numberRange(65535))]),
  match('connbytes', [
    opt('connbytes', '--connbytes', v.numberRange(Number.MAX_SAFE_INTEGER)),
    opt('connbytes-dir', '--connbytes-dir', v.keyword(['original', 'reply', 'both']), false),
    opt('connbytes-mode', '--connbytes-mode', v.keyword(['packets', 'bytes', 'avgpkt']), false),
  ]),
  match('quota', [opt('quota', '--quota', n)]),
  match('u32', [opt('u32', '--u32', v.quotedString)]),
  match('ipv4options', [
    opt('ssrr', '--ssrr', f, false),
    opt('lsrr', '--lsrr', f, false),
    opt('no-srr', '--no-srr', f, false),
    opt('rr', '--rr', f),
    opt('ts', '--ts', f),
    opt('ra', '--ra', f),
    opt('any-opt', '--any-opt', f),
    opt('flags', '--flags', v.list),
    opt('any', '--any', f, false),
  ], { families: ['ipv4'] }),
  match('devgroup', [opt('src-group', '--src-group', v.mark), opt('dst-group', '--dst-group', v.mark)]),
  match('cpu', [opt('cpu', '--cpu', n)]),
  match('cluster', [
    opt('cluster-total-nodes', '--cluster-total-nodes', n, false),
    opt('cluster-local-node', '--cluster-local-node', n),
    opt('cluster-local-nodemask', '--cluster-local-nodemask', n),
    opt('cluster-hash-seed', '--cluster-hash-seed', n, false),
  ]),
  match('connlabel', [opt('label', '--label', s), opt('set', '--set', f, false)]),
  match('bpf', [opt('bytecode', '--bytecode', v.quotedString, false), opt('object-pinned', '--object-pinned', s, false)]),
  match('osf', [opt('genre', '--genre', s), opt('ttl', '--ttl', n, false), opt('log', '--log', n, false)], { families: ['ipv4'] }),
  match('ipvs', [
    opt('ipvs', '--ipvs', f), opt('vproto', '--vproto', n), opt('vaddr', '--vaddr', v.address),
    opt('vport', '--vport', n), opt('vdir', '--vdir', v.keyword(['ORIGINAL', 'REPLY']), false),
    opt('vmethod', '--vmethod', s), opt('vportctl', '--vportctl', n),
  ]),
  // Patch-o-matic era modules still found in published rulesets (netfilter's pre-2.6.x extensions).
  match('nth', [
    opt('every', '--every', n, false), opt('counter', '--counter', n, false),
    opt('start', '--start', n, false), opt('packet', '--packet', n, false),
  ], { families: ['ipv4'] }),
  match('random', [opt('average', '--average', n, false)], { families: ['ipv4'] }),
  match('condition', [opt('condition', '--condition', s)]),
  match('account', [
    opt('aaddr', '--aaddr', v.address, false), opt('aname', '--aname', s, false), opt('ashort', '--ashort', f, false),
  ], { families: ['ipv4'] }),
  match('fuzzy', [opt('lower-limit', '--lower-limit', n, false), opt('upper-limit', '--upper-limit', n, false)], { families: ['ipv4'] }),
  match('psd', [
    opt('psd-weight-threshold', '--psd-weight-threshold', n, false),
    opt('psd-delay-threshold', '--psd-delay-threshold', n, false),
    opt('psd-lo-ports-weight', '--psd-lo-ports-weight', n, false),
    opt('psd-hi-ports-weight', '--psd-hi-ports-weight', n, false),
  ], { families: ['ipv4'] }),
  match('ip_nat_talk', [], { families: ['ipv4'] }),
  match('ip_conntrack_talk', [], { families: ['ipv4'] }),
];
