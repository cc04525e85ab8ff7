// Real snapshot pairs: kube-proxy's own test dumps (endpoints changing), Docker's bridge-driver goldens (one
// setting flipped), a Docker host against a kube-proxy node, hash reshuffles, generated clusters with churn,
// and every snapshot of the shared corpus against itself and against its canonical printing.
import { readFileSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, printSnapshot } from '@chainsight/grammar';
import { diffSnapshots, renderText, type Change, type ServiceEndpoints } from '../src/index';
// @ts-expect-error the generator is a plain JavaScript module without type declarations
import { buildModel, mutateServices, renderSnapshot } from '../../../bench/gen-kube-proxy.mjs';
import { sharedAvailable, sharedDir } from '../../../test-support/shared';
import { fixture, repoRoot, snapshot } from './helpers';

const KP = 'kube-proxy/TestEndpointSliceWithTerminatingEndpointsTrafficPolicyCluster--';
const read = (p: string) => readFileSync(resolve(repoRoot, 'fixtures/diff', p), 'utf8');
const unexplained = (changes: Change[]) => changes.filter((c) => c.explainedBy === undefined);

describe('kube-proxy: only endpoints changed', () => {
  it('reads as one service endpoint change that explains every raw change', () => {
    const r = diffSnapshots(fixture(KP + 'ready-endpoints-exist.iptables-save'), fixture(KP + 'only-terminating-endpoints.iptables-save'));
    const [svc, ...rest] = r.changes;
    expect(unexplained(r.changes)).toEqual([svc]);
    expect(svc).toMatchObject({
      kind: 'service-endpoints', table: 'nat', service: 'ns1/svc1', removed: ['10.0.1.1:80'], added: ['10.0.1.3:80'],
      chains: { before: ['KUBE-EXT-AQI2S6QIMU7PVVRP', 'KUBE-SVC-AQI2S6QIMU7PVVRP'], after: ['KUBE-EXT-AQI2S6QIMU7PVVRP', 'KUBE-SVC-AQI2S6QIMU7PVVRP'] },
      reach: { before: ['PREROUTING', 'OUTPUT'], after: ['PREROUTING', 'OUTPUT'] },
    });
    expect((svc as ServiceEndpoints).after.map((e) => `${e.address} ${e.chain}`)).toEqual([
      '10.0.1.2:80 KUBE-SEP-IO5XOSKPAXIFQXAJ', '10.0.1.3:80 KUBE-SEP-XGJFVO3L2O5SRFNT', '10.0.1.5:80 KUBE-SEP-EQCHZ7S2PJ72OHAY',
    ]);
    expect(rest.map((c) => `${c.kind} ${c.chain}`)).toEqual([
      'chain-added KUBE-SEP-XGJFVO3L2O5SRFNT',
      'rule-removed KUBE-SVC-AQI2S6QIMU7PVVRP',
      'rule-added KUBE-SVC-AQI2S6QIMU7PVVRP',
      'rule-modified KUBE-SVC-AQI2S6QIMU7PVVRP',
      'rule-modified KUBE-SVC-AQI2S6QIMU7PVVRP',
      'chain-removed KUBE-SEP-3JOIVZTXZZRGORX4',
    ]);
    expect(renderText(r)).toContain('service ns1/svc1: endpoints 10.0.1.1:80, 10.0.1.2:80, 10.0.1.5:80 → 10.0.1.2:80, 10.0.1.3:80, 10.0.1.5:80');
  });

  it('a service going from no endpoints to three explains its new chains, jumps and the REJECT that goes', () => {
    const r = diffSnapshots(fixture(KP + 'no-usable-endpoints.iptables-save'), fixture(KP + 'ready-endpoints-exist.iptables-save'));
    const svc = unexplained(r.changes);
    expect(svc).toHaveLength(1);
    expect(svc[0]).toMatchObject({ kind: 'service-endpoints', service: 'ns1/svc1', before: [], added: ['10.0.1.1:80', '10.0.1.2:80', '10.0.1.5:80'] });
    const explained = r.changes.filter((c) => c.explainedBy === svc[0]!.id).map((c) => `${c.table} ${c.kind} ${c.chain}`);
    expect(explained).toContain('filter rule-removed KUBE-EXTERNAL-SERVICES');
    expect(explained).toContain('nat chain-added KUBE-SVC-AQI2S6QIMU7PVVRP');
    expect(explained).toContain('nat rule-added KUBE-SERVICES');
  });
});

/** The same dump as another kube-proxy version would hash it: every hash suffix replaced. */
function rehash(text: string): string {
  return text.replace(/KUBE-(SVC|SEP|EXT|FW|SVL)-([A-Z2-7]{16})/g, (_m, kind: string, h: string) => `KUBE-${kind}-${[...h].reverse().join('')}`);
}

describe('kube-proxy: hash reshuffle', () => {
  it('pairs every renamed chain by service and endpoint; nothing else differs', () => {
    const text = read(KP + 'ready-endpoints-exist.iptables-save');
    const r = diffSnapshots(snapshot(text, 'before'), snapshot(rehash(text), 'after'));
    expect(r.changes.map((c) => (c.kind === 'chain-renamed' ? `${c.pairedBy} ${c.identity}` : c.kind))).toEqual([
      'service service ns1/svc1',
      'endpoint endpoint 10.0.1.1:80 of ns1/svc1',
      'endpoint endpoint 10.0.1.5:80 of ns1/svc1',
      'endpoint endpoint 10.0.1.2:80 of ns1/svc1',
      'service service ns1/svc1',
    ]);
  });

  it('with an endpoint change on top, reads as the endpoint change plus the renames', () => {
    const r = diffSnapshots(fixture(KP + 'ready-endpoints-exist.iptables-save'), snapshot(rehash(read(KP + 'only-terminating-endpoints.iptables-save')), 'after'));
    const shown = unexplained(r.changes).map((c) => c.kind);
    expect(shown).toEqual(['service-endpoints', 'chain-renamed', 'chain-renamed', 'chain-renamed', 'chain-renamed']);
    expect(r.changes[0]).toMatchObject({ removed: ['10.0.1.1:80'], added: ['10.0.1.3:80'] });
  });
});

describe('Docker', () => {
  it('hairpin off → on: the rules that differ, in built-in and DOCKER chains', () => {
    const r = diffSnapshots(
      fixture('moby/hairpin-false_internal-false_icc-true_masq-true_snat-true_gwm-nat-unprotected_bindlh-false.v4.save'),
      fixture('moby/hairpin-true_internal-false_icc-true_masq-true_snat-true_gwm-nat-unprotected_bindlh-false.v4.save'),
    );
    expect(r.changes.map((c) => `${c.kind} ${c.table} ${c.chain} ${c.kind === 'rule-modified' ? c.options.map((o) => `${o.option} ${o.before}→${o.after}`).join() : ''}`.trim())).toEqual([
      'rule-modified nat OUTPUT -d ! 127.0.0.0/8→null',
      'rule-added nat POSTROUTING',
      'rule-added nat POSTROUTING',
      'rule-modified nat DOCKER -i ! br-dummy→null',
    ]);
  });

  it('a Docker host against a kube-proxy node: chains only on each side per table, built-ins compared rule by rule', () => {
    const r = diffSnapshots(
      fixture('moby/hairpin-true_internal-false_icc-true_masq-true_snat-true_gwm-nat-unprotected_bindlh-false.v4.save'),
      fixture('kube-proxy/TestOverallIPTablesRules.iptables-save'),
    );
    const only = (kind: string, table: string) => r.changes.filter((c) => c.kind === kind && c.table === table && c.explainedBy === undefined).map((c) => c.chain);
    expect(only('chain-removed', 'filter')).toEqual(['DOCKER', 'DOCKER-BRIDGE', 'DOCKER-CT', 'DOCKER-FORWARD', 'DOCKER-INTERNAL']);
    expect(only('chain-added', 'filter')).toEqual(['KUBE-EXTERNAL-SERVICES', 'KUBE-FIREWALL', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-SERVICES']);
    expect(only('chain-removed', 'nat')).toEqual(['DOCKER']);
    expect(only('chain-added', 'nat')).toEqual(['KUBE-MARK-MASQ', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-SERVICES']);
    expect(r.changes.find((c) => c.kind === 'table-removed')?.table).toBe('raw');
    const builtins = new Set(['INPUT', 'FORWARD', 'OUTPUT', 'PREROUTING', 'POSTROUTING']);
    const ruleChanges = r.changes.filter((c) => c.kind.startsWith('rule-') && c.explainedBy === undefined);
    expect(ruleChanges.length).toBeGreaterThan(0);
    expect(ruleChanges.filter((c) => !builtins.has(c.chain!))).toEqual([]);
    // The kube-proxy services are summarised, their chains folded under them.
    expect(r.changes.filter((c) => c.kind === 'service-added').map((c) => c.kind === 'service-added' && c.service).sort()).toEqual([
      'ns1/svc1:p80', 'ns2/svc2:p80', 'ns3/svc3:p80', 'ns4/svc4:p80', 'ns5/svc5:p80', 'ns6/svc6:p80',
    ]);
    const text = renderText(r);
    expect(text).toContain('chains only in moby/hairpin-true_internal-false_icc-true_masq-true_snat-true_gwm-nat-unprotected_bindlh-false.v4.save (5):');
    expect(text).toContain('chains only in kube-proxy/TestOverallIPTablesRules.iptables-save (6):');
  });
});

describe('generated kube-proxy clusters with endpoint churn', () => {
  it.each([[300, 0.05, 3], [500, 0.02, 9]])('%i services, churn %f (seed %i): one change per changed service port, everything else explained', (services, churn, churnSeed) => {
    const model = buildModel({ services, seed: 1 });
    const churned = mutateServices(model, churn, churnSeed);
    const r = diffSnapshots(snapshot(renderSnapshot(model).text, 'before'), snapshot(renderSnapshot(churned).text, 'after'));
    const shown = unexplained(r.changes);
    expect(shown.every((c) => c.kind === 'service-endpoints')).toBe(true);
    const changed = new Set((churned.changed as { service: string }[]).map((c) => c.service));
    expect(new Set(shown.map((c) => (c as ServiceEndpoints).service.replace(/:.*/, '')))).toEqual(changed);
  });
});

// describe.runIf still runs the body when it skips: the corpus is listed only when it is there.
const corpus = sharedAvailable('the shared corpus (snapshot pairs)');
describe.runIf(corpus)('shared corpus (skipped when ../shared is absent)', () => {
  const dirs = ['kube-proxy', 'moby/iptabler-golden', 'moby/iptablesdoc', 'calico', 'ufw', 'libvirt', 'flannel', 'cilium'];
  const files = !corpus ? [] : dirs.flatMap((d) => readdirSync(resolve(sharedDir, 'corpus', d))
    .filter((f) => /\.(save|iptables-save|rules)$/.test(f) || f.endsWith('.v4.save') || f.endsWith('.v6.save'))
    .map((f) => `${d}/${f}`));
  it('finds snapshots to compare', () => expect(files.length).toBeGreaterThan(50));
  it('every snapshot equals itself and its canonical printing', () => {
    for (const f of files) {
      const text = readFileSync(resolve(sharedDir, 'corpus', f), 'utf8');
      const a = parseSnapshot(text, { fileName: f }).snapshot;
      const b = parseSnapshot(text, { fileName: f }).snapshot;
      const printed = parseSnapshot(printSnapshot(a), { fileName: 'printed', family: a.family }).snapshot;
      expect(diffSnapshots(a, b).changes, f).toEqual([]);
      expect(diffSnapshots(a, printed).changes, f).toEqual([]);
    }
  });
});
