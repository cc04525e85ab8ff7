// Keywords of nft's rule syntax that decide where an expression or statement starts (nft(8); parser_bison.y in
// nftables). Only words that change how tokens are grouped live here; values (`tcp`, `established`) do not.

/** Payload protocols: `<protocol> <field>` (nft(8) PAYLOAD EXPRESSIONS; proto.c). */
export const PAYLOAD_PROTOCOLS: ReadonlySet<string> = new Set([
  'ether', 'vlan', 'arp', 'ip', 'ip6', 'icmp', 'icmpv6', 'igmp', 'tcp', 'udp', 'udplite', 'sctp', 'dccp',
  'ah', 'esp', 'comp', 'th', 'gre', 'gretap', 'geneve', 'vxlan', 'ipcomp', 'auth',
]);

/** IPv6 extension headers (nft(8) EXTENSION HEADER EXPRESSIONS) and their fields. */
export const EXTHDR_FIELDS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['hbh', new Set(['nexthdr', 'hdrlength'])],
  ['rt', new Set(['nexthdr', 'hdrlength', 'type', 'seg-left'])],
  ['rt0', new Set(['addr'])],
  ['rt2', new Set(['addr'])],
  ['srh', new Set(['last-entry', 'flags', 'tag', 'sid'])],
  ['frag', new Set(['nexthdr', 'frag-off', 'more-fragments', 'id', 'reserved', 'reserved2'])],
  ['dst', new Set(['nexthdr', 'hdrlength'])],
  ['mh', new Set(['nexthdr', 'hdrlength', 'type', 'reserved', 'checksum'])],
]);

/** Fields of `tcp option X`, `ip option X`, `sctp chunk X`, `dccp option` (exthdr.c, tcpopt.c, sctp_chunk.c). */
export const OPTION_FIELDS: ReadonlySet<string> = new Set([
  'kind', 'length', 'size', 'count', 'left', 'right', 'tsval', 'tsecr', 'subtype', 'type', 'value', 'ptr', 'addr',
  'flags', 'tsn', 'stream', 'ssn', 'ppid', 'a-rwnd', 'num-outbound-streams', 'num-inbound-streams', 'initial-tsn',
  'cum-tsn-ack', 'num-gap-ack-blocks', 'num-dup-tsns', 'lowest-tsn', 'seqno', 'new-cum-tsn', 'init-tag',
]);

/** `meta <key>` keys (meta.c meta_templates). */
export const META_KEYS: ReadonlySet<string> = new Set([
  'length', 'nfproto', 'l4proto', 'protocol', 'priority', 'mark', 'iif', 'iifname', 'iiftype', 'oif', 'oifname',
  'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid', 'ibriport', 'obriport', 'ibrname', 'obrname', 'ibrpvid',
  'ibrvproto', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup', 'random', 'secpath', 'ipsec', 'iifkind',
  'oifkind', 'time', 'day', 'hour', 'secmark', 'sdif', 'sdifname', 'broute',
]);

/** Meta keys nft accepts without `meta` (parser_bison.y meta_key_unqualified). */
export const BARE_META_KEYS: ReadonlySet<string> = new Set([
  'mark', 'iif', 'iifname', 'iiftype', 'oif', 'oifname', 'oiftype', 'skuid', 'skgid', 'nftrace', 'rtclassid',
  'ibriport', 'obriport', 'ibrname', 'obrname', 'pkttype', 'cpu', 'iifgroup', 'oifgroup', 'cgroup', 'ipsec',
]);

/** Meta keys nft itself prints without `meta` (meta.c meta_key_is_unqualified). */
export const PRINTED_BARE_META: ReadonlySet<string> = new Set(['iif', 'oif', 'iifname', 'oifname', 'iifgroup', 'oifgroup']);

/** `ct [original|reply] [ip|ip6] <key>` keys (ct.c ct_templates). */
export const CT_KEYS: ReadonlySet<string> = new Set([
  'state', 'direction', 'status', 'mark', 'expiration', 'helper', 'l3proto', 'protocol', 'saddr', 'daddr',
  'proto-src', 'proto-dst', 'bytes', 'packets', 'avgpkt', 'zone', 'event', 'label', 'id', 'secmark', 'timeout',
  'expectation', 'count', 'ip', 'ip6',
]);

/** Words that start a selector expression. */
export const SELECTOR_STARTS: ReadonlySet<string> = new Set([
  ...PAYLOAD_PROTOCOLS, ...EXTHDR_FIELDS.keys(), ...BARE_META_KEYS,
  'meta', 'ct', 'fib', 'numgen', 'jhash', 'symhash', 'socket', 'osf', 'ipsec', 'exthdr', 'tunnel',
]);

/** Words that start a statement (nft(8) STATEMENTS). */
export const STATEMENT_STARTS: ReadonlySet<string> = new Set([
  'accept', 'drop', 'continue', 'return', 'jump', 'goto', 'queue', 'counter', 'log', 'limit', 'quota', 'notrack',
  'reject', 'masquerade', 'redirect', 'snat', 'dnat', 'tproxy', 'comment', 'synproxy', 'flow', 'dup', 'fwd',
  'meter', 'add', 'update', 'delete', 'last', 'xt', 'secmark',
]);

export const REL_OPS: ReadonlyMap<string, '==' | '!=' | '<' | '>' | '<=' | '>='> = new Map([
  ['==', '=='], ['!=', '!='], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>='],
  ['eq', '=='], ['ne', '!='], ['lt', '<'], ['gt', '>'], ['le', '<='], ['ge', '>='],
]);

export const BINOPS: ReadonlySet<string> = new Set(['&', '|', '^', '<<', '>>', '/', 'and', 'or', 'xor', 'lshift', 'rshift']);
export const BINOP_CANON: ReadonlyMap<string, '&' | '|' | '^' | '<<' | '>>' | '/'> = new Map([
  ['&', '&'], ['|', '|'], ['^', '^'], ['<<', '<<'], ['>>', '>>'], ['/', '/'],
  ['and', '&'], ['or', '|'], ['xor', '^'], ['lshift', '<<'], ['rshift', '>>'],
]);

export const NAT_FLAGS: ReadonlySet<string> = new Set(['random', 'fully-random', 'persistent', 'netmap']);
