// `--batch FILE.jsonl`: one packet per line, a JSON object with the packet options' names (`src`, `dst`,
// `proto`, `dport`, `icmp-type`, `tcp-flags`, `phys-in`, … — kebab-case as on the command line, or camelCase).
// Each value is checked by the same table as the command line's options (packet-fields.ts); an error names the
// line and the column of the offending value.
import { JsonSyntaxError, parseLocatedJson, type LocatedValue } from './host/located-json';
import type { PacketSpec } from './packet';
import { packetField } from './packet-fields';

export interface BatchLine {
  line: number;
  /** The column (1-based) of the value an error is about; 1 without an error. */
  column: number;
  spec: PacketSpec | null;
  error: string | null;
  /** Free-form `id` copied to the output. */
  id: unknown;
}

/** A located JSON value as the plain value JSON.parse would give (for `id`). */
function plain(v: LocatedValue): unknown {
  switch (v.kind) {
    // Object.fromEntries defines own properties: a `__proto__` key stays a key, as with JSON.parse.
    case 'object': return Object.fromEntries(v.entries.map((e) => [e.key, plain(e.value)]));
    case 'array': return v.items.map(plain);
    case 'null': return null;
    default: return v.value;
  }
}

export function parseBatchLine(text: string, line: number): BatchLine | null {
  if (!text.trim() || text.trim().startsWith('#')) return null;
  const fail = (column: number, error: string, id: unknown = null): BatchLine => ({ line, column, spec: null, error, id });
  let obj: LocatedValue;
  try {
    obj = parseLocatedJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return fail(e.span.start.column, `not JSON: ${e.message}`);
  }
  if (obj.kind !== 'object') return fail(obj.span.start.column, 'each line must be a JSON object');
  const idEntry = obj.entries.find((e) => e.key === 'id');
  const id = idEntry ? plain(idEntry.value) : null;
  const spec: Partial<Record<keyof PacketSpec, unknown>> = {};
  const seen = new Map<keyof PacketSpec, string>();
  for (const { key: k, keySpan, value } of obj.entries) {
    if (k === 'id') continue;
    const field = packetField(k);
    if (!field) return fail(keySpan.start.column, `unknown field '${k}'`, id);
    const before = seen.get(field.key);
    if (before !== undefined) return fail(keySpan.start.column, `'${k}' is given twice${before === k ? '' : ` (also as '${before}')`}`, id);
    seen.set(field.key, k);
    const v = value.kind === 'object' || value.kind === 'array' ? plain(value) : value.kind === 'null' ? null : value.value;
    const r = field.check(v);
    if (!r.ok) return fail(value.span.start.column, `'${k}' ${r.message}`, id);
    spec[field.key] = r.value;
  }
  return { line, column: 1, spec: spec as PacketSpec, error: null, id };
}
