// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for GitHub code scanning: one run, the
// lint rules as reportingDescriptors (description, help, default level), each diagnostic as a result with a
// physical location (1-based lines and UTF-16 columns, like chainsight's spans) and related locations.
// Diagnostics of other phases (`parse/…`) get a descriptor of their own so every result has a ruleIndex. Each
// location names its own file (a finding of a merged ruleset may relate rules of several files).
import type { Diagnostic, Severity, Span } from '@chainsight/grammar';
import type { AnyRule } from '../lint/define';

export interface SarifOptions {
  toolVersion: string;
  rules: readonly AnyRule[];
  informationUri?: string;
  /** What the answer rests on (files read as one ruleset): the run's `properties.assumptions`. */
  assumptions?: readonly string[];
}

export interface SarifFile {
  path: string;
  diagnostics: readonly Diagnostic[];
}

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

/** A file path as a SARIF artifact URI: relative paths stay relative (to %SRCROOT%), absolute ones become file URIs. */
function artifact(path: string): { uri: string; uriBaseId?: string } {
  const p = path.replace(/\\/g, '/');
  if (p.startsWith('/')) return { uri: `file://${encodeURI(p)}` };
  if (/^[A-Za-z]:\//.test(p)) return { uri: `file:///${encodeURI(p)}` };
  return { uri: encodeURI(p.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

function region(span: Span) {
  return {
    startLine: span.start.line,
    startColumn: span.start.column,
    endLine: span.end.line,
    endColumn: Math.max(span.end.column, span.end.line === span.start.line ? span.start.column + 1 : 1),
    charOffset: span.start.offset,
    charLength: Math.max(0, span.end.offset - span.start.offset),
  };
}

/** PascalCase name for a rule id: no-duplicate-rule → NoDuplicateRule. */
const pascal = (id: string) => id.split(/[-/]/).map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');

function descriptorsFor(files: readonly SarifFile[], options: SarifOptions) {
  const descriptors = options.rules.map((r) => ({
    id: `lint/${r.id}`,
    name: pascal(r.id),
    shortDescription: { text: r.description },
    fullDescription: { text: r.help },
    help: { text: `${r.description}\n\n${r.help}`, markdown: `**${r.description}**\n\n${r.help}` },
    defaultConfiguration: { level: LEVEL[r.defaultSeverity as Severity] },
    properties: { tags: ['netfilter', 'iptables', 'firewall'] },
  }));
  const index = new Map(descriptors.map((d, i) => [d.id, i]));
  // Diagnostics of other phases (parse/, suppress/, merge/): a descriptor each, in order of first appearance.
  for (const f of files) {
    for (const d of f.diagnostics) {
      if (index.has(d.code)) continue;
      index.set(d.code, descriptors.length);
      descriptors.push({
        id: d.code, name: pascal(d.code), shortDescription: { text: `chainsight ${d.code.split('/')[0]} diagnostic` },
        fullDescription: { text: `Reported by chainsight while reading the input (${d.code}).` },
        help: { text: `chainsight ${d.code}`, markdown: `chainsight \`${d.code}\`` },
        defaultConfiguration: { level: 'warning' }, properties: { tags: ['netfilter'] },
      });
    }
  }
  return { descriptors, index };
}

/**
 * The log in pieces, for writing a large one without building it whole: `head` is the log with an empty
 * `results` list, `results()` yields them one by one (toSarif joins them; the CLI streams them).
 */
export function sarifParts(files: readonly SarifFile[], options: SarifOptions) {
  const { descriptors, index } = descriptorsFor(files, options);
  const artifacts = files.map((f) => ({ location: artifact(f.path) }));
  // A related location may be in another file of a merged ruleset: each location names its own artifact.
  const artifactIndex = new Map<string, number>();
  files.forEach((f, i) => { if (!artifactIndex.has(f.path)) artifactIndex.set(f.path, i); });
  const location = (file: string, span: Span) => {
    const i = artifactIndex.get(file);
    return { physicalLocation: { artifactLocation: { ...artifact(file), ...(i === undefined ? {} : { index: i }) }, region: region(span) } };
  };
  const toResult = (d: Diagnostic, f: SarifFile) => {
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: index.get(d.code)!,
      level: LEVEL[d.severity],
      message: { text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message },
      locations: [location(d.file || f.path, d.span)],
    };
    if (d.related?.length) {
      result.relatedLocations = d.related.map((r, id) => ({ id, ...location(r.file || d.file || f.path, r.span), message: { text: r.message } }));
    }
    return result;
  };
  const head = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0' as const,
    runs: [{
      tool: {
        driver: {
          name: 'chainsight',
          version: options.toolVersion,
          semanticVersion: options.toolVersion,
          ...(options.informationUri ? { informationUri: options.informationUri } : {}),
          rules: descriptors,
        },
      },
      artifacts,
      columnKind: 'utf16CodeUnits',
      ...(options.assumptions?.length ? { properties: { assumptions: [...options.assumptions] } } : {}),
      results: [] as Record<string, unknown>[],
    }],
  };
  function* results() {
    for (const f of files) for (const d of f.diagnostics) yield toResult(d, f);
  }
  return { head, results };
}

export function toSarif(files: readonly SarifFile[], options: SarifOptions) {
  const { head, results } = sarifParts(files, options);
  head.runs[0]!.results = [...results()];
  return head;
}

export type SarifLog = ReturnType<typeof toSarif>;
