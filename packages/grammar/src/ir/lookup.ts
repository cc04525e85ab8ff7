// Lookups over the IR. Chains are found through Maps, never through plain objects:
// chain names such as `__proto__` or `constructor` are legal in iptables.
import type { Chain, OptionEntry, Match, Rule, Snapshot, Table } from './nodes';
import type { Interface } from './values';

const chainMaps = new WeakMap<Table, Map<string, Chain>>();

export function chainMap(table: Table): Map<string, Chain> {
  let map = chainMaps.get(table);
  if (!map || map.size !== table.chains.length) {
    map = new Map(table.chains.map((c) => [c.name, c]));
    chainMaps.set(table, map);
  }
  return map;
}

export function findChain(table: Table, name: string): Chain | undefined {
  return chainMap(table).get(name);
}

export function findTable(snapshot: Snapshot, name: string): Table | undefined {
  return snapshot.tables.find((t) => t.name === name);
}

export function findOption(options: readonly OptionEntry[], key: string): OptionEntry | undefined {
  for (const o of options) if (o.key === key) return o;
  return undefined;
}

/**
 * Interface names as ifname_compare_aligned() compares them after iptables' iface_to_mask(): `X+` is a prefix
 * match, `X` an exact match, `+` or empty matches any; a missing device is compared as "". One test for the
 * simulator, the host facts of a rules-only trace and the packet-set engine.
 */
export function interfaceMatcher(v: Interface): (name: string) => boolean {
  if (v.wildcard) {
    const prefix = v.name;
    return prefix === '' ? () => true : (n) => n.startsWith(prefix);
  }
  const exact = v.name;
  return (n) => n === exact;
}

/** An option's number: its typed value, else its first word read as a number, else the fallback. */
export function optionNumber(options: readonly OptionEntry[], key: string, fallback: number): number {
  const o = findOption(options, key);
  if (!o) return fallback;
  if (o.value.type === 'number') return o.value.value;
  const n = Number(o.words[0]);
  return Number.isFinite(n) ? n : fallback;
}

export function baseOption(rule: Rule, key: string): OptionEntry | undefined {
  return findOption(rule.base, key);
}

export function matchesOf(rule: Rule, module: string): Match[] {
  return rule.matches.filter((m) => m.module === module);
}

export function* allRules(snapshot: Snapshot): Generator<Rule> {
  for (const t of snapshot.tables) for (const c of t.chains) yield* c.rules;
}

export function ruleCount(snapshot: Snapshot): number {
  let n = 0;
  for (const t of snapshot.tables) for (const c of t.chains) n += c.rules.length;
  return n;
}
