// Shrinking a failing random case to a minimal one: try smaller rulesets, coarse pieces first (a table, a user
// chain, a rule, a policy), then the pieces of a rule (its target, an address or interface, the protocol, a
// match module, one option), and keep each change after which the case still fails. The result is minimal in the
// sense that removing any single piece makes the mismatch go away (or the ruleset unloadable).
import type { ChainModel, ModuleModel, RuleModel, RulesetModel, TableModel } from './model.js';

function withTable(model: RulesetModel, ti: number, table: TableModel | null): RulesetModel {
  const tables = [...model.tables];
  if (table === null) tables.splice(ti, 1);
  else tables[ti] = table;
  return { tables };
}

function withChain(model: RulesetModel, ti: number, ci: number, chain: ChainModel): RulesetModel {
  const t = model.tables[ti]!;
  const chains = [...t.chains];
  chains[ci] = chain;
  return withTable(model, ti, { ...t, chains });
}

function withRule(model: RulesetModel, ti: number, ci: number, ri: number, rule: RuleModel | null): RulesetModel {
  const c = model.tables[ti]!.chains[ci]!;
  const rules = [...c.rules];
  if (rule === null) rules.splice(ri, 1);
  else rules[ri] = rule;
  return withChain(model, ti, ci, { ...c, rules });
}

function without<T>(items: readonly T[], i: number): T[] {
  return items.filter((_, k) => k !== i);
}

/** Smaller variants of one rule (each removes one piece). */
function* smallerRules(r: RuleModel): Generator<RuleModel> {
  if (r.target?.kind === 'target') {
    yield { ...r, target: null };
    for (const [i] of r.target.options.entries()) yield { ...r, target: { ...r.target, options: without(r.target.options, i) } };
  }
  for (const [i] of r.base.entries()) yield { ...r, base: without(r.base, i) };
  for (const [i, m] of r.modules.entries()) {
    yield { ...r, modules: without(r.modules, i) };
    if (m.options.length > 1) {
      for (const [j] of m.options.entries()) {
        const modules = [...r.modules];
        modules[i] = { ...m, options: without(m.options, j) };
        yield { ...r, modules };
      }
    }
  }
  if (r.proto) {
    yield { ...r, proto: null };
    const proto = r.proto;
    for (const [i, m] of proto.modules.entries()) {
      yield { ...r, proto: { ...proto, modules: without(proto.modules, i) } };
      if (m.options.length > 1) {
        for (const [j] of m.options.entries()) {
          const modules: ModuleModel[] = [...proto.modules];
          modules[i] = { ...m, options: without(m.options, j) };
          yield { ...r, proto: { ...proto, modules } };
        }
      }
    }
  }
}

/** Every ruleset one piece smaller than `model`, coarse pieces first. */
export function* smallerRulesets(model: RulesetModel): Generator<RulesetModel> {
  for (const [ti] of model.tables.entries()) yield withTable(model, ti, null);
  for (const [ti, t] of model.tables.entries()) {
    for (const [ci, c] of t.chains.entries()) {
      if (c.builtin) continue;
      // The chain and every rule that jumps or goes to it.
      const chains = without(t.chains, ci).map((x) => ({ ...x, rules: x.rules.filter((r) => !(r.target && r.target.kind !== 'target' && r.target.name === c.name)) }));
      yield withTable(model, ti, { ...t, chains });
    }
  }
  for (const [ti, t] of model.tables.entries()) {
    for (const [ci, c] of t.chains.entries()) {
      for (const [ri] of c.rules.entries()) yield withRule(model, ti, ci, ri, null);
    }
  }
  for (const [ti, t] of model.tables.entries()) {
    for (const [ci, c] of t.chains.entries()) if (c.policy === 'DROP') yield withChain(model, ti, ci, { ...c, policy: 'ACCEPT' });
  }
  for (const [ti, t] of model.tables.entries()) {
    for (const [ci, c] of t.chains.entries()) {
      for (const [ri, r] of c.rules.entries()) for (const smaller of smallerRules(r)) yield withRule(model, ti, ci, ri, smaller);
    }
  }
}

export interface ShrinkResult {
  model: RulesetModel;
  /** Candidates tried. */
  attempts: number;
  /** Changes kept. */
  steps: number;
  /** False when the budget ran out before no smaller candidate failed. */
  complete: boolean;
}

/**
 * Greedy shrinking: take the first smaller ruleset that still fails, start again from it, until none does or the
 * budget (attempts, deadline) runs out. `fails` decides; a candidate it cannot judge (not loadable) is `false`.
 */
export async function shrinkRuleset(
  model: RulesetModel,
  fails: (candidate: RulesetModel) => Promise<boolean>,
  budget: { maxAttempts: number; deadline: number },
): Promise<ShrinkResult> {
  let current = model;
  let attempts = 0;
  let steps = 0;
  for (;;) {
    let improved = false;
    for (const candidate of smallerRulesets(current)) {
      if (attempts >= budget.maxAttempts || Date.now() >= budget.deadline) return { model: current, attempts, steps, complete: false };
      attempts++;
      if (await fails(candidate)) {
        current = candidate;
        steps++;
        improved = true;
        break;
      }
    }
    if (!improved) return { model: current, attempts, steps, complete: true };
  }
}
