// diffSnapshots: tables aligned by name, chains by name (hash-named chains by identity), rules by canonical key.
// Then kube-proxy services are read from both sides, and the raw changes a service's endpoint change accounts
// for are linked to it (`explainedBy`), so a reader sees one line per service and the JSON keeps everything.
import { chainMap, findTable, type Chain, type Rule, type Snapshot, type Table } from '@chainsight/grammar';
import { diffChainRules } from './chain-diff';
import { compileGlob, firstMatch, type Glob } from './glob';
import { pairRenamed, tableIdentities, type TableIdentities } from './identity';
import { explainServiceChanges, serviceChanges, touchedServices } from './services';
import { chainRef, ruleRef, tableRef } from './refs';
import { builtinReach, type ReachMap } from './reach';
import type { Budget } from './moves';
import {
  DIFF_SCHEMA, HASH_CHAIN_PATTERNS, type Change, type DiffNote, type DiffOptions, type DiffResult, type Reach,
  type SideInfo, type TableStat,
} from './types';

interface Resolved {
  tables: readonly string[] | null;
  chains: Glob[] | null;
  ignore: Glob[];
  hash: Glob[];
  ignoreComments: boolean;
  ignoreCounters: boolean;
}

/** Per table: what both sides look like, shared by the chain diff and the service pass. */
export interface TableSides {
  name: string;
  before: Table | undefined;
  after: Table | undefined;
  idBefore: TableIdentities | undefined;
  idAfter: TableIdentities | undefined;
  reachBefore: ReachMap | undefined;
  reachAfter: ReachMap | undefined;
}

function sideInfo(s: Snapshot): SideInfo {
  return { file: s.fileName, format: s.format, family: s.family, backend: s.backend };
}

/** Shared lists (one per set of hooks): not copied per chain, and not to be mutated. */
const reachOf = (map: ReachMap | undefined, chain: Chain | undefined): readonly string[] | null =>
  chain && map ? map.get(chain.name) ?? [] : null;

export function diffSnapshots(before: Snapshot, after: Snapshot, options: DiffOptions = {}): DiffResult {
  const o: Resolved = {
    tables: options.tables?.length ? options.tables : null,
    chains: options.chains?.length ? options.chains.map(compileGlob) : null,
    ignore: (options.ignoreChains ?? []).map(compileGlob),
    hash: (options.hashChains ?? HASH_CHAIN_PATTERNS).map(compileGlob),
    ignoreComments: options.ignoreComments ?? false,
    ignoreCounters: options.ignoreCounters ?? true,
  };
  const notes: DiffNote[] = [];
  if (before.family !== after.family) {
    notes.push({ code: 'diff/family-mismatch', message: `comparing snapshots of different families (${before.family} and ${after.family}): addresses and modules differ by family, expect most rules to differ` });
  }
  for (const s of [before, after]) {
    if (s.lossy) notes.push({ code: 'diff/lossy-input', message: `${s.fileName} is a ${s.format} listing, which does not carry every option: rules that differ only in what it leaves out compare equal` });
  }
  for (const t of o.tables ?? []) {
    if (!findTable(before, t) && !findTable(after, t)) notes.push({ code: 'diff/no-such-table', message: `table ${t} is in neither snapshot` });
  }
  const budget: Budget = { left: options.moveCheckBudget ?? 5_000_000 };
  const names = [...new Set([...after.tables.map((t) => t.name), ...before.tables.map((t) => t.name)])]
    .filter((n) => !o.tables || o.tables.includes(n));
  const sides: TableSides[] = names.map((name) => {
    const tb = findTable(before, name), ta = findTable(after, name);
    return {
      name, before: tb, after: ta,
      idBefore: tb && tableIdentities(tb, o.hash), idAfter: ta && tableIdentities(ta, o.hash),
      reachBefore: tb && builtinReach(tb, before.family), reachAfter: ta && builtinReach(ta, after.family),
    };
  });

  const ignored = (n: string) => firstMatch(o.ignore, n)?.pattern;
  const selected = (...ns: string[]) => !o.chains || ns.some((n) => o.chains!.some((g) => g.test(n)));
  const considered = (...ns: string[]) => ns.every((n) => ignored(n) === undefined) && selected(...ns);

  const groups: Change[][] = [];
  const rulesOf = new WeakMap<Change, Rule[]>();
  for (const side of sides) {
    const out: Change[] = [];
    const { before: tb, after: ta } = side;
    if (!tb || !ta) {
      const t = (tb ?? ta)!;
      const file = tb ? before.fileName : after.fileName;
      const chains = t.chains.filter((c) => considered(c.name)).map((c) => chainRef(file, t.name, c));
      if (chains.length || !o.chains) {
        const reach: Reach = { before: null, after: null };
        out.push(tb
          ? { id: 0, kind: 'table-removed', table: t.name, chain: null, reach, before: tableRef(file, t), chains }
          : { id: 0, kind: 'table-added', table: t.name, chain: null, reach, after: tableRef(file, t), chains });
      }
      groups.push(out);
      continue;
    }
    const reachB = side.reachBefore!, reachA = side.reachAfter!;
    const mapB = chainMap(tb), mapA = chainMap(ta);
    const onlyB = tb.chains.filter((c) => !mapA.has(c.name) && ignored(c.name) === undefined).map((c) => c.name);
    const onlyA = ta.chains.filter((c) => !mapB.has(c.name) && ignored(c.name) === undefined).map((c) => c.name);
    const renames = pairRenamed(onlyB, onlyA, side.idBefore!, side.idAfter!);
    const renamedFrom = new Map(renames.map((r) => [r.after, r]));
    const renamedTo = new Set(renames.map((r) => r.before));
    const aliasB = (n: string) => ignored(n) ?? n;
    const aliasA = (n: string) => ignored(n) ?? renamedFrom.get(n)?.before ?? n;
    const keyBefore = { ignoreComments: o.ignoreComments, chainAlias: aliasB };
    const keyAfter = { ignoreComments: o.ignoreComments, chainAlias: aliasA };

    for (const ca of ta.chains) {
      const rename = renamedFrom.get(ca.name);
      const cb = mapB.get(rename?.before ?? ca.name);
      if (!considered(ca.name, ...(cb ? [cb.name] : []))) continue;
      const reach: Reach = { before: reachOf(reachB, cb), after: reachOf(reachA, ca) };
      const base = { id: 0, table: ta.name, chain: ca.name, reach };
      if (!cb) {
        const c: Change = { ...base, kind: 'chain-added', after: chainRef(after.fileName, ta.name, ca), rules: ca.rules.map((r) => ruleRef(after.fileName, r)) };
        rulesOf.set(c, ca.rules);
        out.push(c);
        continue;
      }
      const refB = chainRef(before.fileName, tb.name, cb), refA = chainRef(after.fileName, ta.name, ca);
      if (rename) out.push({ ...base, kind: 'chain-renamed', before: refB, after: refA, pairedBy: rename.pairedBy, identity: rename.identity.label });
      if (cb.policy !== ca.policy) out.push({ ...base, kind: 'policy-changed', before: refB, after: refA, from: cb.policy, to: ca.policy });
      if (!o.ignoreCounters && (cb.counters?.packets !== ca.counters?.packets || cb.counters?.bytes !== ca.counters?.bytes)) {
        out.push({ ...base, kind: 'counters-changed', before: refB, after: refA, from: cb.counters, to: ca.counters });
      }
      const ruleChanges = diffChainRules({
        table: ta.name, chain: ca.name, before: cb, after: ca, fileBefore: before.fileName, fileAfter: after.fileName,
        reach, keyBefore, keyAfter, ignoreCounters: o.ignoreCounters, budget, renamed: renamedFrom,
      });
      for (const c of ruleChanges) {
        const rules: Rule[] = [];
        if ('before' in c && 'index' in c.before) rules.push(cb.rules[c.before.index - 1]!);
        if ('after' in c && 'index' in c.after) rules.push(ca.rules[c.after.index - 1]!);
        rulesOf.set(c, rules);
      }
      out.push(...ruleChanges);
    }
    for (const cb of tb.chains) {
      if (mapA.has(cb.name) || renamedTo.has(cb.name) || !considered(cb.name)) continue;
      const c: Change = {
        id: 0, kind: 'chain-removed', table: tb.name, chain: cb.name, reach: { before: reachOf(reachB, cb), after: null },
        before: chainRef(before.fileName, tb.name, cb), rules: cb.rules.map((r) => ruleRef(before.fileName, r)),
      };
      rulesOf.set(c, cb.rules);
      out.push(c);
    }
    groups.push(out);
  }

  const services = serviceChanges(before, after, sides, considered, touchedServices(groups.flat(), sides, rulesOf));
  // Services first within their table: they are the summary of what follows.
  const changes: Change[] = [];
  sides.forEach((side, i) => {
    changes.push(...services.filter((s) => s.table === side.name), ...groups[i]!);
  });
  changes.forEach((c, i) => { c.id = i; });
  explainServiceChanges(changes, services, rulesOf);
  // `kind` first in every change: the JSON reads better and the field order is stable.
  const ordered = changes.map((c) => Object.assign({ id: c.id, kind: c.kind }, c));

  const stats: TableStat[] = [];
  for (const c of ordered) {
    let s = stats[stats.length - 1];
    if (!s || s.table !== c.table) stats.push((s = { table: c.table, counts: {}, explained: 0 }));
    s.counts[c.kind] = (s.counts[c.kind] ?? 0) + 1;
    if (c.explainedBy !== undefined) s.explained++;
  }
  return { schema: DIFF_SCHEMA, before: sideInfo(before), after: sideInfo(after), changes: ordered, stats, identical: ordered.length === 0, notes };
}
