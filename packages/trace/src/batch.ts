// `--batch FILE.jsonl`: one packet per line, a JSON object with the packet options' names (`src`, `dst`,
// `proto`, `dport`, `icmp-type`, `tcp-flags`, `phys-in`, … — kebab-case as on the command line, or camelCase).
import type { PacketSpec } from './packet';

export interface BatchLine {
  line: number;
  spec: PacketSpec | null;
  error: string | null;
  /** Free-form `id` copied to the output. */
  id: unknown;
}

const KEYS: Record<string, keyof PacketSpec> = {
  src: 'src', dst: 'dst', proto: 'proto', sport: 'sport', dport: 'dport', 'icmp-type': 'icmpType', icmpType: 'icmpType',
  'icmp-code': 'icmpCode', icmpCode: 'icmpCode', 'tcp-flags': 'tcpFlags', tcpFlags: 'tcpFlags', state: 'state', reply: 'reply',
  mark: 'mark', in: 'in', 'phys-in': 'physIn', physIn: 'physIn', local: 'local', from: 'from', to: 'to', out: 'out',
  'phys-out': 'physOut', physOut: 'physOut', 'src-mac': 'srcMac', srcMac: 'srcMac', 'dst-mac': 'dstMac', dstMac: 'dstMac',
  length: 'length', ttl: 'ttl', tos: 'tos', uid: 'uid', gid: 'gid',
};

const NUMERIC = new Set<keyof PacketSpec>(['sport', 'dport', 'icmpCode', 'mark', 'length', 'ttl', 'tos', 'uid', 'gid']);
const STATES = new Set(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED']);

export function parseBatchLine(text: string, line: number): BatchLine | null {
  if (!text.trim() || text.trim().startsWith('#')) return null;
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    return { line, spec: null, error: `not JSON: ${(e as Error).message}`, id: null };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { line, spec: null, error: 'each line must be a JSON object', id: null };
  const spec: Record<string, unknown> = {};
  let id: unknown = null;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === 'id') { id = v; continue; }
    const key = KEYS[k];
    if (!key) return { line, spec: null, error: `unknown field '${k}'`, id };
    let value = v;
    if (NUMERIC.has(key)) {
      value = typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v) ? Number(v) : v;
      if (typeof value !== 'number' || !Number.isInteger(value)) return { line, spec: null, error: `'${k}' must be an integer`, id };
    }
    if (key === 'state') {
      if (typeof v !== 'string' || !STATES.has(v.toUpperCase())) return { line, spec: null, error: `'state' must be one of ${[...STATES].join(', ')}`, id };
      value = v.toUpperCase();
    }
    if ((key === 'reply' || key === 'local') && typeof v !== 'boolean') return { line, spec: null, error: `'${k}' must be true or false`, id };
    spec[key] = value;
  }
  return { line, spec: spec as PacketSpec, error: null, id };
}
