// Which tables run at each hook, in priority order: the order is @chainsight/netfilter's (docs/netfilter.md §hooks,
// §bridge-priorities), read once per backend into the steps the simulator runs. `ct` marks the conntrack hook
// (NF_IP_PRI_CONNTRACK -200), `confirm` the conntrack confirmation at the last hook position; defragmentation
// (-400) is not a step of its own.
import { BACKENDS, XT_HOOK_CHAINS, hookOfHookChain, xtablesHookOrder, type XtHookEntry } from '@chainsight/netfilter';
import type { Backend, Hook } from '../types';

export type IpHookStep = 'raw' | 'ct' | 'mangle' | 'nat' | 'filter' | 'security' | 'confirm';

function ipStep(e: XtHookEntry): IpHookStep | null {
  if (e.kind === 'conntrack') return e.name === 'conntrack' ? 'ct' : e.name === 'confirm' ? 'confirm' : null;
  return e.table as IpHookStep;
}

const IP_ORDER = new Map<string, readonly IpHookStep[]>();
for (const backend of BACKENDS) {
  for (const hook of XT_HOOK_CHAINS) {
    const steps = xtablesHookOrder(backend, 'ip', hookOfHookChain(hook)!).map(ipStep).filter((s): s is IpHookStep => s !== null);
    IP_ORDER.set(`${backend} ${hook}`, steps);
  }
}

/**
 * IPv4 and IPv6 use the same priorities (enum nf_ip_hook_priorities / nf_ip6_hook_priorities). The security table
 * is at NF_IP_PRI_SECURITY (50) in the kernel's x_tables, but iptables-nft creates its chains at priority 150,
 * after nat INPUT (100): at INPUT the order differs by backend (docs/netfilter.md §builtin-chains, observed in E1).
 */
export function ipHookOrder(hook: Hook, backend: Backend): readonly IpHookStep[] {
  return IP_ORDER.get(`${backend} ${hook}`) ?? [];
}

const EB_OUTPUT = new Map<Backend, readonly ['nat' | 'filter', 'nat' | 'filter']>(
  BACKENDS.map((b) => [b, xtablesHookOrder(b, 'bridge', 'output').map((e) => (e.kind === 'table' ? e.table : '')) as ['nat' | 'filter', 'nat' | 'filter']]),
);

/**
 * ebtables tables at the bridge's output hook (docs/netfilter.md §bridge-priorities). Legacy ebtables registers nat
 * OUTPUT at NF_BR_PRI_NAT_DST_OTHER (100) and filter OUTPUT at NF_BR_PRI_FILTER_OTHER (200); ebtables-nft creates
 * filter OUTPUT at priority filter (-200), so there filter runs first (observed, E3).
 */
export function ebOutputOrder(backend: Backend): readonly ['nat' | 'filter', 'nat' | 'filter'] {
  return EB_OUTPUT.get(backend)!;
}
