// kube-proxy (iptables mode) services read back from a snapshot: which service port names exist and which
// endpoints each load-balances to, so a diff can say "service ns/svc:http: endpoints A → B" instead of listing
// the KUBE-SEP chains and KUBE-SVC rules that kube-proxy rewrote (proxier.go syncProxyRules).
//
// A service exists on a side when it has KUBE-SVC/SVL/EXT/FW chains there, or when a rule's comment says it
// "has no endpoints" (kube-proxy then writes a REJECT instead of chains). Its endpoints are the DNAT
// destinations of the KUBE-SEP chains its KUBE-SVC/SVL chains jump to.
import { chainMap, type Snapshot } from '@chainsight/grammar';
import { kubeServicePrefix, serviceToken, type TableIdentities } from './identity';
import type { Endpoint } from './types';

export interface KubeService {
  name: string;
  /** The table holding its chains (nat), or where it was mentioned when it has none. */
  table: string;
  /** KUBE-SVC/SVL/EXT/FW chains. */
  chains: string[];
  /** KUBE-SEP chains reached from its KUBE-SVC/SVL chains. */
  endpointChains: Set<string>;
  /** Endpoint address → KUBE-SEP chain, sorted by address when read. */
  endpoints: Map<string, string>;
  /** Endpoints on this node (reached from KUBE-SVL, the externalTrafficPolicy: Local chain), or null without one. */
  local: Set<string> | null;
  /** Chains holding its "has no endpoints" rules, by table (where its traffic goes when it has no chains). */
  mentions: Map<string, Set<string>>;
}

const NO_ENDPOINTS = / has no (?:local )?endpoints$/;

/**
 * Services of a snapshot, by service port name; empty for snapshots kube-proxy did not write. `only` limits the
 * work to the named services (the ones some raw change touches); null reads them all.
 */
export function kubeServices(
  snapshot: Snapshot, identities: ReadonlyMap<string, TableIdentities>, only: ReadonlySet<string> | null,
): Map<string, KubeService> {
  const services = new Map<string, KubeService>();
  const entry = (name: string, table: string): KubeService => {
    let s = services.get(name);
    if (!s) services.set(name, (s = { name, table, chains: [], endpointChains: new Set(), endpoints: new Map(), local: null, mentions: new Map() }));
    return s;
  };
  for (const t of snapshot.tables) {
    const ids = identities.get(t.name);
    if (!ids) continue;
    const chains = chainMap(t);
    for (const [name, names] of ids.serviceChains()) {
      if (only && !only.has(name)) continue;
      const s = entry(name, t.name);
      s.table = t.name;
      for (const chainName of names) {
        s.chains.push(chainName);
        const prefix = kubeServicePrefix(chainName);
        if (prefix === 'KUBE-EXT-' || prefix === 'KUBE-FW-') continue;
        const local = prefix === 'KUBE-SVL-' || prefix === 'KUBE-XLB-';
        if (local) s.local ??= new Set();
        for (const r of chains.get(chainName)!.rules) {
          const target = r.target?.name;
          const sep = target ? ids.get(target) : undefined;
          if (!target || sep?.pairedBy !== 'endpoint' || !sep.endpoint) continue;
          s.endpointChains.add(target);
          s.endpoints.set(sep.endpoint, target);
          if (local) s.local!.add(sep.endpoint);
        }
      }
    }
  }
  for (const t of snapshot.tables) {
    if (!identities.has(t.name)) continue;
    for (const c of t.chains) {
      for (const r of c.rules) {
        if (!r.comment?.endsWith('endpoints') || !NO_ENDPOINTS.test(r.comment)) continue;
        const name = serviceToken(r.comment);
        if (!name || (only && !only.has(name))) continue;
        const s = services.get(name) ?? entry(name, t.name);
        let set = s.mentions.get(t.name);
        if (!set) s.mentions.set(t.name, (set = new Set()));
        set.add(c.name);
      }
    }
  }
  return services;
}

/** Endpoints sorted like kube-proxy sorts them (by address, numerically). */
export function endpointList(s: KubeService | undefined): Endpoint[] {
  if (!s) return [];
  return [...s.endpoints].map(([address, chain]) => ({ address, chain })).sort((a, b) => compareEndpoint(a.address, b.address));
}

function compareEndpoint(a: string, b: string): number {
  const pa = a.split(/[.:]/).map(Number), pb = b.split(/[.:]/).map(Number);
  if (pa.every(Number.isFinite) && pb.every(Number.isFinite) && pa.length === pb.length) {
    for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
