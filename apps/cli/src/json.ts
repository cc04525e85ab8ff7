// JSON output: bigints (addresses, counters) become decimal strings; Maps become objects.
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'bigint' ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v), indent);
}
