// Netfilter hooks: the places on a packet's path where base chains are attached, per family (nft(8) ADDRESS
// FAMILIES; the kernel's hook masks in net/netfilter/nft_chain_filter.c), and the x_tables chains named after them.
import type { NfFamily } from './family';

export const HOOKS = ['prerouting', 'input', 'forward', 'output', 'postrouting', 'ingress', 'egress'] as const;
export type Hook = (typeof HOOKS)[number];

const INET5: readonly Hook[] = ['prerouting', 'input', 'forward', 'output', 'postrouting'];

/**
 * The hooks a base chain of each family may use. ip and ip6: the five IP hooks (nft_chain_filter_ipv4/ipv6);
 * inet adds ingress (Linux 5.10); arp: input and output (nft_chain_filter_arp); bridge: its own five hooks, named
 * like the IP ones (nft_chain_filter_bridge); netdev: ingress and egress (egress since Linux 5.16).
 */
export const FAMILY_HOOKS: ReadonlyMap<NfFamily, readonly Hook[]> = new Map<NfFamily, readonly Hook[]>([
  ['ip', INET5],
  ['ip6', INET5],
  ['inet', [...INET5, 'ingress']],
  ['arp', ['input', 'output']],
  ['bridge', INET5],
  ['netdev', ['ingress', 'egress']],
]);

const HOOK_SET: ReadonlySet<string> = new Set(HOOKS);

export function isHook(name: string): name is Hook {
  return HOOK_SET.has(name);
}

export function familyHasHook(family: NfFamily, hook: Hook): boolean {
  return FAMILY_HOOKS.get(family)!.includes(hook);
}

/**
 * The x_tables built-in chains named after the hook they are attached to, in the kernel's hook number order
 * (NF_INET_PRE_ROUTING 0 … NF_INET_POST_ROUTING 4; the bridge's NF_BR_* and arp's NF_ARP_* use the same names).
 */
export const XT_HOOK_CHAINS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;
export type XtHookChain = (typeof XT_HOOK_CHAINS)[number];

// BROUTING is ebtables' broute chain: no hook of its own any more, it runs first at bridge prerouting
// (ebt_ops_broute, net/bridge/netfilter/ebtable_broute.c).
const XT_CHAIN_HOOK: ReadonlyMap<string, Hook> = new Map<string, Hook>([
  ['PREROUTING', 'prerouting'], ['INPUT', 'input'], ['FORWARD', 'forward'], ['OUTPUT', 'output'], ['POSTROUTING', 'postrouting'], ['BROUTING', 'prerouting'],
]);

/** The hook of an x_tables built-in chain name (BROUTING → prerouting); undefined for any other name. */
export function hookOfXtChain(chain: string): Hook | undefined {
  return XT_CHAIN_HOOK.get(chain);
}

/** Whether a chain name is one of the five hook names (not BROUTING). */
export function isXtHookChain(chain: string): chain is XtHookChain {
  return XT_CHAIN_HOOK.has(chain) && chain !== 'BROUTING';
}

/** The hook of one of the five hook-named chains; undefined for BROUTING and any other name. */
export function hookOfHookChain(chain: string): Hook | undefined {
  return isXtHookChain(chain) ? XT_CHAIN_HOOK.get(chain) : undefined;
}

/**
 * Where a hook sits on one packet's way through a host: 0 where the packet enters netfilter (prerouting, or output
 * for a packet this host sends), 1 after the routing decision (input, forward), 2 on the way out (postrouting).
 * ingress and egress are per device and off this path: undefined. (ip_rcv → ip_rcv_finish → ip_local_deliver or
 * ip_forward → ip_output; __ip_local_out → ip_output; net/ipv4/ip_input.c, ip_forward.c, ip_output.c.)
 */
export function hookStage(hook: Hook): 0 | 1 | 2 | undefined {
  switch (hook) {
    case 'prerouting':
    case 'output':
      return 0;
    case 'input':
    case 'forward':
      return 1;
    case 'postrouting':
      return 2;
    default:
      return undefined;
  }
}
