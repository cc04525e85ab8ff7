// Reading scenario folders from disk (the rest of the package works on strings). `shared:` sources live in the
// shared data folder beside the repository; when it is absent the scenario is reported missing, and the suite
// decides what that means (a loud skip, or a failure under CI=true).
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseScenarioDefinition, type Scenario } from './scenario.js';

export type LoadedScenario = { ok: true; scenario: Scenario } | { ok: false; name: string; missing: string[] };

export interface ScenarioRoots {
  /** The folder holding one folder per scenario (fixtures/conformance). */
  fixtures: string;
  /** The shared data folder (`shared:` sources). */
  shared: string;
}

function resolveSource(source: string, dir: string, roots: ScenarioRoots): string {
  return source.startsWith('shared:') ? path.join(roots.shared, source.slice('shared:'.length)) : path.resolve(dir, source);
}

export function loadScenario(name: string, roots: ScenarioRoots): LoadedScenario {
  const dir = path.join(roots.fixtures, name);
  const flowsFile = path.join(dir, 'flows.json');
  const def = parseScenarioDefinition(readFileSync(flowsFile, 'utf8'), path.relative(roots.fixtures, flowsFile));
  // An ebtables-save file in the folder is used without being named in `sources`.
  const ebtables = def.sources.ebtables ?? (existsSync(path.join(dir, 'ebtables-save')) ? 'ebtables-save' : undefined);
  const files = {
    iptables: resolveSource(def.sources.iptables, dir, roots),
    hostContext: resolveSource(def.sources.hostContext, dir, roots),
    ...(ebtables !== undefined ? { ebtables: resolveSource(ebtables, dir, roots) } : {}),
  };
  const missing = Object.values(files).filter((f) => !existsSync(f));
  if (missing.length) return { ok: false, name, missing };
  const scenario: Scenario = {
    ...def,
    name,
    iptablesSave: readFileSync(files.iptables, 'utf8'),
    hostJson: readFileSync(files.hostContext, 'utf8'),
  };
  if (files.ebtables !== undefined) scenario.ebtablesSave = readFileSync(files.ebtables, 'utf8');
  if (existsSync(path.join(dir, 'ipset-save'))) scenario.ipsetSave = readFileSync(path.join(dir, 'ipset-save'), 'utf8');
  return { ok: true, scenario };
}

/** Every scenario folder (one with a flows.json), sorted. */
export function scenarioNames(fixtures: string): string[] {
  return readdirSync(fixtures)
    .filter((n) => statSync(path.join(fixtures, n)).isDirectory() && existsSync(path.join(fixtures, n, 'flows.json')))
    .sort();
}
