// The random rulesets as data: small enough to shrink one piece at a time (a table, a chain, a rule, a match
// group, one option), printed as iptables-save text in the order iptables-save itself uses (addresses and
// interfaces, then -p and its protocol modules, then the other -m modules, then the target), which both
// iptables-nft-restore and iptables-legacy-restore accept.
import { xtablesBaseChains } from '@chainsight/netfilter';

export type TableName = 'raw' | 'mangle' | 'nat' | 'filter';

/** One option group: words that stand or fall together (`! --ctstate NEW,INVALID`, `--dport 80`). */
export type OptionGroup = readonly string[];

/** `-m <module>` with its option groups (a module left without options is not printed). */
export interface ModuleModel {
  module: string;
  options: OptionGroup[];
}

export interface ProtocolModel {
  name: 'tcp' | 'udp' | 'icmp';
  /** Modules that need the protocol: tcp/udp/icmp options, multiport. */
  modules: ModuleModel[];
}

export interface TargetModel {
  /** jump / goto a user chain, or a target (ACCEPT, DNAT, LOG, …). */
  kind: 'jump' | 'goto' | 'target';
  name: string;
  /** Option groups that may be dropped while shrinking. */
  options: OptionGroup[];
  /** Option groups the target cannot do without (DNAT's --to-destination). */
  required: OptionGroup[];
}

export interface RuleModel {
  /** -s, -d, -i, -o groups (with their `!`). */
  base: OptionGroup[];
  proto: ProtocolModel | null;
  modules: ModuleModel[];
  target: TargetModel | null;
}

export interface ChainModel {
  name: string;
  builtin: boolean;
  /** Built-in chains: ACCEPT or DROP. */
  policy: 'ACCEPT' | 'DROP' | null;
  rules: RuleModel[];
}

export interface TableModel {
  name: TableName;
  chains: ChainModel[];
}

export interface RulesetModel {
  tables: TableModel[];
}

/** The built-in chains of each table, in hook order (@chainsight/netfilter). */
export const BUILTIN: Record<TableName, readonly string[]> = {
  raw: builtinChainsOf('raw'),
  mangle: builtinChainsOf('mangle'),
  nat: builtinChainsOf('nat'),
  filter: builtinChainsOf('filter'),
};

function builtinChainsOf(table: TableName): readonly string[] {
  return xtablesBaseChains('legacy', 'ip').filter((c) => c.table === table).map((c) => c.chain);
}

/** iptables-save's table order. */
const TABLE_ORDER: readonly TableName[] = ['raw', 'mangle', 'nat', 'filter'];

function moduleWords(m: ModuleModel): string[] {
  return m.options.length === 0 ? [] : ['-m', m.module, ...m.options.flat()];
}

export function printRule(chain: string, r: RuleModel): string {
  const words = ['-A', chain, ...r.base.flat()];
  if (r.proto) {
    words.push('-p', r.proto.name);
    for (const m of r.proto.modules) words.push(...moduleWords(m));
  }
  for (const m of r.modules) words.push(...moduleWords(m));
  if (r.target) {
    words.push(r.target.kind === 'goto' ? '-g' : '-j', r.target.name, ...r.target.required.flat(), ...r.target.options.flat());
  }
  return words.join(' ');
}

export function printRuleset(model: RulesetModel): string {
  const lines: string[] = [];
  const tables = [...model.tables].sort((a, b) => TABLE_ORDER.indexOf(a.name) - TABLE_ORDER.indexOf(b.name));
  for (const t of tables) {
    lines.push(`*${t.name}`);
    for (const c of t.chains) lines.push(`:${c.name} ${c.builtin ? c.policy ?? 'ACCEPT' : '-'} [0:0]`);
    for (const c of t.chains) for (const r of c.rules) lines.push(printRule(c.name, r));
    lines.push('COMMIT');
  }
  return `${lines.join('\n')}\n`;
}

/** Number of rules, for reports. */
export function ruleCount(model: RulesetModel): number {
  return model.tables.reduce((n, t) => n + t.chains.reduce((m, c) => m + c.rules.length, 0), 0);
}
