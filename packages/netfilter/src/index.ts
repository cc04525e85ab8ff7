// @chainsight/netfilter: the one vocabulary of netfilter that the iptables and the nftables worlds share.
export { FAMILIES, NFPROTO, XTABLES_TOOL, familyOfNfproto, familyOfTool, isFamily, type NfFamily, type XtablesTool } from './family';
export { FAMILY_HOOKS, HOOKS, XT_HOOK_CHAINS, familyHasHook, hookOfHookChain, hookOfXtChain, hookStage, isHook, isXtHookChain, type Hook, type XtHookChain } from './hook';
export { BACKENDS, type Backend } from './backend';
export { INT_MAX, INT_MIN, NF_BR_PRI, NF_IP_PRI } from './kernel-priorities';
export {
  BRIDGE_STANDARD_PRIORITIES, STANDARD_PRIORITIES, lookupStandardPriority, parsePriority, printPriority, standardPriorities,
  type PriorityParse, type StandardPriority,
} from './priority';
export {
  CONNTRACK_HOOKS, isXtFamily, xtablesBaseChains, xtablesPriority, xtablesTables, type ConntrackHook, type XtBaseChain, type XtFamily,
} from './xtables';
export { orderAtHook, priorityTies, xtablesHookOrder, type Prioritised, type XtHookEntry } from './order';
