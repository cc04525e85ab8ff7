// The packet's path on the diagram: the steps of one outcome (as `--format json` lists them) grouped into visits
// of a table row (consecutive steps in the same hook and table), numbered like the steps, with the tuple changes
// between them (NAT) and where the packet came from and went.
import type { TraceJson } from '@chainsight/trace';
import { rowKey, type Diagram, type Row } from './diagram';
import { attr, esc } from './html';

export type OutcomeJson = TraceJson['outcomes'][number];
export type StepJson = OutcomeJson['steps'][number];

/** Where a step is drawn: ebtables steps in the bridge layer, iptables and ip6tables steps in the IP layer. */
export function stepRow(s: Pick<StepJson, 'family' | 'hook' | 'table'>): string {
  return rowKey(s.family === 'bridge' ? 'bridge' : 'ip', s.hook, s.table);
}

export interface Visit {
  key: string;
  /** 1-based step numbers, in order. */
  steps: number[];
}

export function visitsOf(steps: readonly StepJson[]): Visit[] {
  const visits: Visit[] = [];
  steps.forEach((s, i) => {
    const key = stepRow(s);
    const last = visits[visits.length - 1];
    if (last && last.key === key) last.steps.push(i + 1);
    else visits.push({ key, steps: [i + 1] });
  });
  return visits;
}

/** `1–3`, `5`, `1–2, 7`: step numbers as ranges. */
export function numberRanges(ns: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < ns.length; ) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j]! + 1) j++;
    parts.push(j === i ? String(ns[i]) : `${ns[i]}–${ns[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** A change of the packet's addresses between two consecutive steps (or after the last one, as it leaves). */
export interface TupleChange {
  /** The change happened after this many steps. */
  after: number;
  field: 'src' | 'dst';
  before: string;
  now: string;
}

export function tupleChanges(o: OutcomeJson): TupleChange[] {
  const seen: { src: string; dst: string }[] = [...o.steps.map((s) => ({ src: s.src, dst: s.dst })), { src: o.packet.src, dst: o.packet.dst }];
  const out: TupleChange[] = [];
  for (let i = 1; i < seen.length; i++) {
    for (const field of ['src', 'dst'] as const) {
      if (seen[i]![field] !== seen[i - 1]![field]) out.push({ after: i, field, before: seen[i - 1]![field], now: seen[i]![field] });
    }
  }
  return out;
}

/** The node the packet entered from and the one it ended in (null when it was stopped inside a table). */
export function endsOf(o: OutcomeJson): { from: string | null; to: string | null } {
  const first = o.steps[0];
  const last = o.steps[o.steps.length - 1];
  const from = !first ? null : first.family === 'bridge' ? 'bridge-in' : first.hook === 'OUTPUT' ? 'local' : 'in';
  let to: string | null = null;
  if (o.verdict === 'delivered') to = 'local';
  else if (o.verdict === 'forwarded') to = last?.family === 'bridge' ? 'bridge-out' : 'out';
  return { from, to };
}

const centre = (r: Row): [number, number] => [r.x + r.w / 2, r.y + r.h / 2];

/**
 * The lit path of one outcome as SVG: `under` the diagram, the line through the rows in step order (the cards
 * cover it where it crosses them); `over` it, hatched rows with their step numbers (each a link to the step's
 * details, so the path can be walked with the keyboard), a NAT badge where the tuple changed, and a cross where
 * the packet was stopped.
 */
export function renderLitPath(d: Diagram, o: OutcomeJson, anchor: (step: number) => string): { under: string; over: string } {
  const visits = visitsOf(o.steps);
  const out: string[] = [];
  let under = '';
  const points: [number, number][] = [];
  const ends = endsOf(o);
  const nodeAt = (id: string | null) => (id === null ? null : d.nodes.find((n) => n.id === id) ?? null);
  const start = nodeAt(ends.from);
  if (start) points.push([start.cx, start.cy]);
  for (const v of visits) {
    const r = d.rows.get(v.key);
    if (r) points.push(centre(r));
  }
  const end = nodeAt(ends.to);
  if (end) points.push([end.cx, end.cy]);
  if (points.length > 1) under = (`<polyline class="lit-line" points="${points.map(([x, y]) => `${x},${y}`).join(' ')}" marker-mid="url(#lit-arrow)" marker-end="url(#lit-arrow)"/>`);
  // Rows visited more than once (a packet looped back, or bridged then routed) carry every visit's numbers.
  const byRow = new Map<string, number[]>();
  for (const v of visits) byRow.set(v.key, [...(byRow.get(v.key) ?? []), ...v.steps]);
  for (const [key, steps] of byRow) {
    const r = d.rows.get(key);
    if (!r) continue;
    const label = numberRanges(steps);
    out.push(`<a href="#${anchor(steps[0]!)}" class="lit-link"><title>${esc(`steps ${label}: ${key.replace(/:/g, ' ')}`)}</title>`);
    out.push(`<rect class="lit"${attr('data-box', key)}${attr('data-steps', steps.join(' '))} x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="3"/>`);
    out.push(`<text class="lit-label" x="${r.x + 6}" y="${r.y + 13}">${esc(r.label)}</text>`);
    const bw = 8 + label.length * 6.5;
    out.push(`<rect class="step-badge" x="${r.x + r.w - bw - 2}" y="${r.y + 2}" width="${bw}" height="${r.h - 4}" rx="7"/>`);
    out.push(`<text class="step-badge-text" x="${r.x + r.w - bw / 2 - 2}" y="${r.y + 13}">${esc(label)}</text>`);
    out.push('</a>');
  }
  const stopped = o.verdict !== 'forwarded' && o.verdict !== 'delivered' ? d.rows.get(visits[visits.length - 1]?.key ?? '') : undefined;
  if (stopped) {
    const [x, y] = [stopped.x + stopped.w + 6, stopped.y + stopped.h / 2];
    out.push(`<g class="stop"><circle cx="${x + 8}" cy="${y}" r="9"/><text x="${x + 8}" y="${y + 4}">✕</text><text class="stop-text" x="${x + 20}" y="${y + 4}">${esc(o.verdict)}</text></g>`);
  }
  // NAT badges: between the rows of the steps before and after the change; a change after the last step (the
  // packet as it leaves: MASQUERADE, SNAT, a reply's de-NAT) under the node it leaves to, or beside the last row.
  tupleChanges(o).forEach((c, i) => {
    const a = d.rows.get(stepRow(o.steps[c.after - 1]!));
    if (!a) return;
    const text = `${c.field} ${c.before} → ${c.now}`;
    const w = 12 + text.length * 6.2;
    const nextStep = o.steps[c.after];
    const b = nextStep ? d.rows.get(stepRow(nextStep)) : undefined;
    let x: number;
    let y: number;
    if (b) {
      const [ax, ay] = centre(a);
      const [bx, by] = centre(b);
      [x, y] = [(ax + bx) / 2 - w / 2, (ay + by) / 2 - 8];
    } else if (!nextStep && end) [x, y] = [end.cx - w / 2, end.cy + end.h / 2 + 24];
    else [x, y] = [a.x + a.w + 4, a.y + a.h + 4];
    x = Math.min(Math.max(x, 2), d.width - w - 2);
    y += i * 20;
    out.push(`<g class="nat-badge"${attr('data-after', c.after)}><rect x="${x}" y="${y}" width="${w}" height="17" rx="8"/><text x="${x + w / 2}" y="${y + 12}">${esc(text)}</text></g>`);
  });
  return { under, over: out.join('\n') };
}
