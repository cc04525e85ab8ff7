// What each match extension's print function writes in `iptables -L` (iptables/extensions/libxt_*.c,
// libipt_*.c, libip6t_*.c; older forms from iptables 1.3/1.4 where they differ), read back into the words its
// save function writes. The order of options follows save, so the words parse like iptables-save output.
// Forms that print less than save needs (hashlimit without its name, time without its defaults) are
// recognised here only to say so; their text stays verbatim.
import { ICMP_TYPES, ICMPV6_TYPES } from '../../registry/names';
import { form, type PrintForm, type Say } from './form';
import { needsQuotes, portList, portRange, protocolWord, tcpFlagNames, unknownService } from './values';

const PORT = String.raw`[\w.+-]+?`;
const PRANGE = `${PORT}(?::${PORT})?`;
const HEX = String.raw`0x[0-9a-fA-F]+`;
const NEG = String.raw`!\s?`;

/** `[!] --option range` for a port print (`spt:22`, `dpts:!1024:65535`, service names without -n). */
function ports(say: Say, option: string, neg: string, group: string): string | void {
  if (!say.has(group)) return;
  const value = portRange(say.text(group));
  if (value === null) return `service name '${unknownService(say.text(group))}' is not one chainsight knows`;
  say.neg(neg);
  say.opt(option, group, value);
}

/** The sport/dport part shared by tcp, udp, sctp, dccp (libxt_tcp.c print_ports). */
const PORTS_SRC = String.raw`(?:\s*spts?:(?<sn>!)?(?<sp>${PRANGE}))?(?:\s*dpts?:(?<dn>!)?(?<dp>${PRANGE}))?`;

function emitPorts(module: string) {
  return (say: Say): string | void => {
    say.module(module);
    return ports(say, '--sport', 'sn', 'sp') ?? ports(say, '--dport', 'dn', 'dp');
  };
}

/** icmp / icmp6: `icmptype 8`, `icmp !type 3 code 4` (-n), `icmp echo-request` (names). */
function icmpForm(name: string, keyword: string, module: string, option: string, names: ReadonlyMap<string, readonly [number, number | null]>): PrintForm {
  return form(name, String.raw`${keyword}\s?(?:(?<n>!)?type (?<t>\d+)(?: code (?<c>\d+)| codes (?<c1>\d+)-(?<c2>\d+))?|(?<nn>!)?(?<name>[A-Za-z][\w-]*))`, (say) => {
    let value: string;
    if (say.has('name')) {
      const known = names.get(say.text('name'));
      if (!known) return `ICMP type name '${say.text('name')}' is not one chainsight knows`;
      value = known[0] < 0 ? 'any' : known[1] === null ? String(known[0]) : `${known[0]}/${known[1]}`;
    } else if (say.has('c1')) {
      return 'an ICMP code range, which iptables-save cannot write either';
    } else {
      const t = say.text('t');
      // Type 255 with every code is `any` (libxt_icmp.c: the "any" entry is 0xFF, 0, 0xFF).
      value = t === '255' && module === 'icmp' && !say.has('c') ? 'any' : say.has('c') ? `${t}/${say.text('c')}` : t;
    }
    say.module(module);
    say.neg(say.has('n') ? 'n' : 'nn');
    say.opt(option, say.has('name') ? 'name' : 't', value);
  });
}

/** A single `[!] --option value` match, e.g. `mark match 0x1/0xff`. */
function simple(name: string, source: string, module: string, option: string): PrintForm {
  return form(name, source, (say) => {
    say.module(module);
    say.neg('n');
    say.opt(option, 'v');
  });
}

/** SCTP chunk types by the number `iptables -L -n` prints (libxt_sctp.c sctp_chunk_names; checked with iptables 1.8.9). */
const SCTP_CHUNKS: Record<number, string> = {
  0x00: 'DATA', 0x01: 'INIT', 0x02: 'INIT_ACK', 0x03: 'SACK', 0x04: 'HEARTBEAT', 0x05: 'HEARTBEAT_ACK', 0x06: 'ABORT',
  0x07: 'SHUTDOWN', 0x08: 'SHUTDOWN_ACK', 0x09: 'ERROR', 0x0a: 'COOKIE_ECHO', 0x0b: 'COOKIE_ACK', 0x0c: 'ECN_ECNE',
  0x0d: 'ECN_CWR', 0x0e: 'SHUTDOWN_COMPLETE', 0x40: 'I_DATA', 0x80: 'ASCONF_ACK', 0x82: 'RE_CONFIG', 0x84: 'PAD',
  0xc0: 'FORWARD_TSN', 0xc1: 'ASCONF', 0xc2: 'I_FORWARD_TSN',
};

/** ipv6header bits, highest first as the names print (libip6t_ipv6header.c chain_flags). */
const IPV6_HEADERS: [number, string][] = [
  [0x80, 'hop-by-hop'], [0x40, 'ipv6-opts'], [0x20, 'ipv6-route'], [0x10, 'ipv6-frag'], [0x08, 'ah'], [0x04, 'esp'],
  [0x02, 'ipv6-nonxt'], [0x01, 'protocol'],
];

/** Items of the conntrack match, each printed on its own (libxt_conntrack.c conntrack_dump). */
const CT_KEYS = 'ctstate|ctproto|ctorigsrcport|ctorigdstport|ctreplsrcport|ctrepldstport|ctorigsrc|ctorigdst|ctreplsrc|ctrepldst|ctstatus|ctexpire';

const NAMED_ID = 'names instead of numbers: the UID/GID of a user name depends on the host';

export const MATCH_FORMS: readonly PrintForm[] = [
  form('tcp', String.raw`tcp${PORTS_SRC}(?:\s*option=(?<on>!)?(?<op>\d+))?(?:\s*flags:\s?(?<fn>!)?(?<fm>[\w,]+)\/(?<fc>[\w,]+))?(?<inv>\s*Unknown invflags: ${HEX})?`, (say) => {
    if (say.has('inv')) return 'unknown inversion flags';
    const reason = emitPorts('tcp')(say);
    if (reason) return reason;
    if (say.has('op')) { say.neg('on'); say.opt('--tcp-option', 'op'); }
    if (say.has('fm')) {
      const mask = tcpFlagNames(say.text('fm'));
      const comp = tcpFlagNames(say.text('fc'));
      if (mask === null || comp === null) return 'unknown TCP flags';
      say.neg('fn');
      say.opt('--tcp-flags', 'fm', mask);
      say.out.word(comp, say.hit.at('fc'));
    }
  }),
  form('udp', `udp${PORTS_SRC}`, emitPorts('udp')),
  form('sctp', String.raw`sctp${PORTS_SRC}(?:\s*(?<cn>!)?(?<cm>any|all|only) (?<cl>[\w,:]+))?`, (say) => {
    const reason = emitPorts('sctp')(say);
    if (reason || !say.has('cm')) return reason;
    // libxt_sctp.c print_chunks: chunk names without -n, their type numbers in hex with it; save writes names.
    // A chunk may carry flags (`DATA:Be`), printed and saved alike.
    const names = say.text('cl').split(',').map((c) => {
      const [type, flags] = c.split(':');
      const name = /^0x[0-9a-fA-F]+$/.test(type!) ? SCTP_CHUNKS[parseInt(type!, 16)] : type;
      return name === undefined ? undefined : flags === undefined ? name : `${name}:${flags}`;
    });
    if (names.includes(undefined)) return 'unknown SCTP chunk type';
    say.neg('cn');
    say.opt('--chunk-types', 'cm');
    say.out.word(names.join(','), say.hit.at('cl'));
  }),
  form('dccp', `dccp${PORTS_SRC}`, emitPorts('dccp')),
  icmpForm('icmp', 'icmp', 'icmp', '--icmp-type', ICMP_TYPES),
  icmpForm('icmp6', 'ipv6-icmp', 'icmp6', '--icmpv6-type', ICMPV6_TYPES),
  form('multiport', String.raw`multiport (?<dir>sports|dports|ports)\s+(?<n>!)?\s*(?<v>\S+)`, (say) => {
    const value = portList(say.text('v'));
    if (value === null) return `service name '${unknownService(say.text('v'))}' is not one chainsight knows`;
    say.module('multiport');
    say.neg('n');
    say.opt(`--${say.text('dir')}`, 'v', value);
  }),
  simple('state', String.raw`(?<n>!\s)?state (?<v>[A-Z,]+)`, 'state', '--state'),
  form('conntrack', String.raw`(?<n>!\s)?(?<k>${CT_KEYS}) (?<v>\S+)|ctdir (?<d>ORIGINAL|REPLY)`, (say) => {
    const key = say.has('d') ? 'ctdir' : say.text('k');
    say.module('conntrack', key);
    say.neg('n');
    say.opt(`--${key}`, say.has('d') ? 'd' : 'v');
  }),
  form('addrtype', String.raw`ADDRTYPE match(?: src-type (?<sn>!)?(?<s>[A-Z,]+))?(?: dst-type (?<dn>!)?(?<d>[A-Z,]+))?(?<li> limit-in)?(?<lo> limit-out)?`, (say) => {
    say.module('addrtype');
    if (say.has('s')) { say.neg('sn'); say.opt('--src-type', 's'); }
    if (say.has('d')) { say.neg('dn'); say.opt('--dst-type', 'd'); }
    if (say.has('li')) say.flag('--limit-iface-in', 'li');
    if (say.has('lo')) say.flag('--limit-iface-out', 'lo');
  }),
  simple('mark', String.raw`[Mm][Aa][Rr][Kk] match (?<n>${NEG})?(?<v>${HEX}(?:\/${HEX})?)`, 'mark', '--mark'),
  simple('connmark', String.raw`(?:connmark|CONNMARK) match\s+(?<n>${NEG})?(?<v>${HEX}(?:\/${HEX})?)`, 'connmark', '--mark'),
  form('comment', String.raw`\/\* (?<c>.*?) \*\/`, (say) => {
    say.module('comment');
    say.opt('--comment', 'c', undefined, needsQuotes(say.text('c')));
  }),
  form('statistic', String.raw`statistic mode (?:random(?<rn> !)? probability (?<p>[\d.]+)|nth(?<nn> !)? every (?<e>\d+)(?: packet (?<pk>\d+))?)`, (say) => {
    // libxt_statistic.c: save writes `--mode random ! --probability p` and always `--packet`.
    say.module('statistic');
    if (say.has('p')) {
      say.opt('--mode', 'p', 'random');
      say.neg('rn');
      say.opt('--probability', 'p');
    } else {
      say.opt('--mode', 'e', 'nth');
      say.neg('nn');
      say.opt('--every', 'e');
      say.opt('--packet', say.has('pk') ? 'pk' : 'e', say.has('pk') ? undefined : '0');
    }
  }),
  form('physdev', String.raw`PHYSDEV match(?<o>(?: (?:! )?--physdev-(?:in|out) \S+| (?:! )?--physdev-is-(?:in|out|bridged))+)`, (say) => {
    say.module('physdev');
    for (const item of say.items('o', /(?<n>!) |(?<w>\S+)/)) {
      if (item.has('n')) item.neg('n');
      else item.flag(item.text('w'), 'w');
    }
  }),
  form('limit', String.raw`limit: avg (?<r>\d+\/(?:sec|min|hour|day|second|minute)) burst (?<b>\d+)`, (say) => {
    say.module('limit');
    say.opt('--limit', 'r');
    // libxt_limit.c limit_save: the burst only when it is not the default 5 (XT_LIMIT_BURST).
    if (say.text('b') !== '5') say.opt('--limit-burst', 'b');
  }),
  simple('mac', String.raw`MAC (?<n>${NEG})?(?<v>(?:[0-9A-Fa-f]{2}:){5}[0-9A-Fa-f]{2})`, 'mac', '--mac-source'),
  form('recent', String.raw`(?<n>!\s)?recent: (?<mode>SET|CHECK|UPDATE|REMOVE)(?: seconds: (?<s>\d+))?(?<reap> reap)?(?: hit_count: (?<h>\d+))?(?<ttl> TTL-Match)? name: (?<name>\S+)(?: side: (?<side>source|dest))?(?: mask: (?<mask>\S+))?`, (say) => {
    // libxt_recent.c recent_save order: mode, seconds, reap, hitcount, rttl, name, mask, side.
    say.module('recent');
    say.neg('n');
    say.flag({ SET: '--set', CHECK: '--rcheck', UPDATE: '--update', REMOVE: '--remove' }[say.text('mode')]!, 'mode');
    if (say.has('s')) say.opt('--seconds', 's');
    if (say.has('reap')) say.flag('--reap', 'reap');
    if (say.has('h')) say.opt('--hitcount', 'h');
    if (say.has('ttl')) say.flag('--rttl', 'ttl');
    say.opt('--name', 'name');
    if (say.has('mask')) say.opt('--mask', 'mask');
    if (say.has('side')) say.flag(say.text('side') === 'dest' ? '--rdest' : '--rsource', 'side');
  }),
  form('iprange', String.raw`(?<w>source|destination) IP range (?<n>${NEG})?(?<v>\S+)`, (say) => {
    const option = say.text('w') === 'source' ? '--src-range' : '--dst-range';
    say.module('iprange', option);
    say.neg('n');
    say.opt(option, 'v');
  }),
  form('owner', String.raw`(?<n>!\s?)?(?:[Oo][Ww][Nn][Ee][Rr] (?:(?<k>UID|GID) match (?<v>\S+)|(?<se>socket exists))|(?<sg>incl\. suppl\. groups))`, (say) => {
    const key = say.has('k') ? `--${say.text('k').toLowerCase()}-owner` : say.has('se') ? '--socket-exists' : '--suppl-groups';
    if (say.has('v') && !/^\d+(?:-\d+)?$/.test(say.text('v'))) return NAMED_ID;
    say.module('owner', key);
    say.neg('n');
    if (say.has('v')) say.opt(key, 'v');
    else say.flag(key);
  }),
  form('pkttype', String.raw`PKTTYPE (?<op>!?=) (?<v>\w+)`, (say) => {
    say.module('pkttype');
    if (say.text('op') === '!=') say.out.word('!', say.hit.at('op'));
    say.opt('--pkt-type', 'v');
  }),
  simple('length', String.raw`length (?<n>!)?(?<v>\d+(?::\d+)?)`, 'length', '--length'),
  simple('tos', String.raw`tos match\s?(?<n>!)?(?<v>${HEX}\/${HEX})`, 'tos', '--tos'),
  simple('dscp', String.raw`DSCP match (?<n>!)?(?<v>${HEX})`, 'dscp', '--dscp'),
  form('ttl', String.raw`(?<m>TTL|HL) match (?:TTL|HL) (?<op>==|!=|<|>) (?<v>\d+)`, (say) => {
    const m = say.text('m').toLowerCase();
    const op = say.text('op');
    say.module(m);
    if (op === '!=') say.out.word('!', say.hit.at('op'));
    say.opt(`--${m}-${op === '<' ? 'lt' : op === '>' ? 'gt' : 'eq'}`, 'v');
  }),
  form('string', String.raw`STRING match\s+(?<n>${NEG})?"(?<s>(?:[^"\\]|\\.)*)"(?: ALGO name (?<a>\w+))?(?: FROM (?<f>\d+))?(?: TO (?<t>\d+))?(?<i> ICASE)?`, (say) => {
    // libxt_string.c: a pattern printed between `|` is a hex string (is_hex_string), saved with --hex-string.
    const s = say.text('s').replace(/\\(.)/g, '$1');
    say.module('string');
    say.neg('n');
    // string_save always quotes the pattern.
    say.opt(/^\|.*\|$/.test(s) ? '--hex-string' : '--string', 's', s, true);
    if (say.has('a')) say.opt('--algo', 'a');
    if (say.has('f')) say.opt('--from', 'f');
    if (say.has('t')) say.opt('--to', 't');
    if (say.has('i')) say.flag('--icase', 'i');
  }),
  form('connlimit', String.raw`#conn(?: (?<side>src|dst))?\/(?<mask>\d+) (?<op>>|<=) (?<v>\d+)`, (say) => {
    say.module('connlimit');
    say.opt(say.text('op') === '>' ? '--connlimit-above' : '--connlimit-upto', 'v');
    say.opt('--connlimit-mask', 'mask');
    if (say.has('side')) say.flag(say.text('side') === 'dst' ? '--connlimit-daddr' : '--connlimit-saddr', 'side');
  }),
  simple('helper', String.raw`helper match (?<n>${NEG})?"(?<v>[^"]*)"`, 'helper', '--helper'),
  simple('tcpmss', String.raw`tcpmss match (?<n>!)?(?<v>\d+(?::\d+)?)`, 'tcpmss', '--mss'),
  form('connbytes', String.raw`(?<n>!\s)?connbytes (?<v>\d+(?::\d+)?) connbytes mode (?<m>\w+) connbytes direction (?<d>\w+)`, (say) => {
    say.module('connbytes');
    say.neg('n');
    say.opt('--connbytes', 'v');
    say.opt('--connbytes-mode', 'm');
    say.opt('--connbytes-dir', 'd');
  }),
  form('quota', String.raw`quota: (?<v>\d+) bytes`, (say) => {
    say.module('quota');
    say.opt('--quota', 'v');
    say.caveat("quota: libxt_quota.c quota_print does not print '!', so --quota may be negated");
  }),
  form('u32', String.raw`u32 (?<n>${NEG})?"(?<v>[^"]*)"`, (say) => {
    say.module('u32');
    say.neg('n');
    say.opt('--u32', 'v', undefined, true);
  }),
  form('policy', String.raw`policy match dir (?<dir>in|out) pol (?<pol>none|ipsec)(?<strict> strict)?(?<o>(?: (?:!\s?)?(?:reqid|spi|proto|mode|tunnel-dst|tunnel-src) \S+)*)(?<next> next)?`, (say) => {
    say.module('policy');
    say.opt('--dir', 'dir');
    say.opt('--pol', 'pol');
    if (say.has('strict')) say.flag('--strict', 'strict');
    for (const item of say.items('o', /(?<n>!)?\s?(?<k>reqid|spi|proto|mode|tunnel-dst|tunnel-src) (?<v>\S+)/)) {
      item.neg('n');
      item.opt(`--${item.text('k')}`, 'v', item.text('k') === 'proto' ? protocolWord(item.text('v')) ?? '0' : undefined);
    }
    if (say.has('next')) say.flag('--next', 'next');
  }),
  form('socket', String.raw`socket(?<o>(?: --(?:transparent|nowildcard|restore-skmark))*)`, (say) => {
    say.module('socket');
    for (const item of say.items('o', /(?<w>--[\w-]+)/)) item.flag(item.text('w'), 'w');
  }),
  form('devgroup', String.raw`(?<n>!\s?)?(?<k>src-group|dst-group) (?<v>\S+)`, (say) => {
    const key = `--${say.text('k')}`;
    say.module('devgroup', key);
    say.neg('n');
    say.opt(key, 'v');
  }),
  simple('cpu', String.raw`cpu (?<n>${NEG})?(?<v>\d+)`, 'cpu', '--cpu'),
  form('ecn', String.raw`ECN match(?<o>(?: !?(?:ECE|CWR|ECT=\d+))+)`, (say) => {
    say.module('ecn');
    for (const item of say.items('o', /(?<n>!)?(?:(?<f>ECE|CWR)|ECT=(?<v>\d+))/)) {
      item.neg('n');
      if (item.has('f')) item.flag(`--ecn-tcp-${item.text('f').toLowerCase()}`, 'f');
      else item.opt('--ecn-ip-ect', 'v');
    }
  }),
  form('esp-ah', String.raw`(?<m>esp|ah) spis?:(?<n>!)?(?<v>\d+(?::\d+)?)`, (say) => {
    const m = say.text('m');
    say.module(m);
    say.neg('n');
    say.opt(m === 'esp' ? '--espspi' : '--ahspi', 'v');
  }),
  form('cgroup', String.raw`cgroup (?<n>${NEG})?(?<v>\S+)`, (say) => {
    say.module('cgroup');
    say.neg('n');
    say.opt(/^\d+$/.test(say.text('v')) ? '--cgroup' : '--path', 'v');
  }),
  form('cluster', String.raw`cluster (?<n>${NEG})?node_mask=(?<m>${HEX}) total_nodes=(?<t>\d+) hash_seed=(?<h>${HEX})`, (say) => {
    say.module('cluster');
    say.neg('n');
    say.opt('--cluster-local-nodemask', 'm');
    say.opt('--cluster-total-nodes', 't');
    say.opt('--cluster-hash-seed', 'h');
  }),
  form('connlabel', String.raw`connlabel (?<n>${NEG})?(?<v>[^\s"]+)(?<set> set)?`, (say) => {
    say.module('connlabel');
    say.neg('n');
    say.opt('--label', 'v', undefined, true);
    if (say.has('set')) say.flag('--set', 'set');
  }),
  simple('realm', String.raw`(?<n>!\s)?realm (?<v>${HEX}(?:\/${HEX})?)`, 'realm', '--realm'),
  form('rpfilter', String.raw`rpfilter(?<o>(?: (?:loose|validmark|accept-local|invert))*)`, (say) => {
    say.module('rpfilter');
    for (const item of say.items('o', /(?<w>[\w-]+)/)) item.flag(`--${item.text('w')}`, 'w');
  }),
  form('frag', String.raw`frag(?: ids?:(?<in>!)?(?<id>\d+(?::\d+)?))?(?: length:(?<ln>!)?(?<l>\d+))?(?<res> reserved)?(?<first> first)?(?<more> more)?(?<last> last)?`, (say) => {
    say.module('frag');
    if (say.has('id')) { say.neg('in'); say.opt('--fragid', 'id'); }
    if (say.has('l')) { say.neg('ln'); say.opt('--fraglen', 'l'); }
    for (const f of ['res', 'first', 'more', 'last']) if (say.has(f)) say.flag(`--frag${f}`, f);
  }),
  form('rt', String.raw`rt(?: type:(?<tn>!)?(?<t>\d+))?(?: segslefts?:(?<sn>!)?(?<s>\d+(?::\d+)?))?(?: length:(?<ln>!)?(?<l>\d+))?(?<res> reserved)?`, (say) => {
    say.module('rt');
    if (say.has('t')) { say.neg('tn'); say.opt('--rt-type', 't'); }
    if (say.has('s')) { say.neg('sn'); say.opt('--rt-segsleft', 's'); }
    if (say.has('l')) { say.neg('ln'); say.opt('--rt-len', 'l'); }
    if (say.has('res')) say.flag('--rt-0-res', 'res');
  }),
  form('ipv6header', String.raw`ipv6header flags:(?<n>!)?(?<v>\S+)(?<soft> soft)?`, (say) => {
    // libip6t_ipv6header.c: the header mask in hex with -n, names without; save writes the names.
    const v = say.text('v');
    const names = /^0x[0-9a-fA-F]+$/.test(v) ? IPV6_HEADERS.filter(([bit]) => parseInt(v, 16) & bit).map(([, name]) => name).join(',') : v;
    say.module('ipv6header');
    say.neg('n');
    say.opt('--header', 'v', names);
    if (say.has('soft')) say.flag('--soft', 'soft');
  }),
  form('mh', String.raw`mh (?<n>!)?(?<v>\S+)`, (say) => {
    if (!/^\d+(?::\d+)?$/.test(say.text('v'))) return `mobility header type name '${say.text('v')}'`;
    say.module('mh');
    say.neg('n');
    say.opt('--mh-type', 'v');
  }),
  form('set', String.raw`(?<n>!\s)?match-set (?<name>\S+) (?<dir>\S+)(?<o>(?: (?:!\s)?(?:return-nomatch|update-counters|update-subcounters|(?:packets|bytes)-(?:eq|lt|gt) \d+))*)`, (say) => {
    // libxt_set.c prints what it saves, without the dashes.
    say.module('set');
    say.neg('n');
    say.opt('--match-set', 'name');
    say.out.word(say.text('dir'), say.hit.at('dir'));
    say.dashedItems('o', /(?<n>!)?\s?(?<k>return-nomatch|update-counters|update-subcounters|(?:packets|bytes)-(?:eq|lt|gt))(?: (?<v>\d+))?/);
  }),
  // Prints that leave out what save needs: recognised to say so, kept verbatim.
  form('hashlimit', String.raw`limit: (?:up to|above) \S+(?: burst \d+)?(?: mode \S+)?(?: (?:htable-size|htable-max|htable-gcinterval|htable-expire|srcmask|dstmask|rate-interval) \d+| rate-match)*`,
    () => 'the listing does not print --hashlimit-name'),
  form('time', String.raw`TIME(?: from \S+ to \S+)?(?: on \S+)?(?: starting from \S+ \S+)?(?: until date \S+ \S+)?(?: UTC| local time| contiguous)*`,
    () => 'the listing leaves out the default dates and prints --kerneltz only by omission'),
];
