// What a symbolic match meaning may use, and the shared helpers of the match files.
import type { Match, OptionEntry, Rule } from '@chainsight/grammar';
import { printMatch } from '@chainsight/grammar';
import type { Oracles } from '../oracles';
import type { PacketSpace } from '../space';

export interface SymCtx {
  space: PacketSpace;
  oracles: Oracles;
  rule: Rule;
  /** The file the rule was read from, for the `where` of unknowns. */
  file: string;
}

/** A match's set of packets (before nothing: a match's own `!` options are inside it). */
export type SymMatch = (m: Match, c: SymCtx) => number;

/**
 * Applies an option's `!` to its set. Sets are taken over all encodings, not only the well-formed packets (the
 * universe): on every well-formed packet the answer is the same, and leaving the universe out keeps each set
 * small. Emptiness, counts and witnesses are taken within the universe (PacketSpace.isEmpty and friends).
 */
export function neg(c: SymCtx, o: OptionEntry, set: number): number {
  return o.negated ? c.space.bdd.not(set) : set;
}

export function allOf(c: SymCtx, sets: readonly number[]): number {
  let r = 1;
  for (const s of sets) r = c.space.bdd.and(r, s);
  return r;
}

/**
 * An unknown match (or unknown option of a match) as an oracle. `shared`: the answer is a function of the packet
 * and of host state that does not change meanwhile, so equal texts share one oracle.
 */
export function unknown(c: SymCtx, m: Match, reason: string, shared: boolean, part?: OptionEntry): number {
  const text = printMatch(m, c.rule.family);
  const event = shared ? null : c.oracles.eventIdentity?.(c.rule) ?? null;
  // An event paired across snapshots: one oracle per match of that rule (its place among the rule's matches).
  const key = shared ? `${c.rule.family}|${text}${part ? `|${part.key}` : ''}` : event !== null ? `event|${event}|${c.rule.matches.indexOf(m)}|${text}${part ? `|${part.key}` : ''}` : null;
  const where = `${c.file}:${c.rule.span.start.line}`;
  const i = c.oracles.index({ key, reason, where, text });
  return c.space.oracle(i);
}
