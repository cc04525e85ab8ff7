// What a hash-named chain serves, so that renamed chains pair up across snapshots.
//
// kube-proxy names its per-service chains KUBE-SVC/SVL/EXT/FW-<hash of "ns/svc:port" + protocol> and its
// per-endpoint chains KUBE-SEP-<hash of that + "ip:port"> (proxier.go servicePortChainName,
// servicePortEndpointChainName). The comments carry the service port name ("ns/svc:port cluster IP",
// "ns/svc:port -> 10.0.0.5:80") and the KUBE-SEP DNAT carries the endpoint, so a chain's identity is
// (kind, service) or (service, endpoint) — independent of the hash. Other hash-named chains (Calico's
// cali-pi-_…) are identified by their rules, and failing that by their comments.
import { chainMap, type Chain, type Rule, type Table } from '@chainsight/grammar';
import { firstMatch, type Glob } from './glob';
import { canonicalRuleKey } from './rule-key';

export interface ChainIdentity {
  /** The hash pattern the name matched (`KUBE-SEP-*`). */
  family: string;
  pairedBy: 'service' | 'endpoint' | 'content' | 'comments';
  /** Equal keys on both sides mean the same thing under another name. */
  key: string;
  /** For people: `service ns/svc:http`, `endpoint 10.0.0.5:80 of ns/svc:http`. */
  label: string;
  service?: string;
  endpoint?: string;
  /** A second key tried when `key` does not pair (comments of a content-identified chain). */
  fallbackKey?: string;
}

/** kube-proxy per-service chain prefixes (KUBE-XLB is the pre-1.24 name of KUBE-SVL). */
export const KUBE_SERVICE_PREFIXES = ['KUBE-SVC-', 'KUBE-SVL-', 'KUBE-EXT-', 'KUBE-FW-', 'KUBE-XLB-'];
export const KUBE_ENDPOINT_PREFIX = 'KUBE-SEP-';

/** A Kubernetes service port name: namespace and service are DNS labels, the port name an IANA service name. */
const SERVICE_TOKEN = /^[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?\/[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?(?::[-a-z0-9]+)?$/;

/** The first word of a comment that is a service port name (`ns/svc:port`), if any. */
export function serviceToken(comment: string | null): string | null {
  if (!comment || !comment.includes('/')) return null;
  // kube-proxy puts the name first in most comments ("ns/svc:port cluster IP"): try that word alone first.
  const space = comment.indexOf(' ');
  const first = space < 0 ? comment : comment.slice(0, space);
  if (SERVICE_TOKEN.test(first)) return first;
  for (const w of comment.split(/\s+/)) if (SERVICE_TOKEN.test(w)) return w;
  return null;
}

export function kubeServicePrefix(name: string): string | null {
  for (const p of KUBE_SERVICE_PREFIXES) if (name.startsWith(p)) return p;
  return null;
}

/** `--to-destination` of the chain's DNAT rule, as written. */
export function dnatDestination(chain: Chain): string | null {
  for (const r of chain.rules) {
    if (r.target?.name !== 'DNAT') continue;
    const to = r.target.options.find((o) => o.key === 'to-destination');
    if (to) return to.words.join(' ');
  }
  return null;
}

/** The service named by the chain's own comments, else by the comments of the rules that jump to it. */
function serviceOf(chain: Chain, inbound: () => ReadonlyMap<string, string[]>): string | null {
  for (const r of chain.rules) {
    const t = serviceToken(r.comment);
    if (t) return t;
  }
  for (const c of inbound().get(chain.name) ?? []) {
    const t = serviceToken(c);
    if (t) return t;
  }
  return null;
}

export interface TableIdentities {
  /** The identity of a hash-named chain of the table (computed on first use); undefined for other names. */
  get(chain: string): ChainIdentity | undefined;
  /** The hash pattern a name matches, or null. */
  hashFamily(name: string): string | null;
  /** kube-proxy service port name → its KUBE-SVC/SVL/EXT/FW chains (computed on first use). */
  serviceChains(): ReadonlyMap<string, readonly string[]>;
}

/**
 * Identities of the hash-named chains of one table, computed when asked: two snapshots of one cluster share
 * most chains, and only the chains around a change need one.
 */
export function tableIdentities(table: Table, hashGlobs: readonly Glob[]): TableIdentities {
  const hashFamily = (name: string): string | null => firstMatch(hashGlobs, name)?.pattern ?? null;
  const chains = chainMap(table);
  // Comments of the rules that jump into each hash-named chain ("ns/svc:port cluster IP" in KUBE-SERVICES),
  // collected only if some chain's own comments do not name its service.
  let inboundMap: Map<string, string[]> | null = null;
  const inbound = () => {
    if (inboundMap) return inboundMap;
    inboundMap = new Map();
    for (const c of table.chains) {
      for (const r of c.rules) {
        const t = r.target?.name;
        if (!t || !r.comment || hashFamily(t) === null) continue;
        const list = inboundMap.get(t);
        if (list) list.push(r.comment); else inboundMap.set(t, [r.comment]);
      }
    }
    return inboundMap;
  };
  // Content keys see other hash chains only by their family, so a renamed callee does not change the key.
  const contentKey = (rules: readonly Rule[]) =>
    rules.map((r) => canonicalRuleKey(r, { chainAlias: (n) => hashFamily(n) ?? n })).join('\n');
  const identify = (c: Chain): ChainIdentity | undefined => {
    const family = hashFamily(c.name);
    if (family === null) return undefined;
    const kubePrefix = kubeServicePrefix(c.name);
    const service = kubePrefix || c.name.startsWith(KUBE_ENDPOINT_PREFIX) ? serviceOf(c, inbound) : null;
    if (kubePrefix && service) return { family, pairedBy: 'service', key: `service ${kubePrefix}${service}`, label: `service ${service}`, service };
    if (c.name.startsWith(KUBE_ENDPOINT_PREFIX) && service) {
      const endpoint = dnatDestination(c);
      if (endpoint) return { family, pairedBy: 'endpoint', key: `endpoint ${service} ${endpoint}`, label: `endpoint ${endpoint} of ${service}`, service, endpoint };
    }
    const comments = [...new Set(c.rules.map((r) => r.comment).filter((x): x is string => !!x))].sort();
    const id: ChainIdentity = {
      family, pairedBy: 'content', key: `content ${family} ${contentKey(c.rules)}`,
      label: c.rules.length ? `same ${c.rules.length} rule${c.rules.length === 1 ? '' : 's'}` : 'empty chain',
    };
    if (comments.length) id.fallbackKey = `comments ${family} ${comments.join('\n')}`;
    return id;
  };
  const cache = new Map<string, ChainIdentity | null>();
  const get = (name: string) => {
    let id = cache.get(name);
    if (id === undefined) {
      const c = chains.get(name);
      id = (c && identify(c)) ?? null;
      cache.set(name, id);
    }
    return id ?? undefined;
  };
  let services: Map<string, string[]> | null = null;
  const serviceChains = () => {
    if (services) return services;
    services = new Map();
    for (const c of table.chains) {
      if (!kubeServicePrefix(c.name)) continue;
      const id = get(c.name);
      if (id?.pairedBy !== 'service' || !id.service) continue;
      const list = services.get(id.service);
      if (list) list.push(c.name); else services.set(id.service, [c.name]);
    }
    return services;
  };
  return { get, hashFamily, serviceChains };
}

export interface RenamePair {
  before: string;
  after: string;
  identity: ChainIdentity;
  pairedBy: ChainIdentity['pairedBy'];
}

/**
 * Pairs chains present only before with chains present only after when exactly one on each side has the same
 * identity (ambiguous identities stay unpaired: added and removed).
 */
export function pairRenamed(
  onlyBefore: readonly string[], onlyAfter: readonly string[],
  idBefore: TableIdentities, idAfter: TableIdentities,
): RenamePair[] {
  const pairs: RenamePair[] = [];
  const usedB = new Set<string>(), usedA = new Set<string>();
  const pass = (keyOf: (id: ChainIdentity) => string | undefined, by: (id: ChainIdentity) => RenamePair['pairedBy']) => {
    const groups = new Map<string, { b: string[]; a: string[] }>();
    const put = (names: readonly string[], ids: TableIdentities, used: Set<string>, side: 'b' | 'a') => {
      for (const n of names) {
        const id = ids.get(n);
        const k = id && !used.has(n) ? keyOf(id) : undefined;
        if (k === undefined) continue;
        let g = groups.get(k);
        if (!g) groups.set(k, (g = { b: [], a: [] }));
        g[side].push(n);
      }
    };
    put(onlyBefore, idBefore, usedB, 'b');
    put(onlyAfter, idAfter, usedA, 'a');
    for (const g of groups.values()) {
      if (g.b.length !== 1 || g.a.length !== 1) continue;
      const identity = idAfter.get(g.a[0]!)!;
      pairs.push({ before: g.b[0]!, after: g.a[0]!, identity, pairedBy: by(identity) });
      usedB.add(g.b[0]!); usedA.add(g.a[0]!);
    }
  };
  pass((id) => id.key, (id) => id.pairedBy);
  pass((id) => id.fallbackKey, () => 'comments');
  return pairs;
}
