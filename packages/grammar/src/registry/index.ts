// Lookups over the registry, built once at module load.
import { xtablesBaseChains } from '@chainsight/netfilter';
import type { Family } from '../ir/nodes';
import { EB_BASE, EB_MATCHES, EB_TARGETS, EB_VERDICTS } from './ebtables';
import { MATCHES } from './matches';
import type { ModuleSpec, OptionSpec, TargetSpec } from './spec';
import { TARGETS, VERDICTS } from './targets';
import * as values from './value-types';

export type { ModuleSpec, OptionSpec, TargetSpec } from './spec';
export { MATCHES, TARGETS, EB_MATCHES, EB_TARGETS, EB_BASE, VERDICTS, EB_VERDICTS, values };

const byFamily = <T extends { families: readonly Family[] }>(list: readonly T[], fam: Family) =>
  list.filter((x) => x.families.includes(fam));

const matchIndex = new Map<Family, Map<string, ModuleSpec>>();
const targetIndex = new Map<Family, Map<string, TargetSpec>>();
for (const fam of ['ipv4', 'ipv6', 'bridge'] as const) {
  const mm = new Map<string, ModuleSpec>();
  for (const m of byFamily(fam === 'bridge' ? EB_MATCHES : MATCHES, fam)) {
    mm.set(m.name, m);
    for (const a of m.aliases) mm.set(a, m);
  }
  matchIndex.set(fam, mm);
  const tm = new Map<string, TargetSpec>();
  for (const t of byFamily(fam === 'bridge' ? EB_TARGETS : TARGETS, fam)) tm.set(t.name, t);
  targetIndex.set(fam, tm);
}

export function findMatchModule(family: Family, name: string): ModuleSpec | undefined {
  return matchIndex.get(family)!.get(name);
}

export function findTargetSpec(family: Family, name: string): TargetSpec | undefined {
  return targetIndex.get(family)!.get(name);
}

/** Finds an option by exact spelling, then (like getopt_long) by an unambiguous prefix of a long option. */
/** Exact spelling → spec, built once per option list (the lookup runs for every option of every rule). */
const exactIndex = new WeakMap<readonly OptionSpec[], Map<string, OptionSpec>>();
function exactMap(options: readonly OptionSpec[]): Map<string, OptionSpec> {
  let m = exactIndex.get(options);
  if (!m) {
    m = new Map();
    for (const o of options) for (const n of o.names) if (!m.has(n)) m.set(n, o);
    exactIndex.set(options, m);
  }
  return m;
}

export function findOptionSpec(options: readonly OptionSpec[], spelling: string, allowPrefix = true): OptionSpec | undefined {
  const exact = exactMap(options).get(spelling);
  if (exact) return exact;
  if (!allowPrefix || !spelling.startsWith('--') || spelling.length < 4) return undefined;
  let found: OptionSpec | undefined;
  for (const o of options) {
    for (const name of o.names) {
      if (name.startsWith(spelling)) {
        if (found && found !== o && found.key !== o.key) return undefined;
        found = o;
      }
    }
  }
  return found;
}

/** The spec the printer uses for a key: the first declared with that key. */
export function canonicalOption(options: readonly OptionSpec[], key: string): OptionSpec | undefined {
  for (const o of options) if (o.key === key) return o;
  return undefined;
}

/** ebtables: which option-named module knows this option. */
export function findEbModuleForOption(spelling: string, allowPrefix = true): ModuleSpec | undefined {
  for (const m of EB_MATCHES) if (findOptionSpec(m.options, spelling, false)) return m;
  if (allowPrefix) for (const m of EB_MATCHES) if (findOptionSpec(m.options, spelling)) return m;
  return undefined;
}

/**
 * Built-in chains per family and table (iptables(8) TABLES; ebtables(8) TABLES), tables in that order and chains
 * in hook order: the legacy tables of @chainsight/netfilter (ebtables-nft lacks broute, but its text is read alike).
 */
export const BUILTIN_CHAINS: Record<'ip' | 'bridge', Record<string, readonly string[]>> = {
  ip: chainsByTable('ip'),
  bridge: chainsByTable('bridge'),
};

function chainsByTable(family: 'ip' | 'bridge'): Record<string, readonly string[]> {
  const out: Record<string, string[]> = {};
  for (const c of xtablesBaseChains('legacy', family)) (out[c.table] ??= []).push(c.chain);
  return out;
}

/** The built-in chains of a table, or undefined for a table the tool does not have. Table names come from the
 * input: `__proto__` or `constructor` must not find Object.prototype's members. */
export function builtinChains(family: Family, table: string): readonly string[] | undefined {
  const tables = BUILTIN_CHAINS[family === 'bridge' ? 'bridge' : 'ip'];
  return Object.hasOwn(tables, table) ? tables[table] : undefined;
}

/**
 * The policies a chain may have. iptables: ACCEPT or DROP on a built-in chain (libiptc iptc_set_policy,
 * "Bad policy name"), none on a user chain. ebtables: ACCEPT, DROP or RETURN, RETURN only on a user chain
 * (ebtables.c: "Policy RETURN only allowed for user defined chains").
 */
export function allowedPolicies(family: Family, builtin: boolean): readonly string[] {
  if (family === 'bridge') return builtin ? ['ACCEPT', 'DROP'] : ['ACCEPT', 'DROP', 'RETURN'];
  return builtin ? ['ACCEPT', 'DROP'] : [];
}

/**
 * The longest chain name: XT_EXTENSION_MAXNAMELEN (29, with the NUL) for iptables, EBT_CHAIN_MAXNAMELEN (32)
 * for ebtables. Longer names are refused by iptables ("chain name `…' too long (must be under 29 chars)").
 */
export function maxChainNameLength(family: Family): number {
  return family === 'bridge' ? 31 : 28;
}
