// Reads input files (`-` is stdin), parses them, and renders parse diagnostics with code frames.
import { codeFrame, looksLikeCapture, parseIpsetSave, parseSnapshot, spanOf, type Diagnostic, type Family, type InputFormat, type IpSet, type ParseResult } from '@chainsight/grammar';
import { UsageError } from './args';
import type { Colors } from './color';
import type { CliIo } from './io';
import type { CaptureRead } from '@chainsight/trace';

export class InputError extends Error {}

export interface LoadedFile {
  path: string;
  text: string;
  result: ParseResult;
  /** For a host capture: the section the rules come from (iptables-save, ip6tables-save, ebtables-save). */
  section?: string;
  /** For the first ruleset of a host capture: the whole capture as read (parse summarises it). */
  capture?: CaptureRead;
}

export interface LoadOptions {
  format?: InputFormat | undefined;
  family?: Family | undefined;
  table?: string | undefined;
}

export async function readInput(io: CliIo, path: string): Promise<string> {
  try {
    return path === '-' ? await io.readStdin() : await io.readFile(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const name = displayName(path);
    throw new InputError(err.code === 'ENOENT' ? `${name}: no such file` : err.code === 'EISDIR' ? `${name}: is a directory` : `${name}: ${err.message}`);
  }
}

export async function loadSnapshot(io: CliIo, path: string, opts: LoadOptions = {}): Promise<LoadedFile> {
  return parseLoaded(path, await readInput(io, path), opts);
}

/** A file's rulesets: the one it holds, or, for a host capture, one per rules section (capture-input.ts). */
export async function loadRulesets(io: CliIo, path: string, opts: LoadOptions = {}, known?: string): Promise<LoadedFile[]> {
  // `known`: the text when the caller has read it already (to tell an nftables ruleset apart, nft-input.ts).
  const text = known ?? await readInput(io, path);
  if (!looksLikeCapture(text)) return [parseLoaded(path, text, opts)];
  const { captureRulesets } = await import('./capture-input');
  return captureRulesets(path, text, opts);
}

/** The one ruleset a command that draws or compares one needs: a capture's only section with rules, or the one
 *  --family picked; several are a usage error (naming them), not a guess. */
export function oneRuleset(files: LoadedFile[]): LoadedFile {
  if (files.length === 1) return files[0]!;
  const ruled = files.filter((f) => f.result.snapshot.tables.length);
  if (ruled.length > 1) {
    const names = ruled.map((f) => `${f.section} (${f.result.snapshot.family})`).join(', ');
    throw new UsageError(`${files[0]!.path} holds several rulesets: ${names}; pick one with --family ipv4|ipv6|bridge`);
  }
  // The one with rules (or, when none has any, the first); the capture's own diagnostics ride with it.
  const pick = ruled[0] ?? files[0]!;
  const rest = files.filter((f) => f !== pick).flatMap((f) => f.result.diagnostics);
  return { ...pick, result: { ...pick.result, diagnostics: [...rest, ...pick.result.diagnostics] } };
}

/** OLD and NEW of a diff when either is a capture: the rulesets of the same family (the other file's, or the one
 *  family with rules); several families are a usage error naming them. */
export function pairRulesets(before: LoadedFile[], after: LoadedFile[]): [LoadedFile, LoadedFile] {
  if (before.length === 1 && after.length === 1) return [before[0]!, after[0]!];
  const family = (files: LoadedFile[]) => (files.length === 1 ? files[0]!.result.snapshot.family : null);
  const families = new Set([family(before), family(after)].filter((f) => f !== null));
  if (!families.size) for (const f of [...before, ...after]) if (f.result.snapshot.tables.length) families.add(f.result.snapshot.family);
  if (families.size > 1) throw new UsageError(`the snapshots hold rules of several families (${[...families].join(', ')}): pick one with --family ipv4|ipv6|bridge`);
  const [fam] = [...families];
  const pick = (files: LoadedFile[]) => {
    const same = fam === undefined ? files : files.filter((f) => f.result.snapshot.family === fam || f.section === 'none');
    if (!same.length) throw new UsageError(`${files[0]!.path} holds no ${fam} ruleset to compare`);
    return oneRuleset(same);
  };
  return [pick(before), pick(after)];
}

/** A file already read (commands that first look at what kind of file it is parse the same text). */
export function parseLoaded(path: string, text: string, opts: LoadOptions = {}): LoadedFile {
  const fileName = displayName(path);
  const result = parseSnapshot(text, { fileName, ...clean(opts) });
  const empty = emptyInput(fileName, text);
  if (empty) result.diagnostics.unshift(empty);
  return { path: fileName, text, result };
}

/** The code of the warning for an input without rules; shown even where only errors are (renderDiagnostics). */
export const EMPTY_INPUT = 'input/empty';

/**
 * A warning when a file holds nothing but blank lines and comments: an empty ruleset accepts every packet, so a
 * trace or diff against it answers, but likely not the question meant (a wrong path, a failed capture).
 */
export function emptyInput(file: string, text: string): Diagnostic | null {
  if (/^[^\S\n]*[^#\s]/m.test(text)) return null;
  const what = text.trim() === '' ? 'the file is empty' : 'the file holds only comments';
  return {
    code: EMPTY_INPUT, severity: 'warning', file, span: spanOf(1, 1, 0, 0),
    message: `${what}: no tables, chains or rules were read (an empty ruleset accepts every packet)`,
  };
}

/** How a path appears in messages: `-` is `<stdin>`. */
export function displayName(path: string): string {
  return path === '-' ? '<stdin>' : path;
}

/** `ipset save` text read as sets, its diagnostics printed (trace and explain take it beside the rules). */
export function loadIpsets(io: CliIo, path: string, text: string, c: Colors): { sets: IpSet[]; errors: number } {
  const r = parseIpsetSave(text, displayName(path));
  for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, text, c) + '\n');
  return { sets: r.sets, errors: counts(r.diagnostics).errors };
}

function clean(o: LoadOptions): { format?: InputFormat; family?: Family; table?: string } {
  const out: { format?: InputFormat; family?: Family; table?: string } = {};
  if (o.format) out.format = o.format;
  if (o.family) out.family = o.family;
  if (o.table) out.table = o.table;
  return out;
}

export function formatDiagnostic(d: Diagnostic, text: string | undefined, c: Colors): string {
  const sev = d.severity === 'error' ? c.red('error') : d.severity === 'warning' ? c.yellow('warning') : c.cyan('info');
  const loc = `${d.file}:${d.span.start.line}:${d.span.start.column}`;
  const lines = [`${c.bold(loc)}: ${sev} ${d.message} ${c.dim(`[${d.code}]`)}`];
  if (text !== undefined) lines.push(codeFrame(text, d).split('\n').map((l) => '  ' + l).join('\n'));
  if (d.hint) lines.push(`  ${c.cyan('hint:')} ${d.hint}`);
  for (const r of d.related ?? []) lines.push(`  ${c.dim('related:')} ${r.file}:${r.span.start.line}:${r.span.start.column}: ${r.message}`);
  return lines.join('\n');
}

export function renderDiagnostics(io: CliIo, file: LoadedFile, c: Colors, minimum: 'error' | 'warning' | 'info' = 'warning', limit = 50): void {
  const rank = { error: 0, warning: 1, info: 2 };
  const shown = file.result.diagnostics.filter((d) => rank[d.severity] <= rank[minimum] || d.code === EMPTY_INPUT);
  for (const d of shown.slice(0, limit)) io.stderr(formatDiagnostic(d, file.text, c) + '\n');
  if (shown.length > limit) io.stderr(c.dim(`… and ${shown.length - limit} more diagnostics in ${file.path} (--format json lists all)\n`));
}

export function counts(diags: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0, warnings = 0, infos = 0;
  for (const d of diags) d.severity === 'error' ? errors++ : d.severity === 'warning' ? warnings++ : infos++;
  return { errors, warnings, infos };
}
