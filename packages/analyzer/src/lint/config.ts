// Lint configuration (`chainsight.config.json`): severities, disabled rules, rule options and the chain names
// other software owns. Validated here so that a typo is an error, never a silently ignored setting.
import type { Severity } from '@chainsight/grammar';
import type { AnyRule, LintSettings } from './define';
import { chainMatcher } from './names';

export type RuleLevel = Severity | 'warn' | 'off';
export type RuleSetting = RuleLevel | readonly [RuleLevel] | readonly [RuleLevel, Record<string, unknown>];

export interface LintConfig {
  /** Rule id (with or without `lint/`) → level, or [level, options]. */
  rules?: Record<string, RuleSetting>;
  /**
   * Chain names (`*` and `?` globs) that other software creates, fills or references by name: not reported as
   * unreferenced, as undefined jump targets or as empty jump targets.
   */
  allowChains?: readonly string[];
}

export class LintConfigError extends Error {}

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

function level(value: unknown, where: string): Severity | 'off' {
  if (typeof value !== 'string' || !LEVELS.has(value)) {
    throw new LintConfigError(`${where}: level must be one of error, warning, info, off (got ${JSON.stringify(value)})`);
  }
  return value === 'warn' ? 'warning' : (value as Severity | 'off');
}

function ruleOptions(rule: AnyRule, given: unknown, where: string): object {
  if (given === undefined) return rule.defaultOptions;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw new LintConfigError(`${where}: options must be an object`);
  const defaults = rule.defaultOptions as Record<string, unknown>;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(given)) {
    if (!Object.prototype.hasOwnProperty.call(defaults, k)) {
      const known = Object.keys(defaults);
      throw new LintConfigError(`${where}: unknown option '${k}' (${known.length ? `known: ${known.join(', ')}` : 'the rule has no options'})`);
    }
    const d = defaults[k];
    const ok = Array.isArray(d) ? Array.isArray(v) && v.every((x) => typeof x === 'string') : typeof v === typeof d;
    if (!ok) throw new LintConfigError(`${where}: option '${k}' must be ${Array.isArray(d) ? 'a list of strings' : `a ${typeof d}`}`);
    out[k] = v;
  }
  return out;
}

export function resolveConfig(config: LintConfig, rules: readonly AnyRule[]): ResolvedConfig {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const settings = new Map<string, RuleSetting>();
  for (const [key, setting] of Object.entries(config.rules ?? {})) {
    const id = key.startsWith('lint/') ? key.slice(5) : key;
    if (!byId.has(id)) throw new LintConfigError(`rules: unknown rule '${key}' (known: ${[...byId.keys()].join(', ')})`);
    settings.set(id, setting);
  }
  const resolved: ResolvedRule[] = [];
  for (const rule of rules) {
    const s = settings.get(rule.id);
    const where = `rules.${rule.id}`;
    let sev: Severity | 'off' = rule.defaultSeverity;
    let options = rule.defaultOptions;
    if (typeof s === 'string') sev = level(s, where);
    else if (Array.isArray(s)) {
      if (s.length < 1 || s.length > 2) throw new LintConfigError(`${where}: expected [level] or [level, options]`);
      sev = level(s[0], where);
      options = ruleOptions(rule, s[1], where);
    } else if (s !== undefined) throw new LintConfigError(`${where}: expected a level or [level, options]`);
    if (sev !== 'off') resolved.push({ rule, severity: sev, options });
  }
  const allow = config.allowChains ?? [];
  if (!Array.isArray(allow) || !allow.every((x) => typeof x === 'string')) throw new LintConfigError('allowChains: expected a list of chain names or globs');
  return { rules: resolved, settings: { isAllowedChain: chainMatcher(allow) } };
}

/** Checks the shape of a parsed `chainsight.config.json`; `source` names the file in errors. */
export function parseLintConfig(json: unknown, source: string): LintConfig {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new LintConfigError(`${source}: expected a JSON object`);
  const known = new Set(['$schema', 'rules', 'allowChains']);
  for (const k of Object.keys(json)) if (!known.has(k)) throw new LintConfigError(`${source}: unknown key '${k}' (known: rules, allowChains)`);
  const o = json as { rules?: unknown; allowChains?: unknown };
  if (o.rules !== undefined && (typeof o.rules !== 'object' || o.rules === null || Array.isArray(o.rules))) {
    throw new LintConfigError(`${source}: 'rules' must be an object of rule id → level`);
  }
  if (o.allowChains !== undefined && (!Array.isArray(o.allowChains) || !o.allowChains.every((x) => typeof x === 'string'))) {
    throw new LintConfigError(`${source}: 'allowChains' must be a list of chain names or globs`);
  }
  return o as LintConfig;
}
