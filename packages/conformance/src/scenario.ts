// A conformance scenario: a folder `fixtures/conformance/<name>/` with
//   flows.json      { description, sources?, backends?, flows: [...] }
//   iptables-save   the rules (or `sources.iptables` pointing elsewhere)
//   ebtables-save   optional bridge rules (or `sources.ebtables`)
//   host.json       the host context (or `sources.hostContext`)
// A source written `shared:<path>` lives in the shared data folder beside the repository (the seed Docker host
// has no stated licence, so it is referenced, never copied). This file parses flows.json; load.ts reads folders.
import { isKnownDivergence } from './divergences.js';
import type { Flow } from './flows.js';
import type { FlowProto } from './kernel-types.js';
import type { Backend } from './simulate.js';

export interface ScenarioSources {
  iptables: string;
  ebtables?: string;
  hostContext: string;
}

export interface ScenarioDefinition {
  description: string;
  sources: ScenarioSources;
  /** Backends to run the kernel with; default both. Legacy runs skip the ebtables rules (no legacy ebtables in
   *  this kernel): the simulator then gets no ebtables snapshot either. */
  backends: Backend[];
  flows: Flow[];
}

export interface Scenario extends ScenarioDefinition {
  name: string;
  iptablesSave: string;
  ebtablesSave?: string;
  /** `ipset-save` in the folder: the host's ipsets. */
  ipsetSave?: string;
  hostJson: string;
}

const PROTOS: readonly FlowProto[] = ['icmp', 'tcp', 'udp'];
const FLOW_KEYS = new Set(['name', 'from', 'to', 'proto', 'dport', 'sport', 'expectReply', 'count', 'tcpFlags', 'icmpType', 'note', 'divergence']);

function fail(file: string, message: string): never {
  throw new Error(`${file}: ${message}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** flows.json → a definition, with every mistake named (unknown keys too: a typo must not silently drop a field). */
export function parseScenarioDefinition(text: string, file = 'flows.json'): ScenarioDefinition {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(file, `not JSON: ${(e as Error).message}`);
  }
  if (!isObject(json)) fail(file, 'expected an object');
  for (const k of Object.keys(json)) if (!['description', 'sources', 'backends', 'flows'].includes(k)) fail(file, `unknown key '${k}'`);
  const description = typeof json.description === 'string' ? json.description : fail(file, "'description' must be a string");
  const src = json.sources === undefined ? {} : json.sources;
  if (!isObject(src)) fail(file, "'sources' must be an object");
  for (const k of Object.keys(src)) if (!['iptables', 'ebtables', 'hostContext'].includes(k) || typeof src[k] !== 'string') fail(file, `bad source '${k}'`);
  const sources: ScenarioSources = {
    iptables: (src.iptables as string | undefined) ?? 'iptables-save',
    hostContext: (src.hostContext as string | undefined) ?? 'host.json',
  };
  if (src.ebtables !== undefined) sources.ebtables = src.ebtables as string;
  const backends = json.backends ?? ['nft', 'legacy'];
  if (!Array.isArray(backends) || backends.length === 0 || backends.some((b) => b !== 'nft' && b !== 'legacy')) fail(file, "'backends' must list 'nft' and/or 'legacy'");
  if (!Array.isArray(json.flows) || json.flows.length === 0) fail(file, "'flows' must be a non-empty array");
  const names = new Set<string>();
  const flows = json.flows.map((f, i): Flow => {
    const where = `flow ${i + 1}`;
    if (!isObject(f)) fail(file, `${where}: expected an object`);
    for (const k of Object.keys(f)) if (!FLOW_KEYS.has(k)) fail(file, `${where}: unknown key '${k}'`);
    const str = (k: string): string => (typeof f[k] === 'string' && f[k] !== '' ? (f[k] as string) : fail(file, `${where}: '${k}' must be a non-empty string`));
    const num = (k: string): number | undefined => {
      if (f[k] === undefined) return undefined;
      return Number.isInteger(f[k]) ? (f[k] as number) : fail(file, `${where}: '${k}' must be an integer`);
    };
    const name = str('name');
    if (names.has(name)) fail(file, `flow name '${name}' is used twice`);
    names.add(name);
    const proto = str('proto') as FlowProto;
    if (!PROTOS.includes(proto)) fail(file, `${where}: proto must be icmp, tcp or udp`);
    const flow: Flow = { name, from: str('from'), to: str('to'), proto };
    const dport = num('dport');
    if (proto !== 'icmp' && dport === undefined) fail(file, `${where}: a ${proto} flow needs a dport`);
    if (dport !== undefined) flow.dport = dport;
    const sport = num('sport');
    if (sport !== undefined) flow.sport = sport;
    const count = num('count');
    if (count !== undefined) flow.count = count;
    const icmpType = num('icmpType');
    if (icmpType !== undefined) flow.icmpType = icmpType;
    if (f.expectReply !== undefined) flow.expectReply = f.expectReply === true;
    if (f.tcpFlags !== undefined) flow.tcpFlags = str('tcpFlags');
    if (f.note !== undefined) flow.note = str('note');
    if (f.divergence !== undefined) {
      const id = str('divergence');
      if (!isKnownDivergence(id)) fail(file, `${where}: '${id}' is not a known divergence (src/divergences.ts)`);
      flow.divergence = id;
    }
    return flow;
  });
  return { description, sources, backends: backends as Backend[], flows };
}

/** ebtables-nft cannot load a broute table (kernel-lab README; docs/netfilter.md §ebtables-targets): both sides get the
 *  rules without it, and the report says so. */
export function withoutBroute(text: string): { text: string; removed: boolean } {
  let skip = false;
  let removed = false;
  const lines = text.split('\n').filter((line) => {
    if (line.startsWith('*')) {
      skip = line.trim() === '*broute';
      removed ||= skip;
    }
    return !skip;
  });
  return { text: lines.join('\n'), removed };
}

/** The rules each side gets for this backend (identical for both sides). */
export function rulesFor(scenario: Scenario, backend: Backend): { iptablesSave: string; ebtablesSave?: string; notes: string[] } {
  const notes: string[] = [];
  if (scenario.ebtablesSave === undefined) return { iptablesSave: scenario.iptablesSave, notes };
  if (backend === 'legacy') {
    notes.push('ebtables rules not loaded: this kernel has no legacy ebtables tables (simulated without them too)');
    return { iptablesSave: scenario.iptablesSave, notes };
  }
  const eb = withoutBroute(scenario.ebtablesSave);
  if (eb.removed) notes.push('ebtables broute table left out: ebtables-nft cannot load it (simulated without it too)');
  return { iptablesSave: scenario.iptablesSave, ebtablesSave: eb.text, notes };
}
