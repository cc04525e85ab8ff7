// Resuming a run where another one forked, instead of replaying the path from the start. The explorer
// (explore.ts) runs one path per combination of alternatives; the run that answers a fork used to replay every
// choice before it, which is quadratic in a chain of forks: kube-proxy's service chain draws endpoint i only after
// i failed draws (`-m statistic --mode random --probability 1/(n-i)`, one rule each), so n endpoints cost n²/2
// rule evaluations. Here a fork has a resume point: the state of the run as a rule at or before the fork was
// reached (the packet and its conntrack entry, steps, events, NAT bindings, ipset changes, host facts, the number
// of choices so far, what they said and the pinned answers, and the table walk's frames). The run answering the
// fork replays the path up to that rule's table walk (the code between walks is plain and short; its choices come
// from the prefix), puts the state back when it enters the walk, goes on from the rule with the choices it shares
// with the first run up to the fork, and then on its own: the work per run is the length of its path, not the
// number of forks before it.
//
// A point is taken at a rule's first choice: a rule's matches change nothing before it but answers that asking
// again gives alike (HostFacts keeps what the rules decide; a forked fact is set after its choice) and the pinned
// answers (`--assume`, kept as they were when the rule was reached), so the state then is the state at the rule.
// A run takes a new point only where it saves SPACING rules over its newest one; a fork asked elsewhere (routing, a bridge's
// flood, a target, the answer a REJECT sends) takes the newest, or, before any, has none: that run replays from
// the start.
import type { Pred } from '../compile/types';
import type { SaidMark } from './choice-text';
import type { ExploreWork, PinsMark } from './choices';
import { cloneConn } from './conntrack';
import { cloneDev, type DevFacts } from './host-facts';
import type { RawEvent, RawStep, Run } from './run';
import { SetChanges } from './set-changes';
import { clonePacket, type NatBinding, type SimPacket } from './state';
import type { Frame } from './table';

/** The table walk a fork was asked in, as the run entered it: the number of choices made before it. */
export interface WalkEntry {
  count: number;
  /** Those choices in order, once a run resuming in this walk asked for them (pending.ts). */
  before: number[] | null;
}

/** Where a run answering a fork resumes: the state as a rule at or before the fork was reached. */
export interface ResumePoint {
  /** Which table walk of the run (0-based, in the order the run entered them). */
  readonly walk: number;
  readonly entry: WalkEntry;
  /** Rules a run replaying the path from the start evaluates before the point's walk, and up to its rule. */
  readonly entryCost: number;
  readonly pathRules: number;
  /** The walk's frames and the rule (index in the current frame's chain) to evaluate again. */
  readonly stack: readonly Frame[];
  readonly f: Frame;
  readonly k: number;
  /** The number of choices before the rule (the next one is the rule's first), what they said, the pinned answers. */
  readonly first: number;
  readonly said: SaidMark;
  readonly pins: PinsMark;
  readonly p: SimPacket;
  /** The first run's steps and events, of which the first `stepCount` / `eventCount` were there. */
  readonly steps: readonly RawStep[];
  readonly stepCount: number;
  readonly events: readonly RawEvent[];
  readonly eventCount: number;
  readonly natSet: readonly NatBinding[];
  readonly currentStep: number;
  readonly sets: SetChanges;
  readonly facts: { local: ReadonlyMap<string, boolean>; in: DevFacts | null; out: DevFacts | null; notes: readonly string[] };
}

/**
 * Rule evaluations a new resume point must save over the newest one. A point copies the run's state (the packet,
 * its conntrack entry, host facts, ipset changes, frames): one at every fork would cost more than the few rules it
 * saves when every rule forks (`-m recent -m limit` on each of 1,000 rules). A fork in a later walk keeps the
 * newest point when the walks before it are long (a fork after kube-proxy's fan-out: a point there would replay
 * the whole service chain). Either way the work per run stays the length of its path.
 */
const SPACING = 16;

function copyFrame(f: Frame): Frame {
  return { chain: f.chain, list: f.list, pos: f.pos };
}

/** The resume points of one run, and the run's own resumption when it answers a fork of an earlier run. */
export class Resumer {
  private walks = 0;
  private entryCount = 0;
  private entry: WalkEntry | null = null;
  /** The rule whose matches are being evaluated. */
  private inRule = false;
  private ruleStack: readonly Frame[] = [];
  private ruleFrame: Frame | null = null;
  private ruleK = -1;
  private ruleFirst = -1;
  private rulePins: PinsMark | null = null;
  /** The run's newest resume point (taken by this run, or the one it resumed from). */
  private latest: ResumePoint | null = null;
  /** Rules a replay of this run's path from the start evaluates up to now, and up to the current walk. */
  private pathRules = 0;
  private walkEntryCost = 0;
  private resumed = false;
  /** The resume point of each choice this run makes past its prefix, in order (null: replay from the start). */
  readonly points: (ResumePoint | null)[] = [];

  constructor(
    private readonly run: Run,
    /** The point this run resumes from, or null (a replay from the start). */
    private readonly target: ResumePoint | null,
    private readonly work: ExploreWork | null,
  ) {
    run.resumer = this;
    run.chooser.onNew = (i) => { this.points.push(this.pointFor(i)); };
  }

  /**
   * A table walk starts (after its table was found). Returns the frames and the rule to evaluate first when this
   * is the walk the run resumes in, with the run's state put back as it was there; otherwise null.
   */
  walk(): { stack: Frame[]; f: Frame; k: number } | null {
    const n = this.walks++;
    const t = this.target;
    const chooser = this.run.chooser;
    if (t === null || n !== t.walk) {
      this.walkEntryCost = this.pathRules;
      this.entryCount = chooser.count;
      this.entry = null;
      return null;
    }
    if (chooser.count !== t.entry.count) {
      throw new Error('internal: a resumed run reached the walk of its resume point after other choices');
    }
    this.resumed = true;
    this.entry = t.entry;
    this.latest = t;
    this.walkEntryCost = t.entryCost;
    this.pathRules = t.pathRules - 1; // the point's rule is evaluated again
    this.restore(t);
    return { stack: t.stack.map(copyFrame), f: copyFrame(t.f), k: t.k };
  }

  /** A rule's matches: evaluated with the rule marked as where a fork among them resumes. */
  matches(pred: Pred, stack: readonly Frame[], f: Frame, k: number): boolean {
    if (this.work) this.work.rules++;
    this.inRule = true;
    this.ruleStack = stack;
    this.ruleFrame = f;
    this.ruleK = k;
    this.ruleFirst = this.run.chooser.count;
    this.rulePins = this.run.chooser.pinsMark();
    this.pathRules++;
    try {
      return pred(this.run.p, this.run.ctx);
    } finally {
      this.inRule = false;
    }
  }

  /** The run is over: checks it resumed where it had to, and lets go of the run. */
  finish(): void {
    this.run.chooser.onNew = null;
    this.run.resumer = null;
    if (this.target !== null && !this.resumed) throw new Error('internal: a resumed run never reached the walk of its resume point');
  }

  /**
   * Where the run answering choice i resumes. A new point is taken at a rule's first choice (later ones, and
   * choices outside a rule's matches, find the state moved on: they take the newest point, or none) when it saves
   * that run SPACING rules or more over the newest point: a run resuming replays the path before the point's walk
   * from the start, then the rules from the point to the fork.
   */
  private pointFor(i: number): ResumePoint | null {
    const l = this.latest;
    if (!(this.inRule && i === this.ruleFirst)) return l;
    if (l !== null && this.walkEntryCost + SPACING > l.entryCost + (this.pathRules - l.pathRules)) return l;
    this.latest = this.snapshot();
    return this.latest;
  }

  private snapshot(): ResumePoint {
    const run = this.run;
    const p = run.p;
    const facts = run.facts;
    this.entry ??= { count: this.entryCount, before: null };
    return {
      walk: this.walks - 1, entry: this.entry, entryCost: this.walkEntryCost, pathRules: this.pathRules,
      stack: this.ruleStack.map(copyFrame), f: copyFrame(this.ruleFrame!), k: this.ruleK,
      first: run.chooser.count, said: run.chooser.said.mark(), pins: this.rulePins!,
      p: { ...clonePacket(p), ct: p.ct === null ? null : cloneConn(p.ct) },
      steps: run.steps, stepCount: run.steps.length, events: run.events, eventCount: run.events.length,
      natSet: run.natSet.slice(), currentStep: run.currentStep,
      sets: new SetChanges(run.ctx.sets),
      facts: { local: new Map(facts.local), in: cloneDev(facts.in), out: cloneDev(facts.out), notes: facts.notes.slice() },
    };
  }

  /**
   * The run's state as the point has it. The objects the path holds on to across a walk (the packet, its conntrack
   * entry, the step and event lists, the host facts) are changed in place; the steps and events before the walk
   * are this run's own (equal to the first run's: the path up to the walk is the same).
   */
  private restore(t: ResumePoint): void {
    const run = this.run;
    run.chooser.restore(t.first, t.said, t.pins);
    const mine = run.p.ct;
    const ct = t.p.ct === null ? null : mine !== null ? Object.assign(mine, cloneConn(t.p.ct)) : cloneConn(t.p.ct);
    Object.assign(run.p, t.p, { tcpOptions: [...t.p.tcpOptions], ct });
    const copied = (t.stepCount - run.steps.length) + (t.eventCount - run.events.length)
      + t.said.assumptionCount + t.said.drawCount + t.pins.count;
    for (let i = run.steps.length; i < t.stepCount; i++) run.steps.push(t.steps[i]!);
    for (let i = run.events.length; i < t.eventCount; i++) run.events.push(t.events[i]!);
    // The bindings are the first run's objects, as the conntrack entry's are (buildOutcome compares them).
    run.natSet.length = 0;
    run.natSet.push(...t.natSet);
    run.currentStep = t.currentStep;
    run.ctx.sets = new SetChanges(t.sets);
    const facts = run.facts;
    facts.local.clear();
    for (const [k, v] of t.facts.local) facts.local.set(k, v);
    facts.in = cloneDev(t.facts.in);
    facts.out = cloneDev(t.facts.out);
    facts.notes.length = 0;
    facts.notes.push(...t.facts.notes);
    // The last packet copy belongs to the first run (its conntrack entry is that run's): the next step makes its own.
    run.forgetSnapshot();
    if (this.work) this.work.copied += copied;
  }
}
