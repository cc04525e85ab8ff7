// diffNftRulesets (src/diff/): each case is an old and a new ruleset and the changes the diff must report, as the
// text renderNftDiff prints them (plain style), nothing else. The alignment is @chainsight/diff's, as the CLI
// passes it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// Relative: @chainsight/diff is not a dependency of this package (the CLI passes its `align` in).
import { align } from '@chainsight/diff';
import { diffNftRulesets, kubeRef, parseNft, renderNftDiff, ruleText, type NftDiffResult } from '../src/index';
import { sharedDir, sharedMissing } from '../../../test-support/shared';

const diff = (a: string, b: string): NftDiffResult => {
  const pa = parseNft(a, 'a.nft'), pb = parseNft(b, 'b.nft');
  expect([...pa.diagnostics, ...pb.diagnostics].filter((d) => d.severity === 'error')).toEqual([]);
  return diffNftRulesets(pa.ruleset, pb.ruleset, { align });
};
const text = (a: string, b: string) => renderNftDiff(diff(a, b), { before: 'a.nft', after: 'b.nft' });

const chain = (body: string, head = 'type filter hook input priority filter; policy accept;') => `table inet t {\n\tchain in {\n\t\t${head}\n${body}\t}\n}\n`;
const rules = (...rs: string[]) => rs.map((r) => `\t\t${r}\n`).join('');
const withSet = (els: string, type = 'ipv4_addr') => `table ip t {\n\tset s {\n\t\ttype ${type}\n\t\telements = { ${els} }\n\t}\n}\n`;

const cases: Array<[string, string, string, string]> = [
  ['the same ruleset', chain(rules('tcp dport 22 accept')), chain(rules('tcp dport 22 accept')), ''],
  ['handles and counter values are not changes',
    chain(rules('tcp dport 22 counter packets 1 bytes 60 accept # handle 4')),
    chain(rules('tcp dport 22 counter packets 900 bytes 5400 accept # handle 9')), ''],
  ['a rule added', chain(rules('tcp dport 22 accept')), chain(rules('tcp dport 22 accept', 'tcp dport 80 accept')),
    'table inet t\n  chain in:\n    + rule 2: tcp dport 80 accept (b.nft:5)\n'],
  ['a rule removed', chain(rules('tcp dport 22 accept', 'drop')), chain(rules('drop')),
    'table inet t\n  chain in:\n    - rule 1: tcp dport 22 accept (a.nft:4)\n'],
  ['a rule moved', chain(rules('tcp dport 22 accept', 'tcp dport 80 accept', 'tcp dport 443 accept')),
    chain(rules('tcp dport 80 accept', 'tcp dport 443 accept', 'tcp dport 22 accept')),
    'table inet t\n  chain in:\n    ~ rule moved 1 → 3: tcp dport 22 accept (a.nft:4) (b.nft:6)\n'],
  ['a base chain\'s policy and priority', chain(''), chain('', 'type filter hook input priority filter + 10; policy drop;'),
    'table inet t\n  chain in:\n    ~ priority: filter → filter + 10 (a.nft:2) (b.nft:2)\n    ~ policy: accept → drop (a.nft:2) (b.nft:2)\n'],
  ['a chain without policy accepts', chain(''), chain('', 'type filter hook input priority filter;'), ''],
  ['a base chain became a regular one', chain(''), 'table inet t {\n\tchain in {\n\t}\n}\n',
    'table inet t\n  chain in:\n    ~ base: base chain → regular chain (a.nft:2) (b.nft:2)\n'],
  ['chains added and removed', 'table inet t {\n\tchain a {\n\t\taccept\n\t}\n}\n', 'table inet t {\n\tchain b {\n\t}\n}\n',
    'table inet t\n  - chain a (1 rule) (a.nft:2)\n  + chain b (0 rules) (b.nft:2)\n'],
  ['tables of another family are other tables', 'table ip t {\n}\n', 'table ip6 t {\n\tchain c {\n\t\taccept\n\t}\n}\n',
    '- table ip t (0 chains, 0 rules) (a.nft:1)\n+ table ip6 t (1 chain, 1 rule) (b.nft:1)\n'],
  ['set elements added and removed, order ignored', withSet('10.0.0.1, 10.0.0.2'), withSet('10.0.0.3, 10.0.0.1'),
    'table ip t\n  elements of s:\n    - 10.0.0.2 (a.nft:4)\n    + 10.0.0.3 (b.nft:4)\n'],
  ['a set\'s type', withSet('1'), withSet('1', 'inet_service'),
    'table ip t\n  set s:\n    ~ type: ipv4_addr → inet_service (a.nft:2) (b.nft:2)\n'],
  ['a verdict map element changed', 'table ip t {\n\tmap m {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : accept }\n\t}\n}\n',
    'table ip t {\n\tmap m {\n\t\ttype inet_service : verdict\n\t\telements = { 22 : drop }\n\t}\n}\n',
    'table ip t\n  elements of m:\n    - 22 : accept (a.nft:4)\n    + 22 : drop (b.nft:4)\n'],
];

describe('diffNftRulesets', () => {
  it.each(cases)('%s', (_name, a, b, expected) => expect(text(a, b)).toBe(expected));
  it('identical means no change', () => expect(diff(chain(''), chain('')).identical).toBe(true));
});

describe('rule text and kube-proxy names', () => {
  const one = (r: string) => ruleText(parseNft(chain(rules(r)), 'x.nft').ruleset.tables.get('inet t')!.chains.get('in')!.rules[0]!);
  it.each([
    ['ip saddr 10.0.0.1 counter packets 5 bytes 300 drop # handle 7', 'ip saddr 10.0.0.1 counter drop'],
    ['tcp dport 22 accept comment "ssh"', 'tcp dport 22 accept comment "ssh"'],
  ])('%s', (r, t) => expect(one(r)).toBe(t));
  it.each([
    ['service-ULMVA6XW-ns1/svc1/tcp/p80', { service: 'ns1/svc1/tcp/p80' }],
    ['endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80', { service: 'ns1/svc1/tcp/p80', endpoint: '10.0.1.1/80' }],
    ['external-HVFWP5L3-ns5/svc5/tcp/p80', { service: 'ns5/svc5/tcp/p80' }],
    ['services', undefined],
    ['service-endpoints-check', undefined],
  ])('%s', (name, ref) => expect(kubeRef(name)).toEqual(ref));
});

// kube-proxy's own test sequence (TestSyncProxyRulesRepeated): consecutive states of one node, as nft listed them.
const kube = join(sharedDir, 'corpus-nft', 'kube-proxy');
const present = existsSync(kube);
if (!present) sharedMissing('the nftables corpus (corpus-nft/kube-proxy)');

describe.runIf(present)('corpus-nft: kube-proxy states diffed by service', () => {
  const read = (n: string) => readFileSync(join(kube, `proxier_test__TestSyncProxyRulesRepeated_${n}.list.nft`), 'utf8');
  it('svc2 deleted: its changes read as changes of ns2/svc2/tcp/p8080', () => {
    const r = diff(read('01-initial'), read('03-svc2-deleted-stale-chains'));
    expect(r.identical).toBe(false);
    const svc2 = r.services.find((s) => s.service === 'ns2/svc2/tcp/p8080');
    expect(svc2?.changes).toBeGreaterThan(0);
    expect(r.changes.filter((c) => c.kind === 'element-removed' && c.set === 'service-ips').map((c) => c.kube?.service)).toContain('ns2/svc2/tcp/p8080');
  });
  it('an endpoint changed: the service gains one endpoint and loses another', () => {
    const r = diff(read('05-svc4-without-endpoints'), read('07-endpoint-changed'));
    const changed = r.services.filter((s) => s.endpointsAdded.length && s.endpointsRemoved.length);
    expect(changed.length).toBeGreaterThan(0);
    for (const s of changed) expect(s.endpointsAdded).not.toEqual(s.endpointsRemoved);
  });
  it('a state diffed with itself is identical', () => expect(diff(read('07-endpoint-changed'), read('07-endpoint-changed')).identical).toBe(true));
});
