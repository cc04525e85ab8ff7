// Conditions of one rule that can never hold together (or a condition that holds for no packet), and protocol
// matches used without their protocol. Field by field, the rule's conditions are intersected in order
// (negations subtract); when a field's set becomes empty, no packet matches the rule.
// Kernel/iptables behaviour (observed, iptables 1.8.9, kernel 6.18): `-m tcp` without `-p tcp` is refused
// by both backends ("TCP match requires '-p tcp'" / xt_check_match "only valid for protocol 6"); with `! -p tcp`
// legacy refuses it and nft accepts a rule that never matches; multiport without -p is refused ("multiport needs
// `-p tcp'…"); `-i` in OUTPUT/POSTROUTING and `-o` in PREROUTING/INPUT are refused ("Can't use -i with OUTPUT").
// `--mark 0x3/0x1`, `--tcp-flags SYN ACK` and `-f -p tcp --dport 80` are accepted and never match:
// xt_mark.c `(skb->mark & info->mask) == info->mark`; xt_tcpudp.c compares `(flags & mask) == cmp` and returns
// false for non-first fragments (`if (par->fragoff != 0) return false`).
import type { Match, OptionEntry, OptionValue, Rule } from '@chainsight/grammar';
import { findMatchModule } from '@chainsight/grammar';
import { intersect, normalise, subtract, type IntervalSet } from './intervals';

export type Contradiction =
  /** A protocol match (tcp, udp, icmp…) without `-p` of its protocol, with another one, or under `! -p`. */
  | { kind: 'protocol-module'; match: Match; protocol: number; given: OptionEntry | null }
  /** multiport without `-p tcp|udp|udplite|sctp|dccp` (or negated). */
  | { kind: 'multiport-protocol'; match: Match; given: OptionEntry | null }
  /** `option` leaves no value of `field` that the earlier `with` conditions allow. */
  | { kind: 'disjoint'; field: string; option: OptionEntry; with: OptionEntry[] }
  /** `option` alone matches no packet (`! -s 0.0.0.0/0`, `! --ctstate` of every state). */
  | { kind: 'empty'; field: string; option: OptionEntry }
  /** `--mark v/m` with bits of v outside m. */
  | { kind: 'mark-outside-mask'; option: OptionEntry }
  /** Two marks that disagree on a bit both masks cover. */
  | { kind: 'mark-conflict'; option: OptionEntry; with: OptionEntry }
  /** `--tcp-flags MASK COMP` with COMP flags outside MASK. */
  | { kind: 'tcp-flags-outside-mask'; option: OptionEntry }
  /** `-f` (non-first fragments only) with a match that needs the transport header. */
  | { kind: 'fragment-transport'; fragment: OptionEntry; match: Match }
  /** `-i` where packets have no input interface, `-o` where they have no output interface yet. */
  | { kind: 'interface-in-chain'; option: OptionEntry; chain: string };

/** Modules that read the transport header (xt_tcpudp, xt_multiport, xt_sctp, xt_dccp, icmp: fragoff check). */
const TRANSPORT_MODULES = new Set(['tcp', 'udp', 'udplite', 'sctp', 'dccp', 'multiport', 'icmp', 'icmp6']);
const MULTIPORT_PROTOCOLS = new Set([6, 17, 136, 132, 33]);
/** ebtables (`-i`) and iptables (`-i`) refuse input interfaces in these built-in chains, and `-o` in the others. */
const NO_INPUT = new Set(['OUTPUT', 'POSTROUTING']);
const NO_OUTPUT = new Set(['PREROUTING', 'INPUT', 'BROUTING']);
/** Connection states of which every packet has exactly one (xt_conntrack.c: ctinfo → state bit). */
const PRIMARY_STATES = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED'];

type FieldName = 'source address' | 'destination address' | 'source port' | 'destination port' | 'connection state';

function universe(field: FieldName, version: 4 | 6): IntervalSet {
  if (field === 'source port' || field === 'destination port') return [[0n, 65535n]];
  if (field === 'connection state') return [[0n, BigInt(PRIMARY_STATES.length - 1)]];
  return [[0n, version === 4 ? 0xffffffffn : (1n << 128n) - 1n]];
}

function addressInterval(v: { address: bigint; mask: bigint; prefix: number | null }, version: 4 | 6): IntervalSet | null {
  if (v.prefix === null) return null; // non-contiguous mask: not an interval
  const bits = version === 4 ? 32n : 128n;
  const host = (1n << (bits - BigInt(v.prefix))) - 1n;
  const lo = v.address & ~host;
  return [[lo, lo | host]];
}

/** The set a condition allows for a field, or null when chainsight does not model it. */
function valueSet(field: FieldName, v: OptionValue, version: 4 | 6): IntervalSet | null {
  switch (v.type) {
    case 'address': return addressInterval(v, version);
    case 'address-range': return normalise([[v.from, v.to]]);
    case 'port-range': return normalise([[BigInt(v.from), BigInt(v.to)]]);
    case 'port-list': return normalise(v.ranges.map((r) => [BigInt(r.from), BigInt(r.to)] as const));
    case 'list': {
      if (field === 'connection state') {
        const idx = v.items.map((s) => PRIMARY_STATES.indexOf(s.toUpperCase()));
        return idx.some((i) => i < 0) ? null : normalise(idx.map((i) => [BigInt(i), BigInt(i)] as const));
      }
      const addrs = (v as typeof v & { addresses?: { address: bigint; mask: bigint; prefix: number | null }[] }).addresses;
      if (!addrs) return null;
      const parts = addrs.map((a) => addressInterval(a, version));
      return parts.some((p) => p === null) ? null : normalise(parts.flatMap((p) => p!.map(([a, b]) => [a, b] as const)));
    }
    default: return null;
  }
}

/** Which field an option constrains (null: not modelled). */
function fieldOf(module: string | null, o: OptionEntry): FieldName | null {
  if (module === null) return o.key === 'source' ? 'source address' : o.key === 'destination' ? 'destination address' : null;
  if (module === 'iprange') return o.key === 'src-range' ? 'source address' : o.key === 'dst-range' ? 'destination address' : null;
  if (module === 'multiport') return o.key === 'sports' ? 'source port' : o.key === 'dports' ? 'destination port' : null;
  if (['tcp', 'udp', 'udplite', 'sctp', 'dccp'].includes(module)) return o.key === 'sport' ? 'source port' : o.key === 'dport' ? 'destination port' : null;
  if ((module === 'conntrack' && o.key === 'ctstate') || (module === 'state' && o.key === 'state')) return 'connection state';
  return null;
}

export function findContradictions(rule: Rule, builtinChain: string | null): Contradiction[] {
  const out: Contradiction[] = [];
  const version = rule.family === 'ipv6' ? 6 : 4;
  const base = (key: string) => rule.base.find((o) => o.key === key) ?? null;

  if (builtinChain) {
    const i = base('in-interface');
    const o = base('out-interface');
    if (i && NO_INPUT.has(builtinChain)) out.push({ kind: 'interface-in-chain', option: i, chain: builtinChain });
    if (o && NO_OUTPUT.has(builtinChain)) out.push({ kind: 'interface-in-chain', option: o, chain: builtinChain });
  }
  if (rule.family === 'bridge') return out;

  const proto = base('protocol');
  const protoNumber = proto && proto.value.type === 'protocol' ? proto.value.number : null;
  const fragment = base('fragment');
  for (const m of rule.matches) {
    if (!m.known) continue;
    const needs = findMatchModule(rule.family, m.module)?.implicitForProtocols ?? [];
    if (needs.length && (protoNumber === null || proto!.negated || !needs.includes(protoNumber))) {
      out.push({ kind: 'protocol-module', match: m, protocol: needs[0]!, given: proto });
    }
    if (m.module === 'multiport' && (protoNumber === null || proto!.negated || !MULTIPORT_PROTOCOLS.has(protoNumber))) {
      out.push({ kind: 'multiport-protocol', match: m, given: proto });
    }
    if (fragment && !fragment.negated && TRANSPORT_MODULES.has(m.module)) out.push({ kind: 'fragment-transport', fragment, match: m });
    for (const o of m.options) {
      if (o.key === 'tcp-flags' && o.value.type === 'tcp-flags' && !o.negated && (o.value.compare & ~o.value.mask) !== 0) {
        out.push({ kind: 'tcp-flags-outside-mask', option: o });
      }
    }
  }

  // Marks: bit constraints per module (nfmark, ctmark).
  for (const module of ['mark', 'connmark']) {
    let first: OptionEntry | null = null;
    for (const m of rule.matches) {
      if (m.module !== module) continue;
      for (const o of m.options) {
        if (o.key !== 'mark' || o.value.type !== 'mark' || o.negated) continue;
        const { value, mask } = o.value;
        if ((value & ~mask) >>> 0 !== 0) { out.push({ kind: 'mark-outside-mask', option: o }); continue; }
        if (first && first.value.type === 'mark') {
          const common = (first.value.mask & mask) >>> 0;
          if (((first.value.value ^ value) & common) >>> 0 !== 0) out.push({ kind: 'mark-conflict', option: o, with: first });
        } else first = o;
      }
    }
  }

  // Interval fields.
  const conditions: { field: FieldName; o: OptionEntry }[] = [];
  for (const o of rule.base) { const f = fieldOf(null, o); if (f) conditions.push({ field: f, o }); }
  for (const m of rule.matches) if (m.known) for (const o of m.options) { const f = fieldOf(m.module, o); if (f) conditions.push({ field: f, o }); }
  const state = new Map<FieldName, { set: IntervalSet; by: OptionEntry[]; done: boolean }>();
  for (const { field, o } of conditions) {
    const s = state.get(field) ?? { set: universe(field, version), by: [], done: false };
    state.set(field, s);
    if (s.done) continue;
    const v = valueSet(field, o.value, version);
    if (!v) continue;
    s.set = o.negated ? subtract(s.set, v) : intersect(s.set, v);
    if (s.set.length === 0) {
      s.done = true;
      out.push(s.by.length ? { kind: 'disjoint', field, option: o, with: [...s.by] } : { kind: 'empty', field, option: o });
    } else s.by.push(o);
  }
  return out;
}
