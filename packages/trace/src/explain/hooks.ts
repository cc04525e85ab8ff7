// Where a (hook, table) visit sits in the IPv4/IPv6 path: used to tell one packet's lines from the next when the
// trace has no packet id (legacy), and to decide whether a new nft trace id continues an earlier packet.
// Hooks, their place on the path and the tables' priorities come from @chainsight/netfilter (docs/netfilter.md
// §hook-priorities). The legacy priorities are used for both backends: iptables-nft's security at 150 instead of 50
// (§builtin-chains) only reorders it against nat INPUT.
import { findChain } from '@chainsight/grammar';
import { XT_HOOK_CHAINS, hookOfHookChain, hookStage, isXtHookChain, xtablesPriority } from '@chainsight/netfilter';
import { isBuiltinChain, type SnapshotIndex } from './snapshot-index';
import type { TraceFamily } from './types';

export const HOOKS = XT_HOOK_CHAINS;

/** 0: the packet enters (PREROUTING, or OUTPUT for local packets), 1: INPUT/FORWARD, 2: POSTROUTING. */
// A Map: the chain names looked up come from the log (`TRACE: filter:__proto__:…` must not find Object.prototype).
export const HOOK_STAGE: ReadonlyMap<string, number> = new Map(XT_HOOK_CHAINS.map((c) => [c, hookStage(hookOfHookChain(c)!)!]));

export function isHookName(name: string): boolean {
  return isXtHookChain(name);
}

/** The table's priority at the hook named by `hook`; 0 for a table or hook x_tables does not have there. */
export function tablePriority(table: string, hook: string): number {
  const h = hookOfHookChain(hook);
  return (h === undefined ? undefined : xtablesPriority('legacy', 'ip', table, h)) ?? 0;
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
