// The user's snapshots as explain looks them up: a table by trace family and name, chain references, what a
// rule's target does to the traversal (the verdict a trace line of that rule stands for), the kernel's own
// notion of an unconditional rule (for the legacy numbering quirk), and the handle arithmetic of docs/netfilter.md §nft-handles.
import { builtinChains, findChain, findOption, type Chain, type Family, type Rule, type Snapshot, type Table } from '@chainsight/grammar';
import { isTerminal } from '@chainsight/analyzer';
import type { ChainRef, RuleRef, TraceFamily } from './types';

export interface TableHit {
  snapshot: Snapshot;
  table: Table;
}

const FAMILY: Partial<Record<TraceFamily, Family>> = { ip: 'ipv4', ip6: 'ipv6', bridge: 'bridge' };

export class SnapshotIndex {
  private readonly handles = new WeakMap<Table, Map<number, Rule>>();

  constructor(readonly snapshots: readonly Snapshot[]) {}

  /** The snapshot family a trace family's tables live in (`ip` → ipv4); null for nft-only families. */
  static familyOf(f: TraceFamily): Family | null {
    return FAMILY[f] ?? null;
  }

  table(family: TraceFamily, name: string): TableHit | undefined {
    const f = SnapshotIndex.familyOf(family);
    if (!f) return undefined;
    for (const snapshot of this.snapshots) {
      if (snapshot.family !== f) continue;
      const table = snapshot.tables.find((t) => t.name === name);
      if (table) return { snapshot, table };
    }
    return undefined;
  }

  hasFamily(family: TraceFamily): boolean {
    const f = SnapshotIndex.familyOf(family);
    return f !== null && this.snapshots.some((s) => s.family === f);
  }

  /**
   * Handle → rule for a table loaded by one iptables-nft-restore into a fresh namespace: nf_tables numbers chains
   * and rules from one per-table counter, chains first in declaration order, then the `-A` lines in file order, so
   * the k-th `-A` line of the table has handle (number of chains) + k (docs/netfilter.md §nft-handles, E7). Wrong as
   * soon as rules were added or deleted one by one; callers check the result against the printed rule.
   */
  handleMap(table: Table): Map<number, Rule> {
    let map = this.handles.get(table);
    if (!map) {
      map = new Map();
      const rules = table.chains.flatMap((c) => c.rules).sort((a, b) => a.span.start.offset - b.span.start.offset);
      rules.forEach((r, k) => map!.set(table.chains.length + k + 1, r));
      this.handles.set(table, map);
    }
    return map;
  }
}

export function ruleRef(rule: Rule, snapshot: Snapshot): RuleRef {
  return {
    family: rule.family, table: rule.table, chain: rule.chain, index: rule.index, file: snapshot.fileName,
    line: rule.span.start.line, text: rule.raw.trim(), target: rule.target?.name ?? null,
  };
}

export function chainRef(chain: Chain, table: Table, snapshot: Snapshot): ChainRef {
  return {
    family: table.family, table: table.name, chain: chain.name, builtin: chain.builtin, policy: chain.policy,
    rules: chain.rules.length, file: snapshot.fileName, line: chain.span?.start.line ?? null,
  };
}

export function findChainIn(hit: TableHit | undefined, name: string): Chain | undefined {
  return hit ? findChain(hit.table, name) : undefined;
}

/** Built-in chain names of a table (the hook names for ip tables), also when the snapshot leaves them out. */
export function isBuiltinChain(family: TraceFamily, table: string, chain: string): boolean {
  const f = SnapshotIndex.familyOf(family) ?? 'ipv4';
  return (builtinChains(f, table) ?? []).includes(chain);
}

/**
 * ip_tables.c unconditional(): the entry has no match at all and an all-zero `struct ipt_ip` (no -s/-d/-i/-o/-p/-f,
 * no inversion). Unlike the analyzer's notion, `-m comment` counts as a match here: the kernel sees a match.
 * `-s 0.0.0.0/0`, `-p all` and `-i +` store zeros, so they stay unconditional.
 */
export function kernelUnconditional(rule: Rule): boolean {
  if (rule.matches.length > 0) return false;
  return rule.base.every((o) => {
    if (o.negated) return false;
    const v = o.value;
    if (v.type === 'address') return v.mask === 0n;
    if (v.type === 'protocol') return v.number === 0;
    if (v.type === 'interface') return v.wildcard && v.name === '';
    return false;
  });
}

/** A standard target (`verdict < 0` in get_chainname_rulenum()): ACCEPT, DROP, RETURN, QUEUE — not a jump. */
export function standardVerdict(rule: Rule): string | null {
  const t = rule.target;
  return t && t.type === 'verdict' && !t.goto ? t.name : null;
}

/** NAT targets: a trace line of such a rule means the packet's addresses were (to be) rewritten. */
export const NAT_TARGETS = new Set(['DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP']);

/**
 * The verdict a matched rule hands back, in the trace vocabulary (what xtables-monitor prints, plus REJECT):
 * CONTINUE for no target and non-terminating extensions, JUMP:/GOTO:<chain>, ACCEPT/DROP/RETURN/QUEUE, REJECT,
 * ACCEPT for the nat targets (nf_nat returns NF_ACCEPT), QUEUE for NFQUEUE; null when unknown.
 */
export function ruleVerdict(rule: Rule): string | null {
  const t = rule.target;
  if (!t) return 'CONTINUE';
  switch (t.type) {
    case 'verdict':
      return t.name;
    case 'chain':
      return `${t.goto ? 'GOTO' : 'JUMP'}:${t.name}`;
    case 'extension':
      if (t.name === 'REJECT') return 'REJECT';
      if (t.name === 'NFQUEUE' || t.name === 'QUEUE') return 'QUEUE';
      return isTerminal(rule) ? 'ACCEPT' : 'CONTINUE';
    case 'unknown':
      return null;
  }
}

/** The `--to-*` argument of a NAT rule, as written. */
export function natTo(rule: Rule): string | null {
  const t = rule.target;
  if (!t) return null;
  for (const key of ['to-destination', 'to-source', 'to-ports', 'to']) {
    const o = findOption(t.options, key);
    if (o) return o.words.join(' ');
  }
  return null;
}
