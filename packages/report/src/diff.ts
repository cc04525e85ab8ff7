// The diff report: the rule-level changes of `diff --format json` (schema chainsight.diff/1, docs/diff-json.md),
// table by table, each with its position, the rule text on each side (removed text struck, added underlined, so
// the sides are told apart without colour), the options that differ and the hooks that reach the chain.
import { renderSemanticSection, SEMANTIC_STYLE, type SemanticSection } from './semantic';
import type { Change, ChainRef, DiffResult, RuleRef, TableRef } from '@chainsight/diff';
import { attr, esc, page } from './html';

export interface DiffReportOptions {
  command?: string;
  /** `diff --semantic`: the packets whose outcome changes, shown after the rule-level changes. */
  semantic?: SemanticSection;
}

const KIND_CLASS = new Map<string, string>([
  ['table-added', 'added'], ['chain-added', 'added'], ['rule-added', 'added'], ['service-added', 'added'],
  ['table-removed', 'removed'], ['chain-removed', 'removed'], ['rule-removed', 'removed'], ['service-removed', 'removed'],
  ['rule-modified', 'modified'], ['policy-changed', 'modified'], ['chain-renamed', 'modified'], ['counters-changed', 'modified'], ['service-endpoints', 'modified'],
  ['rule-moved', 'moved'],
]);

type Ref = RuleRef | ChainRef | TableRef;
const isRule = (r: Ref): r is RuleRef => 'index' in r;
const isChain = (r: Ref): r is ChainRef => 'chain' in r && !('index' in r);

function where(r: Ref): string {
  const line = r.span ? `:${r.span.start.line}` : '';
  if (isRule(r)) return `${r.file}${line} · ${r.chain} rule ${r.index}`;
  if (isChain(r)) return `${r.file}${line} · chain ${r.chain}${r.policy ? ` (policy ${r.policy})` : ''}`;
  return `${r.file}${line} · table ${r.table}`;
}

function side(kind: 'before' | 'after', r: Ref | undefined): string {
  if (!r) return '';
  const text = isRule(r) ? r.text : isChain(r) ? `:${r.chain} ${r.policy ?? '-'}` : `*${r.table}`;
  const tag = kind === 'before' ? 'del' : 'ins';
  return `<div class="${kind}"><span class="side">${kind}</span> <code>${esc(where(r))}</code><pre><${tag}>${esc(text)}</${tag}></pre></div>`;
}

function details(c: Change): string {
  switch (c.kind) {
    case 'rule-modified':
      return `<ul>${c.options.map((o) => `<li><code>${esc(o.option)}</code>: ${o.before === null ? '(absent)' : `<del>${esc(o.before)}</del>`} → ${o.after === null ? '(absent)' : `<ins>${esc(o.after)}</ins>`}</li>`).join('')}</ul>`;
    case 'rule-moved':
      return `<p>behaviour: <strong>${esc(c.behaviour)}</strong>; ${c.crossedCount} rule(s) changed order relative to it${c.note ? `; ${esc(c.note)}` : ''}</p>${c.crossed.length ? `<ul>${c.crossed.map((x) => `<li>${esc(`${x.overlap.verdict}: ${x.overlap.reason}${x.sameEffect ? ' (same effect)' : ''}`)} <code>${esc(x.rule.text)}</code></li>`).join('')}</ul>` : ''}`;
    case 'policy-changed':
      return `<p>policy <del>${esc(c.from ?? '-')}</del> → <ins>${esc(c.to ?? '-')}</ins></p>`;
    case 'chain-renamed':
      return `<p>${esc(c.before.chain)} → ${esc(c.after.chain)}: ${esc(c.identity)} (paired by ${esc(c.pairedBy)})</p>`;
    case 'chain-added': case 'chain-removed':
      return c.rules.length ? `<pre>${c.rules.map((r) => `<${c.kind === 'chain-added' ? 'ins' : 'del'}>${esc(r.text)}</${c.kind === 'chain-added' ? 'ins' : 'del'}>`).join('\n')}</pre>` : '<p>no rules</p>';
    case 'table-added': case 'table-removed':
      return `<p>${c.chains.length} chain(s): ${esc(c.chains.map((x) => x.chain).join(', '))}</p>`;
    case 'counters-changed':
      return `<p>counters ${esc(c.from ? `${String(c.from.packets)}/${String(c.from.bytes)}` : '-')} → ${esc(c.to ? `${String(c.to.packets)}/${String(c.to.bytes)}` : '-')}</p>`;
    case 'service-endpoints':
      return `<p>service <code>${esc(c.service)}</code>: ${c.added.length ? `added <ins>${esc(c.added.join(', '))}</ins>` : ''} ${c.removed.length ? `removed <del>${esc(c.removed.join(', '))}</del>` : ''}</p>`;
    case 'service-added':
      return `<p>service <code>${esc(c.service)}</code> with endpoints <ins>${esc(c.after.map((e) => e.address).join(', ') || 'none')}</ins></p>`;
    case 'service-removed':
      return `<p>service <code>${esc(c.service)}</code> with endpoints <del>${esc(c.before.map((e) => e.address).join(', ') || 'none')}</del></p>`;
    default:
      return '';
  }
}

function reach(c: Change): string {
  const r = c.reach;
  if (r.before === null && r.after === null) return '';
  const s = (x: readonly string[] | null) => (x === null ? '(absent)' : x.length ? x.join(', ') : 'nothing');
  return `<p class="reach"><span class="label">reached from</span> before: ${esc(s(r.before))}; after: ${esc(s(r.after))}</p>`;
}

function row(c: Change): string {
  const before = 'before' in c && c.before && !Array.isArray(c.before) ? (c.before as Ref) : undefined;
  const after = 'after' in c && c.after && !Array.isArray(c.after) ? (c.after as Ref) : undefined;
  return `<tr class="change${c.explainedBy !== undefined ? ' explained' : ''}" id="change-${c.id}"${attr('data-kind', c.kind)}>
<td><span class="kind ${KIND_CLASS.get(c.kind) ?? ''}">${esc(c.kind)}</span>${c.explainedBy !== undefined ? `<br><a href="#change-${c.explainedBy}">explained by #${c.explainedBy}</a>` : ''}</td>
<td>${c.chain !== null ? `<code>${esc(c.chain)}</code>` : ''}</td>
<td>${side('before', before)}${side('after', after)}${details(c)}${reach(c)}</td></tr>`;
}

export function renderDiffReport(doc: DiffResult, options: DiffReportOptions = {}): string {
  const title = `chainsight diff: ${doc.before.file} → ${doc.after.file}`;
  const body: string[] = [];
  body.push(`<header><h1>${esc(title)}</h1>${options.command ? `<p class="command"><code>${esc(options.command)}</code></p>` : ''}`);
  body.push(`<div class="banner ${doc.identical ? 'ok' : 'stopped'}" role="status"><p><strong>${doc.identical ? 'identical' : `${doc.changes.length} change${doc.changes.length === 1 ? '' : 's'}`}</strong>${doc.stats.map((s) => ` · ${esc(s.table)}: ${esc(Object.entries(s.counts).map(([k, n]) => `${n} ${k}`).join(', '))}${s.explained ? ` (${s.explained} explained by a service change)` : ''}`).join('')}</p></div>`);
  for (const n of doc.notes) body.push(`<p class="assumptions"><strong>note</strong> ${esc(n.message)} <code>[${esc(n.code)}]</code></p>`);
  body.push(`<p>before: <code>${esc(`${doc.before.file} (${doc.before.format}, ${doc.before.family}, backend ${doc.before.backend})`)}</code><br>after: <code>${esc(`${doc.after.file} (${doc.after.format}, ${doc.after.family}, backend ${doc.after.backend})`)}</code></p>`);
  body.push('</header><main>');
  const tables = [...new Set(doc.changes.map((c) => c.table))];
  for (const t of tables) {
    body.push(`<section class="table"><h2>table ${esc(t)}</h2><table class="changes"><thead><tr><th>change</th><th>chain</th><th>what</th></tr></thead><tbody>`);
    for (const c of doc.changes) if (c.table === t) body.push(row(c));
    body.push('</tbody></table></section>');
  }
  if (options.semantic) body.push(renderSemanticSection(options.semantic));
  body.push('</main>');
  return page(title, body.join('\n'), options.semantic ? SEMANTIC_STYLE : '');
}
