// The lint report: the findings of `lint --format json` (schema chainsight.lint/1, docs/lint-json.md) grouped by
// rule, each with its code frame and related locations, an index of the same findings by table and chain, and
// severity filters (checkboxes; CSS `:has()` hides what is unchecked, no script).
import { codeFrame, type Diagnostic, type Severity } from '@chainsight/grammar';
import { attr, esc, idOf, page } from './html';
import { SourceLines, type Sources } from './source';

export interface LintJson {
  schema: 'chainsight.lint/1';
  assumptions: string[];
  files: { file: string; section?: string; diagnostics: Diagnostic[] }[];
  summary: { errors: number; warnings: number; infos: number };
}

export interface LintReportOptions {
  sources?: Sources;
  /** The table and chain a line of a file belongs to (from the parsed snapshot), for the by-chain index. */
  locate?: (file: string, line: number) => { table: string; chain: string } | null;
  /** One line per rule id (`no-unreachable-rule`), shown as the group's heading. */
  ruleDescriptions?: ReadonlyMap<string, string>;
  command?: string;
}

const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];
const SEVERITY_WORD = new Map<Severity, string>([['error', 'errors'], ['warning', 'warnings'], ['info', 'notes']]);

interface Found { d: Diagnostic; n: number; file: string; section: string | undefined }

function frame(src: SourceLines, d: Diagnostic, file: string, span: Diagnostic['span']): string {
  const text = src.text(file);
  if (text === undefined) return '';
  return `<pre class="frame"><code>${esc(codeFrame(text, { ...d, file, span }, 1))}</code></pre>`;
}

function finding(f: Found, src: SourceLines, locate: LintReportOptions['locate']): string {
  const { d } = f;
  const at = `${d.file}:${d.span.start.line}:${d.span.start.column}`;
  const where = locate?.(d.file, d.span.start.line);
  const related = (d.related ?? []).map((r) => `<li class="related"><span class="label">related</span> <code>${esc(`${r.file}:${r.span.start.line}:${r.span.start.column}`)}</code> ${esc(r.message)}${frame(src, d, r.file, r.span)}</li>`).join('');
  return `<article class="finding ${d.severity}" id="${idOf('f', f.n)}"${attr('data-severity', d.severity)}${attr('data-code', d.code)}>
<p><span class="sev ${d.severity}">${d.severity}</span> <code>${esc(at)}</code>${where ? ` <span class="chain">${esc(`${where.table} ${where.chain}`)}</span>` : ''}${f.section ? ` <span class="label">section ${esc(f.section)}</span>` : ''}</p>
<p class="message">${esc(d.message)} <span class="code">[${esc(d.code)}]</span></p>
${frame(src, d, d.file, d.span)}${d.hint ? `<p class="hint"><span class="label">hint</span> ${esc(d.hint)}</p>` : ''}${related ? `<ul class="related-list">${related}</ul>` : ''}
</article>`;
}

export function renderLintReport(doc: LintJson, options: LintReportOptions = {}): string {
  const src = new SourceLines(options.sources);
  const all: Found[] = [];
  for (const f of doc.files) for (const d of f.diagnostics) all.push({ d, n: all.length + 1, file: f.file, section: f.section });
  const byCode = new Map<string, Found[]>();
  for (const f of all) byCode.set(f.d.code, [...(byCode.get(f.d.code) ?? []), f]);
  const byChain = new Map<string, Found[]>();
  for (const f of all) {
    const w = options.locate?.(f.d.file, f.d.span.start.line);
    const key = w ? `${f.d.file}\u0000${w.table}\u0000${w.chain}` : `${f.d.file}\u0000\u0000`;
    byChain.set(key, [...(byChain.get(key) ?? []), f]);
  }
  const files = doc.files.map((f) => f.file + (f.section ? ` (${f.section})` : ''));
  const title = `chainsight lint: ${[...new Set(files)].join(', ')}`;
  const s = doc.summary;
  const body: string[] = [];
  body.push(`<header><h1>${esc(title)}</h1>${options.command ? `<p class="command"><code>${esc(options.command)}</code></p>` : ''}`);
  body.push(`<div class="banner ${s.errors ? 'stopped' : 'ok'}" role="status"><p><strong>${all.length ? `${all.length} finding${all.length === 1 ? '' : 's'}` : 'no problems'}</strong>: ${s.errors} errors, ${s.warnings} warnings, ${s.infos} notes</p></div>`);
  if (doc.assumptions.length) body.push(`<div class="assumptions"><strong>Inferred</strong><ul>${doc.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></div>`);
  body.push(`<fieldset class="filters"><legend>Show</legend>${SEVERITIES.map((sev) => `<label><input type="checkbox" id="sev-${sev}" checked> ${SEVERITY_WORD.get(sev)} (${all.filter((f) => f.d.severity === sev).length})</label>`).join(' ')}</fieldset>`);
  body.push('</header><main>');
  body.push('<h2 id="by-rule">By rule</h2>');
  for (const [codeName, list] of byCode) {
    const id = codeName.replace(/^lint\//, '');
    const desc = options.ruleDescriptions?.get(id);
    const sevs = [...new Set(list.map((f) => f.d.severity))];
    body.push(`<section class="rule-group"${attr('data-severities', sevs.join(' '))}><h3><code>${esc(codeName)}</code> — ${list.length}${desc ? ` <span class="desc">${esc(desc)}</span>` : ''}</h3>`);
    for (const f of list) body.push(finding(f, src, options.locate));
    body.push('</section>');
  }
  body.push('<h2 id="by-chain">By chain</h2>');
  if (!all.length) body.push('<p>no findings</p>');
  else {
    body.push('<table class="changes"><thead><tr><th>file</th><th>table</th><th>chain</th><th>findings</th></tr></thead><tbody>');
    for (const [key, list] of byChain) {
      const [file, table, chain] = key.split('\u0000');
      body.push(`<tr><td><code>${esc(file)}</code></td><td>${esc(table || '—')}</td><td>${chain ? `<code>${esc(chain)}</code>` : '(not in a chain)'}</td><td>${list.map((f) => `<a class="finding-link ${f.d.severity}" href="#${idOf('f', f.n)}"${attr('data-severity', f.d.severity)}>${esc(`${f.d.severity} ${f.d.code} line ${f.d.span.start.line}`)}</a>`).join('<br>')}</td></tr>`);
    }
    body.push('</tbody></table>');
  }
  body.push('</main>');
  const filterStyle = SEVERITIES.map((sev) => `body:has(#sev-${sev}:not(:checked)) [data-severity="${sev}"]{display:none}`).join('\n');
  return page(title, body.join('\n'), '\n' + filterStyle + '\n');
}
