// One snapshot's reach sets: the packet space laid out for its rules (the device names they use, room for their
// unknowns), then every table walked from its built-in chains.
import type { Rule, Snapshot } from '@chainsight/grammar';
import { NameAlphabet } from './alphabet';
import { hookEntry } from './entry';
import { Oracles } from './oracles';
import { PacketSpace, type IpFamily } from './space';
import { WalkBudgetError, walkTable, type TableReach } from './walk';

export interface SnapshotReach {
  space: PacketSpace;
  oracles: Oracles;
  tables: TableReach[];
  /** Tables whose walk stopped at the budget (AnalyzeOptions.budget): no answer is given for their rules. */
  stopped: WalkBudgetError[];
}

export interface AnalyzeOptions {
  /** The most decision nodes the engine may hold (memory bound); beyond it BddNodeLimitError is thrown. */
  maxNodes?: number;
  /** log2 of the operation cache's entries (default 20: 1M entries, 20 MB). */
  cacheBits?: number;
  /** The rules whose reach and hit sets to keep (see WalkInput.keep); by default none. */
  keep?: (rule: Rule) => boolean;
  /** The most BDD steps each table's walk may take (see WalkInput.budget); by default no limit. */
  budget?: number;
  /** Collect each built-in chain's verdict sets (see WalkInput.verdicts); true by default. */
  verdicts?: boolean;
}

/**
 * The device names and prefixes the snapshots' rules test (base -i/-o), and `extra` names a question uses (each
 * its own class, so a witness can carry it).
 */
export function deviceAlphabet(snapshots: Snapshot | readonly Snapshot[], extra: Iterable<string> = []): NameAlphabet {
  const exact = new Set<string>(extra);
  const prefixes = new Set<string>();
  for (const snapshot of Array.isArray(snapshots) ? snapshots : [snapshots as Snapshot])
    for (const t of snapshot.tables)
      for (const c of t.chains)
        for (const r of c.rules)
          for (const o of r.base) if (o.value.type === 'interface') (o.value.wildcard ? prefixes : exact).add(o.value.name);
  return new NameAlphabet(exact, prefixes);
}

/** An upper bound of the unknowns a snapshot can need: one per match and base option. */
export function oracleCapacity(snapshot: Snapshot): number {
  let n = 0;
  for (const t of snapshot.tables) for (const c of t.chains) for (const r of c.rules) n += ruleOracleCapacity(r);
  return n;
}

/** The unknowns one rule can need: one per match and per option (base options included). */
export function ruleOracleCapacity(rule: Rule): number {
  return rule.base.length + rule.matches.reduce((k, m) => k + 1 + m.options.length, 0);
}

export function analyzeSnapshot(snapshot: Snapshot, options: AnalyzeOptions = {}): SnapshotReach {
  if (snapshot.family === 'bridge') throw new RangeError('ebtables rulesets are not yet analysed as packet sets');
  const family: IpFamily = snapshot.family;
  const capacity = oracleCapacity(snapshot);
  const space = new PacketSpace(family, deviceAlphabet(snapshot), capacity, { backend: snapshot.backend, ...(options.maxNodes ? { maxNodes: options.maxNodes } : {}), ...(options.cacheBits ? { cacheBits: options.cacheBits } : {}) });
  const oracles = new Oracles(capacity);
  const tables: TableReach[] = [];
  const stopped: WalkBudgetError[] = [];
  for (const table of snapshot.tables) {
    try {
      tables.push(walkTable({
        space, oracles, table, file: snapshot.fileName, entry: (hook) => hookEntry(space, table.name, hook),
        ...(options.keep ? { keep: options.keep } : {}), ...(options.budget !== undefined ? { budget: options.budget } : {}),
        ...(options.verdicts !== undefined ? { verdicts: options.verdicts } : {}),
      }));
    } catch (e) {
      if (!(e instanceof WalkBudgetError)) throw e;
      stopped.push(e);
    }
  }
  return { space, oracles, tables, stopped };
}
