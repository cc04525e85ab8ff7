// TEMPORARY: being written (iptables -L parser).
import type { Family, Snapshot } from '../ir/nodes';
import { spanOf } from '../ir/span';
import type { DiagnosticSink } from './diagnostics';
export function parseIptablesListing(_text: string, sink: DiagnosticSink, o: { fileName: string; family: Family; table?: string | undefined }): Snapshot {
  sink.error('parse/unsupported', 'TEMP', spanOf(1, 1, 0, 0));
  return { kind: 'snapshot', fileName: o.fileName, format: 'iptables-L', family: o.family, backend: 'unknown', generator: null, tables: [], lossy: true };
}
