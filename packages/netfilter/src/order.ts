// The kernel's order of the functions (base chains, x_tables tables, conntrack) registered at one hook.
import type { Backend } from './backend';
import type { Hook } from './hook';
import { CONNTRACK_HOOKS, xtablesBaseChains, type ConntrackHook, type XtBaseChain, type XtFamily } from './xtables';

export interface Prioritised {
  priority: number;
}

/**
 * The order a hook runs its entries in, given them in registration order. nf_hook_entries_grow()
 * (net/netfilter/core.c) copies the old entries and inserts the new one before the first whose priority is not
 * lower than its own: ascending priority, and among EQUAL priorities the latest registration runs first.
 * Registration order is not in any ruleset dump: callers that meet a tie (priorityTies) must say which order they
 * assumed.
 */
export function orderAtHook<T extends Prioritised>(inRegistrationOrder: readonly T[]): T[] {
  const out: T[] = [];
  for (const reg of inRegistrationOrder) {
    const at = out.findIndex((old) => !(reg.priority > old.priority));
    if (at < 0) out.push(reg);
    else out.splice(at, 0, reg);
  }
  return out;
}

/** Groups of two or more entries with the same priority, in the order given. */
export function priorityTies<T extends Prioritised>(entries: readonly T[]): T[][] {
  const groups = new Map<number, T[]>();
  for (const e of entries) {
    const g = groups.get(e.priority);
    if (g) g.push(e);
    else groups.set(e.priority, [e]);
  }
  return [...groups.values()].filter((g) => g.length > 1);
}

export type XtHookEntry = ({ kind: 'table' } & XtBaseChain) | ({ kind: 'conntrack' } & ConntrackHook);

/**
 * What runs at one hook of a family's x_tables world, in order: the tables' built-in chains and, for ip and ip6,
 * the conntrack functions (all of them, as when conntrack is in use). No two of these share a priority.
 */
export function xtablesHookOrder(backend: Backend, family: XtFamily, hook: Hook): XtHookEntry[] {
  const chains: XtHookEntry[] = xtablesBaseChains(backend, family).filter((c) => c.hook === hook).map((c) => ({ kind: 'table', ...c }));
  const ct: XtHookEntry[] = family === 'ip' || family === 'ip6' ? CONNTRACK_HOOKS.filter((c) => c.hook === hook).map((c) => ({ kind: 'conntrack', ...c })) : [];
  return orderAtHook([...ct, ...chains]);
}
