// Which of `chainsight lint a b c`'s files are linted together. Files of one family that are parts of one host's
// rules (ufw's before.rules and after.rules, per-table `iptables -t nat -S` and `-t filter -S`) are one ruleset,
// combined as `iptables-restore --noflush` loads them (the analyzer's mergeRuleset): a jump from one file into a
// chain of another is then defined. --merge says so for any files of one family; without it, files are combined
// only when no chain is in two of them (notPartsOfOneRuleset), and the text says so ("Inferred"); --no-merge lints
// each file alone. Every finding keeps the file and line of its own rule.
import { lint, lintRuleset, mergeRuleset, notPartsOfOneRuleset, type LintConfig, type RulesetPart } from '@chainsight/analyzer';
import type { Diagnostic } from '@chainsight/grammar';
import { UsageError } from '../args';
import type { LoadedFile } from '../load';

export type MergeMode = 'auto' | 'always' | 'never';

export interface LintedGroup {
  files: LoadedFile[];
  /** Lint findings (and merge warnings) per file of the group, in the group's order. */
  found: Map<LoadedFile, Diagnostic[]>;
}

/** The groups to lint, and what was assumed to form them. */
export function groupFiles(files: readonly LoadedFile[], mode: MergeMode): { groups: LoadedFile[][]; assumptions: string[] } {
  if (mode === 'never' || files.length < 2) return { groups: files.map((f) => [f]), assumptions: [] };
  const byFamily = new Map<string, LoadedFile[]>();
  for (const f of files) {
    const family = f.result.snapshot.family;
    const list = byFamily.get(family);
    if (list) list.push(f);
    else byFamily.set(family, [f]);
  }
  const groups: LoadedFile[][] = [];
  const assumptions: string[] = [];
  for (const [family, list] of byFamily) {
    if (list.length < 2) { groups.push(list); continue; }
    const names = list.map(partName);
    if (new Set(names).size !== names.length) {
      if (mode === 'always') throw new UsageError(`--merge: ${names.find((n, i) => names.indexOf(n) !== i)} is given twice`);
      groups.push(...list.map((f) => [f]));
      continue;
    }
    const why = notPartsOfOneRuleset(list.map(part));
    if (mode === 'always') {
      groups.push(list);
      assumptions.push(`${names.join(', ')}: read as one ${family} ruleset, in this order (--merge; as iptables-restore --noflush loads them)`);
    } else if (why === null) {
      groups.push(list);
      assumptions.push(`${names.join(', ')}: read as one ${family} ruleset, in this order, since no chain is in two of them `
        + '(parts of one host, as iptables-restore --noflush loads them); --no-merge lints each alone');
    } else groups.push(...list.map((f) => [f]));
  }
  return { groups, assumptions };
}

/** A file as a part: named by path, and by section for a host capture (whose sections share one path). */
function partName(f: LoadedFile): string {
  return f.section ? `${f.path} (${f.section})` : f.path;
}

function part(f: LoadedFile): RulesetPart {
  return { file: f.path, snapshot: f.result.snapshot };
}

/** Lints a group: one file alone, or several as one ruleset with each finding given to its file. */
export function lintGroup(group: readonly LoadedFile[], config: LintConfig): LintedGroup {
  const found = new Map<LoadedFile, Diagnostic[]>(group.map((f) => [f, []]));
  if (group.length === 1) {
    found.set(group[0]!, lint(group[0]!.result.snapshot, config));
    return { files: [...group], found };
  }
  const byPath = new Map(group.map((f) => [f.path, f]));
  for (const d of lintRuleset(mergeRuleset(group.map(part)), config)) found.get(byPath.get(d.file) ?? group[0]!)!.push(d);
  return { files: [...group], found };
}
