// Builds a Snapshot by applying the commands of a file in order (`-A`, `-I`, `-D`, `-R`, `-N`, `-X`, `-P`,
// `-F`, `-Z`, `-E`), as iptables-restore does (iptables/iptables-restore.c, do_command4). Nothing given is
// dropped: a rule for an undeclared chain creates the chain (with an error), a rule outside any table goes to
// `filter` (with an error).
import type { Chain, Counters, Family, Rule, Snapshot, Table, InputFormat, Backend, GeneratorInfo } from '../ir/nodes';
import type { Span } from '../ir/span';
import { allowedPolicies, builtinChains, BUILTIN_CHAINS, maxChainNameLength, VERDICTS, EB_VERDICTS } from '../registry';
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
        // iptables-restore: "can't initialize iptables table `x': Table does not exist". Its chains and rules are
        // still read and kept (nothing dropped), under the error.
        const known = Object.keys(BUILTIN_CHAINS[this.family === 'bridge' ? 'bridge' : 'ip']).join(', ');
        this.sink.error('parse/unknown-table', `unknown table '${name}': ${this.family === 'bridge' ? 'ebtables' : 'iptables'} has ${known}; its chains and rules are kept as written`, span);
      }
      if (opts.addBuiltins) for (const c of builtinChains(this.family, name) ?? []) this.implicitChain(t, c);
    }
    return t;
  }

  private implicitChain(t: TableState, name: string, span?: Span): Chain {
    const builtin = this.isBuiltin(t, name);
    if (!builtin && span) this.checkName(name, span);
    const chain: Chain = { kind: 'chain', name, builtin, policy: builtin ? 'ACCEPT' : this.family === 'bridge' ? 'ACCEPT' : null, counters: null, span: null, rules: [] };
    if (t.hasRules) t.changed = true;
    t.chains.set(name, chain);
    t.table.chains.push(chain);
    return chain;
  }

  private isBuiltin(t: TableState, name: string): boolean {
    return (builtinChains(this.family, t.table.name) ?? []).includes(name);
  }

  /**
   * A new chain's name, checked as iptables checks it (xshared.c assert_valid_chain_name): shorter than
   * XT_EXTENSION_MAXNAMELEN (ebtables: EBT_CHAIN_MAXNAMELEN), not starting with `-` or `!`, no white space.
   * The chain is kept under the error (nothing dropped).
   */
  private checkName(name: string, span: Span): void {
    const max = maxChainNameLength(this.family);
    const length = utf8Length(name);
    if (length > max) {
      this.sink.error('parse/chain-name-too-long', `chain name '${name}' is ${length} bytes long; ${this.family === 'bridge' ? 'ebtables' : 'iptables'} allows at most ${max} ("chain name too long")`, span);
    } else if (/^[-!]/.test(name) || /\s/.test(name) || name === '') {
      this.sink.error('parse/bad-chain-name', `chain name '${name}' ${name === '' ? 'is empty' : /^[-!]/.test(name) ? `starts with '${name[0]}'` : 'holds white space'}; iptables refuses it ("Invalid chain name")`, span);
    }
  }

  /**
   * A policy as given, when the tool accepts it for this chain; else an error and null (the chain keeps the
   * policy it has: ACCEPT for a built-in chain of a new table). `-` is returned as is where it is allowed.
   */
  private checkPolicy(name: string, builtin: boolean, policy: string | null, span: Span): string | null {
    if (policy === null) return null;
    if (policy === '-' && (builtin || this.family !== 'bridge')) return policy;
    const allowed = allowedPolicies(this.family, builtin);
    if (allowed.includes(policy)) return policy;
    if (!allowed.length) {
      this.sink.error('parse/bad-policy', `user chain '${name}' cannot have a policy ('${policy}'); iptables-save writes '-'`, span);
    } else if (builtin && this.family === 'bridge' && policy === 'RETURN') {
      this.sink.error('parse/bad-policy', `built-in chain '${name}' cannot have policy RETURN (ebtables: "Policy RETURN only allowed for user defined chains"); it keeps its policy`, span);
    } else {
      this.sink.error('parse/bad-policy', `${builtin ? 'built-in ' : ''}chain policy must be ${allowed.join(', ').replace(/, (\w+)$/, ' or $1')}, not '${policy}'; the chain keeps its policy`, span);
    }
    return null;
  }

  /** `-P CHAIN POLICY`: only a chain that exists, and only a policy the tool accepts; else an error and no change. */
  setPolicy(t: TableState, name: string, policy: string, chainSpan: Span, policySpan: Span, span: Span): Chain | null {
    const existing = t.chains.get(name);
    const builtin = this.isBuiltin(t, name);
    if (!existing && !builtin) {
      this.sink.error('parse/bad-policy', this.family === 'bridge' ? `-P ${name}: no such chain` : `only built-in chains have a policy; '${name}' is not a built-in chain of table '${t.table.name}'`, chainSpan);
      return null;
    }
    const chain = existing ?? this.chain(t, name, chainSpan, false);
    if (!chain.builtin && this.family !== 'bridge') {
      this.sink.error('parse/bad-policy', `only built-in chains have a policy; '${name}' is a user chain`, chainSpan);
      return null;
    }
    const checked = this.checkPolicy(name, chain.builtin, policy, policySpan);
    if (checked !== null && checked !== '-') chain.policy = checked;
    chain.span ??= span;
    return chain;
  }

  declareChain(t: TableState, name: string, policy: string | null, counters: Counters | null, span: Span): Chain {
    // In a table the tool does not have (already an error), a chain given a policy is taken as its built-in chain:
    // one error for the table, not one more for each of its chains.
    const builtin = this.isBuiltin(t, name) || (!builtinChains(this.family, t.table.name) && policy !== null && policy !== '-');
    const existing = t.chains.get(name);
    policy = this.checkPolicy(name, builtin, policy, span);
    if (existing) {
      if (existing.span) this.sink.error('parse/duplicate-chain', `chain '${name}' is declared twice in table '${t.table.name}'`, span);
      existing.span ??= span;
      if (policy !== null && policy !== '-') existing.policy = policy;
      if (counters) existing.counters = counters;
      return existing;
    }
    if (builtin && policy === '-') {
      // iptables-restore: '-' for a built-in chain keeps its current policy (ACCEPT in a fresh table).
      this.sink.info('parse/builtin-policy-kept', `built-in chain '${name}' with policy '-' keeps its current policy (ACCEPT when the table is new)`, span);
      policy = 'ACCEPT';
    }
    if (!builtin) this.checkName(name, span);
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

  /** `-N NAME`: iptables refuses a name that is already a chain (libiptc iptc_create_chain, EEXIST). */
  newChain(t: TableState, name: string, policy: string | null, span: Span, nameSpan: Span): void {
    if (t.chains.has(name) || this.isBuiltin(t, name)) {
      this.sink.error('parse/chain-exists', `-N ${name}: chain '${name}' already exists in table '${t.table.name}' (iptables: "Chain already exists"); ignored`, nameSpan);
      return;
    }
    this.declareChain(t, name, policy, null, span);
  }

  /** The chain a command refers to; an undeclared one is created (with an error when `strict`). */
  chain(t: TableState, name: string, span: Span, strict: boolean): Chain {
    if (t.last !== null && t.last.name === name) return t.last;
    const c = t.chains.get(name);
    if (c) return (t.last = c);
    const builtin = this.isBuiltin(t, name);
    if (strict && !builtin) {
      this.sink.error('parse/undeclared-chain', `chain '${name}' is not declared in table '${t.table.name}' (iptables-restore: "chain does not exist")`, span,
        `declare it with ':${name} - [0:0]' after '*${t.table.name}'`);
    }
    return this.implicitChain(t, name, span);
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

  /**
   * `-E OLD NEW`, refused as libiptc iptc_rename_chain refuses it: a built-in chain cannot be renamed (ENOENT), and
   * NEW must not be an existing chain, a built-in chain of the table or a verdict (EEXIST).
   */
  rename(t: TableState, from: string, to: string, span: Span, toSpan: Span = span): void {
    const c = t.chains.get(from);
    if (!c) { this.sink.warning('parse/no-such-chain', `-E ${from}: no such chain`, span); return; }
    if (c.builtin) { this.sink.error('parse/builtin-chain', `-E ${from} ${to}: built-in chains cannot be renamed; ignored`, span); return; }
    const verdicts = this.family === 'bridge' ? EB_VERDICTS : VERDICTS;
    if (t.chains.has(to) || this.isBuiltin(t, to) || verdicts.has(to)) {
      this.sink.error('parse/chain-exists', `-E ${from} ${to}: '${to}' is already ${verdicts.has(to) ? 'a verdict' : `a chain of table '${t.table.name}'`} (iptables: "File exists"); ignored`, toSpan);
      return;
    }
    this.checkName(to, toSpan);
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

/** Bytes of a name in UTF-8, as strlen counts them in iptables. */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // A surrogate pair is one 4-byte character: 2 bytes for each half.
    n += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c < 0xe000 ? 2 : 3;
  }
  return n;
}
