// Where the kernel accepts each target: its table and the hooks (built-in chains) whose packets may reach it.
// The kernel checks both when the ruleset is loaded (x_tables.c xt_check_target: "only valid in X table",
// "used from hooks A, but only usable from B"): the table for every rule, the hooks through the chains that
// reach the rule (ip_tables.c mark_source_chains; a chain nothing reaches is not hook-checked).
// Recorded on kernel 6.18 by restoring one rule per (target, table, built-in chain) into a throwaway network
// namespace with iptables-legacy-restore and iptables-nft-restore (test/kernel/target-matrix.mjs; the result
// is test/kernel/target-places.json, which test/places.test.ts compares with this table).
import { findOption, type Family, type Rule } from '@chainsight/grammar';

export interface TargetPlace {
  /** Tables the target is valid in; null: any. */
  tables: readonly string[] | null;
  /** Hooks the target is valid from; null: any. */
  hooks: readonly string[] | null;
  /** The restriction applies only with the legacy x_tables backend (iptables-nft translates the target natively). */
  legacyOnly?: boolean;
  /** The restriction applies only when this target option is present. */
  whenOption?: string;
}

const ANY = null;
const FILTER_HOOKS = ['INPUT', 'FORWARD', 'OUTPUT'];

export const IP_TARGET_PLACES: Readonly<Record<string, TargetPlace>> = {
  REJECT: { tables: ['filter'], hooks: FILTER_HOOKS },
  DNAT: { tables: ['nat'], hooks: ['PREROUTING', 'OUTPUT'] },
  REDIRECT: { tables: ['nat'], hooks: ['PREROUTING', 'OUTPUT'] },
  SNAT: { tables: ['nat'], hooks: ['POSTROUTING', 'INPUT'] },
  MASQUERADE: { tables: ['nat'], hooks: ['POSTROUTING'] },
  NETMAP: { tables: ['nat'], hooks: ANY },
  TPROXY: { tables: ['mangle'], hooks: ['PREROUTING'] },
  TRACE: { tables: ['raw'], hooks: ANY, legacyOnly: true },
  CT: { tables: ['raw'], hooks: ANY },
  NOTRACK: { tables: ['raw'], hooks: ANY },
  DSCP: { tables: ['mangle'], hooks: ANY },
  TOS: { tables: ['mangle'], hooks: ANY },
  TTL: { tables: ['mangle'], hooks: ANY },
  HL: { tables: ['mangle'], hooks: ANY },
  ECN: { tables: ['mangle'], hooks: ANY },
  CHECKSUM: { tables: ['mangle'], hooks: ANY },
  CLASSIFY: { tables: ANY, hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'] },
  TCPMSS: { tables: ANY, hooks: ['FORWARD', 'OUTPUT', 'POSTROUTING'], whenOption: 'clamp-mss-to-pmtu' },
  SYNPROXY: { tables: ANY, hooks: ['INPUT', 'FORWARD'] },
  // Not recorded (needs an SELinux context): xt_SECMARK.c / xt_CONNSECMARK.c checkentry,
  // "only valid in 'mangle' or 'security' table".
  SECMARK: { tables: ['mangle', 'security'], hooks: ANY },
  CONNSECMARK: { tables: ['mangle', 'security'], hooks: ANY },
};

/**
 * ebtables targets. Recorded with ebtables-nft-restore (nat, filter); the broute table does not exist there,
 * so its entries come from the kernel source: ebt_dnat.c and ebt_redirect.c checkentry accept
 * `broute`/BROUTING besides nat.
 */
export const EB_TARGET_PLACES: Readonly<Record<string, readonly { table: string; hooks: readonly string[] }[]>> = {
  snat: [{ table: 'nat', hooks: ['POSTROUTING'] }],
  dnat: [{ table: 'nat', hooks: ['PREROUTING', 'OUTPUT'] }, { table: 'broute', hooks: ['BROUTING'] }],
  redirect: [{ table: 'nat', hooks: ['PREROUTING'] }, { table: 'broute', hooks: ['BROUTING'] }],
  arpreply: [{ table: 'nat', hooks: ['PREROUTING'] }],
};

export type Misplacement =
  | { kind: 'table'; allowed: readonly string[]; legacyOnly?: boolean }
  | { kind: 'hooks'; bad: string[]; allowed: readonly string[] };

/**
 * Why the kernel refuses this rule's target where it stands, given the hooks that reach its chain;
 * null when it is accepted (or when chainsight does not know the target).
 */
export function targetMisplacement(rule: Rule, hooks: readonly string[], family: Family, legacy: boolean): Misplacement | null {
  const t = rule.target;
  if (!t || t.type !== 'extension') return null;
  if (family === 'bridge') {
    const places = EB_TARGET_PLACES[t.name];
    if (!places) return null;
    const inTable = places.filter((p) => p.table === rule.table);
    if (!inTable.length) return { kind: 'table', allowed: places.map((p) => p.table) };
    const allowed = inTable.flatMap((p) => p.hooks);
    const bad = hooks.filter((h) => !allowed.includes(h));
    return bad.length ? { kind: 'hooks', bad, allowed } : null;
  }
  const place = IP_TARGET_PLACES[t.name];
  if (!place) return null;
  if (place.legacyOnly && !legacy) return null;
  if (place.whenOption && !findOption(t.options, place.whenOption)) return null;
  if (place.tables && !place.tables.includes(rule.table)) return { kind: 'table', allowed: place.tables, legacyOnly: !!place.legacyOnly };
  if (place.hooks) {
    const allowed = place.hooks;
    const bad = hooks.filter((h) => !allowed.includes(h));
    if (bad.length) return { kind: 'hooks', bad, allowed };
  }
  return null;
}
