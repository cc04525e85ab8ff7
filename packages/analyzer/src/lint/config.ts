// Lint configuration (`chainsight.config.json`): severities, disabled rules, rule options and the chain names
// other software owns. Validated here so that a typo is an error, never a silently ignored setting. Every
// problem carries the JSON path it is about (`["rules", "no-duplicate-rule", 1, "allow"]`), so a front end that
// kept the positions of the JSON it read can point at the line and column; all problems are reported at once.
// Rule ids come from the input: settings are kept in a Map keyed by id, never as properties of an object.
import type { Severity } from '@chainsight/grammar';
import type { AnyRule, LintSettings } from './define';
import { RULES } from '../rules/index';
import { chainMatcher, nearestName } from './names';

export type RuleLevel = Severity | 'warn' | 'off';
export type RuleSetting = RuleLevel | readonly [RuleLevel] | readonly [RuleLevel, Record<string, unknown>];

export interface LintConfig {
  /**
   * Rule id (with or without `lint/`) → level, or [level, options]. parseLintConfig gives a Map; a literal object
   * is accepted from code (its own properties only).
   */
  rules?: ReadonlyMap<string, RuleSetting> | Readonly<Record<string, RuleSetting>>;
  /**
   * Chain names (`*` and `?` globs) that other software creates, fills or references by name: not reported as
   * unreferenced, as undefined jump targets or as empty jump targets.
   */
  allowChains?: readonly string[];
}

export type JsonPath = readonly (string | number)[];

/** One thing wrong with a configuration: at `path`, about the key itself (`on: 'key'`) or its value. */
export interface ConfigProblem {
  path: JsonPath;
  on: 'key' | 'value';
  message: string;
}

/** `rules.no-duplicate-rule: level must be …`; a problem with a key names the object holding it. */
export function describeProblem(p: ConfigProblem): string {
  const where = p.on === 'key' ? p.path.slice(0, -1) : p.path;
  const dotted = where.map((k, i) => (typeof k === 'number' ? `[${k}]` : i ? `.${k}` : k)).join('');
  return dotted ? `${dotted}: ${p.message}` : p.message;
}

export class LintConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(problems.map(describeProblem).join('\n'));
  }
}

export interface ResolvedRule {
  rule: AnyRule;
  severity: Severity;
  options: object;
}

export interface ResolvedConfig {
  rules: ResolvedRule[];
  settings: LintSettings;
}

const LEVELS = new Set(['error', 'warning', 'warn', 'info', 'off']);
const TOP_KEYS = ['$schema', 'rules', 'allowChains'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Map);
const show = (v: unknown) => {
  const text = v === undefined ? 'nothing' : JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
};
const suggest = (name: string, names: Iterable<string>) => {
  const n = nearestName(name, names);
  return n ? ` (did you mean '${n}'?)` : '';
};

/** The entries of `rules`, own properties only when it is an object. */
export function ruleEntries(rules: LintConfig['rules']): [string, RuleSetting][] {
  if (!rules) return [];
  if (rules instanceof Map) return [...(rules as ReadonlyMap<string, RuleSetting>)];
  return Object.keys(rules).map((k) => [k, (rules as Readonly<Record<string, RuleSetting>>)[k]!]);
}

function level(value: unknown, path: JsonPath, problems: ConfigProblem[]): Severity | 'off' | null {
  if (typeof value !== 'string' || !LEVELS.has(value)) {
    problems.push({ path, on: 'value', message: `level must be one of error, warning, info, off (got ${show(value)})` });
    return null;
  }
  return value === 'warn' ? 'warning' : (value as Severity | 'off');
}

function ruleOptions(rule: AnyRule, given: unknown, path: JsonPath, problems: ConfigProblem[]): object {
  if (given === undefined) return rule.defaultOptions;
  if (!isObject(given)) {
    problems.push({ path, on: 'value', message: `options must be an object (got ${show(given)})` });
    return rule.defaultOptions;
  }
  const defaults = rule.defaultOptions as Record<string, unknown>;
  const known = Object.keys(defaults);
  const out: Record<string, unknown> = { ...defaults };
  for (const k of Object.keys(given)) {
    const v = given[k];
    if (!Object.hasOwn(defaults, k)) {
      const list = known.length ? `known: ${known.join(', ')}` : 'the rule has no options';
      problems.push({ path: [...path, k], on: 'key', message: `unknown option '${k}' of ${rule.id}${suggest(k, known)} (${list})` });
      continue;
    }
    const d = defaults[k];
    const ok = Array.isArray(d) ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === typeof d;
    if (!ok) {
      problems.push({ path: [...path, k], on: 'value', message: `option '${k}' must be ${Array.isArray(d) ? 'a list of strings' : `a ${typeof d}`} (got ${show(v)})` });
      continue;
    }
    out[k] = v;
  }
  return out;
}

/** The problems of a configuration against the rules, or the enabled rules with their severity and options. */
function resolve(config: LintConfig, rules: readonly AnyRule[], problems: ConfigProblem[]): ResolvedConfig {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const settings = new Map<string, { setting: unknown; key: string }>();
  for (const [key, setting] of ruleEntries(config.rules)) {
    const id = key.startsWith('lint/') ? key.slice(5) : key;
    if (!byId.has(id)) {
      problems.push({ path: ['rules', key], on: 'key', message: `unknown rule '${key}'${suggest(id, byId.keys())} ('chainsight lint --list-rules' lists them)` });
      continue;
    }
    const prev = settings.get(id);
    if (prev) {
      problems.push({ path: ['rules', key], on: 'key', message: `rule '${id}' is configured twice (also as '${prev.key}')` });
      continue;
    }
    settings.set(id, { setting, key });
  }
  const resolved: ResolvedRule[] = [];
  for (const rule of rules) {
    const entry = settings.get(rule.id);
    const s: unknown = entry?.setting;
    const path: JsonPath = ['rules', entry?.key ?? rule.id];
    let sev: Severity | 'off' | null = rule.defaultSeverity;
    let options = rule.defaultOptions;
    if (typeof s === 'string') sev = level(s, path, problems);
    else if (Array.isArray(s)) {
      if (s.length < 1 || s.length > 2) {
        problems.push({ path, on: 'value', message: 'expected [level] or [level, options]' });
        continue;
      }
      sev = level(s[0], [...path, 0], problems);
      options = ruleOptions(rule, s[1], [...path, 1], problems);
    } else if (s !== undefined) {
      problems.push({ path, on: 'value', message: `expected a level or [level, options] (got ${show(s)})` });
      continue;
    }
    if (sev !== null && sev !== 'off') resolved.push({ rule, severity: sev, options });
  }
  const allow = config.allowChains ?? [];
  if (!Array.isArray(allow)) problems.push({ path: ['allowChains'], on: 'value', message: `expected a list of chain names or globs (got ${show(allow)})` });
  else {
    allow.forEach((x: unknown, i) => {
      if (typeof x !== 'string') problems.push({ path: ['allowChains', i], on: 'value', message: `expected a chain name or glob (got ${show(x)})` });
    });
  }
  const names = Array.isArray(allow) ? allow.filter((x): x is string => typeof x === 'string') : [];
  return { rules: resolved, settings: { isAllowedChain: chainMatcher(names) } };
}

export function resolveConfig(config: LintConfig, rules: readonly AnyRule[]): ResolvedConfig {
  const problems: ConfigProblem[] = [];
  const out = resolve(config, rules, problems);
  if (problems.length) throw new LintConfigError(problems);
  return out;
}

/**
 * Checks a parsed `chainsight.config.json` against `rules` and returns it with `rules` as a Map; throws a
 * LintConfigError listing every problem with its JSON path.
 */
export function parseLintConfig(json: unknown, rules: readonly AnyRule[] = RULES): LintConfig {
  const problems: ConfigProblem[] = [];
  if (!isObject(json)) {
    throw new LintConfigError([{ path: [], on: 'value', message: `the configuration must be a JSON object such as { "rules": { … } } (got ${json === null ? 'null' : Array.isArray(json) ? 'an array' : typeof json})` }]);
  }
  for (const k of Object.keys(json)) {
    if (!TOP_KEYS.includes(k)) problems.push({ path: [k], on: 'key', message: `unknown key '${k}'${suggest(k, TOP_KEYS)} (known: ${TOP_KEYS.join(', ')})` });
  }
  const config: { rules?: Map<string, RuleSetting>; allowChains?: readonly string[] } = {};
  if (Object.hasOwn(json, '$schema') && typeof json.$schema !== 'string') {
    problems.push({ path: ['$schema'], on: 'value', message: `expected a string (got ${show(json.$schema)})` });
  }
  if (Object.hasOwn(json, 'rules')) {
    const r = json.rules;
    if (!isObject(r)) problems.push({ path: ['rules'], on: 'value', message: `'rules' must be an object of rule id → level (got ${show(r)})` });
    else config.rules = new Map(Object.keys(r).map((k) => [k, r[k] as RuleSetting]));
  }
  if (Object.hasOwn(json, 'allowChains')) config.allowChains = json.allowChains as readonly string[];
  resolve(config, rules, problems);
  if (problems.length) throw new LintConfigError(problems);
  return config;
}
