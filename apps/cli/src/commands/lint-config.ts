// `chainsight lint`'s configuration: --config FILE, else ./chainsight.config.json when it exists, then --rule
// overrides. The JSON is read with positions (the trace package's located-JSON reader, loaded only when there is
// a file), so every problem the analyzer finds is an error at its line and column, all of them at once; a key
// given twice is one too (JSON.parse would keep the last silently). Rule ids from the file and from --rule are
// kept in a Map: `--rule __proto__=off` is an unknown rule, never a property of an object.
import { RULES, LintConfigError, describeProblem, nearestName, parseLintConfig, ruleEntries, type JsonPath, type LintConfig, type RuleSetting } from '@chainsight/analyzer';
import type { Diagnostic, Span } from '@chainsight/grammar';
import type { LocatedValue } from '@chainsight/trace';
import { UsageError, type ParsedArgs } from '../args';
import type { CliIo } from '../io';
import { InputError, displayName } from '../load';

const DEFAULT_CONFIG = 'chainsight.config.json';
const LEVELS = ['error', 'warning', 'warn', 'info', 'off'] as const;

export type ConfigResult = { config: LintConfig } | { errors: Diagnostic[]; path: string; text: string };

export async function loadConfig(io: CliIo, args: ParsedArgs): Promise<ConfigResult> {
  const explicit = args.options.get('config')?.[0];
  const path = explicit ?? DEFAULT_CONFIG;
  let config: LintConfig = {};
  let text: string | null = null;
  try {
    text = await io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (explicit || code !== 'ENOENT') throw new InputError(`${displayName(path)}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (e as Error).message}`);
  }
  if (text !== null) {
    const r = await readConfigFile(displayName(path), text);
    if ('errors' in r) return { errors: r.errors, path: displayName(path), text };
    config = r.config;
  }
  return { config: withOverrides(config, args.options.get('rule') ?? []) };
}

const error = (file: string, code: string, span: Span, message: string): Diagnostic => ({ code, severity: 'error', file, span, message });

/** A configuration file's text, checked: the config, or every problem located in the file. */
export async function readConfigFile(file: string, text: string): Promise<{ config: LintConfig } | { errors: Diagnostic[] }> {
  const { parseLocatedJson, JsonSyntaxError } = await import('@chainsight/trace');
  let root: LocatedValue;
  try {
    root = parseLocatedJson(text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    return { errors: [error(file, 'config/syntax', e.span, `not valid JSON: ${e.message}`)] };
  }
  const errors: Diagnostic[] = [];
  const value = plain(root, (key, first, again) => {
    errors.push(error(file, 'config/duplicate-key', again, `key '${key}' is given twice (first at ${first.start.line}:${first.start.column}); JSON readers differ on which one counts`));
  });
  try {
    const config = parseLintConfig(value, RULES);
    return errors.length ? { errors } : { config };
  } catch (e) {
    if (!(e instanceof LintConfigError)) throw e;
    for (const p of e.problems) errors.push(error(file, 'config/invalid', locate(root, p.path, p.on), describeProblem(p)));
    return { errors: errors.sort((a, b) => a.span.start.offset - b.span.start.offset) };
  }
}

/** The located value as plain data; objects have no prototype, so any key from the file is only data. */
function plain(v: LocatedValue, duplicate: (key: string, first: Span, again: Span) => void): unknown {
  switch (v.kind) {
    case 'object': {
      const o = Object.create(null) as Record<string, unknown>;
      const seen = new Map<string, Span>();
      for (const e of v.entries) {
        const first = seen.get(e.key);
        if (first) duplicate(e.key, first, e.keySpan);
        else seen.set(e.key, e.keySpan);
        o[e.key] = plain(e.value, duplicate);
      }
      return o;
    }
    case 'array': return v.items.map((x) => plain(x, duplicate));
    case 'null': return null;
    default: return v.value;
  }
}

/** The span of the key or value at `path`, or of the nearest enclosing value that exists. */
function locate(root: LocatedValue, path: JsonPath, on: 'key' | 'value'): Span {
  let v = root;
  for (const [i, k] of path.entries()) {
    const last = i === path.length - 1;
    if (typeof k === 'number' && v.kind === 'array' && v.items[k]) v = v.items[k]!;
    else if (typeof k === 'string' && v.kind === 'object') {
      // The last entry of the key: the one JSON.parse would keep.
      const e = [...v.entries].reverse().find((x) => x.key === k);
      if (!e) break;
      if (last && on === 'key') return e.keySpan;
      v = e.value;
    } else break;
  }
  return v.span;
}

/** --rule ID=LEVEL over the configuration (keeping options given for the rule in the file). */
function withOverrides(config: LintConfig, overrides: readonly string[]): LintConfig {
  if (!overrides.length) return config;
  const rules = new Map<string, RuleSetting>();
  for (const [k, s] of ruleEntries(config.rules)) rules.set(k.startsWith('lint/') ? k.slice(5) : k, s);
  const ids = RULES.map((r) => r.id);
  for (const o of overrides) {
    const m = /^([^=]+)=(.*)$/.exec(o);
    if (!m || !(LEVELS as readonly string[]).includes(m[2]!)) throw new UsageError(`--rule expects ID=LEVEL with LEVEL one of ${LEVELS.join(', ')} (got '${o}')`);
    const id = m[1]!.startsWith('lint/') ? m[1]!.slice(5) : m[1]!;
    if (!ids.includes(id)) {
      const near = nearestName(id, ids);
      throw new UsageError(`--rule: unknown rule '${m[1]}'${near ? ` (did you mean '${near}'?)` : ''}; 'chainsight lint --list-rules' lists them`);
    }
    const level = m[2] as (typeof LEVELS)[number];
    const previous = rules.get(id);
    rules.set(id, Array.isArray(previous) && previous.length > 1 ? [level, previous[1]!] : level);
  }
  return { ...config, rules };
}
