// Which tables run at each hook, in priority order (docs/netfilter.md §hooks, §bridge-priorities). `ct` marks the conntrack
// hook (NF_IP_PRI_CONNTRACK -200), `confirm` the conntrack confirmation at the last hook position.
import type { Backend, Hook } from '../types';

export type IpHookStep = 'raw' | 'ct' | 'mangle' | 'nat' | 'filter' | 'security' | 'confirm';

/**
 * IPv4 and IPv6 use the same priorities (enum nf_ip_hook_priorities / nf_ip6_hook_priorities). The security table
 * is at NF_IP_PRI_SECURITY (50) in the kernel's x_tables, but iptables-nft creates its chains at priority 150,
 * after nat INPUT (100): at INPUT the order differs by backend (docs/netfilter.md §builtin-chains, observed in E1).
 */
export function ipHookOrder(hook: Hook, backend: Backend): readonly IpHookStep[] {
  switch (hook) {
    case 'PREROUTING': return ['raw', 'ct', 'mangle', 'nat'];
    case 'OUTPUT': return ['raw', 'ct', 'mangle', 'nat', 'filter', 'security'];
    case 'INPUT': return backend === 'legacy' ? ['mangle', 'filter', 'security', 'nat', 'confirm'] : ['mangle', 'filter', 'nat', 'security', 'confirm'];
    case 'FORWARD': return ['mangle', 'filter', 'security'];
    case 'POSTROUTING': return ['mangle', 'nat', 'confirm'];
    default: return [];
  }
}

/**
 * ebtables tables per bridge hook (docs/netfilter.md §bridge-priorities). LOCAL_OUT: legacy ebtables registers nat OUTPUT at NF_BR_PRI_NAT_DST_OTHER
 * (100) and filter OUTPUT at NF_BR_PRI_FILTER_OTHER (200); ebtables-nft creates filter OUTPUT at priority filter
 * (-200), so there filter runs first (observed, E3).
 */
export function ebOutputOrder(backend: Backend): readonly ['nat' | 'filter', 'nat' | 'filter'] {
  return backend === 'legacy' ? ['nat', 'filter'] : ['filter', 'nat'];
}
