// The trace report drawn from `--format json` documents of the repository's fixtures: the lit path is the JSON's
// steps, the banner states the verdict and MASQUERADE, NAT is a badge where the tuple changed, forks can be
// chosen, a conversation is one section per packet.
import { describe, expect, it } from 'vitest';
import { renderTraceReport, stepRow, visitsOf } from '../src/index';
import { toTraceJson, trace } from '@chainsight/trace';
import { compile, conversationFixture, domSteps, traceFixture } from './traces';

const client = { from: 'client', dst: '198.51.100.10', proto: 'tcp', dport: 8080 } as const;
const worker = { from: 'worker', dst: '203.0.113.7', proto: 'tcp', dport: 443 } as const;

describe.each([
  { what: 'a published port (DNAT to the web container)', spec: client, verdict: 'forwarded', masquerade: 'MASQUERADE:</strong> no', badge: 'dst 198.51.100.10 → 172.17.0.2' },
  { what: 'a container going out (MASQUERADE)', spec: worker, verdict: 'forwarded', masquerade: 'MASQUERADE:</strong> yes (nat POSTROUTING rule', badge: 'src 172.17.0.3 → 198.51.100.10' },
])('docker-host: $what', ({ spec, verdict, masquerade, badge }) => {
  const { json, sources } = traceFixture('docker-host', spec);
  const html = renderTraceReport(json, { sources });
  const o = json.outcomes[0]!;

  it('lists the JSON steps in order, each with its hook, table, chain and rule', () => {
    expect(domSteps(html, 1, 1)).toEqual(o.steps.map((s, i) => ({
      step: String(i + 1), family: s.family, hook: s.hook, table: s.table, chain: s.chain, rule: s.rule === null ? '' : String(s.rule), type: s.type,
    })));
  });

  it('lights one diagram row per visit, numbered with the steps made there', () => {
    const lit = [...html.matchAll(/<rect class="lit" data-box="([^"]+)" data-steps="([^"]+)"/g)].map((m) => ({ key: m[1], steps: m[2] }));
    const expected = new Map<string, number[]>();
    for (const v of visitsOf(o.steps)) expected.set(v.key, [...(expected.get(v.key) ?? []), ...v.steps]);
    expect(lit).toEqual([...expected].map(([key, steps]) => ({ key, steps: steps.join(' ') })));
    // Every lit row is a row of the diagram.
    for (const { key } of lit) expect(html).toContain(`<rect class="row" data-box="${key}"`);
  });

  it('opens each step to the rule text at its file:line', () => {
    const s = o.steps[0]!;
    const line = sources.get(s.file)!.split('\n')[s.line! - 1]!;
    expect(html).toContain(`<code>${line}</code>`);
    expect(html).toContain(`<code class="file">${s.file}:${s.line}</code>`);
  });

  it('states the verdict and MASQUERADE in the banner, and NAT as a badge where the address changed', () => {
    expect(o.verdict).toBe(verdict);
    expect(html).toMatch(/<div class="banner ok" role="status">\n<p class="verdict">.*Verdict:/);
    expect(html).toContain(masquerade);
    expect(html).toContain(`<text x="`);
    expect(html).toMatch(new RegExp(`class="nat-badge"[^>]*>.*${badge}`));
  });

  it('is self-contained: no script, nothing fetched', () => {
    expect(html).not.toMatch(/<script|<link|<img|@import|url\((?!#)/i);
    expect(html).toContain(`Content-Security-Policy" content="default-src 'none'`);
  });
});

describe('a conversation (--then): one lit diagram per packet', () => {
  const { json, sources } = conversationFixture('docker-host', client, [{ direction: 'reply' }]);
  const html = renderTraceReport(json, { sources });

  it.each(json.conversation.map((p, i) => [i + 1, p] as const))('packet %i lists its own steps', (n, p) => {
    expect(domSteps(html, n, 1).map((s) => `${s.table} ${s.chain} ${s.rule}`)).toEqual(p.outcomes[0]!.steps.map((s) => `${s.table} ${s.chain} ${s.rule ?? ''}`));
    expect(html).toContain(`<section class="packet" id="p-${n}"`);
  });

  it('the reply is drawn un-NATed back to the published address', () => {
    expect(html).toContain('src 172.17.0.2 → 198.51.100.10');
  });
});

describe('a forked trace: each outcome can be chosen, with its probability and assumptions', () => {
  const rules = {
    file: 'lb.save',
    text: `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 192.0.2.10/32 -p tcp -m statistic --mode random --probability 0.25 -j DNAT --to-destination 10.0.0.1:80
-A PREROUTING -d 192.0.2.10/32 -p tcp -j DNAT --to-destination 10.0.0.2:80
COMMIT
`,
  };
  // 192.0.2.10 is this host's address (given, so that is not a fork of its own).
  const { compiled } = compile(rules, null, { localAddresses: ['192.0.2.10'] });
  const json = toTraceJson(trace(compiled, { in: 'eth0', src: '203.0.113.5', dst: '192.0.2.10', proto: 'tcp', dport: 80 }));
  const html = renderTraceReport(json, { sources: new Map([[rules.file, rules.text]]) });

  it('offers one radio button per outcome, labelled with its probability', () => {
    expect(json.outcomes.length).toBe(2);
    const radios = [...html.matchAll(/<input type="radio" name="p-1-outcome" id="p-1-pick-(\d)" value="(\d)"( checked)?><label for="p-1-pick-\d"><span class="p">p=([\d.]+)<\/span>/g)];
    expect(radios.map((r) => [r[2], r[4]])).toEqual(json.outcomes.map((o, i) => [String(i + 1), String(Math.round(o.probability * 1000) / 1000)]));
    expect(radios[0]![3]).toBe(' checked');
  });

  it('draws every outcome\'s path and shows the chosen one through CSS (no script)', () => {
    // Each outcome has two groups: its line under the cards, its rows and badges over them.
    expect(html.match(/<g class="path" data-o="\d">/g)).toEqual(['1', '2', '1', '2'].map((k) => `<g class="path" data-o="${k}">`));
    expect(html).toContain('.packet:has(.pick input[value="2"]:checked) g.path[data-o="2"]{display:inline}');
    expect(domSteps(html, 1, 2)).toHaveLength(json.outcomes[1]!.steps.length);
  });

  it('lights every step of a row the diagram has (none is left off the picture)', () => {
    for (const o of json.outcomes) for (const s of o.steps) expect(html).toContain(`data-box="${stepRow(s)}"`);
  });
});

