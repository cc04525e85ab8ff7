// Every string from the input is text on the page, never markup: a chain name, a comment and a file name that
// carry `<script>` and quotes (a chain name cannot hold a quote: iptables-save's quoting takes it) come out escaped in the trace and lint reports.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { lint } from '@chainsight/analyzer';
import { toTraceJson, trace } from '@chainsight/trace';
import { esc, renderLintReport, renderTraceReport, type LintJson } from '../src/index';
import { compile } from './traces';

const FILE = 'x"><script>alert(1)</script>.save';
const TEXT = `*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:<script>x - [0:0]
:<b>unused</b> - [0:0]
-A INPUT -p tcp -m comment --comment "<script>alert('1')</script> \\"q\\"" -j <script>x
-A <script>x -p tcp --dport 22 -j DROP
COMMIT
`;

describe.each([
  { input: '<script>', output: '&lt;script&gt;' },
  { input: 'a "quoted" \'word\'', output: 'a &quot;quoted&quot; &#39;word&#39;' },
  { input: 'R&D', output: 'R&amp;D' },
  // Terminal escapes and bidi overrides ("Trojan Source") are shown, not obeyed.
  { input: '\x1b]0;pwned\x07', output: '\\x1b]0;pwned\\x07' },
  { input: 'ACCEPT \u202e', output: 'ACCEPT \\u{202e}' },
])('esc($input)', ({ input, output }) => {
  it(`is ${output}`, () => expect(esc(input)).toBe(output));
});

describe('hostile names in a report', () => {
  const parsed = parseSnapshot(TEXT, { fileName: FILE });
  const { compiled } = compile({ file: FILE, text: TEXT }, null, { localAddresses: ['192.0.2.2'] });
  const json = toTraceJson(trace(compiled, { in: 'eth0', src: '192.0.2.1', dst: '192.0.2.2', proto: 'tcp', dport: 22 }));
  const traceHtml = renderTraceReport(json, { sources: new Map([[FILE, TEXT]]) });
  const diagnostics = lint(parsed.snapshot);
  const lintDoc: LintJson = { schema: 'chainsight.lint/1', assumptions: [], files: [{ file: FILE, diagnostics }], summary: { errors: 0, warnings: diagnostics.length, infos: 0 } };
  const lintHtml = renderLintReport(lintDoc, { sources: new Map([[FILE, TEXT]]), locate: () => ({ table: 'filter', chain: '<script>x' }) });

  it('the trace really went through the hostile chain', () => {
    expect(json.outcomes[0]!.steps.map((s) => s.chain)).toContain('<script>x');
    expect(diagnostics.length).toBeGreaterThan(0);
  });

  it.each([['trace', traceHtml], ['lint', lintHtml]])('the %s report has no markup from the input', (_what, html) => {
    expect(html).not.toMatch(/<script|<b>/i);
    expect(html).toContain('&lt;script&gt;x</span>');
    expect(html).toContain('x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;.save');
  });

  it('the comment is shown, escaped, in the step\'s rule text', () => {
    expect(traceHtml).toContain('--comment &quot;&lt;script&gt;alert(&#39;1&#39;)&lt;/script&gt; \\&quot;q\\&quot;&quot;');
  });
});
