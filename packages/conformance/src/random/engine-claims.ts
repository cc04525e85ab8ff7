// The packet-set engine's claims about a random ruleset (@chainsight/packet-set), in packets the kernel lab can
// send (src/kernel/engine-check.ts sends them):
//
// - witnesses: for each table and built-in chain, the engine walks the chain from the packets the lab can make
//   arrive there, and names one packet per rule that it says reaches and matches that rule. The kernel gets a
//   reduced ruleset — that table alone, with only that chain's rules (the table's other built-in chains empty,
//   policy ACCEPT; its user chains kept) — so the packet arrives at the chain exactly as sent: no other table or
//   hook marks, translates or drops it first. That is the engine's claim as it is made (one table, one hook).
// - unreachable rules: every rule the engine says no packet reaches-and-matches (for every value of the unknowns),
//   with up to N random packets drawn from the rule's own match set; the whole ruleset is loaded and the rule's
//   counter must stay 0.
//
// What the lab can send (topology.ts): a packet from a neighbour, the external host or the host itself, to one of
// the topology's addresses, as scripts/send-raw.py builds it (TTL 64, TOS 0, no options, a 10-byte payload for udp
// and icmp, icmp code 0), as the first packet of its connection (the conntrack table is flushed before each one),
// with mark 0. Its conntrack state is conntrack's own verdict on such a first packet (trace's canCreate, the
// simulator's twin of tcp_new()/valid_new[]); raw sees every packet before conntrack, as INVALID.
//
// Unknown matches: a witness must hit its rule whatever the unknowns (addrtype, physdev, set …) say — the
// engine's set is taken for every value of every oracle (∀); a rule whose hit needs an unknown to hold a value is
// counted as "depends on unknowns", not sent.
import { parseSnapshot, type Rule, type Snapshot } from '@chainsight/grammar';
import {
  Oracles,
  PacketSpace,
  analyzeSnapshot,
  deviceAlphabet,
  hookEntry,
  oracleCapacity,
  randomMember,
  ruleMatchSet,
  walkTable,
  witness,
  type ConcretePacket,
  type Random,
} from '@chainsight/packet-set';
import { canCreate } from '@chainsight/trace';
import type { RandomPacket } from './generate.js';
import { BUILTIN, printRuleset, type RulesetModel, type TableName } from './model.js';
import { DESTINATIONS, HOST_ADDRESSES, NEIGHBOUR_ADDRESS, RANDOM_HOST_CONTEXT, SOURCES, segmentOf, sourceAddress, type Source } from './topology.js';

/** One way a lab packet crosses one hook: where from, to, and the devices and TTL the hook sees. */
export interface LabPath {
  from: Source;
  src: string;
  dst: string;
  hook: string;
  in: string;
  out: string;
  ttl: number;
}

const ipNumber = (a: string): number => a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
export const formatIpv4 = (n: bigint): string => [24, 16, 8, 0].map((s) => Number((n >> BigInt(s)) & 0xffn)).join('.');

/** The host's device for an address: the interface whose subnet holds it, else the default route's. */
function deviceFor(addr: string): string {
  for (const i of RANDOM_HOST_CONTEXT.interfaces) {
    for (const cidr of i.addresses ?? []) {
      const [net, len] = cidr.split('/') as [string, string];
      const bits = Number(len);
      if (i.name === 'lo') continue;
      const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
      if (((ipNumber(addr) & mask) >>> 0) === ((ipNumber(net) & mask) >>> 0)) return i.name;
    }
  }
  return RANDOM_HOST_CONTEXT.routes.find((r) => r.dst === 'default')!.dev;
}

const LOCAL = new Set<string>(Object.values(HOST_ADDRESSES));

/** Every (source, destination, hook) the lab's packets take, as generatePackets draws its pairs. */
export function labPaths(): LabPath[] {
  const out: LabPath[] = [];
  for (const from of SOURCES) {
    for (const dst of DESTINATIONS) {
      if (segmentOf(dst) === segmentOf(from) || dst === (NEIGHBOUR_ADDRESS[from] ?? from)) continue;
      const src = sourceAddress(from, dst);
      const path = (hook: string, inDev: string, outDev: string, ttl: number): LabPath => ({ from, src, dst, hook, in: inDev, out: outDev, ttl });
      const egress = deviceFor(dst);
      if (from === 'host') {
        out.push(path('OUTPUT', '', egress, 64), path('POSTROUTING', '', egress, 64));
        continue;
      }
      const ingress = deviceFor(src);
      if (LOCAL.has(dst)) out.push(path('PREROUTING', ingress, '', 64), path('INPUT', ingress, '', 64));
      // ip_forward() decrements the TTL before the FORWARD hook.
      else out.push(path('PREROUTING', ingress, '', 64), path('FORWARD', ingress, egress, 63), path('POSTROUTING', ingress, egress, 63));
    }
  }
  return out;
}

/** ICMP types the lab sends (code 0): requests open a connection, the others are INVALID without one. */
const ICMP_TYPES = [0, 3, 8, 11, 13];
/** scripts/send-raw.py: a 20-byte IP header, a 20-byte TCP header, or 8 bytes of UDP/ICMP header + 10 of payload. */
const LENGTH = { tcp: 40, udp: 38, icmp: 38 } as const;
const FLAG_LETTERS = 'FSRPAUEC';

/** The packets the lab can make arrive at a table's built-in chain, as the space encodes them. */
export function wireSet(space: PacketSpace, table: string, hook: string): number {
  const { bdd, f } = space;
  const and = (...s: number[]) => s.reduce((a, b) => bdd.and(a, b), 1);
  const state = (s: 'NEW' | 'INVALID') => space.ctStates([table === 'raw' ? 'INVALID' : s]);
  // Conntrack's verdict on a first packet, by TCP flag byte and ICMP type (trace's canCreate, tcp_loose = 1).
  const tcpNew: number[] = [];
  const tcpInvalid: number[] = [];
  for (let b = 0; b < 256; b++) (canCreate({ v: 4, proto: 6, tcpFlags: b, icmpType: null }, true).ok ? tcpNew : tcpInvalid).push(b);
  const icmpNew = ICMP_TYPES.filter((t) => canCreate({ v: 4, proto: 1, tcpFlags: 0, icmpType: t }, true).ok);
  const icmpInvalid = ICMP_TYPES.filter((t) => !icmpNew.includes(t));
  const protos = bdd.or(
    bdd.or(
      and(space.eq(f.proto, 6), space.eq(f.length, LENGTH.tcp), bdd.or(and(space.oneOf(f.tcpFlags, tcpNew), state('NEW')), and(space.oneOf(f.tcpFlags, tcpInvalid), state('INVALID')))),
      and(space.eq(f.proto, 17), space.eq(f.length, LENGTH.udp), state('NEW')),
    ),
    and(space.eq(f.proto, 1), space.eq(f.length, LENGTH.icmp), space.eq(f.icmpCode, 0), bdd.or(and(space.oneOf(f.icmpType, icmpNew), state('NEW')), and(space.oneOf(f.icmpType, icmpInvalid), state('INVALID')))),
  );
  // First packets: original direction, no NAT yet, no marks; not a fragment; an ordinary unicast to this host or through it.
  const fresh = and(space.eq(f.ctReply, 0), space.eq(f.ctSnat, 0), space.eq(f.ctDnat, 0), space.eq(f.mark, 0), space.eq(f.ctMark, 0), space.eq(f.frag, 0), space.eq(f.tos, 0), space.eq(f.pktType, 0));
  let paths = 0;
  for (const p of labPaths()) {
    if (p.hook !== hook) continue;
    paths = bdd.or(paths, and(
      space.eq(f.src, BigInt(ipNumber(p.src))), space.eq(f.dst, BigInt(ipNumber(p.dst))),
      space.eq(f.iif, space.devices.classOf(p.in)), space.eq(f.oif, space.devices.classOf(p.out)), space.eq(f.ttl, p.ttl),
    ));
  }
  return and(paths, protos, fresh);
}

/** The lab packet for a packet of the space that arrives at `hook` (any hook when null), or why there is none. */
export function labPacket(space: PacketSpace, p: ConcretePacket, hook: string | null): { packet: RandomPacket; path: LabPath } | { skip: string } {
  const cls = (name: string) => space.devices.classOf(name);
  const src = formatIpv4(p.src);
  const dst = formatIpv4(p.dst);
  const path = labPaths().find((l) => (hook === null || l.hook === hook) && l.src === src && l.dst === dst && cls(l.in) === cls(p.in) && cls(l.out) === cls(p.out));
  if (!path) return { skip: `no lab path from ${src} (in ${p.in || '-'}) to ${dst} (out ${p.out || '-'})${hook ? ` at ${hook}` : ''}` };
  const base = { from: path.from, dst };
  if (p.proto === 6) {
    const flags = [...FLAG_LETTERS].filter((_, i) => p.tcpFlags & (1 << i)).join('');
    return { packet: { ...base, proto: 'tcp', sport: p.sport ?? 0, dport: p.dport ?? 0, flags }, path };
  }
  if (p.proto === 17) return { packet: { ...base, proto: 'udp', sport: p.sport ?? 0, dport: p.dport ?? 0 }, path };
  if (p.proto === 1 && (p.icmpCode ?? 0) === 0) return { packet: { ...base, proto: 'icmp', icmpType: p.icmpType ?? 0, icmpId: 1 }, path };
  return { skip: `protocol ${p.proto} is not one the lab sends` };
}

/** `table chain N` — a rule's key in claims and counter maps. */
export const ruleKey = (table: string, chain: string, index: number): string => `${table} ${chain} ${index}`;

export interface WitnessClaim {
  key: string;
  /** The rule as written. */
  text: string;
  packet: RandomPacket;
  concrete: ConcretePacket;
}

/** One reduced ruleset (a table with the rules of one built-in chain) and the witnesses to send through it. */
export interface ReducedCase {
  table: TableName;
  hook: string;
  text: string;
  claims: WitnessClaim[];
}

export interface WitnessClaims {
  cases: ReducedCase[];
  /** Rules the engine says are hit from the hook but for which no witness is sent, by reason. */
  skipped: Map<string, number>;
}

function parse(text: string, fileName: string): Snapshot {
  const parsed = parseSnapshot(text, { fileName });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${fileName}: ${errors.map((d) => d.message).join('; ')}`);
  return parsed.snapshot;
}

function spaceOf(snapshot: Snapshot): { space: PacketSpace; oracles: Oracles } {
  const capacity = oracleCapacity(snapshot);
  const space = new PacketSpace('ipv4', deviceAlphabet(snapshot), capacity, { backend: 'nft', cacheBits: 14, initialNodes: 1 << 14 });
  return { space, oracles: new Oracles(capacity) };
}

/** The cube of the given fields' variables (to quantify them). */
function fieldsCube(space: PacketSpace, fields: readonly ({ first: number; width: number } | null)[]): number {
  const vars: number[] = [];
  for (const fd of fields) if (fd) for (let i = 0; i < fd.width; i++) vars.push(fd.first + i);
  return space.bdd.cube(vars);
}

function reduce(model: RulesetModel, table: TableName, hook: string): RulesetModel {
  const t = model.tables.find((x) => x.name === table)!;
  return {
    tables: [{ ...t, chains: t.chains.map((c) => (c.builtin && c.name !== hook ? { ...c, policy: 'ACCEPT' as const, rules: [] } : c)) }],
  };
}

export function witnessClaims(model: RulesetModel): WitnessClaims {
  const out: WitnessClaims = { cases: [], skipped: new Map() };
  const skip = (why: string) => out.skipped.set(why, (out.skipped.get(why) ?? 0) + 1);
  for (const t of model.tables) {
    for (const hook of BUILTIN[t.name]) {
      if ((t.chains.find((c) => c.name === hook)?.rules.length ?? 0) === 0) continue;
      const text = printRuleset(reduce(model, t.name, hook));
      const snapshot = parse(text, `${t.name}-${hook}.iptables-save`);
      const table = snapshot.tables[0]!;
      const { space, oracles } = spaceOf(snapshot);
      const walk = (restrict: boolean) =>
        walkTable({
          space, oracles, table, file: snapshot.fileName, keep: () => true, verdicts: false,
          entry: (h) => (h !== hook ? 0 : restrict ? space.bdd.and(hookEntry(space, t.name, h), wireSet(space, t.name, h)) : hookEntry(space, t.name, h)),
        });
      const all = walk(false);
      const lab = walk(true);
      const oracleCube = fieldsCube(space, [space.f.oracles]);
      const claims: WitnessClaim[] = [];
      for (const [chain, rules] of lab.rules) {
        for (const [i, r] of rules.entries()) {
          if (!all.rules.get(chain)![i]!.matched) continue; // not hit from this hook at all: no witness claimed
          if (!r.matched) { skip('the lab cannot send a packet that hits it'); continue; }
          const w = witness(space, space.bdd.forall(r.hit!, oracleCube));
          if (!w) { skip('depends on unknowns'); continue; }
          const lp = labPacket(space, w, hook);
          if ('skip' in lp) { skip('no lab path'); continue; }
          claims.push({ key: ruleKey(t.name, chain, r.rule.index), text: r.rule.raw, packet: lp.packet, concrete: w });
        }
      }
      out.cases.push({ table: t.name, hook, text, claims });
    }
  }
  return out;
}

export interface UnreachableClaim {
  key: string;
  text: string;
  /** Distinct lab packets drawn from the rule's match set (empty: the lab can send none of them). */
  samples: RandomPacket[];
}

/**
 * The rules the engine calls unreachable in the whole ruleset, each with up to `perClaim` distinct lab packets
 * drawn from its own match set. The match set speaks of the packet at the rule; what the lab controls is the
 * packet as sent (addresses, devices, protocol, ports, flags, ICMP type), so the draw is from the match set with
 * the rest (marks, conntrack state, TTL, length …) left to the kernel.
 */
export function unreachableClaims(model: RulesetModel, random: Random, perClaim: number): UnreachableClaim[] {
  const snapshot = parse(printRuleset(model), 'random.iptables-save');
  const reach = analyzeSnapshot(snapshot, { verdicts: false, cacheBits: 14 });
  if (reach.stopped.length) throw new Error(`the engine stopped: ${reach.stopped.map((e) => e.message).join('; ')}`);
  const { space, oracles } = reach;
  const { bdd, f } = space;
  const meta = fieldsCube(space, [f.ctState, f.ctReply, f.ctSnat, f.ctDnat, f.mark, f.ctMark, f.pktType, f.length, f.ttl, f.tos, f.frag, f.oracles]);
  const out: UnreachableClaim[] = [];
  for (const t of reach.tables) {
    let wire = 0;
    for (const h of BUILTIN[t.table as TableName]) wire = bdd.or(wire, bdd.and(hookEntry(space, t.table, h), wireSet(space, t.table, h)));
    const sendable = bdd.exists(wire, meta);
    for (const [chain, rules] of t.rules) {
      for (const r of rules) {
        if (r.matched) continue;
        const rule: Rule = r.rule;
        const set = bdd.and(bdd.exists(ruleMatchSet(rule, { space, oracles, rule, file: snapshot.fileName }), meta), sendable);
        const seen = new Map<string, RandomPacket>();
        for (let k = 0; k < perClaim * 5 && seen.size < perClaim; k++) {
          const p = randomMember(space, set, random);
          if (!p) break;
          const lp = labPacket(space, p, null);
          if ('skip' in lp) continue;
          seen.set(JSON.stringify(lp.packet), lp.packet);
        }
        out.push({ key: ruleKey(t.table, chain, rule.index), text: rule.raw, samples: [...seen.values()] });
      }
    }
  }
  return out;
}
