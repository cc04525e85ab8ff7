// What Docker's rules look like in a snapshot, for the Docker ecosystem checks. Docker's filter rules: FORWARD
// jumps to DOCKER-USER, then (Docker ≤ 27) DOCKER-ISOLATION-STAGE-1, `-o BR -m conntrack --ctstate
// RELATED,ESTABLISHED -j ACCEPT`, `-o BR -j DOCKER`, `-i BR ! -o BR -j ACCEPT`, `-i BR -o BR -j ACCEPT` for each
// bridge BR, or (Docker 28+) `-j DOCKER-FORWARD`, a chain holding those. Published ports: nat DOCKER
// `! -i BR -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80`, reached from PREROUTING for
// local destination addresses (moby: libnetwork/drivers/bridge; docs.docker.com "Packet filtering and firewalls").
import { findChain, findTable, type OptionEntry, type PortRange, type Rule, type Snapshot } from '@chainsight/grammar';

const DOCKER_CHAIN = /^DOCKER(?:$|-)/;

export const isDockerChain = (name: string) => DOCKER_CHAIN.test(name);

/** Whether the snapshot holds Docker's filter rules (FORWARD jumps to a DOCKER chain). */
export function hasDocker(snapshot: Snapshot): boolean {
  const filter = findTable(snapshot, 'filter');
  const fwd = filter && findChain(filter, 'FORWARD');
  return !!fwd?.rules.some((r) => r.target?.type === 'chain' && isDockerChain(r.target.name));
}

const ifaceOf = (r: Rule, key: 'in-interface' | 'out-interface') => r.base.find((o) => o.key === key);

/** Bridge names Docker's filter rules mention (`-o docker0 -j DOCKER`, `-i br-1a2b -j ACCEPT` in DOCKER-FORWARD…). */
export function dockerBridges(snapshot: Snapshot): string[] {
  const filter = findTable(snapshot, 'filter');
  const out = new Set<string>();
  if (!filter) return [];
  for (const c of filter.chains) {
    if (c.name !== 'FORWARD' && !isDockerChain(c.name)) continue;
    for (const r of c.rules) {
      const t = r.target;
      if (!t || !(t.name === 'ACCEPT' || (t.type === 'chain' && isDockerChain(t.name)))) continue;
      for (const key of ['in-interface', 'out-interface'] as const) {
        const o = ifaceOf(r, key);
        if (o && !o.negated && o.value.type === 'interface' && !o.value.wildcard) out.add(o.value.name);
      }
    }
  }
  return [...out];
}

/** Whether an interface condition (absent, `eth0`, `eth+`, `! eth0`) lets a packet on `name` through. */
export function interfaceAllows(o: OptionEntry | undefined, name: string): boolean {
  if (!o || o.value.type !== 'interface') return true;
  const hit = o.value.wildcard ? name.startsWith(o.value.name) : name === o.value.name;
  return hit !== o.negated;
}

/** Whether some interface name satisfies both conditions (`-o docker0` and `! -o docker0` do not). */
export function interfacesCompatible(a: OptionEntry | undefined, b: OptionEntry | undefined): boolean {
  if (!a || !b || a.value.type !== 'interface' || b.value.type !== 'interface') return true;
  if (a.negated && b.negated) return true;
  if (a.negated) return interfacesCompatible(b, a);
  const x = a.value;
  const y = b.value;
  if (!b.negated) {
    if (!x.wildcard && !y.wildcard) return x.name === y.name;
    if (!x.wildcard) return x.name.startsWith(y.name);
    if (!y.wildcard) return y.name.startsWith(x.name);
    return x.name.startsWith(y.name) || y.name.startsWith(x.name);
  }
  // a positive, b negated
  if (!x.wildcard) return y.wildcard ? !x.name.startsWith(y.name) : x.name !== y.name;
  return y.wildcard ? !x.name.startsWith(y.name) : true;
}

/**
 * A rule Docker writes in FORWARD: a jump to a DOCKER chain, an ACCEPT naming one of its bridges, or the
 * `-i BR -o BR -j DROP` it writes for networks without inter-container communication (icc=false).
 */
export function isDockerForwardRule(r: Rule, bridges: readonly string[]): boolean {
  const t = r.target;
  if (!t) return false;
  if (t.type === 'chain' && isDockerChain(t.name)) return true;
  const named = (k: 'in-interface' | 'out-interface') => {
    const o = ifaceOf(r, k);
    return o && !o.negated && o.value.type === 'interface' && bridges.includes(o.value.name) ? o.value.name : null;
  };
  if (t.name === 'ACCEPT') return named('in-interface') !== null || named('out-interface') !== null;
  if (t.name === 'DROP') {
    const i = named('in-interface');
    return i !== null && i === named('out-interface') && r.base.length === 2 && r.matches.length === 0;
  }
  return false;
}

export type DockerAccept = 'replies' | 'published' | 'outbound' | 'between' | 'all';

/**
 * What a Docker FORWARD rule accepts for its bridges, or null when it accepts nothing by itself: Docker ≤ 27
 * writes one ACCEPT per kind of traffic, Docker 28+ jumps to DOCKER-FORWARD, which accepts all of them.
 */
export function dockerAccepts(r: Rule, bridges: readonly string[], dockerChainHasAccept: boolean): DockerAccept | null {
  const t = r.target;
  if (!t || !isDockerForwardRule(r, bridges)) return null;
  if (t.name === 'DOCKER-FORWARD') return 'all';
  if (t.name === 'DOCKER') return dockerChainHasAccept ? 'published' : null;
  if (t.name !== 'ACCEPT') return null;
  const i = ifaceOf(r, 'in-interface');
  const o = ifaceOf(r, 'out-interface');
  if (r.matches.some((m) => m.module === 'conntrack' || m.module === 'state')) return 'replies';
  if (i && !i.negated && o && o.negated) return 'outbound';
  if (i && !i.negated && o && !o.negated) return 'between';
  return 'all';
}

/** Whether a rule's interfaces allow traffic on any of the bridges (as input or output interface). */
export function touchesBridge(r: Rule, bridges: readonly string[]): boolean {
  return bridges.some((b) => interfaceAllows(ifaceOf(r, 'in-interface'), b) || interfaceAllows(ifaceOf(r, 'out-interface'), b));
}

/** Whether some packet can satisfy the interface conditions of both rules. */
export function interfacesOverlap(a: Rule, b: Rule): boolean {
  return interfacesCompatible(ifaceOf(a, 'in-interface'), ifaceOf(b, 'in-interface'))
    && interfacesCompatible(ifaceOf(a, 'out-interface'), ifaceOf(b, 'out-interface'));
}

export interface PublishedPort {
  rule: Rule;
  protocol: number;
  ports: PortRange;
  /** `-d` of the DNAT rule (ports published on one address), as written; null for every local address. */
  address: string | null;
  to: string;
}

/** Published ports: DNAT rules of the nat DOCKER chain. */
export function publishedPorts(snapshot: Snapshot): PublishedPort[] {
  const nat = findTable(snapshot, 'nat');
  const docker = nat && findChain(nat, 'DOCKER');
  const out: PublishedPort[] = [];
  for (const r of docker?.rules ?? []) {
    if (r.target?.name !== 'DNAT') continue;
    const proto = r.base.find((o) => o.key === 'protocol');
    const dport = r.matches.flatMap((m) => m.options).find((o) => o.key === 'dport' && !o.negated);
    if (!proto || proto.negated || proto.value.type !== 'protocol' || !dport || dport.value.type !== 'port-range') continue;
    const d = r.base.find((o) => o.key === 'destination' && !o.negated);
    const to = r.target.options.find((o) => o.key === 'to-destination');
    out.push({ rule: r, protocol: proto.value.number, ports: dport.value, address: d ? d.words[0] ?? null : null, to: to?.words[0] ?? '?' });
  }
  return out;
}
