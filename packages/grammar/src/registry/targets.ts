// iptables/ip6tables target extensions (iptables-extensions(8), "TARGET EXTENSIONS").
// `tables` is where the kernel's checkentry accepts the target; lint reports others.
import { opt, target, type TargetSpec } from './spec';
import * as v from './value-types';
import type { ValueType } from './value-types';
import type { MarkMask } from '../ir/values';

const n = v.uint();
const f = v.flag;
const s = v.string;

/**
 * MARK/CONNMARK: every form is stored as the kernel's (value, mask) pair of `mark = (mark & ~mask) ^ value`,
 * and printed as iptables-save does, `--set-xmark value/mask` (libxt_MARK.c, mark_tg_parse).
 */
const markForm = (build: (m: MarkMask) => MarkMask): ValueType<MarkMask> => ({
  arity: 1,
  parse: (w, ctx) => build(v.mark.parse(w, ctx)),
  format: v.xmark.format,
});
const setXmark = markForm((m) => m);
const setMark = markForm((m) => ({ type: 'mark', value: m.value, mask: (m.value | m.mask) >>> 0 }));
/** `--and-mark`/`--or-mark`/`--xor-mark` take one 32-bit number (XTTYPE_UINT32): `--and-mark 1/2` is refused. */
const bitsForm = (build: (bits: number) => MarkMask): ValueType<MarkMask> => ({
  arity: 1,
  parse: (w) => build(v.parseUint(w[0]!, 0xffffffff, 'mark')),
  format: v.xmark.format,
});
const andMark = bitsForm((b) => ({ type: 'mark', value: 0, mask: ~b >>> 0 }));
const orMark = bitsForm((b) => ({ type: 'mark', value: b, mask: b }));
const xorMark = bitsForm((b) => ({ type: 'mark', value: b, mask: 0 }));

const markOptions = (key = 'set-xmark') => [
  opt(key, '--set-xmark', setXmark, false),
  opt(key, '--set-mark', setMark, false),
  opt(key, '--and-mark', andMark, false),
  opt(key, '--or-mark', orMark, false),
  opt(key, '--xor-mark', xorMark, false),
];

const REJECT_V4 = [
  'icmp-net-unreachable', 'net-unreach', 'icmp-host-unreachable', 'host-unreach', 'icmp-port-unreachable',
  'port-unreach', 'icmp-proto-unreachable', 'proto-unreach', 'icmp-net-prohibited', 'net-prohib',
  'icmp-host-prohibited', 'host-prohib', 'icmp-admin-prohibited', 'admin-prohib', 'tcp-reset', 'tcp-rst',
  'icmp-echo-reply', 'echo-reply',
];
const REJECT_V6 = [
  'icmp6-no-route', 'no-route', 'icmp6-adm-prohibited', 'adm-prohibited', 'icmp6-addr-unreachable',
  'addr-unreach', 'icmp6-port-unreachable', 'port-unreach', 'icmp6-policy-fail', 'policy-fail',
  'icmp6-reject-route', 'reject-route', 'tcp-reset', 'tcp-rst',
];

const nat = ['nat'];

export const TARGETS: readonly TargetSpec[] = [
  // ipt_REJECT/ip6t_REJECT register with `.table = "filter"`: the kernel refuses them elsewhere (checked).
  target('REJECT', [opt('reject-with', '--reject-with', v.keyword([...REJECT_V4, ...REJECT_V6]), false)], {
    tables: ['filter'], terminating: true,
  }),
  target('LOG', [
    opt('log-level', '--log-level', v.syslogLevel, false),
    opt('log-prefix', '--log-prefix', v.quotedString, false),
    opt('log-tcp-sequence', '--log-tcp-sequence', f, false),
    opt('log-tcp-options', '--log-tcp-options', f, false),
    opt('log-ip-options', '--log-ip-options', f, false),
    opt('log-uid', '--log-uid', f, false),
    opt('log-macdecode', '--log-macdecode', f, false),
  ]),
  target('NFLOG', [
    opt('nflog-group', '--nflog-group', n, false),
    opt('nflog-prefix', '--nflog-prefix', v.quotedString, false),
    opt('nflog-range', '--nflog-range', n, false),
    opt('nflog-size', '--nflog-size', n, false),
    opt('nflog-threshold', '--nflog-threshold', n, false),
  ]),
  target('ULOG', [
    opt('ulog-nlgroup', '--ulog-nlgroup', n, false),
    opt('ulog-prefix', '--ulog-prefix', v.quotedString, false),
    opt('ulog-cprange', '--ulog-cprange', n, false),
    opt('ulog-qthreshold', '--ulog-qthreshold', n, false),
  ], { families: ['ipv4'] }),
  target('TRACE', [], { tables: ['raw'] }),
  target('MARK', markOptions()),
  target('CONNMARK', [
    ...markOptions(),
    opt('save-mark', '--save-mark', f, false),
    opt('restore-mark', '--restore-mark', f, false),
    opt('nfmask', '--nfmask', v.hexUint(), false),
    opt('ctmask', '--ctmask', v.hexUint(), false),
    opt('mask', '--mask', v.hexUint(), false),
  ]),
  target('CT', [
    opt('notrack', '--notrack', f, false),
    opt('helper', '--helper', s, false),
    opt('ctevents', '--ctevents', v.list, false),
    opt('expevents', '--expevents', v.list, false),
    opt('zone', '--zone', s, false),
    opt('zone-orig', '--zone-orig', s, false),
    opt('zone-reply', '--zone-reply', s, false),
    opt('timeout', '--timeout', s, false),
  ], { tables: ['raw'] }),
  target('NOTRACK', [], { tables: ['raw'] }),
  target('DNAT', [
    opt('to-destination', '--to-destination', v.natRange, false),
    opt('random', '--random', f, false),
    opt('persistent', '--persistent', f, false),
  ], { tables: nat, terminating: true }),
  target('SNAT', [
    opt('to-source', '--to-source', v.natRange, false),
    opt('random', '--random', f, false),
    opt('random-fully', '--random-fully', f, false),
    opt('persistent', '--persistent', f, false),
  ], { tables: nat, terminating: true }),
  target('MASQUERADE', [
    opt('to-ports', '--to-ports', v.natPorts, false),
    opt('random', '--random', f, false),
    opt('random-fully', '--random-fully', f, false),
  ], { tables: nat, terminating: true }),
  target('REDIRECT', [
    opt('to-ports', '--to-ports', v.natPorts, false),
    opt('random', '--random', f, false),
  ], { tables: nat, terminating: true }),
  target('NETMAP', [opt('to', '--to', v.natRange, false)], { tables: nat, terminating: true }),
  target('TPROXY', [
    opt('on-port', '--on-port', v.uint(65535), false),
    opt('on-ip', '--on-ip', s, false),
    opt('tproxy-mark', '--tproxy-mark', v.xmark, false),
  ], { tables: ['mangle'], terminating: true }),
  target('TCPMSS', [
    opt('set-mss', '--set-mss', v.uint(65535), false),
    opt('clamp-mss-to-pmtu', '--clamp-mss-to-pmtu', f, false),
  ]),
  target('DSCP', [
    opt('set-dscp', '--set-dscp', v.hexUint(63), false),
    opt('set-dscp-class', '--set-dscp-class', s, false),
  ], { tables: ['mangle'] }),
  target('TOS', [
    opt('set-tos', '--set-tos', v.tosValue, false),
    opt('and-tos', '--and-tos', v.checkedUint8, false),
    opt('or-tos', '--or-tos', v.checkedUint8, false),
    opt('xor-tos', '--xor-tos', v.checkedUint8, false),
  ], { tables: ['mangle'] }),
  target('CLASSIFY', [opt('set-class', '--set-class', s, false)], { tables: ['mangle'] }),
  target('NFQUEUE', [
    opt('queue-num', '--queue-num', n, false),
    opt('queue-balance', '--queue-balance', s, false),
    opt('queue-bypass', '--queue-bypass', f, false),
    opt('fail-open', '--fail-open', f, false),
    opt('queue-cpu-fanout', '--queue-cpu-fanout', f, false),
  ], { terminating: true }),
  target('QUEUE', [], { terminating: true }),
  target('CHECKSUM', [opt('checksum-fill', '--checksum-fill', f, false)], { tables: ['mangle'] }),
  target('SET', [
    opt('add-set', '--add-set', v.raw(2), false),
    opt('del-set', '--del-set', v.raw(2), false),
    opt('map-set', '--map-set', v.raw(2), false),
    opt('exist', '--exist', f, false),
    opt('timeout', '--timeout', n, false),
    opt('map-mark', '--map-mark', f, false),
    opt('map-prio', '--map-prio', f, false),
    opt('map-queue', '--map-queue', f, false),
  ]),
  target('AUDIT', [opt('type', '--type', v.keyword(['accept', 'drop', 'reject']), false)]),
  target('TTL', [
    opt('ttl-set', '--ttl-set', v.uint(255), false), opt('ttl-dec', '--ttl-dec', v.uint(255), false),
    opt('ttl-inc', '--ttl-inc', v.uint(255), false),
  ], { families: ['ipv4'], tables: ['mangle'] }),
  target('HL', [
    opt('hl-set', '--hl-set', v.uint(255), false), opt('hl-dec', '--hl-dec', v.uint(255), false),
    opt('hl-inc', '--hl-inc', v.uint(255), false),
  ], { families: ['ipv6'], tables: ['mangle'] }),
  target('ECN', [opt('ecn-tcp-remove', '--ecn-tcp-remove', f, false)], { families: ['ipv4'], tables: ['mangle'] }),
  target('SECMARK', [opt('selctx', '--selctx', s, false)], { tables: ['mangle', 'security'] }),
  target('CONNSECMARK', [opt('save', '--save', f, false), opt('restore', '--restore', f, false)], { tables: ['mangle', 'security'] }),
  target('TEE', [opt('gateway', '--gateway', s, false), opt('oif', '--oif', s, false)]),
  target('SYNPROXY', [
    opt('mss', '--mss', n, false), opt('wscale', '--wscale', n, false), opt('sack-perm', '--sack-perm', f, false),
    opt('timestamp', '--timestamp', f, false), opt('ecn', '--ecn', f, false),
  ], { terminating: true }),
  target('IDLETIMER', [opt('timeout', '--timeout', n, false), opt('label', '--label', s, false), opt('alarm', '--alarm', f, false)]),
  target('LED', [
    opt('led-trigger-id', '--led-trigger-id', s, false), opt('led-delay', '--led-delay', s, false),
    opt('led-always-blink', '--led-always-blink', f, false),
  ]),
  target('RATEEST', [
    opt('rateest-name', '--rateest-name', s, false), opt('rateest-interval', '--rateest-interval', s, false),
    opt('rateest-ewmalog', '--rateest-ewmalog', s, false),
  ]),
  target('HMARK', [
    opt('hmark-tuple', '--hmark-tuple', v.list, false), opt('hmark-mod', '--hmark-mod', n, false),
    opt('hmark-offset', '--hmark-offset', n, false), opt('hmark-rnd', '--hmark-rnd', s, false),
  ]),
  target('CLUSTERIP', [
    opt('new', '--new', f, false), opt('hashmode', '--hashmode', s, false), opt('clustermac', '--clustermac', s, false),
    opt('total-nodes', '--total-nodes', n, false), opt('local-node', '--local-node', n, false),
    opt('hash-init', '--hash-init', n, false),
  ], { families: ['ipv4'] }),
  // Pre-2.6 / patch-o-matic targets still found in published rulesets.
  target('MIRROR', [], { families: ['ipv4'], terminating: true }),
  target('SAME', [opt('to', '--to', v.raw(), false), opt('nodst', '--nodst', f, false)], { families: ['ipv4'], tables: nat, terminating: true }),
  target('TARPIT', [], { families: ['ipv4'], terminating: true }),
  target('IPV4OPTSSTRIP', [], { families: ['ipv4'], tables: ['mangle'] }),
  target('ROUTE', [
    opt('oif', '--oif', s, false), opt('iif', '--iif', s, false), opt('gw', '--gw', s, false),
    opt('continue', '--continue', f, false), opt('tee', '--tee', f, false),
  ], { families: ['ipv4'], tables: ['mangle'] }),
];

/** Standard verdicts of ip_tables (and ebtables CONTINUE), not extensions. */
export const VERDICTS = new Set(['ACCEPT', 'DROP', 'RETURN', 'QUEUE']);
