// A JSON reader that remembers where every value starts, so schema errors can name the line and column as well
// as the path. JSON.parse gives neither. Objects are kept as ordered [key, value] lists: keys come from the
// input and never become object properties.

export type JsonValue =
  | { type: 'object'; entries: Array<[string, JsonValue]>; at: number }
  | { type: 'array'; items: JsonValue[]; at: number }
  | { type: 'string'; value: string; at: number }
  | { type: 'number'; value: number; raw: string; at: number }
  | { type: 'boolean'; value: boolean; at: number }
  | { type: 'null'; at: number };

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

const MAX_DEPTH = 256;

export function readJson(text: string): JsonValue {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const fail = (msg: string): never => {
    throw new JsonSyntaxError(msg, i);
  };
  const value = (depth: number): JsonValue => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    ws();
    const at = i;
    const ch = text[i];
    if (ch === '{') {
      i++;
      const entries: Array<[string, JsonValue]> = [];
      ws();
      if (text[i] === '}') {
        i++;
        return { type: 'object', entries, at };
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`expected a string key, found ${show(text, i)}`);
        const k = str();
        ws();
        if (text[i] !== ':') fail(`expected ':' after key "${k}", found ${show(text, i)}`);
        i++;
        entries.push([k, value(depth + 1)]);
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return { type: 'object', entries, at };
        }
        fail(`expected ',' or '}', found ${show(text, i)}`);
      }
    }
    if (ch === '[') {
      i++;
      const items: JsonValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return { type: 'array', items, at };
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return { type: 'array', items, at };
        }
        fail(`expected ',' or ']', found ${show(text, i)}`);
      }
    }
    if (ch === '"') return { type: 'string', value: str(), at };
    const lit = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 400));
    if (!lit) return fail(`expected a JSON value, found ${show(text, i)}`);
    const raw = lit[0];
    i += raw.length;
    if (raw === 'true' || raw === 'false') return { type: 'boolean', value: raw === 'true', at };
    if (raw === 'null') return { type: 'null', at };
    return { type: 'number', value: Number(raw), raw, at };
  };
  const str = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) {
        i = start;
        fail('unterminated string');
      }
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e !== undefined && Object.hasOwn(simple, e)) {
          out += simple[e];
          i += 2;
          continue;
        }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('invalid escape in string');
      }
      if (c.charCodeAt(0) < 0x20) fail('control character in string');
      out += c;
      i++;
    }
  };
  const v = value(0);
  ws();
  if (i < text.length) fail(`unexpected ${show(text, i)} after the JSON document`);
  return v;
}

function show(text: string, i: number): string {
  if (i >= text.length) return 'the end of the input';
  return `'${text.slice(i, i + 12).split('\n')[0]}'`;
}

/** The value of key `k` of an object (first occurrence), or undefined. */
export function field(v: JsonValue | undefined, k: string): JsonValue | undefined {
  if (!v || v.type !== 'object') return undefined;
  for (const [key, val] of v.entries) if (key === k) return val;
  return undefined;
}
