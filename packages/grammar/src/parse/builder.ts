// Builds a Snapshot by applying the commands of a file in order (`-A`, `-I`, `-D`, `-R`, `-N`, `-X`, `-P`,
// `-F`, `-Z`, `-E`), as iptables-restore does (iptables/iptables-restore.c, do_command4). Nothing given is
// dropped: a rule for an undeclared chain creates the chain (with an error), a rule outside any table goes to
// `filter` (with an error).
import type { Chain, Counters, Family, Rule, Snapshot, Table, InputFormat, Backend, GeneratorInfo } from '../ir/nodes';
import type { Span } from '../ir/span';
import { builtinChains } from '../registry';
import type { DiagnosticSink } from './diagnostics';

interface TableState {
  table: Table;
  chains: Map<string, Chain>;
  /** The chain the last command named: iptables-save writes a chain's rules one after another. */
  last: Chain | null;
  /** Rules were appended to this table. */
  hasRules: boolean;
  /**
   * Positions, names or chain existence changed after rules were added (-I -R -D -E -X, a chain created after
   * rules): finish() then renumbers and resolves every rule again. Otherwise append() already did both.
   */
  changed: boolean;
  /** Extension targets that append() found to be chains (restored before a full pass). */
  shadowed: Rule[];
  /** Target warnings from append(), given in chain order by finish(). */
  targetNotes: { chain: Chain; rule: Rule; shadows: boolean }[];
}

export class SnapshotBuilder {
  private readonly tables = new Map<string, TableState>();

  constructor(
    readonly family: Family,
    private readonly sink: DiagnosticSink,
  ) {}

  hasTable(name: string): boolean {
    return this.tables.has(name);
  }

  table(name: string, span: Span, opts: { addBuiltins?: boolean } = {}): TableState {
    let t = this.tables.get(name);
    if (!t) {
      t = {
        table: { kind: 'table', name, family: this.family, span, chains: [], committed: false }, chains: new Map(),
        last: null, hasRules: false, changed: false, shadowed: [], targetNotes: [],
      };
      this.tables.set(name, t);
      if (!builtinChains(this.family, name)) {
        this.sink.warning('parse/unknown-table', `unknown table '${name}' for ${this.family === 'bridge' ? 'ebtables' : 'iptables'}`, span);
      }
      if (opts.addBuiltins) for (const c of builtinChains(this.family, name) ?? []) this.implicitChain(t, c);
    }
    return t;
  }

  private implicitChain(t: TableState, name: string): Chain {
    const builtin = (builtinChains(this.family, t.table.name) ?? []).includes(name);
    const chain: Chain = { kind: 'chain', name, builtin, policy: builtin ? 'ACCEPT' : this.family === 'bridge' ? 'ACCEPT' : null, counters: null, span: null, rules: [] };
    if (t.hasRules) t.changed = true;
    t.chains.set(name, chain);
    t.table.chains.push(chain);
    return chain;
  }

  declareChain(t: TableState, name: string, policy: string | null, counters: Counters | null, span: Span): Chain {
    const builtins = builtinChains(this.family, t.table.name) ?? [];
    const builtin = builtins.includes(name);
    const existing = t.chains.get(name);
    if (existing) {
      if (existing.span) this.sink.error('parse/duplicate-chain', `chain '${name}' is declared twice in table '${t.table.name}'`, span);
      existing.span ??= span;
      if (policy !== null) existing.policy = policy;
      if (counters) existing.counters = counters;
      return existing;
    }
    if (builtin && policy === '-') {
      // iptables-restore: '-' for a built-in chain keeps its current policy (ACCEPT in a fresh table).
      this.sink.info('parse/builtin-policy-kept', `built-in chain '${name}' with policy '-' keeps its current policy (ACCEPT when the table is new)`, span);
      policy = 'ACCEPT';
    } else if (builtin && this.family !== 'bridge' && policy !== null && policy !== 'ACCEPT' && policy !== 'DROP') {
      this.sink.error('parse/bad-policy', `built-in chain policy must be ACCEPT or DROP, not '${policy}'`, span);
    }
    if (!builtin && this.family !== 'bridge' && policy !== null && policy !== '-') {
      this.sink.error('parse/bad-policy', `user chain '${name}' cannot have a policy ('${policy}'); iptables-save writes '-'`, span);
    }
    const chain: Chain = {
      kind: 'chain', name, builtin,
      policy: policy === '-' ? null : policy ?? (builtin || this.family === 'bridge' ? 'ACCEPT' : null),
      counters, span, rules: [],
    };
    if (t.hasRules) t.changed = true;
    t.chains.set(name, chain);
    t.table.chains.push(chain);
    return chain;
  }

  /** The chain a command refers to; an undeclared one is created (with an error when `strict`). */
  chain(t: TableState, name: string, span: Span, strict: boolean): Chain {
    if (t.last !== null && t.last.name === name) return t.last;
    const c = t.chains.get(name);
    if (c) return (t.last = c);
    const builtin = (builtinChains(this.family, t.table.name) ?? []).includes(name);
    if (strict && !builtin) {
      this.sink.error('parse/undeclared-chain', `chain '${name}' is not declared in table '${t.table.name}' (iptables-restore: "chain does not exist")`, span,
        `declare it with ':${name} - [0:0]' after '*${t.table.name}'`);
    }
    return this.implicitChain(t, name);
  }

  /** Adds a rule at the end of its chain, numbered, named and with its target resolved as finish() would. */
  append(t: TableState, chain: Chain, rule: Rule): void {
    rule.index = chain.rules.push(rule);
    rule.chain = chain.name;
    rule.table = t.table.name;
    t.hasRules = true;
    if (t.changed) return;
    const note = resolveTarget(t.chains, rule);
    if (note === 'shadows') t.shadowed.push(rule);
    if (note) t.targetNotes.push({ chain, rule, shadows: note === 'shadows' });
  }

  insert(t: TableState, chain: Chain, rule: Rule, position: number, span: Span): void {
    t.changed = true;
    t.hasRules = true;
    if (position < 1 || position > chain.rules.length + 1) {
      this.sink.error('parse/bad-rule-number', `cannot insert at position ${position} of '${chain.name}' (it has ${chain.rules.length} rules); appended instead`, span);
      chain.rules.push(rule);
      return;
    }
    chain.rules.splice(position - 1, 0, rule);
  }

  replace(t: TableState, chain: Chain, rule: Rule, position: number, span: Span): void {
    t.changed = true;
    t.hasRules = true;
    if (position < 1 || position > chain.rules.length) {
      this.sink.error('parse/bad-rule-number', `cannot replace rule ${position} of '${chain.name}' (it has ${chain.rules.length} rules); appended instead`, span);
      chain.rules.push(rule);
      return;
    }
    chain.rules[position - 1] = rule;
  }

  deleteAt(t: TableState, chain: Chain, position: number, span: Span): void {
    t.changed = true;
    if (position < 1 || position > chain.rules.length) {
      this.sink.warning('parse/bad-rule-number', `-D ${chain.name} ${position}: no such rule (iptables would fail here)`, span);
      return;
    }
    chain.rules.splice(position - 1, 1);
  }

  /** `-D CHAIN rule-spec`: deletes the first rule with the same meaning. */
  deleteMatching(t: TableState, chain: Chain, key: string, keyOf: (r: Rule) => string, span: Span): void {
    t.changed = true;
    const i = chain.rules.findIndex((r) => keyOf(r) === key);
    if (i < 0) {
      this.sink.warning('parse/no-such-rule', `-D ${chain.name}: no matching rule to delete (iptables would fail here)`, span);
      return;
    }
    chain.rules.splice(i, 1);
  }

  flush(t: TableState, chainName: string | null, span: Span): void {
    t.changed = true;
    if (chainName === null) for (const c of t.table.chains) c.rules = [];
    else this.chain(t, chainName, span, false).rules = [];
  }

  deleteChain(t: TableState, chainName: string | null, span: Span): void {
    const names = chainName === null ? t.table.chains.filter((c) => !c.builtin).map((c) => c.name) : [chainName];
    for (const name of names) {
      const c = t.chains.get(name);
      if (!c) { this.sink.warning('parse/no-such-chain', `-X ${name}: no such chain`, span); continue; }
      if (c.builtin) { this.sink.error('parse/builtin-chain', `-X ${name}: built-in chains cannot be deleted`, span); continue; }
      t.changed = true;
      if (t.last === c) t.last = null;
      t.chains.delete(name);
      t.table.chains = t.table.chains.filter((x) => x !== c);
    }
  }

  rename(t: TableState, from: string, to: string, span: Span): void {
    const c = t.chains.get(from);
    if (!c) { this.sink.warning('parse/no-such-chain', `-E ${from}: no such chain`, span); return; }
    t.changed = true;
    t.chains.delete(from);
    c.name = to;
    t.chains.set(to, c);
    for (const ch of t.table.chains) for (const r of ch.rules) {
      if (r.chain === from) r.chain = to;
      if (r.target?.type === 'chain' && r.target.name === from) r.target.name = to;
    }
  }

  finish(meta: { fileName: string; format: InputFormat; backend: Backend; generator: GeneratorInfo | null; lossy: boolean }): Snapshot {
    const tables: Table[] = [];
    for (const state of this.tables.values()) {
      if (state.changed) this.resolveAll(state);
      else this.giveTargetNotes(state);
      tables.push(state.table);
    }
    return {
      kind: 'snapshot', fileName: meta.fileName, format: meta.format, family: this.family, backend: meta.backend,
      generator: meta.generator, tables, lossy: meta.lossy,
    };
  }

  /** The warnings append() found, in the order a full pass gives them: by chain, then by rule. */
  private giveTargetNotes(state: TableState): void {
    const notes = state.targetNotes;
    if (!notes.length) return;
    const order = new Map(state.table.chains.map((c, k) => [c, k]));
    notes.sort((a, b) => order.get(a.chain)! - order.get(b.chain)! || a.rule.index - b.rule.index);
    for (const n of notes) this.targetNote(state.table, n.rule, n.shadows);
  }

  private targetNote(table: Table, r: Rule, shadows: boolean): void {
    const t = r.target!;
    if (shadows) {
      this.sink.warning('parse/chain-shadows-target', `'${t.name}' is both a user chain and a target extension; the kernel jumps to the chain`, t.span);
    } else {
      this.sink.warning('parse/undefined-target', `'${t.name}' is not a chain of table '${table.name}' nor a known target`, t.span,
        'a typo, or a chain created by other software? (lint: no-undefined-target)');
    }
  }

  /** Numbers, names and resolves every rule of a table whose chains changed after rules were added. */
  private resolveAll(state: TableState): void {
    const { table, chains } = state;
    for (const r of state.shadowed) r.target!.type = 'extension';
    for (const chain of table.chains) {
      const rules = chain.rules;
      for (let k = 0; k < rules.length; k++) {
        const r = rules[k]!;
        r.index = k + 1;
        r.chain = chain.name;
        r.table = table.name;
        const note = resolveTarget(chains, r);
        if (note) this.targetNote(table, r, note === 'shadows');
      }
    }
  }
}

/**
 * Targets: a name that is a chain of this table is a jump; a name that is neither a chain nor a known extension is
 * kept as a jump to an undefined chain (lint reports it as no-undefined-target). Returns the warning the rule
 * deserves: a chain named like an extension, or a jump to nowhere.
 */
function resolveTarget(chains: ReadonlyMap<string, Chain>, r: Rule): 'shadows' | 'undefined' | null {
  const t = r.target;
  if (!t || t.type === 'verdict') return null;
  if (chains.has(t.name)) {
    const shadows = t.type === 'extension';
    t.type = 'chain';
    return shadows ? 'shadows' : null;
  }
  return t.type === 'chain' ? 'undefined' : null;
}
