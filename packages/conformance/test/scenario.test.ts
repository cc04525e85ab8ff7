// Scenario definitions (flows.json): every mistake is named, and the committed scenarios are consistent — their
// flows name endpoints the host context has, their rules parse, their divergences are documented.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_DIVERGENCES } from '../src/divergences';
import { scenarioNames } from '../src/load';
import { parseScenarioDefinition, rulesFor, withoutBroute } from '../src/scenario';
import { createSimulator } from '../src/simulate';
import { scenarioOrSkip } from './helpers';
import { fixturesDir, repoRoot } from './paths';

const flow = (extra: Record<string, unknown>) => JSON.stringify({ description: 'd', flows: [{ name: 'a', from: 'c1', to: 'c2', proto: 'icmp', ...extra }] });

describe('parseScenarioDefinition', () => {
  it('defaults: the folder\'s files, both backends', () => {
    expect(parseScenarioDefinition(flow({}))).toEqual({
      description: 'd',
      sources: { iptables: 'iptables-save', hostContext: 'host.json' },
      backends: ['nft', 'legacy'],
      flows: [{ name: 'a', from: 'c1', to: 'c2', proto: 'icmp' }],
    });
  });

  it.each([
    ['not JSON', '{', /flows\.json: not JSON/],
    ['an unknown top-level key', JSON.stringify({ description: 'd', flow: [] }), /unknown key 'flow'/],
    ['no flows', JSON.stringify({ description: 'd', flows: [] }), /'flows' must be a non-empty array/],
    ['a bad backend', JSON.stringify({ description: 'd', backends: ['iptables'], flows: [{}] }), /'backends' must list/],
    ['a typo in a flow', flow({ dprot: 80 }), /flow 1: unknown key 'dprot'/],
    ['a tcp flow without a port', flow({ proto: 'tcp' }), /flow 1: a tcp flow needs a dport/],
    ['a bad protocol', flow({ proto: 'sctp' }), /proto must be icmp, tcp or udp/],
    ['a port that is not an integer', flow({ proto: 'udp', dport: '53' }), /'dport' must be an integer/],
    ['an unknown divergence', flow({ divergence: 'nat-is-hard' }), /'nat-is-hard' is not a known divergence/],
    ['two flows with one name', JSON.stringify({ description: 'd', flows: [{ name: 'a', from: 'x', to: 'y', proto: 'icmp' }, { name: 'a', from: 'x', to: 'y', proto: 'icmp' }] }), /flow name 'a' is used twice/],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseScenarioDefinition(text)).toThrow(message);
  });
});

describe('withoutBroute and rulesFor', () => {
  const eb = '*nat\n:PREROUTING ACCEPT\n*broute\n:BROUTING ACCEPT\n-A BROUTING -j ACCEPT\n*filter\n:INPUT ACCEPT\n';
  it('drops the broute table only', () => {
    expect(withoutBroute(eb)).toEqual({ text: '*nat\n:PREROUTING ACCEPT\n*filter\n:INPUT ACCEPT\n', removed: true });
    expect(withoutBroute('*filter\n').removed).toBe(false);
  });
  it('legacy runs get no ebtables rules, nft runs get them without broute; both sides the same', () => {
    const s = { name: 's', description: '', sources: { iptables: '', hostContext: '' }, backends: ['nft' as const], flows: [], iptablesSave: '*filter\nCOMMIT\n', ebtablesSave: eb, hostJson: '{}' };
    expect(rulesFor(s, 'legacy')).toEqual({ iptablesSave: '*filter\nCOMMIT\n', notes: [expect.stringContaining('no legacy ebtables')] });
    expect(rulesFor(s, 'nft')).toEqual({ iptablesSave: '*filter\nCOMMIT\n', ebtablesSave: '*nat\n:PREROUTING ACCEPT\n*filter\n:INPUT ACCEPT\n', notes: [expect.stringContaining('broute')] });
  });
});

describe.each(scenarioNames(fixturesDir))('scenario %s', (name) => {
  const s = scenarioOrSkip(name);
  if (s === null) return;
  const host = JSON.parse(s.hostJson) as { neighbors?: { name?: string }[] };
  const names = new Set((host.neighbors ?? []).map((n) => n.name));

  it('names endpoints the host context has (a neighbour, host, or an address)', () => {
    const bad = s.flows.flatMap((f) => [f.from, f.to]).filter((e) => e !== 'host' && !names.has(e) && !/^\d+\.\d+\.\d+\.\d+$/.test(e));
    expect(bad).toEqual([]);
  });

  it('has rules both parsers take, for every backend it runs with', () => {
    for (const b of s.backends) {
      const rules = rulesFor(s, b);
      expect(() => createSimulator({ iptablesSave: rules.iptablesSave, hostJson: s.hostJson, backend: b, ...(rules.ebtablesSave !== undefined ? { ebtablesSave: rules.ebtablesSave } : {}) })).not.toThrow();
    }
  });

  it('documents every divergence it shows', () => {
    const doc = readFileSync(path.join(repoRoot, 'docs', 'divergences.md'), 'utf8');
    for (const f of s.flows.filter((x) => x.divergence !== undefined)) expect(doc, f.divergence).toContain(`## ${f.divergence}`);
  });
});

it('every known divergence has its section in docs/divergences.md', () => {
  const doc = readFileSync(path.join(repoRoot, 'docs', 'divergences.md'), 'utf8');
  expect(Object.keys(KNOWN_DIVERGENCES).filter((id) => !doc.includes(`## ${id}`))).toEqual([]);
});

it('copied rules carry their attribution', () => {
  const attribution = readFileSync(path.join(fixturesDir, 'kube-proxy', 'ATTRIBUTION.md'), 'utf8');
  expect(attribution).toMatch(/Apache License, Version 2\.0/);
  expect(readFileSync(path.join(fixturesDir, 'kube-proxy', 'iptables-save'), 'utf8')).toContain('KUBE-SERVICES');
});
