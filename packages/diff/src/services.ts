// Service-level changes for kube-proxy snapshots, and which raw changes they account for.
// A service's endpoint change explains: its KUBE-SEP chains appearing or going, rules inside them, and rules
// that jump to them (the KUBE-SVC/SVL fan-out with its probabilities). kube-proxy also creates or deletes
// chains and rules when a count crosses zero (proxier.go syncProxyRules):
// * no endpoints ↔ some: the KUBE-SVC/SVL/EXT/FW chains, the jumps to them, the "has no endpoints" REJECTs;
// * no local endpoints ↔ some (externalTrafficPolicy: Local): the KUBE-SVL chain, the KUBE-EXT jump to it,
//   the "has no local endpoints" DROPs.
// Those are explained too. Anything else about the service (a new cluster IP, a changed node port) stays a
// change of its own.
import type { Rule, Snapshot } from '@chainsight/grammar';
import type { TableSides } from './diff';
import { serviceToken, type TableIdentities } from './identity';
import { endpointList, kubeServices, type KubeService } from './kube';
import type { ReachMap } from './reach';
import type { Change, Endpoint, ServiceAdded, ServiceEndpoints, ServiceRemoved } from './types';

export type ServiceChange = ServiceEndpoints | ServiceAdded | ServiceRemoved;

function serviceReach(s: KubeService | undefined, reach: (table: string) => ReachMap | undefined): readonly string[] | null {
  if (!s) return null;
  const map = reach(s.table);
  if (!map) return [];
  const hit = new Set([...s.chains, ...(s.mentions.get(s.table) ?? [])].flatMap((c) => map.get(c) ?? []));
  return map.hooks.filter((h) => hit.has(h));
}

const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * Service changes between the two sides. `candidates`: the services some raw change touches (a service none
 * touches has the same chains and endpoints on both sides); null compares every service.
 */
export function serviceChanges(
  before: Snapshot, after: Snapshot, sides: readonly TableSides[], considered: (...chains: string[]) => boolean,
  candidates: ReadonlySet<string> | null,
): ServiceChange[] {
  const ids = (pick: (s: TableSides) => TableIdentities | undefined) => {
    const m = new Map<string, TableIdentities>();
    for (const s of sides) { const id = pick(s); if (id) m.set(s.name, id); }
    return m;
  };
  const sb = kubeServices(before, ids((s) => s.idBefore), candidates);
  const sa = kubeServices(after, ids((s) => s.idAfter), candidates);
  const bySide = new Map(sides.map((s) => [s.name, s]));
  const reachB = (t: string) => bySide.get(t)?.reachBefore;
  const reachA = (t: string) => bySide.get(t)?.reachAfter;
  const out: ServiceChange[] = [];
  for (const name of [...new Set([...sa.keys(), ...sb.keys()])].sort()) {
    const b = sb.get(name), a = sa.get(name);
    const chains = { before: b?.chains ?? [], after: a?.chains ?? [] };
    if (!considered(...chains.before, ...chains.after)) continue;
    // Endpoints behind ignored KUBE-SEP chains do not count (`--ignore-chains 'KUBE-SEP-*'`).
    const addresses = (s: KubeService) => new Set([...s.endpoints].filter(([, chain]) => considered(chain)).map(([address]) => address));
    const addrB = b ? addresses(b) : new Set<string>(), addrA = a ? addresses(a) : new Set<string>();
    const localB = new Set([...b?.local ?? []].filter((x) => addrB.has(x)));
    const localA = new Set([...a?.local ?? []].filter((x) => addrA.has(x)));
    // Most services of two snapshots of one cluster are unchanged: compare sets before building lists.
    if (b && a && sameSet(addrB, addrA) && sameSet(localB, localA)) continue;
    const eps = (s: KubeService | undefined, keep: ReadonlySet<string>): Endpoint[] => endpointList(s).filter((e) => keep.has(e.address));
    const eb = eps(b, addrB), ea = eps(a, addrA);
    const base = {
      id: 0, table: (a ?? b)!.table, chain: null, service: name, chains,
      reach: { before: serviceReach(b, reachB), after: serviceReach(a, reachA) },
    };
    if (b && a) {
      const change: ServiceEndpoints = {
        ...base, kind: 'service-endpoints', before: eb, after: ea,
        added: [...addrA].filter((x) => !addrB.has(x)), removed: [...addrB].filter((x) => !addrA.has(x)),
      };
      if (b.local || a.local) {
        change.local = { before: eb.map((e) => e.address).filter((x) => localB.has(x)), after: ea.map((e) => e.address).filter((x) => localA.has(x)) };
      }
      out.push(change);
    } else if (a) out.push({ ...base, kind: 'service-added', after: ea });
    else out.push({ ...base, kind: 'service-removed', before: eb });
  }
  return out;
}

/** What a service change accounts for (see the file header). */
interface Scope {
  id: number;
  /** Endpoints went none ↔ some, or the service appeared or went. */
  all: boolean;
  /** Local endpoints went none ↔ some. */
  local: boolean;
}

const LOCAL_CHAIN = /^KUBE-(?:SVL|XLB)-/;

/** Services named by the chains, jump targets and comments of the raw changes; null when a whole table came or went. */
export function touchedServices(changes: readonly Change[], sides: readonly TableSides[], rulesOf: WeakMap<Change, Rule[]>): Set<string> | null {
  const out = new Set<string>();
  const bySide = new Map(sides.map((s) => [s.name, s]));
  for (const c of changes) {
    if (c.kind === 'table-added' || c.kind === 'table-removed') return null;
    const side = bySide.get(c.table);
    const names: string[] = [];
    if (c.chain !== null) names.push(c.chain);
    if (c.kind === 'chain-renamed') names.push(c.before.chain);
    for (const r of rulesOf.get(c) ?? []) {
      names.push(r.chain);
      if (r.target) names.push(r.target.name);
      const token = serviceToken(r.comment);
      if (token) out.add(token);
    }
    for (const n of names) {
      for (const id of [side?.idBefore?.get(n), side?.idAfter?.get(n)]) if (id?.service) out.add(id.service);
    }
  }
  return out;
}

export function explainServiceChanges(changes: Change[], services: readonly ServiceChange[], rulesOf: WeakMap<Change, Rule[]>): void {
  if (!services.length) return;
  /** table + chain → the service change that explains changes to it, or to jumps into it. */
  const byChain = new Map<string, number>();
  const byName = new Map<string, Scope>();
  const key = (table: string, chain: string) => `${table}\u0000${chain}`;
  for (const s of services) {
    const eb = s.kind === 'service-added' ? [] : s.before;
    const ea = s.kind === 'service-removed' ? [] : s.after;
    const all = !eb.length || !ea.length;
    const local = s.kind === 'service-endpoints' && !!s.local && (!s.local.before.length) !== (!s.local.after.length);
    for (const e of [...eb, ...ea]) byChain.set(key(s.table, e.chain), s.id);
    for (const c of [...s.chains.before, ...s.chains.after]) {
      if (all || (local && LOCAL_CHAIN.test(c))) byChain.set(key(s.table, c), s.id);
    }
    byName.set(s.service, { id: s.id, all, local });
  }
  for (const c of changes) {
    let owner: number | undefined;
    if (c.kind === 'chain-added' || c.kind === 'chain-removed') {
      owner = byChain.get(key(c.table, c.chain!));
    } else if (c.kind === 'rule-added' || c.kind === 'rule-removed' || c.kind === 'rule-modified' || c.kind === 'rule-moved') {
      for (const r of rulesOf.get(c) ?? []) {
        owner = byChain.get(key(c.table, r.chain)) ?? (r.target ? byChain.get(key(c.table, r.target.name)) : undefined);
        if (owner === undefined && (c.kind === 'rule-added' || c.kind === 'rule-removed')) {
          const scope = byName.get(serviceToken(r.comment) ?? '');
          if (scope && (scope.all || (scope.local && r.comment!.endsWith(' has no local endpoints')))) owner = scope.id;
        }
        if (owner !== undefined) break;
      }
    }
    if (owner !== undefined) c.explainedBy = owner;
  }
}
