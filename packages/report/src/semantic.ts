// The semantic diff on the diff page: for each table and hook, the regions of packets whose outcome changes
// (chainsight.diff-semantic/1, docs/semantic-diff.md), each with its witness and, when traced, the witness's two
// traces side by side (OLD, NEW) — or the plain statement that no packet changes fate.
import type { TraceJson } from '@chainsight/trace';
import { attr, esc } from './html';
import type { Sources } from './source';
import { tracePanel } from './trace';

interface DeciderJson { file: string; line: number | null; table: string; chain: string; rule: number | null; text: string; comment: string | null }
interface SideJson { outcome: string; by: DeciderJson[]; chances: { outcome: string; chance: number }[] | null }

/** The parts of chainsight.diff-semantic/1 the page reads. */
export interface SemanticJson {
  rule_changes: number;
  identical: boolean;
  stopped: string[];
  changes: {
    table: string;
    hook: string;
    total: string;
    truncated: boolean;
    regions: {
      index: number;
      fields: { field: string; text: string }[];
      count: string;
      before: SideJson;
      after: SideJson;
      witness: Record<string, unknown>;
      unknowns: { text: string; where: string }[];
      chance: number | null;
    }[];
  }[];
  scope: string[];
}

export interface SemanticSection {
  doc: SemanticJson;
  /** The witness of region N traced through OLD and NEW (an error text where it could not be traced). */
  traces: Map<number, { before: TraceJson | string; after: TraceJson | string }>;
  sources?: Sources;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

function side(label: string, s: SideJson): string {
  const by = s.by.map((d) => `${d.table} ${d.chain} ${d.rule === null ? 'policy' : `rule ${d.rule}`}${d.line !== null ? ` (${d.file}:${d.line})` : ''}${d.comment ? ` “${d.comment}”` : ''}`).join('; ');
  const chances = s.chances ? ` <span class="draws">(${s.chances.map((c) => `${esc(c.outcome)} ${esc(pct(c.chance))}`).join(', ')})</span>` : '';
  return `<p class="side ${label === 'was' ? 'before' : 'after'}"><span class="label">${label}</span> <strong>${esc(s.outcome)}</strong>${by ? ` — ${esc(by)}` : ''}${chances}</p>`;
}

function witnessText(w: Record<string, unknown>): string {
  const port = (a: unknown, p: unknown) => (p === null || p === undefined ? String(a) : String(a).includes(':') ? `[${String(a)}]:${String(p)}` : `${String(a)}:${String(p)}`);
  const bits = [`proto ${String(w.proto)}`, `${port(w.src, w.sport)} → ${port(w.dst, w.dport)}`, w.in ? `in ${String(w.in)}` : '', w.out ? `out ${String(w.out)}` : '', String(w.ctState ?? '')];
  return bits.filter(Boolean).join(' ');
}

function panel(t: TraceJson | string | undefined, sources: Sources | undefined, prefix: string): string {
  if (t === undefined) return '<p>not traced (only the first regions are)</p>';
  if (typeof t === 'string') return `<p>${esc(t)}</p>`;
  return tracePanel(t, sources, prefix);
}

export function renderSemanticSection(s: SemanticSection): string {
  const { doc } = s;
  const out: string[] = ['<section class="semantic" aria-labelledby="semantic-head"><h2 id="semantic-head">Packets whose outcome changes</h2>'];
  if (doc.identical) {
    out.push(`<div class="banner ok" role="status"><p><strong>${doc.rule_changes} rule change${doc.rule_changes === 1 ? '' : 's'}; no packet's outcome changes in any chain</strong></p></div>`);
  }
  for (const st of doc.stopped) out.push(`<p class="assumptions"><strong>not compared</strong> ${esc(st)}</p>`);
  for (const h of doc.changes) {
    out.push(`<h3>${esc(`table ${h.table}, ${h.hook}`)}: ${esc(h.total)} packets${h.truncated ? ' (the largest regions)' : ''}</h3><ol class="regions">`);
    for (const r of h.regions) {
      const fields = r.fields.length ? r.fields.map((f) => `${f.field}=${f.text}`).join(' ') : 'any packet';
      const t = s.traces.get(r.index);
      out.push(`<li class="region" id="region-${r.index}"${attr('data-region', r.index)}>
<p><code>${esc(fields)}</code> <span class="count">(${esc(r.count)} packets${r.chance !== null ? `, chance ${esc(pct(r.chance))}` : ''})</span></p>
${side('was', r.before)}${side('now', r.after)}
<p class="witness"><span class="label">witness</span> <code>${esc(witnessText(r.witness))}</code></p>
${r.unknowns.length ? `<div class="assumptions"><strong>Depends on</strong><ul>${r.unknowns.slice(0, 6).map((u) => `<li>${esc(`${u.text} (${u.where})`)}</li>`).join('')}</ul></div>` : ''}
<details${t ? ' open' : ''}><summary>the witness traced through OLD and NEW</summary>
<div class="side-by-side"><div class="old"><h4>OLD</h4>${panel(t?.before, s.sources, `r${r.index}-old`)}</div><div class="new"><h4>NEW</h4>${panel(t?.after, s.sources, `r${r.index}-new`)}</div></div>
</details></li>`);
    }
    out.push('</ol>');
  }
  out.push(`<p class="scope"><span class="label">scope</span> ${esc(doc.scope.join('; '))}</p></section>`);
  return out.join('\n');
}

/** Side by side on screens, one after the other on narrow ones and on paper. */
export const SEMANTIC_STYLE = `.side-by-side{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
@media (max-width:900px){.side-by-side{grid-template-columns:1fr}}
@media print{.side-by-side{grid-template-columns:1fr}}
.region{margin:1rem 0;padding:.5rem;border:1px solid #999}
.side.before .label::after{content:" (OLD)"}.side.after .label::after{content:" (NEW)"}`;
