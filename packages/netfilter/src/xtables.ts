// The iptables, ip6tables, arptables and ebtables tables seen as what they are to the kernel: base chains at fixed
// hooks and priorities. The legacy backend registers them from x_tables modules; iptables-nft and ebtables-nft
// create nf_tables base chains from their own table descriptions, which differ in three places (marked below).
import type { Backend } from './backend';
import type { NfFamily } from './family';
import type { Hook } from './hook';
import { NF_BR_PRI, NF_IP_PRI } from './kernel-priorities';

export type XtFamily = 'ip' | 'ip6' | 'arp' | 'bridge';

export interface XtBaseChain {
  table: string;
  /** The built-in chain's name in `*-save` output. */
  chain: string;
  hook: Hook;
  priority: number;
  /**
   * The nft chain type iptables-nft gives it. x_tables behaves alike: mangle OUTPUT reroutes (ipt_mangle_out),
   * the nat chains are consulted by the NAT core (nf_nat_inet_fn).
   */
  type: 'filter' | 'nat' | 'route';
}

type Row = readonly [table: string, chain: string, hook: Hook, priority: number, type?: 'nat' | 'route'];

const P = NF_IP_PRI;
const B = NF_BR_PRI;

// Tables in iptables(8) order, chains in hook number order (NF_INET_PRE_ROUTING … NF_INET_POST_ROUTING).
// iptable_raw.c, iptable_mangle.c, iptable_nat.c (nf_nat_ipv4_ops), iptable_filter.c, iptable_security.c; the
// ip6table_* twins use the same numbers.
const IP_LEGACY: readonly Row[] = [
  ['raw', 'PREROUTING', 'prerouting', P.RAW], ['raw', 'OUTPUT', 'output', P.RAW],
  ['mangle', 'PREROUTING', 'prerouting', P.MANGLE], ['mangle', 'INPUT', 'input', P.MANGLE], ['mangle', 'FORWARD', 'forward', P.MANGLE],
  ['mangle', 'OUTPUT', 'output', P.MANGLE, 'route'], ['mangle', 'POSTROUTING', 'postrouting', P.MANGLE],
  ['nat', 'PREROUTING', 'prerouting', P.NAT_DST, 'nat'], ['nat', 'INPUT', 'input', P.NAT_SRC, 'nat'],
  ['nat', 'OUTPUT', 'output', P.NAT_DST, 'nat'], ['nat', 'POSTROUTING', 'postrouting', P.NAT_SRC, 'nat'],
  ['filter', 'INPUT', 'input', P.FILTER], ['filter', 'FORWARD', 'forward', P.FILTER], ['filter', 'OUTPUT', 'output', P.FILTER],
  ['security', 'INPUT', 'input', P.SECURITY], ['security', 'FORWARD', 'forward', P.SECURITY], ['security', 'OUTPUT', 'output', P.SECURITY],
];

/**
 * iptables-nft (xtables_ipv4 in iptables/nft.c, used for IPv6 too) creates the security chains at 150, not
 * NF_IP_PRI_SECURITY (50): at input they run after nat INPUT (100) instead of before it.
 */
const IPTABLES_NFT_SECURITY = 150;
const IP_NFT: readonly Row[] = IP_LEGACY.map((r) => (r[0] === 'security' ? [r[0], r[1], r[2], IPTABLES_NFT_SECURITY] as const : r));

// ebtable_filter.c (ebt_ops_filter), ebtable_nat.c (ebt_ops_nat), ebtable_broute.c (ebt_ops_broute: the broute
// table runs first at bridge prerouting; its chain is still called BROUTING).
const BRIDGE_LEGACY: readonly Row[] = [
  ['filter', 'INPUT', 'input', B.FILTER_BRIDGED], ['filter', 'FORWARD', 'forward', B.FILTER_BRIDGED], ['filter', 'OUTPUT', 'output', B.FILTER_OTHER],
  ['nat', 'PREROUTING', 'prerouting', B.NAT_DST_BRIDGED], ['nat', 'OUTPUT', 'output', B.NAT_DST_OTHER], ['nat', 'POSTROUTING', 'postrouting', B.NAT_SRC],
  ['broute', 'BROUTING', 'prerouting', B.FIRST],
];

/**
 * ebtables-nft (xtables_bridge in iptables/nft.c): filter OUTPUT at NF_BR_PRI_FILTER_BRIDGED (−200) instead of
 * NF_BR_PRI_FILTER_OTHER (200), so at output filter runs before nat; and no broute table.
 */
const BRIDGE_NFT: readonly Row[] = BRIDGE_LEGACY.filter((r) => r[0] !== 'broute').map((r) => (r[0] === 'filter' ? [r[0], r[1], r[2], B.FILTER_BRIDGED] as const : r));

// arptable_filter.c registers INPUT, OUTPUT and FORWARD (NF_ARP_FORWARD, run by the bridge) at NF_IP_PRI_FILTER;
// arptables-nft (xtables_arp in iptables/nft.c) creates INPUT and OUTPUT only.
const ARP_LEGACY: readonly Row[] = [['filter', 'INPUT', 'input', P.FILTER], ['filter', 'FORWARD', 'forward', P.FILTER], ['filter', 'OUTPUT', 'output', P.FILTER]];
const ARP_NFT: readonly Row[] = ARP_LEGACY.filter((r) => r[1] !== 'FORWARD');

const build = (rows: readonly Row[]): readonly XtBaseChain[] =>
  rows.map(([table, chain, hook, priority, type]) => ({ table, chain, hook, priority, type: type ?? 'filter' }));

const TABLES = new Map<string, readonly XtBaseChain[]>([
  ['legacy ip', build(IP_LEGACY)], ['nft ip', build(IP_NFT)],
  ['legacy bridge', build(BRIDGE_LEGACY)], ['nft bridge', build(BRIDGE_NFT)],
  ['legacy arp', build(ARP_LEGACY)], ['nft arp', build(ARP_NFT)],
]);

export function isXtFamily(family: NfFamily): family is XtFamily {
  return family === 'ip' || family === 'ip6' || family === 'arp' || family === 'bridge';
}

/** Every built-in chain of a family's x_tables tables under a backend, tables in iptables(8) order. */
export function xtablesBaseChains(backend: Backend, family: XtFamily): readonly XtBaseChain[] {
  return TABLES.get(`${backend} ${family === 'ip6' ? 'ip' : family}`)!;
}

/** The table names of a family under a backend, in iptables(8) / ebtables(8) order. */
export function xtablesTables(backend: Backend, family: XtFamily): readonly string[] {
  return [...new Set(xtablesBaseChains(backend, family).map((c) => c.table))];
}

/** The priority of `table`'s built-in chain at `hook`; undefined when the table has no chain there. */
export function xtablesPriority(backend: Backend, family: XtFamily, table: string, hook: Hook): number | undefined {
  return xtablesBaseChains(backend, family).find((c) => c.table === table && c.hook === hook)?.priority;
}

export interface ConntrackHook {
  /** defrag: nf_defrag_ipv4/ipv6; conntrack: nf_conntrack_in (a packet gets its entry); confirm: nf_confirm. */
  name: 'defrag' | 'conntrack' | 'confirm';
  hook: Hook;
  priority: number;
}

/**
 * The connection tracking functions at the IP hooks (ipv4_conntrack_ops in net/netfilter/nf_conntrack_proto.c,
 * ipv4_defrag_ops in net/ipv4/netfilter/nf_defrag_ipv4.c; IPv6 alike). They are registered per network namespace
 * only once something needs conntrack (nf_ct_netns_get: a conntrack match, NAT, a `ct` expression).
 */
export const CONNTRACK_HOOKS: readonly ConntrackHook[] = [
  { name: 'defrag', hook: 'prerouting', priority: P.CONNTRACK_DEFRAG },
  { name: 'defrag', hook: 'output', priority: P.CONNTRACK_DEFRAG },
  { name: 'conntrack', hook: 'prerouting', priority: P.CONNTRACK },
  { name: 'conntrack', hook: 'output', priority: P.CONNTRACK },
  { name: 'confirm', hook: 'input', priority: P.CONNTRACK_CONFIRM },
  { name: 'confirm', hook: 'postrouting', priority: P.CONNTRACK_CONFIRM },
];
