// Host facts the rules themselves imply, for a trace without a host context (docs/host-facts.md
// §without-host-facts). Only patterns whose meaning is fixed by the tool that writes them are read, and each fact keeps the
// rule it comes from, so the trace can say why it believes it:
//   * a network behind an interface: Docker's `-s 172.17.0.0/16 ! -o docker0 -j MASQUERADE` (the bridge's
//     network, masqueraded when it leaves by another interface); an ACCEPT of `-s N -i D` or `-d N -o D`
//     (libvirt's `-s 192.168.122.0/24 -i virbr0`, `-d 192.168.122.0/24 -o virbr0`);
//   * an address of this host: kube-proxy's node-port addresses (`-d 10.0.0.5/32 -j KUBE-NODEPORTS`, written for
//     each address `--nodeport-addresses` selects on the node);
//   * addresses that are not this host's: kube-proxy's cluster CIDR (`! -s 10.0.0.0/14 … -j KUBE-MARK-MASQ`, the
//     pods' network) and the endpoints a DNAT sends to (another host, a container, a pod).
import type { AddressMask as Address, Interface, Rule, Snapshot, Table } from '@chainsight/grammar';
import { inPrefix } from '../addr';
import type { Version } from './model';

export interface RulesNetwork {
  version: Version;
  address: bigint;
  prefix: number;
  dev: string;
  /** The rule that implies it, as written, with file:line. */
  why: string;
}

export interface RulesAddress {
  version: Version;
  address: bigint;
  /** Prefix length: a single address (32/128) or a network none of whose addresses is this host's. */
  prefix: number;
  local: boolean;
  why: string;
}

export interface RulesFacts {
  networks: RulesNetwork[];
  addresses: RulesAddress[];
  /**
   * The first fact of each whole address (a /32 or /128), by `version:address`. kube-proxy's endpoints are
   * thousands of them, and every explored path asks about its addresses afresh: a scan per question made a
   * service's fan-out quadratic.
   */
  exact: Map<string, RulesAddress>;
  /** The facts about networks (prefixes shorter than one address): the few a question must still scan. */
  prefixFacts: RulesAddress[];
}

/** Facts that say nothing (a trace with a host context). */
export function noRulesFacts(): RulesFacts {
  return { networks: [], addresses: [], exact: new Map(), prefixFacts: [] };
}

const exactKey = (v: Version, a: bigint) => `${v}:${a}`;

const full = (v: Version) => (v === 4 ? 32 : 128);

/** The targets of the rules read below; every other rule is passed over. */
const FACT_TARGETS = new Set(['MASQUERADE', 'ACCEPT', 'KUBE-NODEPORTS', 'KUBE-MARK-MASQ', 'DNAT']);

function baseValue(rule: Rule, key: string): { negated: boolean; value: Address | Interface } | null {
  const o = rule.base.find((x) => x.key === key);
  if (!o || (o.value.type !== 'address' && o.value.type !== 'interface')) return null;
  return { negated: o.negated, value: o.value };
}

function net(x: { negated: boolean; value: Address | Interface } | null, negated: boolean): Address | null {
  if (!x || x.negated !== negated || x.value.type !== 'address' || x.value.prefix === null) return null;
  return x.value.prefix > 0 ? x.value : null;
}

function dev(x: { negated: boolean; value: Address | Interface } | null, negated: boolean): string | null {
  if (!x || x.negated !== negated || x.value.type !== 'interface' || x.value.wildcard || x.value.name === '') return null;
  return x.value.name;
}

/** Reads the facts of one iptables/ip6tables snapshot; `fileOf` names the file a table came from. */
export function rulesFacts(snapshots: readonly Snapshot[], fileOf: (t: Table) => string): RulesFacts {
  const networks: RulesNetwork[] = [];
  const addresses: RulesAddress[] = [];
  const exact = new Map<string, RulesAddress>();
  const prefixFacts: RulesAddress[] = [];
  // Each fact once (the first rule that implies it); a kube-proxy snapshot has tens of thousands of DNATs, so
  // the facts already recorded are looked up by key, not searched: `net`, `addr` (any address fact) and
  // `not-local` (an address fact with local false).
  const seen = new Set<string>();
  const key = (kind: string, v: Version, prefix: number, address: bigint) => `${kind}/${v}/${prefix}/${address}`;
  const addAddress = (a: RulesAddress) => {
    addresses.push(a);
    if (a.prefix !== full(a.version)) prefixFacts.push(a);
    else if (!exact.has(exactKey(a.version, a.address))) exact.set(exactKey(a.version, a.address), a);
    seen.add(key('addr', a.version, a.prefix, a.address));
    if (!a.local) seen.add(key('not-local', a.version, a.prefix, a.address));
  };
  for (const s of snapshots) {
    if (s.family === 'bridge') continue;
    for (const t of s.tables) {
      for (const c of t.chains) {
        for (const r of c.rules) {
          const target = r.target?.name ?? '';
          if (!FACT_TARGETS.has(target)) continue;
          const why = `\`${r.raw.trim()}\` (${fileOf(t)}:${r.span.start.line})`;
          const src = baseValue(r, 'source');
          const dst = baseValue(r, 'destination');
          const inDev = baseValue(r, 'in-interface');
          const outDev = baseValue(r, 'out-interface');
          const addNet = (a: Address, d: string) => {
            const v = a.version as Version;
            const prefix = a.prefix!;
            if (seen.has(key('net', v, prefix, a.address))) return;
            seen.add(key('net', v, prefix, a.address));
            networks.push({ version: v, address: a.address, prefix, dev: d, why });
          };
          // Docker: the bridge network, masqueraded when it leaves by any other interface.
          const masqNet = net(src, false);
          const notOut = dev(outDev, true);
          if (target === 'MASQUERADE' && masqNet && notOut && masqNet.prefix! < full(masqNet.version as Version)) addNet(masqNet, notOut);
          if (target === 'ACCEPT') {
            const sIn = net(src, false);
            const dIn = dev(inDev, false);
            if (sIn && dIn && sIn.prefix! < full(sIn.version as Version)) addNet(sIn, dIn);
            const dOut = net(dst, false);
            const oOut = dev(outDev, false);
            if (dOut && oOut) addNet(dOut, oOut);
          }
          // kube-proxy's node-port addresses (proxier.go: one `-d <ip>/32 -j KUBE-NODEPORTS` per node address).
          const d = net(dst, false);
          if (target === 'KUBE-NODEPORTS' && d && d.prefix === full(d.version as Version)) {
            addAddress({ version: d.version as Version, address: d.address, prefix: d.prefix, local: true, why });
          }
          // kube-proxy's cluster CIDR: traffic from outside it to a service is marked for masquerade.
          const notSrc = net(src, true);
          if (target === 'KUBE-MARK-MASQ' && notSrc) {
            const v = notSrc.version as Version;
            if (!seen.has(key('not-local', v, notSrc.prefix!, notSrc.address))) {
              addAddress({ version: v, address: notSrc.address, prefix: notSrc.prefix!, local: false, why });
            }
          }
          // A DNAT's endpoint is another machine (a container, a pod, a server behind the firewall).
          if (target === 'DNAT') {
            const o = r.target!.options.find((x) => x.key === 'to-destination');
            const v = o?.value;
            if (v?.type === 'nat-range' && v.addressFrom !== null && (v.addressTo === null || v.addressTo === v.addressFrom)) {
              const version = v.version as Version;
              if (!seen.has(key('addr', version, full(version), v.addressFrom))) {
                addAddress({ version, address: v.addressFrom, prefix: full(version), local: false, why });
              }
            }
          }
        }
      }
    }
  }
  return { networks, addresses, exact, prefixFacts };
}

/** The longest inferred network holding `a`, if any. */
export function networkOf(facts: RulesFacts, v: Version, a: bigint): RulesNetwork | null {
  let best: RulesNetwork | null = null;
  for (const n of facts.networks) {
    if (n.version === v && inPrefix(v, a, n.address, n.prefix) && (!best || n.prefix > best.prefix)) best = n;
  }
  return best;
}

/** What the rules say of `a` as an address of this host: local, not local, or nothing (null). */
export function addressFact(facts: RulesFacts, v: Version, a: bigint): RulesAddress | null {
  // A whole address is the longest prefix there is: nothing else can beat it.
  const whole = facts.exact.get(exactKey(v, a));
  if (whole) return whole;
  let best: RulesAddress | null = null;
  for (const x of facts.prefixFacts) {
    if (x.version === v && inPrefix(v, a, x.address, x.prefix) && (!best || x.prefix > best.prefix)) best = x;
  }
  return best;
}
