// SARIF 2.1.0 (OASIS, https://docs.oasis-open.org/sarif/sarif/v2.1.0/) for GitHub code scanning: one run, the
// lint rules as reportingDescriptors (description, help, default level), each diagnostic as a result with a
// physical location (1-based lines and UTF-16 columns, like chainsight's spans) and related locations.
// Diagnostics of other phases (`parse/…`) get a descriptor of their own so every result has a ruleIndex.
import type { Diagnostic, Severity, Span } from '@chainsight/grammar';
import type { AnyRule } from '../lint/define';

export interface SarifOptions {
  toolVersion: string;
  rules: readonly AnyRule[];
  informationUri?: string;
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

export function toSarif(files: readonly SarifFile[], options: SarifOptions) {
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
  const extra = (code: string) => {
    let i = index.get(code);
    if (i === undefined) {
      i = descriptors.length;
      descriptors.push({
        id: code, name: pascal(code), shortDescription: { text: `chainsight ${code.split('/')[0]} diagnostic` },
        fullDescription: { text: `Reported by chainsight while reading the input (${code}).` },
        help: { text: `chainsight ${code}`, markdown: `chainsight \`${code}\`` },
        defaultConfiguration: { level: 'warning' }, properties: { tags: ['netfilter'] },
      });
      index.set(code, i);
    }
    return i;
  };
  const artifacts = files.map((f) => ({ location: artifact(f.path) }));
  const results = files.flatMap((f, fileIndex) => f.diagnostics.map((d) => {
    const location = (span: Span) => ({ physicalLocation: { artifactLocation: { ...artifact(d.file || f.path), index: fileIndex }, region: region(span) } });
    const result: Record<string, unknown> = {
      ruleId: d.code,
      ruleIndex: extra(d.code),
      level: LEVEL[d.severity],
      message: { text: d.hint ? `${d.message}\nhint: ${d.hint}` : d.message },
      locations: [location(d.span)],
    };
    if (d.related?.length) {
      result.relatedLocations = d.related.map((r, id) => ({ id, ...location(r.span), message: { text: r.message } }));
    }
    return result;
  }));
  return {
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
      results,
    }],
  };
}

export type SarifLog = ReturnType<typeof toSarif>;
