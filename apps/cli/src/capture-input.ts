// A host capture (`chainsight capture --script`) given as an input: its rulesets as LoadedFiles, one per rules
// section (parse, fmt, lint, diff and graph read those), or everything it holds for trace and explain (rules,
// ipsets, host facts). The trace package reads it; it is loaded only when a capture is given.
import { parseSnapshot, spanOf, type Diagnostic, type Family, type IpSet, type Snapshot } from '@chainsight/grammar';
import type { CaptureRead, HostContext } from '@chainsight/trace';
import { UsageError } from './args';
import type { Colors } from './color';
import type { CliIo } from './io';
import { counts, displayName, formatDiagnostic, type LoadedFile, type LoadOptions } from './load';

async function read(path: string, text: string): Promise<CaptureRead> {
  const { readCapture } = await import('@chainsight/trace');
  return readCapture(text, displayName(path));
}

/** A capture none of whose rules sections printed anything. */
function noRules(file: string): Diagnostic {
  return {
    code: 'capture/no-rules', severity: 'error', file, span: spanOf(1, 1, 0, 0),
    message: 'no rules section of this capture printed rules (iptables-save, ip6tables-save and ebtables-save were missing or failed)',
  };
}

/**
 * One LoadedFile per rules section (of `opts.family` only, when given), each citing the capture's own lines; the
 * capture's diagnostics (missing tools, failed commands, a file cut short, what is not modelled) go with the first.
 */
export async function captureRulesets(path: string, text: string, opts: LoadOptions = {}): Promise<LoadedFile[]> {
  if (opts.format) throw new UsageError(`${displayName(path)} is a chainsight capture: its sections say their formats (no --input-format)`);
  const r = await read(path, text);
  const file = displayName(path);
  const files: LoadedFile[] = r.rules
    .filter((x) => !opts.family || x.family === opts.family)
    .map((x) => ({ path: file, text, result: x.result, section: x.section }));
  if (!files.length) {
    const empty = parseSnapshot('', { fileName: file, format: 'iptables-save', family: opts.family === 'ipv6' ? 'ipv6' : 'ipv4' });
    const result = { ...empty, detected: { ...empty.detected, reason: 'a chainsight capture without rules' }, diagnostics: [noRules(file)] };
    files.push({ path: file, text, result, section: 'none' });
  }
  files[0]!.result = { ...files[0]!.result, diagnostics: [...r.diagnostics, ...files[0]!.result.diagnostics] };
  files[0]!.capture = r;
  return files;
}

/** The lines `parse` prints about a capture before its rulesets. */
export function captureSummary(path: string, r: CaptureRead): string[] {
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const about = [r.hostname ? `of ${r.hostname}` : '', r.kernel ? `kernel ${r.kernel}` : '', r.backend ? `iptables backend ${r.backend.backend}` : ''].filter(Boolean);
  const by = (status: string) => r.sections.filter((s) => s.status === status);
  const out = [`${path}: chainsight capture (format ${r.format ?? '?'})${about.length ? `, ${about.join(', ')}` : ''}`];
  const failed = by('failed').map((s) => `${s.name} (exit ${s.exit})`);
  out.push(`  sections: ${by('ok').length} ran${failed.length ? `; failed: ${failed.join(', ')}` : ''}${by('missing').length ? `; tool not installed: ${by('missing').map((s) => s.name).join(', ')}` : ''}${by('truncated').length ? `; cut short: ${by('truncated').map((s) => s.name).join(', ')}` : ''}`);
  const h = r.host;
  out.push(h
    ? `  host facts: ${plural(h.interfaces.length, 'interface')}, ${plural(h.routes.length, 'route')}, ${plural(h.rules?.length ?? 0, 'policy rule')}, ${plural(h.neighbors.length, 'neighbour')}, ${plural(Object.keys(h.sysctl).length, 'sysctl')}`
    : '  host facts: none usable (see the diagnostics)');
  out.push(`  ipsets: ${r.ipsets === null ? 'not captured' : plural(r.ipsets.length, 'set')}`);
  if (r.sections.some((s) => s.name === 'nft-ruleset' && s.status === 'ok')) out.push('  nftables ruleset: kept, not modelled');
  return out;
}

/** The rulesets worth drawing or printing: those with tables. */
export function withRules(files: LoadedFile[]): LoadedFile[] {
  return files.filter((f) => f.result.snapshot.tables.length > 0);
}

export interface CaptureInputs {
  snapshots: Snapshot[];
  ipsets: IpSet[];
  host: HostContext | null;
  /** Errors among everything read (then the command stops with exit 2 after printing them all). */
  errors: number;
}

/**
 * Everything a capture holds for trace and explain; prints its diagnostics: every error, and the capture's own
 * warnings (a failed command, an nftables table not modelled) — those change what the answer rests on.
 */
export async function loadCapture(io: CliIo, path: string, text: string, c: Colors, family?: Family): Promise<CaptureInputs> {
  const r = await read(path, text);
  const rules = r.rules.filter((x) => !family || x.family === family);
  const all = [...r.diagnostics, ...rules.flatMap((x) => x.result.diagnostics)].sort((a, b) => a.span.start.offset - b.span.start.offset);
  for (const d of all) {
    if (d.severity === 'error' || (d.severity === 'warning' && d.code.startsWith('capture/'))) io.stderr(formatDiagnostic(d, text, c) + '\n');
  }
  const errors = counts(all).errors + (rules.length ? 0 : 1);
  if (!rules.length) io.stderr(formatDiagnostic(noRules(displayName(path)), text, c) + '\n');
  return { snapshots: rules.map((x) => x.result.snapshot), ipsets: r.ipsets ?? [], host: r.host, errors };
}

/** What `parse --format json` says about a capture besides its rulesets: where each section is and how it ended. */
export function captureJson(r: CaptureRead): unknown {
  return {
    format: r.format, hostname: r.hostname, kernel: r.kernel, backend: r.backend,
    sections: r.sections.map((s) => ({ name: s.name, command: s.command, status: s.status, exit: s.exit, line: s.begin.start.line, stderr: s.stderr.map((e) => e.text) })),
    host: r.host, ipsets: r.ipsets,
  };
}
