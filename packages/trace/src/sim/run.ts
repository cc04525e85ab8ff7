// One deterministic run of the path (one combination of fork alternatives): the packet, the steps and events it
// produces, and the effects targets report (log lines, NAT requests). Steps keep a copy of the packet so the
// kernel-log renderer can print what each hook saw.
import type { Rule } from '@chainsight/grammar';
import type { CompiledRuleset } from '../compile/ruleset';
import type { EvalCtx, Effects, NatRequest } from '../compile/types';
import type { Hook, StepFamily, TraceEvent, TraceStep } from '../types';
import type { Chooser } from './choices';
import { HostFacts, type FactsSeed } from './host-facts';
import type { Resumer } from './resume';
import { SetChanges } from './set-changes';
import type { NatBinding, SimPacket } from './state';

/** A step while the run is going on: the public TraceStep with the simulated packet instead of its view. */
export type RawStep = Omit<TraceStep, 'packet'> & { packet: SimPacket };

export type RawEvent =
  | { kind: 'note' | 'route' | 'nat' | 'bridge' | 'conntrack'; at: number; text: string }
  | { kind: 'log'; at: number; source: Extract<TraceEvent, { kind: 'log' }>['source']; prefix: string; hook: Hook; step: number; packet: SimPacket; logIp?: boolean; level?: string; flags?: { seq: boolean; opts: boolean; uid: boolean } };

export type NatHandler = (run: Run, req: NatRequest) => NatBinding | null;

export class Run implements Effects {
  readonly steps: RawStep[] = [];
  readonly events: RawEvent[] = [];
  /** NAT bindings this packet's rules set up (kept for the verdict summary). */
  readonly natSet: NatBinding[] = [];
  /** The rule step whose target is running (for NAT bookkeeping). */
  currentStep = -1;
  readonly ctx: EvalCtx;
  /** Resume points of the explorer's run (resume.ts); null for the answer a REJECT sends. */
  resumer: Resumer | null = null;

  constructor(
    readonly compiled: CompiledRuleset,
    public p: SimPacket,
    readonly chooser: Chooser,
    private readonly natHandler: NatHandler,
    sets: SetChanges = new SetChanges(),
    facts?: FactsSeed,
  ) {
    this.ctx = { host: compiled.host, hook: 'PREROUTING', table: '', chooser, effects: this, sets, facts: new HostFacts(compiled, chooser, facts) };
  }

  get facts(): HostFacts {
    return this.ctx.facts;
  }

  // Effects of targets.
  log(source: Extract<RawEvent, { kind: 'log' }>['source'], prefix: string, extra?: { logIp?: boolean; level?: string; flags?: { seq: boolean; opts: boolean; uid: boolean } }): void {
    this.events.push({ kind: 'log', at: this.steps.length, source, prefix, hook: this.ctx.hook, step: this.currentStep, packet: this.snapshot(), ...extra });
  }

  nat(req: NatRequest): boolean {
    const b = this.natHandler(this, req);
    if (b) this.natSet.push(b);
    return b !== null;
  }

  /** A target's remark (Effects.note). */
  note(text: string): void {
    this.event('note', text);
  }

  /** A decision of the path (routing, conntrack, NAT, bridge) between steps. */
  event(kind: 'note' | 'route' | 'nat' | 'bridge' | 'conntrack', text: string): void {
    this.events.push({ kind, at: this.steps.length, text });
  }

  private last: SimPacket | null = null;

  /** The next step copies the packet afresh (a resumed run's last copy was the first run's, resume.ts). */
  forgetSnapshot(): void {
    this.last = null;
  }

  /** A copy of the packet as it is now; consecutive steps share one copy while the packet does not change. */
  snapshot(): SimPacket {
    const p = this.p;
    const l = this.last;
    if (l !== null && l.src === p.src && l.dst === p.dst && l.sport === p.sport && l.dport === p.dport && l.mark === p.mark
      && l.in === p.in && l.out === p.out && l.physIn === p.physIn && l.physOut === p.physOut && l.ttl === p.ttl
      && l.tos === p.tos && l.srcMac === p.srcMac && l.dstMac === p.dstMac && l.ctState === p.ctState && l.ctDir === p.ctDir
      && l.icmpId === p.icmpId && l.tcpFlags === p.tcpFlags && l.trace === p.trace) return l;
    this.last = { ...p };
    return this.last;
  }

  addStep(
    family: StepFamily, hook: Hook, table: string, chain: string, type: RawStep['type'], rule: number | null, verdict: string,
    target: string | null, labelType: RawStep['type'], num: number, file: string, line: number | null, ruleRef: Rule | null,
  ): number {
    this.steps.push({
      family, hook, table, chain, type, rule, verdict, target, label: { type: labelType, num }, file, line, ruleRef,
      traced: this.p.trace, packet: this.snapshot(),
    });
    return this.steps.length - 1;
  }
}
