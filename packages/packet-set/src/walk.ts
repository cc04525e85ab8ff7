// Chain walking: for each built-in chain of a table, the set of packets that reaches every rule, through jumps,
// gotos, RETURN and user-chain ends, as ipt_do_table() moves through them (ip_tables.c: a jump pushes the return
// point, a goto does not, RETURN and the end of a user chain pop it, the end of a built-in chain applies its
// policy). Targets that change what later rules read transform the set (transforms.ts); terminating targets end
// it. A chain is walked once per distinct entry set (sets are canonical, so the memo key is exact).
//
// Every set the walk keeps lives in a frame, the results or the memo, and those are the collector's roots: the
// collector runs only at the top of a rule's step, when nothing else holds a node.

import { BddNodeLimitError } from '@chainsight/bdd';
import { builtinChains, findTargetSpec, type Chain, type Rule, type Table } from '@chainsight/grammar';
import type { RootHolder } from './gc';
import type { Oracles } from './oracles';
import { detailedVerdict } from './outcome';
import { matchSetOf } from './rule-sets';
import type { PacketSpace } from './space';
import { targetTransform } from './transforms';

/** What a walk found for one rule, over every way into its chain. */
export interface RuleReach {
  rule: Rule;
  /** Some well-formed packet reaches the rule (is tested by it), for some value of the unknowns. */
  reached: boolean;
  /** Some well-formed packet that reaches it is matched by it, for some value of the unknowns. */
  matched: boolean;
  /** The packets that reach the rule, when the walk was asked to keep it (WalkInput.keep), else null. */
  reach: number | null;
  /** Of those, the ones it matches (kept likewise). */
  hit: number | null;
}

export interface TableReach {
  table: string;
  /** Rules by chain name, in chain order. */
  rules: Map<string, RuleReach[]>;
  /**
   * For each built-in chain walked: the packets entering it and where they end, by verdict (ACCEPT, DROP, QUEUE,
   * a terminating target's name such as REJECT or DNAT, `policy ACCEPT`/`policy DROP`, `unknown NAME`).
   */
  entries: Map<string, { entry: number; verdicts: Map<string, number> }>;
  /** Chains met again while being walked (the kernel refuses such rulesets: mark_source_chains() in ip_tables.c). */
  loops: string[];
  /** Approximations made on the way (a copied mark, an unknown target …). */
  notes: string[];
}

export interface WalkInput {
  space: PacketSpace;
  oracles: Oracles;
  table: Table;
  /** The entry set of a built-in chain (universe restricted to what its hook can see). */
  entry: (hook: string) => number;
  /** The file the table was read from (for the places of unknowns). */
  file: string;
  /**
   * The rules whose sets to keep (every rule's reached/matched is always known). Keeping the sets of all 128k
   * rules of a kube-proxy ruleset costs more memory than the answer needs; a question keeps the rules it is about.
   */
  keep?: (rule: Rule) => boolean;
  /**
   * The most BDD steps (operation-cache misses: each one a node visited by a set operation) the walk may take;
   * beyond it WalkBudgetError is thrown. The count is the engine's own, so the same input stops at the same rule
   * on any machine, unlike a timer.
   */
  budget?: number;
  /**
   * Collect the packets of each verdict (TableReach.entries' verdicts); true by default. Questions about single
   * rules (lint) turn it off: on rulesets with many address-specific verdicts the unions cost more than the walk.
   */
  verdicts?: boolean;
  /**
   * Key the verdicts of terminating targets by their options too (`REJECT --reject-with tcp-reset`, `DNAT
   * --to-destination 10.0.0.1:80`; outcome.ts), not by the target's name alone. Off by default.
   */
  verdictDetail?: boolean;
}

/**
 * A walk stopped at its budget of BDD steps, or at the engine's node limit (its memory bound): its answers for
 * the table are incomplete, so none is given.
 */
export class WalkBudgetError extends Error {
  constructor(readonly table: string, readonly budget: number, readonly rulesWalked: number, readonly limit: 'steps' | 'nodes' = 'steps') {
    super(limit === 'steps'
      ? `the walk of table ${table} stopped at its budget of ${budget} BDD steps (after ${rulesWalked} rule steps)`
      : `the walk of table ${table} stopped at the engine's limit of ${budget} BDD nodes (after ${rulesWalked} rule steps)`);
    this.name = 'WalkBudgetError';
  }
}

const MEMO_PER_CHAIN = 16;

/** One chain being walked: its entry, the packets still going down it, the packets going back to the caller. */
interface Frame {
  entry: number;
  cur: number;
  back: number;
}

export function walkTable(input: WalkInput): TableReach {
  const { space, table } = input;
  const { bdd } = space;
  const chains = new Map<string, Chain>();
  for (const c of table.chains) chains.set(c.name, c);
  const result: TableReach = { table: table.name, rules: new Map(), entries: new Map(), loops: [], notes: [] };
  const keep = input.keep ?? (() => false);
  // How many rules jump or go to each chain: a chain entered from one place never meets the same entry twice, so
  // its memo entries would only keep sets alive (kube-proxy has 9k such chains per 2k services).
  const callers = new Map<string, number>();
  for (const c of table.chains) for (const r of c.rules) if (r.target && chains.has(r.target.name)) callers.set(r.target.name, (callers.get(r.target.name) ?? 0) + 1);
  for (const c of table.chains) result.rules.set(c.name, c.rules.map((rule) => (keep(rule) ? { rule, reached: false, matched: false, reach: 0, hit: 0 } : { rule, reached: false, matched: false, reach: null, hit: null })));
  // chain → entry → packets returned. Entries are roots too: a freed id reused for another set would be a false hit.
  let memo = new Map<string, Map<number, number>>();
  const frames: Frame[] = [];
  const onStack = new Set<string>();
  const notes = new Set<string>();
  let verdicts = new Map<string, number>();

  const holder: RootHolder = {
    roots(out) {
      for (const rs of result.rules.values()) for (const r of rs) if (r.reach !== null) out.push(r.reach, r.hit!);
      for (const e of result.entries.values()) {
        out.push(e.entry);
        for (const v of e.verdicts.values()) out.push(v);
      }
      for (const v of verdicts.values()) out.push(v);
      for (const byEntry of memo.values()) for (const [k, v] of byEntry) out.push(k, v);
      for (const f of frames) out.push(f.entry, f.cur, f.back);
    },
    remap(m) {
      for (const rs of result.rules.values()) for (const r of rs) if (r.reach !== null) { r.reach = m[r.reach]!; r.hit = m[r.hit!]!; }
      for (const e of result.entries.values()) {
        e.entry = m[e.entry]!;
        for (const [k, v] of e.verdicts) e.verdicts.set(k, m[v]!);
      }
      for (const [k, v] of verdicts) verdicts.set(k, m[v]!);
      const next = new Map<string, Map<number, number>>();
      for (const [chain, byEntry] of memo) next.set(chain, new Map([...byEntry].map(([k, v]) => [m[k]!, m[v]!])));
      memo = next;
      for (const f of frames) { f.entry = m[f.entry]!; f.cur = m[f.cur]!; f.back = m[f.back]!; }
    },
  };
  space.collector.hold(holder);
  const budget = input.budget ?? Infinity;
  const start = bdd.cache.misses;
  let steps = 0;

  const collectVerdicts = input.verdicts ?? true;
  const addVerdict = (v: string, s: number) => {
    if (s === 0 || !collectVerdicts) return;
    verdicts.set(v, bdd.or(verdicts.get(v) ?? 0, s));
  };

  /** Walks a chain from the set on top of the frame stack; returns the packets that come back. */
  const walk = (chain: Chain): number => {
    const frame = frames[frames.length - 1]!;
    const seen = memo.get(chain.name)?.get(frame.entry);
    if (seen !== undefined) return seen;
    if (onStack.has(chain.name)) {
      result.loops.push(chain.name);
      return 0;
    }
    onStack.add(chain.name);
    const reaches = result.rules.get(chain.name)!;
    for (let i = 0; i < chain.rules.length && frame.cur !== 0; i++) {
      space.collector.maybeCollect();
      steps++;
      if (bdd.cache.misses - start > budget) {
        space.collector.release(holder);
        throw new WalkBudgetError(table.name, budget, steps);
      }
      const rr = reaches[i]!;
      const rule = rr.rule;
      if (rr.reach !== null) rr.reach = bdd.or(rr.reach, frame.cur);
      const m = matchSetOf(space, input.oracles, rule, input.file);
      const hit = bdd.and(frame.cur, m);
      // A rule that matches some packet is reached; only the others need the emptiness test of what arrives.
      if (!rr.matched && hit !== 0) rr.matched = !space.isEmpty(hit);
      if (!rr.reached) rr.reached = rr.matched || !space.isEmpty(frame.cur);
      if (hit === 0) continue;
      if (rr.hit !== null) rr.hit = bdd.or(rr.hit, hit);
      const t = rule.target;
      if (t === null) continue; // a counting rule
      const target = chains.get(t.name);
      if (target && t.type !== 'verdict') {
        frame.cur = bdd.diff(frame.cur, m);
        frames.push({ entry: hit, cur: hit, back: 0 });
        const back = walk(target);
        frames.pop();
        if (t.goto) frame.back = bdd.or(frame.back, back);
        else frame.cur = bdd.or(frame.cur, back);
        continue;
      }
      switch (t.name) {
        case 'ACCEPT':
        case 'DROP':
        case 'QUEUE':
          addVerdict(t.name, hit);
          frame.cur = bdd.diff(frame.cur, m);
          continue;
        case 'RETURN':
          // In a built-in chain RETURN falls to the policy (ipt_do_table: the underflow rule), see below.
          frame.back = bdd.or(frame.back, hit);
          frame.cur = bdd.diff(frame.cur, m);
          continue;
      }
      if (t.type === 'chain' || t.type === 'unknown') {
        // Neither a chain here nor a known extension: it may end the packet or let it go on; both are kept.
        notes.add(`${t.name}: not a chain of this table nor a known target; packets are assumed to both stop and continue there`);
        addVerdict(`unknown ${t.name}`, hit);
        continue;
      }
      if (findTargetSpec(rule.family, t.name)?.terminating) {
        addVerdict(input.verdictDetail ? detailedVerdict(rule.family, t) : t.name, hit);
        frame.cur = bdd.diff(frame.cur, m);
        continue;
      }
      const noteList: string[] = [];
      const tr = targetTransform(space, t, noteList);
      for (const n of noteList) notes.add(n);
      if (tr) frame.cur = bdd.or(bdd.diff(frame.cur, m), tr(hit));
    }
    let back = bdd.or(frame.back, frame.cur);
    if (chain.builtin) {
      // The end of a built-in chain, a RETURN in it, or a goto'd chain coming back: the policy decides.
      addVerdict(`policy ${chain.policy ?? 'ACCEPT'}`, back);
      back = 0;
    }
    onStack.delete(chain.name);
    if ((callers.get(chain.name) ?? 0) < 2) return back;
    let byEntry = memo.get(chain.name);
    if (!byEntry) memo.set(chain.name, (byEntry = new Map()));
    // Bounded: kube-proxy jumps to KUBE-MARK-MASQ from 20k places with 20k different sets, and a memo entry
    // keeps two sets alive. A chain entered again with a recent set (a diamond of jumps) still hits.
    if (byEntry.size >= MEMO_PER_CHAIN) byEntry.clear();
    byEntry.set(frame.entry, back);
    return back;
  };

  // Each built-in chain is named after its hook (the grammar's table of built-in chains, iptables(8) TABLES).
  try {
    for (const hook of builtinChains(table.family, table.name) ?? []) {
      const chain = chains.get(hook);
      if (!chain || !chain.builtin) continue;
      verdicts = new Map();
      const entry = input.entry(hook);
      frames.push({ entry, cur: entry, back: 0 });
      walk(chain);
      const top = frames.pop()!;
      result.entries.set(hook, { entry: top.entry, verdicts });
    }
  } catch (e) {
    // The memory bound (PacketSpace maxNodes) stops the walk like the step budget: no partial answer is kept.
    if (!(e instanceof BddNodeLimitError)) throw e;
    space.collector.release(holder);
    throw new WalkBudgetError(table.name, e.limit, steps, 'nodes');
  }
  verdicts = new Map();
  // The results stay roots for later tables' walks; the memo and frames are done with.
  memo = new Map();
  result.notes.push(...notes);
  return result;
}
