// Two snapshots of one family compared packet by packet: for each table and built-in chain, the packets whose
// outcome differs (the verdict, with a terminating target's options: REJECT's answer, DNAT's address and port),
// shown as regions labelled "was X (the rule that decided), now Y". Both snapshots are walked in ONE packet space,
// so equal sets are equal node ids and an unchanged service costs nothing to compare:
// - the device alphabet is the union of both rulesets' names;
// - unknowns that are functions of the packet (`-m set --match-set S src`) share an oracle by their text
//   (oracles.ts), so the same test in both cancels out;
// - events (random draws, rate limits) are paired when the same rule is in both at the same place (same table,
//   chain, text, and the same rank among equal rules of the chain): the same draw on both sides. Other events
//   stay independent, and a region whose change needs one names it.
//
// The outcome of a packet is where its built-in chain ends it: a rule's ACCEPT or DROP and the chain's policy
// are the same outcome (a packet dropped by another rule than before has not changed fate); the deciding rule is
// reported beside it. Each hook's chain is walked alone, so a rule's hit set holds only that hook's packets and
// the rule whose hit set holds a witness is the rule that decided it.
//
// Scope: one table and hook at a time; what earlier tables and hooks do (NAT rewriting, marks, routing) is not
// followed. Rules that change marks, TOS, TTL or conntrack state on the way make the sets describe packets as
// they end the chain (the walk's sets are of packets after the change); the answer says so for those chains.
import { BddNodeLimitError, FALSE, TRUE } from '@chainsight/bdd';
import { builtinChains, findTargetSpec, printRuleArgs, type Rule, type Snapshot, type Table } from '@chainsight/grammar';
import { deviceAlphabet, oracleCapacity } from './analyze';
import { hookEntry } from './entry';
import { Oracles } from './oracles';
import { detailedVerdict } from './outcome';
import { assignmentOf, contains, witness, type ConcretePacket } from './packet';
import { regionsOf, type RegionField } from './regions';
import { PacketSpace, type IpFamily } from './space';
import { targetTransform } from './transforms';
import { WalkBudgetError, walkTable } from './walk';

export type Side = 'before' | 'after';

/** The rule (or the policy) that gave a packet its outcome on one side. */
export interface Decider {
  file: string;
  /** The source line, or null for a policy (or a table the side does not have). */
  line: number | null;
  table: string;
  chain: string;
  /** 1-based, or null: the built-in chain's policy decided (its end, a RETURN in it, a goto'd chain's end). */
  rule: number | null;
  /** The rule's arguments, or `policy ACCEPT`, or `no table` when the side has no such table. */
  text: string;
  /** The rule's `-m comment` (kube-proxy names the service and endpoint there), or null. */
  comment: string | null;
}

export interface SideOutcome {
  /** `ACCEPT`, `DROP`, `REJECT --reject-with tcp-reset`, `DNAT --to-destination 10.0.0.1:80`, `unknown X`, or
   *  `none` (no packet in this state ends the chain: a change of marks on the way). */
  outcome: string;
  /** The rules that decided the witness (usually one). */
  by: Decider[];
  /**
   * When the witness's outcome on this side depends on random draws only (`-m statistic --mode random`): every
   * outcome it can get, with its chance (kube-proxy's endpoints and their shares, before and after). Null when
   * the outcome does not depend on unknowns, or depends on some that are not random draws.
   */
  chances: { outcome: string; chance: number }[] | null;
}

export interface UnknownUse {
  text: string;
  where: string;
  reason: string;
  /** The value the witness needs. */
  holds: boolean;
  /** A random draw, rate limit or other event (not a function of the packet). */
  event: boolean;
}

export interface OutcomeRegion {
  fields: RegionField[];
  count: string;
  /** One packet of the region, with the unknowns' values it needs (ConcretePacket.oracles). */
  witness: ConcretePacket;
  before: SideOutcome;
  after: SideOutcome;
  /** The unknown matches the witness's difference depends on. */
  unknowns: UnknownUse[];
  /**
   * When every unknown it depends on is a random draw (`-m statistic --mode random`): the chance that the draws
   * come out as the region needs, the product of each draw's probability or its complement (kube-proxy's share
   * of a service's new connections). Null otherwise.
   */
  chance: number | null;
}

export interface HookComparison {
  table: string;
  hook: string;
  /** Packets whose outcome differs, counted as regions count them (regions.ts), as a decimal string. */
  total: string;
  /** Largest first. */
  regions: OutcomeRegion[];
  /** More changed packets exist than the regions shown. */
  truncated: boolean;
  /** Some rule on the way changes marks, TOS, TTL or conntrack state: regions describe packets as they end. */
  rewrites: boolean;
  /** Every changed packet (over all encodings, unknowns free; see PacketSpace.valid), for membership tests. */
  set: number;
}

export interface Comparison {
  family: IpFamily;
  space: PacketSpace;
  oracles: Oracles;
  /** Every table and hook compared (with or without changes), in table order. */
  compared: { table: string; hook: string }[];
  /** Those with changed packets. */
  changes: HookComparison[];
  /** What the answer does not follow, and what it assumed. */
  scope: string[];
  /** Approximations made by the walks (an unknown target …). */
  notes: string[];
  /** Table/hook walks that stopped at their budget: not compared. */
  stopped: string[];
}

export interface CompareOptions {
  /** The most BDD steps each hook's walk may take (WalkInput.budget). */
  budget?: number;
  maxNodes?: number;
  /** log2 of the operation cache's entries (PacketSpace; default 20). */
  cacheBits?: number;
  /** The most outcome pairs (was X, now Y) read per hook; default 12. */
  groups?: number;
  /** Regions per outcome pair; default 3. */
  regionsPerGroup?: number;
  /** Sets a witness should meet where the region allows (a first packet, an unprivileged port …). */
  prefer?: (space: PacketSpace) => number[];
  /**
   * The packets asked about at each table's hook (narrowing what the hook can see): the packets a test bench can
   * send, say. Default: every packet the hook sees.
   */
  within?: (space: PacketSpace, table: string, hook: string) => number;
  /** Device names the `within` sets use beyond the rulesets' own (so each is a class of its own). */
  devices?: readonly string[];
}

export class CompareError extends Error {}

/** One side's walk of one hook: its outcomes and the rules that end packets, with their hit sets. */
interface HookWalk {
  /** The walk's own verdict keys (`policy DROP` kept apart, to name the decider). */
  verdicts: Map<string, number>;
  enders: { rule: Rule; key: string; hit: () => number }[];
}

const outcomeOf = (verdict: string) => (verdict.startsWith('policy ') ? verdict.slice(7) : verdict);

export function compareSnapshots(before: Snapshot, after: Snapshot, options: CompareOptions = {}): Comparison {
  if (before.family === 'bridge' || after.family === 'bridge') throw new CompareError('ebtables rulesets are not yet analysed as packet sets');
  if (before.family !== after.family) throw new CompareError(`${before.fileName} is ${before.family} and ${after.fileName} is ${after.family}: a semantic diff compares one family`);
  const family: IpFamily = before.family;
  const alphabet = deviceAlphabet([before, after], options.devices ?? []);
  const capacity = oracleCapacity(before) + oracleCapacity(after);
  const identity = new Map<Rule, string>([...ruleIdentities(before), ...ruleIdentities(after)]);
  const space = new PacketSpace(family, alphabet, capacity, {
    backend: before.backend === after.backend ? before.backend : 'unknown',
    ...(options.maxNodes ? { maxNodes: options.maxNodes } : {}), ...(options.cacheBits ? { cacheBits: options.cacheBits } : {}),
  });
  const oracles = new Oracles(capacity, (rule) => identity.get(rule) ?? null);
  const { bdd } = space;
  // Where each hook's packets start: what the hook sees, narrowed to the packets asked about.
  const start = (table: string, hook: string) => (options.within ? bdd.and(hookEntry(space, table, hook), options.within(space, table, hook)) : hookEntry(space, table, hook));

  // Every walk first: the collector runs only inside walks and renames the sets they hold; the sets built below
  // are made after the last walk, so their ids stay valid.
  const walks = new Map<string, HookWalk>();
  const stopped: string[] = [];
  const notes = new Set<string>();
  const order: { table: string; hook: string }[] = [];
  const sides: [Side, Snapshot][] = [['before', before], ['after', after]];
  // A table written the same on both sides (counters aside) ends every packet alike: its deterministic unknowns
  // share oracles by text and its events are paired rule by rule, so it is compared without being walked.
  const same = new Set(before.tables.filter((t) => {
    const u = after.tables.find((x) => x.name === t.name);
    return !!u && tableText(t) === tableText(u);
  }).map((t) => t.name));
  for (const [side, snap] of sides) {
    for (const table of snap.tables) {
      if (same.has(table.name)) {
        if (side === 'before') for (const hook of hooksOf(table)) order.push({ table: table.name, hook });
        continue;
      }
      const chains = new Set(table.chains.map((c) => c.name));
      const ends = (r: Rule) => endsPacket(r, chains);
      for (const hook of hooksOf(table)) {
        if (!order.some((o) => o.table === table.name && o.hook === hook)) order.push({ table: table.name, hook });
        try {
          const reach = walkTable({
            space, oracles, table, file: snap.fileName, verdictDetail: true, keep: ends,
            entry: (h) => (h === hook ? start(table.name, h) : FALSE),
            ...(options.budget !== undefined ? { budget: options.budget } : {}),
          });
          for (const n of reach.notes) notes.add(n);
          const enders: HookWalk['enders'] = [];
          for (const rs of reach.rules.values()) for (const rr of rs) if (rr.hit !== null) enders.push({ rule: rr.rule, key: verdictOf(rr.rule, chains), hit: () => rr.hit! });
          walks.set(`${side}\u0000${table.name}\u0000${hook}`, { verdicts: reach.entries.get(hook)?.verdicts ?? new Map(), enders });
        } catch (e) {
          if (!(e instanceof WalkBudgetError)) throw e;
          stopped.push(`${side === 'before' ? before.fileName : after.fileName} table ${table.name} ${hook}: ${e.message}`);
        }
      }
    }
  }

  const scope = [
    'per table and built-in chain, each entered as its hook sees packets; what earlier tables and hooks do (NAT rewriting, marks, routing between hooks) is not followed',
    'the outcome is the verdict with the target\'s options (REJECT\'s answer, DNAT/SNAT address and port); a packet ended by another rule with the same outcome has not changed',
    'random draws and rate limits of a rule present unchanged in both (same chain, text and place among equal rules) are taken as the same draw; any other is independent, and a region that depends on one names it',
  ];
  const changes: HookComparison[] = [];
  const compared: Comparison['compared'] = [];
  try {
    const groups = options.groups ?? 12;
    const perGroup = options.regionsPerGroup ?? 3;
    const prefer = options.prefer ? options.prefer(space) : [];
    for (const { table, hook } of order) {
      const wa = walks.get(`before\u0000${table}\u0000${hook}`);
      const wb = walks.get(`after\u0000${table}\u0000${hook}`);
      const tableA = before.tables.find((t) => t.name === table);
      const tableB = after.tables.find((t) => t.name === table);
      if (same.has(table)) {
        compared.push({ table, hook });
        continue;
      }
      if ((tableA && hooksOf(tableA).includes(hook) && !wa) || (tableB && hooksOf(tableB).includes(hook) && !wb)) continue; // stopped
      compared.push({ table, hook });
      const entry = start(table, hook);
      // A side without the table (or without this built-in chain) registers no hook for it: every packet goes on,
      // as after an empty chain with policy ACCEPT (iptables loads a table's hooks only with the table).
      const missing = (w: HookWalk | undefined, t: Table | undefined, s: Snapshot): HookWalk => {
        if (w) return w;
        const line = `${s.fileName} has no ${t ? `built-in chain ${hook} in table ${table}` : `table ${table}`}: every packet its hook sees is taken to go on (ACCEPT)`;
        if (!scope.includes(line)) scope.push(line);
        return { verdicts: new Map([['policy ACCEPT', entry]]), enders: [] };
      };
      const A = missing(wa, tableA, before);
      const B = missing(wb, tableB, after);
      const oa = outcomes(A.verdicts, bdd);
      const ob = outcomes(B.verdicts, bdd);
      let changed = FALSE;
      for (const k of new Set([...oa.keys(), ...ob.keys()])) changed = bdd.or(changed, bdd.xor(oa.get(k) ?? FALSE, ob.get(k) ?? FALSE));
      changed = space.valid(changed);
      if (changed === FALSE) continue;
      let unionA = FALSE;
      for (const s of oa.values()) unionA = bdd.or(unionA, s);
      let unionB = FALSE;
      for (const s of ob.values()) unionB = bdd.or(unionB, s);
      const care = space.valid(bdd.or(entry, bdd.or(unionA, unionB)));
      const rewrites = [tableA, tableB].some((t) => t?.chains.some((c) => c.rules.some((r) => r.target && !t.chains.some((x) => x.name === r.target!.name) && targetTransform(space, r.target, []) !== null)));
      if (rewrites) scope.push(`table ${table} ${hook}: rules change marks, TOS, TTL or conntrack state on the way; its regions describe packets as they end the chain`);
      const regions: OutcomeRegion[] = [];
      let remaining = changed;
      let cut = false;
      for (let g = 0; g < groups && remaining !== FALSE; g++) {
        const w = witness(space, remaining, prefer);
        if (!w) break;
        const was = [...oa].filter(([, s]) => contains(space, s, w)).map(([k]) => k);
        const now = [...ob].filter(([, s]) => contains(space, s, w)).map(([k]) => k);
        let pair = remaining;
        pair = was.length ? was.reduce((p, k) => bdd.and(p, oa.get(k)!), pair) : bdd.diff(pair, unionA);
        pair = now.length ? now.reduce((p, k) => bdd.and(p, ob.get(k)!), pair) : bdd.diff(pair, unionB);
        const read = regionsOf(space, pair, perGroup, { care, prefer });
        cut ||= read.truncated;
        for (const r of read.regions) {
          // The region's witness has no unknowns' values (regions project them away): take the same packet
          // from the pair's set, with the values its difference needs.
          const full = witness(space, bdd.and(pair, packetCube(space, r.witness)), prefer) ?? r.witness;
          const unknowns = [...(full.oracles ?? new Map<number, boolean>())].map(([i, holds]) => {
            const u = oracles.unknowns[i]!;
            return { text: u.text, where: u.where, reason: u.reason, holds, event: u.key === null || u.key.startsWith('event|') };
          });
          regions.push({
            fields: r.fields, count: r.count, witness: full, unknowns, chance: chanceOf(unknowns),
            before: { outcome: was.join(' + ') || 'none', by: deciders(A, was, full, space, table, hook, before), chances: unknowns.length ? distribution(space, oracles, oa, full) : null },
            after: { outcome: now.join(' + ') || 'none', by: deciders(B, now, full, space, table, hook, after), chances: unknowns.length ? distribution(space, oracles, ob, full) : null },
          });
        }
        remaining = bdd.diff(remaining, pair);
      }
      regions.sort((x, y) => (BigInt(y.count) > BigInt(x.count) ? 1 : BigInt(y.count) < BigInt(x.count) ? -1 : 0));
      changes.push({ table, hook, total: regionsOf(space, changed, 1, { care }).total, regions, truncated: cut || remaining !== FALSE, rewrites, set: changed });
    }
  } catch (e) {
    // The memory bound (PacketSpace maxNodes) holds for the comparison too: no partial answer.
    if (e instanceof BddNodeLimitError) throw new CompareError(`the comparison needs more than the engine's limit of ${e.limit} BDD nodes`);
    throw e;
  }
  if (stopped.length) scope.push(`not compared (walk budget): ${stopped.join('; ')}`);
  return { family, space, oracles, compared, changes, scope, notes: [...notes], stopped };
}

/**
 * The chance of the draws a region needs, when each is `-m statistic --mode random --probability P` (xt_statistic:
 * matches when prandom_u32() & 0x7FFFFFFF < P·2^31, so with probability P; `!` inverts the match).
 */
function chanceOf(unknowns: UnknownUse[]): number | null {
  if (!unknowns.length) return null;
  let p = 1;
  for (const u of unknowns) {
    const q = drawProbability(u.text);
    if (q === null) return null;
    p *= u.holds ? q : 1 - q;
  }
  return p;
}

/** The probability that a random draw matches, from its text; null for any other unknown. */
function drawProbability(text: string): number | null {
  const m = /^-m statistic --mode random (!\s+)?--probability ([0-9.]+)$/.exec(text);
  if (!m) return null;
  return m[1] ? 1 - Number(m[2]) : Number(m[2]);
}

/**
 * Every outcome one packet can get on a side, with its chance, when the outcomes depend on random draws only:
 * each outcome's set is cut down to the packet's header (a function of the unknowns alone), then weighed with
 * each draw's probability (an independent draw per oracle, as xt_statistic draws per rule).
 */
function distribution(space: PacketSpace, oracles: Oracles, outs: Map<string, number>, p: ConcretePacket): { outcome: string; chance: number }[] | null {
  const { bdd, f } = space;
  if (!f.oracles) return null;
  const first = f.oracles.first;
  const cube = packetCube(space, p);
  const memo = new Map<number, number>();
  const weigh = (n: number): number => {
    if (n === FALSE) return 0;
    if (n === TRUE) return 1;
    const hit = memo.get(n);
    if (hit !== undefined) return hit;
    const q = drawProbability(oracles.unknowns[bdd.varOf(n) - first]?.text ?? '');
    if (q === null) throw new NotADraw();
    const r = (1 - q) * weigh(bdd.low(n)) + q * weigh(bdd.high(n));
    memo.set(n, r);
    return r;
  };
  const out: { outcome: string; chance: number }[] = [];
  try {
    for (const [k, s] of outs) {
      const c = weigh(bdd.restrict(s, cube));
      if (c > 0) out.push({ outcome: k, chance: c });
    }
  } catch (e) {
    if (e instanceof NotADraw) return null;
    throw e;
  }
  return out.sort((x, y) => y.chance - x.chance || (x.outcome < y.outcome ? -1 : 1));
}

class NotADraw extends Error {}

/** The built-in chains of a table that it has (named after their hooks; iptables(8) TABLES). */
function hooksOf(table: Table): string[] {
  return (builtinChains(table.family, table.name) ?? []).filter((h) => table.chains.some((c) => c.name === h && c.builtin));
}

/** A rule that can end a packet's walk of its table: its hit set names the decider. */
function endsPacket(r: Rule, chains: Set<string>): boolean {
  const t = r.target;
  if (!t || (chains.has(t.name) && t.type !== 'verdict')) return false;
  if (t.name === 'ACCEPT' || t.name === 'DROP' || t.name === 'QUEUE') return true;
  if (t.type === 'chain' || t.type === 'unknown') return true;
  return !!findTargetSpec(r.family, t.name)?.terminating;
}

/** The outcome key a rule that ends packets gives (the walk's verdict keys, outcome.ts). */
function verdictOf(r: Rule, chains: Set<string>): string {
  const t = r.target!;
  if (t.name === 'ACCEPT' || t.name === 'DROP' || t.name === 'QUEUE') return t.name;
  if ((t.type === 'chain' || t.type === 'unknown') && !chains.has(t.name)) return `unknown ${t.name}`;
  return detailedVerdict(r.family, t);
}

/** Verdict sets by outcome: a rule's ACCEPT and the policy's ACCEPT are one outcome. */
function outcomes(verdicts: Map<string, number>, bdd: PacketSpace['bdd']): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, s] of verdicts) out.set(outcomeOf(k), bdd.or(out.get(outcomeOf(k)) ?? FALSE, s));
  return out;
}

function deciders(w: HookWalk, keys: string[], p: ConcretePacket, space: PacketSpace, table: string, hook: string, snap: Snapshot): Decider[] {
  const out: Decider[] = [];
  for (const k of keys) {
    for (const e of w.enders) {
      if (e.key !== k || !contains(space, e.hit(), p)) continue;
      out.push({ file: snap.fileName, line: e.rule.span.start.line, table, chain: e.rule.chain, rule: e.rule.index, text: printRuleArgs(e.rule), comment: e.rule.comment });
    }
    const policy = w.verdicts.get(`policy ${k}`);
    if (policy !== undefined && contains(space, policy, p)) {
      const t = snap.tables.find((x) => x.name === table);
      out.push({ file: snap.fileName, line: null, table, chain: hook, rule: null, text: t ? `policy ${k}` : 'no table', comment: null });
    }
  }
  return out.slice(0, 4);
}

/** The set of packets equal to p in every header and metadata field (the unknowns left free). */
function packetCube(space: PacketSpace, p: ConcretePacket): number {
  const a = assignmentOf(space, p);
  const upTo = space.f.oracles ? space.f.oracles.first : space.bdd.varCount;
  const lits: [number, 0 | 1][] = [];
  for (let i = 0; i < upTo; i++) lits.push([i, a[i] as 0 | 1]);
  return space.bdd.literals(lits);
}

/** A table's chains, policies and rules in canonical text (counters left out). */
function tableText(t: Table): string {
  return t.chains.map((c) => `:${c.name} ${c.builtin ? c.policy ?? 'ACCEPT' : '-'}\n${c.rules.map((r) => printRuleArgs(r)).join('\n')}`).join('\n');
}

/**
 * Each rule's identity for pairing its events across snapshots: table, chain, its text (counters aside), and
 * its rank among the rules of that chain with the same text. A rule inserted elsewhere in the chain leaves the
 * others paired; a rule whose text changed gets fresh events.
 */
function ruleIdentities(s: Snapshot): [Rule, string][] {
  const out: [Rule, string][] = [];
  for (const t of s.tables) {
    for (const c of t.chains) {
      const seen = new Map<string, number>();
      for (const r of c.rules) {
        const text = printRuleArgs(r);
        const n = (seen.get(text) ?? 0) + 1;
        seen.set(text, n);
        out.push([r, `${t.name}\u0000${c.name}\u0000${text}\u0000${n}`]);
      }
    }
  }
  return out;
}
