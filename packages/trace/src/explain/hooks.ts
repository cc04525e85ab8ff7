// Where a (hook, table) visit sits in the IPv4/IPv6 path: used to tell one packet's lines from the next when the
// trace has no packet id (legacy), and to decide whether a new nft trace id continues an earlier packet.
// Hook priorities: include/uapi/linux/netfilter_ipv4.h enum nf_ip_hook_priorities (docs/netfilter.md §hook-priorities);
// iptables-nft puts security at 150 instead of 50 (docs/netfilter.md §builtin-chains), which only reorders it against nat INPUT.
import { findChain } from '@chainsight/grammar';
import { isBuiltinChain, type SnapshotIndex } from './snapshot-index';
import type { TraceFamily } from './types';

export const HOOKS = ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'] as const;
const HOOK_SET = new Set<string>(HOOKS);

/** 0: the packet enters (PREROUTING, or OUTPUT for local packets), 1: INPUT/FORWARD, 2: POSTROUTING. */
// A Map: the chain names looked up come from the log (`TRACE: filter:__proto__:…` must not find Object.prototype).
export const HOOK_STAGE: ReadonlyMap<string, number> = new Map([['PREROUTING', 0], ['OUTPUT', 0], ['INPUT', 1], ['FORWARD', 1], ['POSTROUTING', 2]]);

export function isHookName(name: string): boolean {
  return HOOK_SET.has(name);
}

export function tablePriority(table: string, hook: string): number {
  switch (table) {
    case 'raw':
      return -300;
    case 'mangle':
      return -150;
    case 'nat':
      return hook === 'PREROUTING' || hook === 'OUTPUT' ? -100 : 100;
    case 'security':
      return 50;
    default:
      return 0;
  }
}

/** Order of a (hook, table) visit in the path of one packet; null when the hook is unknown. */
export function visitRank(hook: string | null, table: string): number | null {
  const stage = hook === null ? undefined : HOOK_STAGE.get(hook);
  if (hook === null || stage === undefined) return null;
  return stage * 1000 + tablePriority(table, hook);
}

/**
 * Whether a chain is a base chain (the traversal of a hook starts there): built-in in the snapshot, or by name
 * for tables the snapshots do not have (`PREROUTING` … in iptables-nft and ebtables-nft tables).
 */
export function isBaseChain(index: SnapshotIndex, family: TraceFamily, table: string, chain: string): boolean {
  const hit = index.table(family, table);
  const c = hit ? findChain(hit.table, chain) : undefined;
  if (c) return c.builtin;
  return isBuiltinChain(family, table, chain) || isHookName(chain);
}
