// Traversal of one table at one hook, as ip_tables.c ipt_do_table() (also ip6_tables.c) and ebtables.c
// ebt_do_table() do it: rules in order, a jump stack for -j (none for -g), RETURN / the end of a user chain
// back to the caller, the built-in chain's policy when the stack is empty. One step per matching rule, recorded
// before its target runs (trace_packet() is called before the target, docs/netfilter.md §legacy-trace).
import type { CChain, CRule, CTable, ExtVerdict } from '../compile/types';
import type { Hook, StepFamily } from '../types';
import type { Run } from './run';

export type TableVerdict = 'ACCEPT' | 'DROP' | 'REJECT' | 'QUEUE' | 'STOLEN';

export interface TableResult {
  verdict: TableVerdict;
  /** Index of the step that decided (the rule or policy step). */
  step: number;
}

export interface Frame {
  chain: CChain;
  /** Candidate rule indices (destination index), or null to scan every rule. */
  list: number[] | null;
  /** Position in `list`, or the rule index when list is null. */
  pos: number;
}

/** The packet met a table the kernel would refuse to load (a loop of jumps or gotos, compile/loops.ts). */
class TraceLoopError extends Error {}

function candidates(chain: CChain, run: Run): number[] | null {
  const idx = chain.index;
  if (idx === null) return null;
  const a = idx.byDst.get(run.p.dst);
  const b = run.p.dport !== null ? idx.byDport.get(run.p.dport) : undefined;
  if (!a && !b) return idx.rest;
  if (!b) {
    // The common case (one service address): the merged list is cached per address.
    let m = idx.merged.get(run.p.dst);
    if (!m) { m = mergeSorted(a!, idx.rest); idx.merged.set(run.p.dst, m); }
    return m;
  }
  return mergeSorted(mergeSorted(a ?? [], b), idx.rest);
}

function mergeSorted(x: number[], y: number[]): number[] {
  if (!x.length) return y;
  if (!y.length) return x;
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < x.length || j < y.length) {
    if (j >= y.length || (i < x.length && x[i]! < y[j]!)) out.push(x[i++]!);
    else out.push(y[j++]!);
  }
  return out;
}

function frame(chain: CChain, run: Run): Frame {
  return { chain, list: candidates(chain, run), pos: 0 };
}

/** Next rule index of the frame (advancing it), or -1 at the chain's end. */
function next(f: Frame): number {
  if (f.list === null) return f.pos < f.chain.size ? f.pos++ : -1;
  return f.pos < f.list.length ? f.list[f.pos++]! : -1;
}

function lineOf(chain: CChain): number | null {
  return chain.chain.span?.start.line ?? null;
}

function verdictText(r: CRule): string {
  const a = r.action;
  if (a.kind === 'verdict') return a.verdict;
  if (a.kind === 'jump') return `${a.goto ? 'GOTO' : 'JUMP'}:${a.chain}`;
  return 'CONTINUE';
}

function stepOf(run: Run, fam: StepFamily, hook: Hook, table: string, file: string, chain: CChain, k: number, r: CRule): number {
  return run.addStep(fam, hook, table, chain.name, 'rule', k + 1, verdictText(r), r.rule.target?.name ?? null,
    r.labelType, k + 1, file, r.rule.span.start.line, r.rule);
}

function endStep(run: Run, fam: StepFamily, hook: Hook, table: string, file: string, chain: CChain, type: 'policy' | 'return', verdict: string): number {
  return run.addStep(fam, hook, table, chain.name, type, null, verdict, type === 'policy' ? chain.policy : null,
    type, chain.size + 1, file, lineOf(chain), null);
}

function applyExt(v: ExtVerdict): 'continue' | 'return' | TableVerdict {
  if (v === 'CONTINUE') return 'continue';
  if (v === 'RETURN') return 'return';
  return v;
}

/** The evaluation context of a table traversal at a hook. */
function enter(run: Run, table: CTable, hook: Hook) {
  const ctx = run.ctx;
  ctx.hook = hook;
  ctx.table = table.name;
  return ctx;
}

function policyOf(run: Run, fam: StepFamily, hook: Hook, table: CTable, file: string, base: CChain): TableResult {
  const v = base.policy === 'DROP' ? 'DROP' : 'ACCEPT';
  return { verdict: v, step: endStep(run, fam, hook, table.name, file, base, 'policy', v) };
}

/** ipt_do_table(). Returns ACCEPT when the table has no chain for this hook (nothing to traverse). */
export function runIpTable(run: Run, fam: StepFamily, file: string, table: CTable, hook: Hook): TableResult {
  const base = table.chains.get(hook);
  if (!base) return { verdict: 'ACCEPT', step: -1 };
  if (table.refused !== null) throw new TraceLoopError(table.refused);
  const ctx = enter(run, table, hook);
  // A run answering a fork of this walk resumes at the rule that asked it (resume.ts).
  const rs = run.resumer;
  const at = rs !== null ? rs.walk() : null;
  const stack: Frame[] = at !== null ? at.stack : [];
  let f = at !== null ? at.f : frame(base, run);
  let again = at !== null ? at.k : -1;
  const limit = table.chains.size + 2;
  for (;;) {
    const k = again >= 0 ? again : next(f);
    again = -1;
    if (k < 0) {
      if (f.chain === base || f.chain.builtin) return policyOf(run, fam, hook, table, file, base);
      // The implicit RETURN entry at the end of a user chain, traced as return:<rules+1>.
      endStep(run, fam, hook, table.name, file, f.chain, 'return', 'RETURN');
      const back = stack.pop();
      if (!back) return policyOf(run, fam, hook, table, file, base);
      f = back;
      continue;
    }
    const r = f.chain.rule(k);
    if (r.pred !== null && !(rs !== null ? rs.matches(r.pred, stack, f, k) : r.pred(run.p, ctx))) continue;
    const s = stepOf(run, fam, hook, table.name, file, f.chain, k, r);
    const a = r.action;
    let out: 'continue' | 'return' | TableVerdict;
    if (a.kind === 'verdict') {
      out = a.verdict === 'CONTINUE' ? 'continue' : a.verdict === 'RETURN' ? 'return' : a.verdict;
    } else if (a.kind === 'jump') {
      const target = table.chains.get(a.chain)!;
      if (!a.goto) stack.push(f);
      if (stack.length > limit) throw new TraceLoopError(`chain loop through ${a.chain}`);
      f = frame(target, run);
      continue;
    } else {
      run.currentStep = s;
      out = applyExt(a.run(run.p, ctx));
      run.steps[s]!.verdict = out === 'continue' ? 'CONTINUE' : out === 'return' ? 'RETURN' : out;
    }
    if (out === 'continue') continue;
    if (out === 'return') {
      // RETURN: back to the caller; with an empty stack to the built-in chain's policy (underflow entry).
      const back = stack.pop();
      if (!back) return policyOf(run, fam, hook, table, file, base);
      f = back;
      continue;
    }
    return { verdict: out, step: s };
  }
}

/**
 * ebt_do_table(). ACCEPT ends this ebtables table for the hook; RETURN in a base chain acts as CONTINUE; the end
 * of a user chain applies its policy (RETURN → back to the caller, ACCEPT/DROP → verdict), docs/netfilter.md §ebtables-targets.
 */
export function runEbTable(run: Run, file: string, table: CTable, chainName: string, hook: Hook): TableResult {
  const base = table.chains.get(chainName);
  if (!base) return { verdict: 'ACCEPT', step: -1 };
  if (table.refused !== null) throw new TraceLoopError(table.refused);
  const ctx = enter(run, table, hook);
  const rs = run.resumer;
  const at = rs !== null ? rs.walk() : null;
  const stack: Frame[] = at !== null ? at.stack : [];
  let f = at !== null ? at.f : frame(base, run);
  let again = at !== null ? at.k : -1;
  const limit = table.chains.size + 2;
  for (;;) {
    const k = again >= 0 ? again : next(f);
    again = -1;
    if (k < 0) {
      const pol = f.chain.policy ?? 'ACCEPT';
      if (!f.chain.builtin && pol === 'RETURN') {
        endStep(run, 'bridge', hook, table.name, file, f.chain, 'return', 'RETURN');
        const back = stack.pop();
        if (back) { f = back; continue; }
      }
      const v = pol === 'DROP' ? 'DROP' : 'ACCEPT';
      return { verdict: v, step: endStep(run, 'bridge', hook, table.name, file, f.chain, 'policy', v) };
    }
    const r = f.chain.rule(k);
    if (r.pred !== null && !(rs !== null ? rs.matches(r.pred, stack, f, k) : r.pred(run.p, ctx))) continue;
    const s = stepOf(run, 'bridge', hook, table.name, file, f.chain, k, r);
    if (r.watch) { run.currentStep = s; r.watch(run.p, ctx); }
    const a = r.action;
    let out: 'continue' | 'return' | TableVerdict;
    if (a.kind === 'jump') {
      const target = table.chains.get(a.chain);
      if (!target) { run.event('note', `ebtables ${table.name} ${f.chain.name} rule ${k + 1} jumps to undefined chain '${a.chain}'`); continue; }
      stack.push(f);
      if (stack.length > limit) throw new TraceLoopError(`chain loop through ${a.chain}`);
      f = frame(target, run);
      continue;
    }
    if (a.kind === 'verdict') {
      out = a.verdict === 'CONTINUE' ? 'continue' : a.verdict === 'RETURN' ? 'return' : a.verdict === 'QUEUE' ? 'QUEUE' : a.verdict;
    } else {
      run.currentStep = s;
      out = applyExt(a.run(run.p, ctx));
      run.steps[s]!.verdict = out === 'continue' ? 'CONTINUE' : out === 'return' ? 'RETURN' : out;
    }
    if (out === 'continue') continue;
    if (out === 'return') {
      const back = stack.pop();
      if (back) f = back; // RETURN in a base chain: "act like this is EBT_CONTINUE"
      continue;
    }
    return { verdict: out, step: s };
  }
}

export { TraceLoopError };
