// The trace report: per packet (one, or each packet of a `--then` conversation) the verdict banner, the
// netfilter diagram with the path of the chosen outcome lit on it, and the numbered steps, each expandable to
// its rule text and file:line. It reads the documents `trace --format json` prints (schema chainsight.trace/1
// and chainsight.trace-conversation/1, docs/trace-json.md), so the report and the JSON cannot disagree.
import { describePacketView as describePacket, type TraceJson } from '@chainsight/trace';
import { buildDiagram, diagramDefs, renderDiagramBase, type Diagram } from './diagram';
import { attr, esc, idOf, page } from './html';
import { endsOf, numberRanges, renderLitPath, tupleChanges, visitsOf, type OutcomeJson, type StepJson } from './path';
import { SourceLines, type Sources } from './source';
import { outcomeSwitchStyle } from './style';

export interface TraceConversationJson {
  schema: 'chainsight.trace-conversation/1';
  conversation: (TraceJson & { index: number; is: string })[];
}

export interface TraceReportOptions {
  /** The text of each input file by the name steps cite (`file`), for the rule text of each step. */
  sources?: Sources;
  /** The command line, shown under the title. */
  command?: string;
}

const pct = (p: number) => {
  const r = Math.round(p * 1000) / 1000;
  return r === 1 ? '1' : String(r);
};

const GOOD = new Set(['forwarded', 'delivered']);

function masqueradeText(o: OutcomeJson): string {
  const m = o.nat.find((n) => n.type === 'MASQUERADE');
  if (!o.masquerade) return 'no';
  return m ? `yes (${m.table} ${m.chain} rule ${m.rule}, ${m.file}:${m.line}) → source ${m.to}` : 'yes';
}

function banner(o: OutcomeJson, k: number, total: number): string {
  const good = GOOD.has(o.verdict);
  const head = total > 1 ? `Outcome ${k} of ${total} (p=${pct(o.probability)}): ` : '';
  return `<div class="banner ${good ? 'ok' : 'stopped'}" role="status">
<p class="verdict"><span class="mark" aria-hidden="true">${good ? '✔' : '✕'}</span> <strong>Verdict:</strong> ${esc(head)}${esc(o.summary)} <span class="verdict-word">[${esc(o.verdict)}]</span></p>
<p class="masq"><strong>MASQUERADE:</strong> ${esc(masqueradeText(o))}</p>
</div>`;
}

function stepHead(s: StepJson, n: number): string {
  const what = s.type === 'policy' ? `policy ${s.verdict}` : s.type === 'return' ? 'end of chain → RETURN' : `rule ${s.rule}`;
  const arrow = s.type === 'rule' && s.verdict !== 'CONTINUE' ? ` → ${s.verdict.replace(':', ' ')}` : '';
  return `<span class="n">${n}</span> <span class="hook">${esc(`${s.family === 'bridge' ? 'bridge ' : ''}${s.hook}`)}</span> <span class="where">${esc(`${s.family === 'bridge' ? 'ebtables ' : ''}${s.table}`)}</span> <span class="chain">${esc(s.chain)}</span> ${esc(what)}${esc(arrow)}`;
}

function stepBody(s: StepJson, src: SourceLines): string {
  const line = src.line(s.file, s.line);
  const loc = s.line === null ? esc(s.file) : `${esc(s.file)}:${s.line}`;
  const text = line !== null
    ? `<pre class="rule-text"><code>${esc(line)}</code></pre>`
    : `<p class="missing">the text of ${esc(s.file)} was not given to the report; the rule is at ${loc}</p>`;
  const seen = [['in', s.in], ['out', s.out], ['physin', s.physin], ['physout', s.physout], ['src', s.src], ['dst', s.dst], ['mark', `0x${s.mark.toString(16)}`]]
    .filter(([, v]) => v !== '').map(([k, v]) => `<dt>${k}</dt><dd>${esc(v)}</dd>`).join('');
  return `${s.type === 'rule' ? '' : `<p>${s.type === 'policy' ? 'the built-in chain\'s policy; declared at' : 'the end of the user chain; declared at'}</p>`}${text}
<p class="loc"><span class="label">file:line</span> <code class="file">${loc}</code> · <span class="label">TRACE</span> ${esc(s.trace)} · <span class="label">target</span> ${esc(s.target ?? '—')} · <span class="label">verdict</span> ${esc(s.verdict)}</p>
<dl class="seen" aria-label="the packet as this step saw it">${seen}</dl>`;
}

function stepsList(o: OutcomeJson, src: SourceLines, anchor: (n: number) => string): string {
  const events = new Map<number, OutcomeJson['events']>();
  for (const e of o.events) events.set(e.after_step, [...(events.get(e.after_step) ?? []), e]);
  const changes = tupleChanges(o);
  const items: string[] = [];
  const eventItems = (at: number) => {
    for (const e of events.get(at) ?? []) items.push(`<li class="event ${e.kind.startsWith('log') ? 'log' : esc(e.kind)}"><span class="label">${esc(e.kind)}</span> ${esc(e.text)}</li>`);
    for (const c of changes.filter((x) => x.after === at)) items.push(`<li class="event tuple"><span class="label">tuple</span> <span class="nat-inline">${esc(`${c.field} ${c.before} → ${c.now}`)}</span></li>`);
  };
  o.steps.forEach((s, i) => {
    eventItems(i);
    const stop = i === o.steps.length - 1 && !GOOD.has(o.verdict) && (s.verdict === 'DROP' || s.verdict === 'REJECT' || s.verdict === 'QUEUE');
    items.push(`<li class="step${stop ? ' stop' : ''}" id="${anchor(i + 1)}"${attr('data-step', i + 1)}${attr('data-family', s.family)}${attr('data-hook', s.hook)}${attr('data-table', s.table)}${attr('data-chain', s.chain)}${attr('data-rule', s.rule ?? '')}${attr('data-type', s.type)}>
<details><summary>${stepHead(s, i + 1)}</summary>
<div class="step-body">${stepBody(s, src)}</div></details></li>`);
  });
  eventItems(o.steps.length);
  return `<ol class="steps" aria-label="steps">${items.join('\n')}</ol>`;
}

function outcomeDetails(o: OutcomeJson, k: number, total: number, src: SourceLines, anchor: (n: number) => string): string {
  const parts: string[] = [];
  if (total > 1) parts.push(`<h4>Outcome ${k} of ${total}: probability ${esc(pct(o.probability))}</h4>`);
  if (o.via) parts.push(`<p class="via">after ${/^packet \d/.test(o.via) ? '' : 'the '}${esc(o.via)}</p>`);
  if (o.assumptions.length) parts.push(`<div class="assumptions"><strong>Assumes</strong><ul>${o.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></div>`);
  if (o.draws.length) parts.push(`<div class="draws"><strong>Random draws</strong><ul>${o.draws.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></div>`);
  parts.push(o.steps.length ? stepsList(o, src, anchor) : '<p>no rule was reached</p>');
  const nat = o.nat.length
    ? `<ul class="nat">${o.nat.map((n) => `<li><span class="nat-inline">${esc(`${n.type} to ${n.to}`)}</span> (${esc(`${n.table} ${n.chain} rule ${n.rule}, ${n.file}:${n.line}`)})${n.by_this_packet ? '' : ' — set up by the connection\'s first packet'}</li>`).join('')}</ul>`
    : ' none';
  parts.push(`<div class="result"><p><strong>NAT:</strong>${nat}</p><p><strong>Packet as it leaves:</strong> ${esc(describePacket(o.packet))}</p>${o.mark ? `<p><strong>Mark:</strong> 0x${o.mark.toString(16)}</p>` : ''}<p><strong>MASQUERADE:</strong> ${esc(masqueradeText(o))}</p></div>`);
  return parts.join('\n');
}

/**
 * One trace's outcomes as panels (no diagram): what a semantic diff shows side by side for a witness, OLD and
 * NEW. `prefix` keeps the step anchors of the two sides apart.
 */
export function tracePanel(doc: TraceJson, sources: Sources | undefined, prefix: string): string {
  const src = new SourceLines(sources);
  const total = doc.outcomes.length;
  return doc.outcomes.map((o, k) => outcomeDetails(o as OutcomeJson, k + 1, total, src, (n) => `${prefix}-o${k + 1}-s${n}`)).join('\n');
}

/** One sentence naming the lit rows in order: what a screen reader reads for the picture. */
function pathDescription(o: OutcomeJson): string {
  const visits = visitsOf(o.steps).map((v) => `steps ${numberRanges(v.steps)}: ${v.key.split(':').reverse().slice(0, 2).join(' ')}${v.key.startsWith('bridge') ? ' (ebtables)' : ''}`);
  const ends = endsOf(o);
  return [ends.from ? `from ${ends.from}` : '', ...visits, ends.to ? `to ${ends.to}` : o.verdict].filter(Boolean).join('; ');
}

function packetSection(doc: TraceJson, p: number, head: string | null, d: Diagram, src: SourceLines): string {
  const total = doc.outcomes.length;
  const pid = idOf('p', p);
  const anchor = (k: number) => (n: number) => idOf('p', p, 'o', k, 's', n);
  const out: string[] = [];
  out.push(`<section class="packet" id="${pid}" aria-labelledby="${pid}-h">`);
  out.push(`<h2 id="${pid}-h">${esc(head ?? 'Packet')}</h2>`);
  out.push(`<p class="packet-line"><strong>Packet:</strong> ${esc(`${describePacket(doc.packet)}, ${doc.packet.ctState}${doc.packet.ctDir === 'REPLY' ? ' (reply)' : ''}`)}</p>`);
  if (doc.inferred.length) out.push(`<details class="inferred" open><summary>Inferred (${doc.inferred.length})</summary><ul>${doc.inferred.map((i) => `<li>${esc(i)}</li>`).join('')}</ul></details>`);
  if (total > 1) {
    out.push(`<fieldset class="pick"><legend>Outcomes: the trace forked (${total}${doc.truncated ? ', truncated' : ''}); choose one to light its path</legend>`);
    doc.outcomes.forEach((o, i) => {
      const id = idOf(pid, 'pick', i + 1);
      out.push(`<div class="pick-item"><input type="radio"${attr('name', `${pid}-outcome`)}${attr('id', id)}${attr('value', i + 1)}${attr('checked', i === 0)}><label${attr('for', id)}><span class="p">p=${esc(pct(o.probability))}</span> ${esc(o.summary)}${o.masquerade ? ' · MASQUERADE' : ''}${o.assumptions.length ? `<span class="assumes"> · assumes ${esc(o.assumptions.join('; '))}</span>` : ''}</label></div>`);
    });
    out.push('</fieldset>');
  }
  if (!total) out.push('<div class="banner stopped" role="status"><p class="verdict"><strong>Verdict:</strong> no outcome</p></div>');
  doc.outcomes.forEach((o, i) => out.push(`<div class="outcome"${attr('data-o', i + 1)}>${banner(o, i + 1, total)}</div>`));
  const titleId = `${pid}-svg-t`;
  const lit = doc.outcomes.map((o, i) => renderLitPath(d, o, anchor(i + 1)));
  out.push(`<figure class="diagram"><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${d.width} ${d.height}" role="img" aria-labelledby="${titleId}" width="${d.width}" height="${d.height}">
<title id="${titleId}">netfilter packet flow with the path of the outcome chosen above lit: ${esc(doc.outcomes.map((o, i) => `${total > 1 ? `outcome ${i + 1}: ` : ''}${pathDescription(o)}`).join(' | '))}</title>
${diagramDefs()}
${lit.map((l, i) => `<g class="path"${attr('data-o', i + 1)}>${l.under}</g>`).join('\n')}
${renderDiagramBase(d)}
${lit.map((l, i) => `<g class="path"${attr('data-o', i + 1)}>${l.over}</g>`).join('\n')}
</svg><figcaption>Lit rows: the tables whose rules the packet reached, hatched and numbered with its steps (select a row to read the step). A ✕ marks where it was stopped; badges give the address changes (NAT) between steps.</figcaption></figure>`);
  doc.outcomes.forEach((o, i) => out.push(`<div class="outcome details"${attr('data-o', i + 1)}>${outcomeDetails(o, i + 1, total, src, anchor(i + 1))}</div>`));
  if (doc.truncated) {
    const l = doc.left_out;
    out.push(`<p class="truncated">stopped after ${total} outcomes${l ? `: at least ${l.at_least.toLocaleString('en-US')} more paths were not explored${l.split_by.length ? `; they split on ${esc(l.split_by.map((s) => `${s.match} (${s.paths} paths${s.assume ? `, --assume ${s.assume}` : ''})`).join(', '))}` : ''}` : ''} (--max-outcomes raises the limit)</p>`);
  }
  out.push('</section>');
  return out.join('\n');
}

/** The HTML report of one trace (chainsight.trace/1) or of a conversation (chainsight.trace-conversation/1). */
export function renderTraceReport(doc: TraceJson | TraceConversationJson, options: TraceReportOptions = {}): string {
  const packets = doc.schema === 'chainsight.trace-conversation/1' ? doc.conversation : [doc];
  const src = new SourceLines(options.sources);
  const first = packets[0];
  const body: string[] = [];
  const title = first ? `chainsight trace: ${describePacket(first.packet)}` : 'chainsight trace';
  body.push(`<header><h1>${esc(title)}</h1>${options.command ? `<p class="command"><code>${esc(options.command)}</code></p>` : ''}`);
  if (packets.length > 1) {
    body.push(`<nav aria-label="packets"><ol>${packets.map((pk, i) => `<li><a href="#${idOf('p', i + 1)}">${esc(`packet ${i + 1}: ${'is' in pk ? pk.is : ''}`)}</a> — ${esc(pk.outcomes.map((o) => o.summary).join(' | '))}</li>`).join('')}</ol></nav>`);
  }
  body.push('</header><main>');
  let most = 0;
  packets.forEach((pk, i) => {
    most = Math.max(most, pk.outcomes.length);
    const head = packets.length > 1 ? `Packet ${i + 1} of ${packets.length}: ${'is' in pk ? pk.is : ''}` : null;
    body.push(packetSection(pk, i + 1, head, buildDiagram(pk.backend as Diagram['backend']), src));
  });
  body.push('</main>');
  return page(title, body.join('\n'), outcomeSwitchStyle(most));
}
