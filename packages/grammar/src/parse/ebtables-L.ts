// TEMPORARY: being written (ebtables -L parser).
import type { Snapshot } from '../ir/nodes';
import { spanOf } from '../ir/span';
import type { DiagnosticSink } from './diagnostics';
export function parseEbtablesListing(_text: string, sink: DiagnosticSink, o: { fileName: string }): Snapshot {
  sink.error('parse/unsupported', 'TEMP', spanOf(1, 1, 0, 0));
  return { kind: 'snapshot', fileName: o.fileName, format: 'ebtables-L', family: 'bridge', backend: 'unknown', generator: null, tables: [], lossy: true };
}
