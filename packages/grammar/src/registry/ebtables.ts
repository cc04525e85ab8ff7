// ebtables: the built-in frame fields, the option-named match/watcher modules and the targets
// (ebtables(8); ebtables-nft(8)); the first spelling is the short one ebtables-save prints. Unlike iptables, ebtables loads a module by its options, no `-m` needed.
import { match, opt, target, type ModuleSpec, type OptionSpec, type TargetSpec } from './spec';
import * as v from './value-types';
import type { ValueType } from './value-types';
import type { AddressMask, PortRange } from '../ir/values';

const f = v.flag;
const n = v.uint();
const s = v.string;
const B = ['bridge'] as const;

/**
 * --ip-src etc. are IPv4 even in the bridge family. ebtables reads each part of the address and a `/len` mask
 * in decimal (libebt_ip.c undot_ip / ip_mask, strtol base 10), so a leading zero is only a zero: `010.0.0.1` is
 * 10.0.0.1 there (iptables would read it as octal, and chainsight refuses it in iptables rules).
 */
const ip4: ValueType<AddressMask> = {
  arity: 1,
  addressLike: true,
  parse: (w) => v.address.parse([w[0]!.replace(/(^|[./])0+(?=\d)/g, '$1')], { family: 'ipv4' }),
  format: v.address.format,
};
const ip6: ValueType<AddressMask> = { arity: 1, addressLike: true, parse: (w) => v.address.parse(w, { family: 'ipv6' }), format: v.address.format };
const port: ValueType<PortRange> = v.ebPortRange;

/** Base options of every ebtables rule (the ebt_entry fields). */
export const EB_BASE: readonly OptionSpec[] = [
  opt('protocol', ['-p', '--protocol', '--proto'], v.ethertype),
  opt('in-interface', ['-i', '--in-interface', '--in-if'], v.iface),
  opt('out-interface', ['-o', '--out-interface', '--out-if'], v.iface),
  opt('logical-in', ['--logical-in'], v.iface),
  opt('logical-out', ['--logical-out'], v.iface),
  opt('source', ['-s', '--source', '--src'], v.macMask),
  opt('destination', ['-d', '--destination', '--dst'], v.macMask),
];

export const EB_MATCHES: readonly ModuleSpec[] = [
  match('ip', [
    opt('ip-source', ['--ip-src', '--ip-source'], ip4),
    opt('ip-destination', ['--ip-dst', '--ip-destination'], ip4),
    opt('ip-tos', '--ip-tos', v.hexUint(255)),
    opt('ip-protocol', ['--ip-proto', '--ip-protocol'], v.protocol),
    opt('ip-source-port', ['--ip-sport', '--ip-source-port'], port),
    opt('ip-destination-port', ['--ip-dport', '--ip-destination-port'], port),
    opt('ip-icmp-type', '--ip-icmp-type', v.ebIcmpType),
  ], { families: [...B] }),
  match('ip6', [
    opt('ip6-source', ['--ip6-src', '--ip6-source'], ip6),
    opt('ip6-destination', ['--ip6-dst', '--ip6-destination'], ip6),
    opt('ip6-tclass', '--ip6-tclass', v.hexUint(255)),
    opt('ip6-protocol', ['--ip6-proto', '--ip6-protocol'], v.protocol),
    opt('ip6-source-port', ['--ip6-sport', '--ip6-source-port'], port),
    opt('ip6-destination-port', ['--ip6-dport', '--ip6-destination-port'], port),
    opt('ip6-icmp-type', '--ip6-icmp-type', v.ebIcmpv6Type),
  ], { families: [...B] }),
  match('arp', [
    opt('arp-opcode', ['--arp-op', '--arp-opcode'], s),
    opt('arp-htype', '--arp-htype', s),
    opt('arp-ptype', '--arp-ptype', s),
    opt('arp-ip-src', '--arp-ip-src', ip4),
    opt('arp-ip-dst', '--arp-ip-dst', ip4),
    opt('arp-mac-src', '--arp-mac-src', v.macMask),
    opt('arp-mac-dst', '--arp-mac-dst', v.macMask),
    opt('arp-gratuitous', '--arp-gratuitous', f),
  ], { families: [...B] }),
  match('vlan', [
    opt('vlan-id', '--vlan-id', v.uint(4095)),
    opt('vlan-prio', '--vlan-prio', v.uint(7)),
    opt('vlan-encap', '--vlan-encap', v.ethertype),
  ], { families: [...B] }),
  match('stp', [
    opt('stp-type', '--stp-type', s),
    opt('stp-flags', '--stp-flags', s),
    opt('stp-root-prio', '--stp-root-prio', v.numberRange(65535)),
    opt('stp-root-addr', '--stp-root-addr', v.macMask),
    opt('stp-root-cost', '--stp-root-cost', v.numberRange(0xffffffff)),
    opt('stp-sender-prio', '--stp-sender-prio', v.numberRange(65535)),
    opt('stp-sender-addr', '--stp-sender-addr', v.macMask),
    opt('stp-port', '--stp-port', v.numberRange(65535)),
    opt('stp-msg-age', '--stp-msg-age', v.numberRange(65535)),
    opt('stp-max-age', '--stp-max-age', v.numberRange(65535)),
    opt('stp-hello-time', '--stp-hello-time', v.numberRange(65535)),
    opt('stp-forward-delay', '--stp-forward-delay', v.numberRange(65535)),
  ], { families: [...B] }),
  match('among', [
    opt('among-dst', '--among-dst', v.list),
    opt('among-src', '--among-src', v.list),
    opt('among-dst-file', '--among-dst-file', s),
    opt('among-src-file', '--among-src-file', s),
  ], { families: [...B] }),
  match('limit', [
    opt('limit', '--limit', v.rate, false),
    opt('limit-burst', '--limit-burst', n, false),
  ], { families: [...B] }),
  match('mark_m', [opt('mark', '--mark', v.mark)], { families: [...B] }),
  match('pkttype', [opt('pkttype-type', '--pkttype-type', s)], { families: [...B] }),
  match('802_3', [opt('802_3-sap', '--802_3-sap', v.hexUint(255)), opt('802_3-type', '--802_3-type', v.hexUint(65535))], { families: [...B] }),
  // Watchers: they observe and never change the verdict.
  match('log', [
    opt('log', '--log', f, false),
    opt('log-level', '--log-level', v.ebLogLevel, false),
    opt('log-prefix', '--log-prefix', v.quotedString, false),
    opt('log-ip', '--log-ip', f, false),
    opt('log-arp', '--log-arp', f, false),
    opt('log-ip6', '--log-ip6', f, false),
  ], { families: [...B] }),
  match('nflog', [
    opt('nflog', '--nflog', f, false),
    opt('nflog-group', '--nflog-group', n, false),
    opt('nflog-prefix', '--nflog-prefix', v.quotedString, false),
    opt('nflog-range', '--nflog-range', n, false),
    opt('nflog-threshold', '--nflog-threshold', n, false),
  ], { families: [...B] }),
  match('ulog', [
    opt('ulog', '--ulog', f, false),
    opt('ulog-prefix', '--ulog-prefix', v.quotedString, false),
    opt('ulog-nlgroup', '--ulog-nlgroup', n, false),
    opt('ulog-cprange', '--ulog-cprange', n, false),
    opt('ulog-qthreshold', '--ulog-qthreshold', n, false),
  ], { families: [...B] }),
];

const ebVerdict = v.keyword(['ACCEPT', 'DROP', 'CONTINUE', 'RETURN']);

export const EB_TARGETS: readonly TargetSpec[] = [
  target('mark', [
    opt('mark-set', ['--mark-set', '--set-mark'], v.hexUint(), false),
    opt('mark-or', '--mark-or', v.hexUint(), false),
    opt('mark-and', '--mark-and', v.hexUint(), false),
    opt('mark-xor', '--mark-xor', v.hexUint(), false),
    opt('mark-target', '--mark-target', ebVerdict, false),
  ], { families: [...B] }),
  target('snat', [
    opt('to-source', ['--to-source', '--to-src'], v.macMask, false),
    opt('snat-target', '--snat-target', ebVerdict, false),
    opt('snat-arp', '--snat-arp', f, false),
  ], { families: [...B], tables: ['nat'], terminating: true }),
  target('dnat', [
    opt('to-destination', ['--to-destination', '--to-dst'], v.macMask, false),
    opt('dnat-target', '--dnat-target', ebVerdict, false),
  ], { families: [...B], tables: ['nat', 'broute'], terminating: true }),
  target('redirect', [opt('redirect-target', '--redirect-target', ebVerdict, false)], {
    families: [...B], tables: ['nat', 'broute'], terminating: true,
  }),
  target('arpreply', [
    opt('arpreply-mac', '--arpreply-mac', v.macMask, false),
    opt('arpreply-target', '--arpreply-target', ebVerdict, false),
  ], { families: [...B], tables: ['nat'], terminating: true }),
];

export const EB_VERDICTS = new Set(['ACCEPT', 'DROP', 'CONTINUE', 'RETURN']);
