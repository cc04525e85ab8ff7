// Several files as one ruleset: the parts of one host's rules, as tools that split them load them (ufw's
// before.rules, user.rules and after.rules; `iptables -t nat -S` and `-t filter -S` pasted separately). They are
// combined as `iptables-restore --noflush` loads one file after another (iptables-restore.c, and
// xtables-restore.c for nft): a table in several files is one table; a built-in chain's rules are appended in
// file order and its policy is the last one set; a user chain declared again is flushed, so only its last
// declaration's rules count (said by a warning). Every table, chain and rule keeps the file it was read from,
// so each finding points at its own file:line.
import type { Chain, Diagnostic, Rule, Snapshot, Table } from '@chainsight/grammar';

export interface RulesetPart {
  /** The file name diagnostics give for this part. */
  file: string;
  snapshot: Snapshot;
}

export interface MergedRuleset {
  snapshot: Snapshot;
  files: string[];
  /** The file a table, chain or rule of `snapshot` was read from. */
  fileOf(node: Table | Chain | Rule): string;
  /** What the combination changed (`merge/redeclared-chain`), located in the file that did it. */
  diagnostics: Diagnostic[];
}

/**
 * Why these files are not parts of one ruleset (null when they can be): they have different families, a user
 * chain is in two of them, a built-in chain has rules in two of them, or two of them set different policies
 * for one built-in chain. Two snapshots of one host (before and after a change) always meet one of these.
 */
export function notPartsOfOneRuleset(parts: readonly RulesetPart[]): string | null {
  const family = parts[0]?.snapshot.family;
  if (parts.some((p) => p.snapshot.family !== family)) return 'they hold rules of different families';
  const seen = new Map<string, { file: string; chain: Chain }>();
  for (const p of parts) {
    for (const t of p.snapshot.tables) {
      for (const c of t.chains) {
        const key = `${t.name}\u0000${c.name}`;
        const prev = seen.get(key);
        if (!prev) { seen.set(key, { file: p.file, chain: c }); continue; }
        if (!c.builtin) return `${prev.file} and ${p.file} both declare chain ${c.name} in table ${t.name}`;
        if (c.rules.length && prev.chain.rules.length) return `${prev.file} and ${p.file} both have rules in ${t.name} ${c.name}`;
        if (c.span && prev.chain.span && c.policy !== prev.chain.policy) {
          return `${prev.file} and ${p.file} set different policies for ${t.name} ${c.name}`;
        }
        if (c.rules.length || c.span) seen.set(key, { file: p.file, chain: c });
      }
    }
  }
  return null;
}

/** Combines parts of one family in the order given (the caller checks the families). */
export function mergeRuleset(parts: readonly RulesetPart[]): MergedRuleset {
  if (!parts.length) throw new Error('mergeRuleset: no parts');
  const fileOf = new Map<Table | Chain | Rule, string>();
  const diagnostics: Diagnostic[] = [];
  const tables = new Map<string, { table: Table; chains: Map<string, { chain: Chain; file: string }> }>();
  for (const p of parts) {
    for (const t of p.snapshot.tables) {
      let entry = tables.get(t.name);
      if (!entry) {
        entry = { table: t, chains: new Map() };
        tables.set(t.name, entry);
        fileOf.set(t, p.file);
      } else if (!t.committed) entry.table = { ...entry.table, committed: false };
      for (const c of t.chains) {
        const prev = entry.chains.get(c.name);
        if (!prev) { entry.chains.set(c.name, { chain: c, file: p.file }); continue; }
        if (!c.builtin) {
          // iptables-restore --noflush flushes a user chain that is declared again (iptables-restore.c).
          if (prev.chain.rules.length) diagnostics.push(redeclared(c, p.file, prev.file, prev.chain.rules.length, t));
          entry.chains.set(c.name, { chain: c, file: p.file });
          continue;
        }
        const offset = prev.chain.rules.length;
        const appended = c.rules.map((r) => ({ ...r, index: r.index + offset }));
        appended.forEach((r) => fileOf.set(r, p.file));
        const declared = c.span ? c : prev.chain;
        const merged: Chain = { ...declared, rules: [...prev.chain.rules, ...appended] };
        entry.chains.set(c.name, { chain: merged, file: c.span ? p.file : prev.file });
      }
    }
  }
  const outTables: Table[] = [];
  for (const { table, chains } of tables.values()) {
    const t: Table = { ...table, chains: [...chains.values()].map((x) => x.chain) };
    fileOf.set(t, fileOf.get(table)!);
    for (const { chain, file } of chains.values()) fileOf.set(chain, file);
    outTables.push(t);
  }
  // Rules of a part keep their file even where their chain's declaration is in another part.
  for (const p of parts) for (const t of p.snapshot.tables) for (const c of t.chains) for (const r of c.rules) fileOf.set(r, p.file);
  const first = parts[0]!.snapshot;
  const snapshot: Snapshot = {
    ...first,
    backend: parts.find((p) => p.snapshot.backend !== 'unknown')?.snapshot.backend ?? 'unknown',
    lossy: parts.some((p) => p.snapshot.lossy),
    tables: outTables,
  };
  return {
    snapshot,
    files: parts.map((p) => p.file),
    fileOf: (node) => fileOf.get(node) ?? parts[0]!.file,
    diagnostics,
  };
}

function redeclared(chain: Chain, file: string, earlier: string, lost: number, table: Table): Diagnostic {
  const span = chain.span ?? chain.rules[0]?.span ?? table.span;
  return {
    code: 'merge/redeclared-chain', severity: 'warning', file, span,
    message: `chain '${chain.name}' was already declared in ${earlier}: loaded after it (iptables-restore --noflush), `
      + `this declaration flushes the chain, so the ${lost === 1 ? 'rule' : `${lost} rules`} ${earlier} gives it do not count`,
  };
}
