// Reads input files (`-` is stdin), parses them, and renders parse diagnostics with code frames.
import { codeFrame, parseIpsetSave, parseSnapshot, type Diagnostic, type Family, type InputFormat, type IpSet, type ParseResult } from '@chainsight/grammar';
import type { Colors } from './color';
import type { CliIo } from './io';

export class InputError extends Error {}

export interface LoadedFile {
  path: string;
  text: string;
  result: ParseResult;
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
    throw new InputError(err.code === 'ENOENT' ? `${path}: no such file` : err.code === 'EISDIR' ? `${path}: is a directory` : `${path}: ${err.message}`);
  }
}

export async function loadSnapshot(io: CliIo, path: string, opts: LoadOptions = {}): Promise<LoadedFile> {
  return parseLoaded(path, await readInput(io, path), opts);
}

/** A file already read (commands that first look at what kind of file it is parse the same text). */
export function parseLoaded(path: string, text: string, opts: LoadOptions = {}): LoadedFile {
  const fileName = displayName(path);
  const result = parseSnapshot(text, { fileName, ...clean(opts) });
  return { path: fileName, text, result };
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
  const shown = file.result.diagnostics.filter((d) => rank[d.severity] <= rank[minimum]);
  for (const d of shown.slice(0, limit)) io.stderr(formatDiagnostic(d, file.text, c) + '\n');
  if (shown.length > limit) io.stderr(c.dim(`… and ${shown.length - limit} more diagnostics in ${file.path} (--format json lists all)\n`));
}

export function counts(diags: readonly Diagnostic[]): { errors: number; warnings: number; infos: number } {
  let errors = 0, warnings = 0, infos = 0;
  for (const d of diags) d.severity === 'error' ? errors++ : d.severity === 'warning' ? warnings++ : infos++;
  return { errors, warnings, infos };
}
