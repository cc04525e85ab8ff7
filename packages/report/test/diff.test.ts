// The diff report of the documented example (docs/diff-json.md): every rule-level change, its two sides told
// apart by markup (struck / underlined), the options that differ.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { diffSnapshots } from '@chainsight/diff';
import { renderDiffReport } from '../src/index';

const before = parseSnapshot('*filter\n:INPUT ACCEPT [0:0]\n:SSH - [0:0]\n-A INPUT -p tcp -m tcp --dport 22 -j SSH\n-A SSH -s 192.0.2.0/24 -j ACCEPT\nCOMMIT\n', { fileName: 'before.rules' }).snapshot;
const after = parseSnapshot('*filter\n:INPUT DROP [0:0]\n:SSH - [0:0]\n-A INPUT -p tcp -m tcp --dport 2222 -j SSH\n-A SSH -s 192.0.2.0/24 -j ACCEPT\n-A SSH -j LOG --log-prefix "<b>x</b>"\nCOMMIT\n', { fileName: 'after.rules' }).snapshot;
// Through JSON, as the CLI passes it: counters are strings there.
const result = JSON.parse(JSON.stringify(diffSnapshots(before, after, { ignoreCounters: true }), (_k, v) => (typeof v === 'bigint' ? String(v) : v)));
const html = renderDiffReport(result);

describe('diff report of docs/diff-json.md\'s example', () => {
  const rows: [number, string][] = result.changes.map((c: { id: number; kind: string }) => [c.id, c.kind]);
  it.each(rows)('shows change %i (%s) as a row', (id, kind) => {
    expect(html).toContain(`<tr class="change" id="change-${id}" data-kind="${kind}">`);
  });

  it('strikes the before side and underlines the after side', () => {
    expect(html).toContain('<del>ACCEPT</del> → <ins>DROP</ins>');
    expect(html).toContain('<code>-m tcp --dport</code>: <del>22</del> → <ins>2222</ins>');
  });

  it('escapes the rule text', () => {
    expect(html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(html).not.toContain('<b>x');
  });
});
