// The one step vocabulary both sides are compared in: the kernel lab's normalised trace steps
// (packages/kernel-lab/src/normalize.ts, whose header documents every conversion from the kernel's three trace
// formats), and the simulator's steps brought to the same shape here.
//
//   family   ip | ip6 | bridge
//   hook     the netfilter hook (absent on a kernel step when the harness could not tell)
//   type     rule   — rule `rule` (1-based, as in the user's iptables-save) matched and its target ran;
//            return — the implicit end of a user chain; policy — a built-in chain's policy
//   verdict  ACCEPT, DROP, CONTINUE, RETURN, JUMP:<chain>, GOTO:<chain>, QUEUE (absent on a kernel step when the
//            harness could not tell: it then matches any verdict)
//
// One conversion on the simulator side: REJECT → DROP. The kernel reports a REJECT rule with verdict DROP (nft:
// the rule's verdict is NF_DROP after the target sent its answer, docs/netfilter.md §reject; legacy: the harness
// takes the verdict from the rule's target, where REJECT counts as a drop); the simulator keeps REJECT apart
// because it traces the answer the target sends.
import type { TraceStep as SimulatorStep } from '@chainsight/trace';

export type StepFamily = 'ip' | 'ip6' | 'bridge';
export type StepType = 'rule' | 'return' | 'policy';

export interface Step {
  family: StepFamily;
  hook?: string;
  table: string;
  chain: string;
  type: StepType;
  rule: number | null;
  verdict?: string;
  /** Kernel side only: not printed by the kernel but inferred by the harness (an nft implicit return). */
  inferred?: boolean;
}

/** A simulator step in the comparison vocabulary. */
export function fromSimulator(s: SimulatorStep): Step {
  return {
    family: s.family,
    hook: s.hook,
    table: s.table,
    chain: s.chain,
    type: s.type,
    rule: s.rule,
    verdict: s.verdict === 'REJECT' ? 'DROP' : s.verdict,
  };
}

/** Do two steps say the same thing? A kernel step without hook or verdict matches any (the harness did not know). */
export function sameStep(kernel: Step, sim: Step): boolean {
  return (
    kernel.family === sim.family &&
    (kernel.hook === undefined || kernel.hook === sim.hook) &&
    kernel.table === sim.table &&
    kernel.chain === sim.chain &&
    kernel.type === sim.type &&
    kernel.rule === sim.rule &&
    (kernel.verdict === undefined || kernel.verdict === sim.verdict)
  );
}

/** `FORWARD filter/DOCKER-USER rule 1 RETURN`, prefixed with the family unless it is ip — one line per step. */
export function formatStep(s: Step): string {
  const fam = s.family === 'ip' ? '' : `${s.family} `;
  const what = s.type === 'rule' ? `rule ${s.rule ?? '?'}` : s.type;
  return `${fam}${s.hook ?? '?'} ${s.table}/${s.chain} ${what}${s.verdict !== undefined ? ` ${s.verdict}` : ''}${s.inferred ? ' (inferred)' : ''}`;
}
