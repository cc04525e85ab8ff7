// The netfilter packet-flow diagram ("Packet flow in Netfilter and General Networking", reduced to the hooks
// chainsight models): the IP path (PREROUTING, routing decision, INPUT, local process, OUTPUT, FORWARD,
// POSTROUTING) with the bridge path and its ebtables tables beneath it. What runs at each hook, and in which
// order, is not written here: each card lists @chainsight/netfilter's xtablesHookOrder for the trace's backend
// (the tables' built-in chains and conntrack, by priority), so the picture and the model cannot disagree. Only
// positions are this file's own.
import { INT_MAX, INT_MIN, hookOfXtChain, xtablesHookOrder, type Backend, type Hook, type XtHookEntry } from '@chainsight/netfilter';
import { attr, esc } from './html';

export type Layer = 'ip' | 'bridge';

/** One row of a hook's card: a table (lit when the packet reaches its rules) or a conntrack function. */
export interface Row {
  /** `ip:prerouting:nat`, `bridge:output:filter`, `bridge:prerouting:broute`; conntrack rows `ip:prerouting:conntrack`. */
  key: string;
  label: string;
  priority: number;
  table: boolean;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Card {
  layer: Layer;
  hook: Hook;
  title: string;
  x: number;
  y: number;
  w: number;
  rows: Row[];
}

/** A place that is not a hook: where packets come from and go to, and the decisions between hooks. */
export interface Node {
  id: string;
  label: string[];
  shape: 'box' | 'diamond';
  /** Centre. */
  cx: number;
  cy: number;
  w: number;
  h: number;
}

export interface Diagram {
  width: number;
  height: number;
  cards: Card[];
  nodes: Node[];
  edges: { from: [number, number]; to: [number, number]; via?: [number, number][] }[];
  rows: ReadonlyMap<string, Row>;
  backend: { ip: Backend; bridge: Backend };
}

/** The row of a table at a hook; `chain` is the x_tables built-in chain (PREROUTING … POSTROUTING, BROUTING). */
export function rowKey(layer: Layer, chain: string, table: string): string {
  return `${layer}:${hookOfXtChain(chain) ?? chain}:${table}`;
}

const CARD_W = 140;
const HEAD = 22;
const ROW = 20;
/** The y of the horizontal arrows of each layer. */
const IP_LANE = 92;
const BRIDGE_LANE = 502;

const entryName = (e: XtHookEntry) => (e.kind === 'table' ? e.table : e.name);
const priorityText = (p: number) => (p === INT_MAX ? 'INT_MAX' : p === INT_MIN ? 'INT_MIN' : String(p));

function card(layer: Layer, backend: Backend, hook: Hook, x: number, y: number): Card {
  const rows = xtablesHookOrder(backend, layer, hook).map((e, i): Row => ({
    key: `${layer}:${hook}:${entryName(e)}`,
    label: entryName(e),
    priority: e.priority,
    table: e.kind === 'table',
    x: x + 4, y: y + HEAD + i * ROW, w: CARD_W - 8, h: ROW - 2,
  }));
  return { layer, hook, title: hook.toUpperCase(), x, y, w: CARD_W, rows };
}

const height = (c: Card) => HEAD + c.rows.length * ROW + 4;

/** Boxes are placed by hand; the arrows between them are derived from the boxes. */
export function buildDiagram(backend: { ip: Backend; bridge: Backend }): Diagram {
  const ip = (hook: Hook, x: number, y: number) => card('ip', backend.ip, hook, x, y);
  const br = (hook: Hook, x: number, y: number) => card('bridge', backend.bridge, hook, x, y);
  const pre = ip('prerouting', 110, 44);
  const fwd = ip('forward', 400, 44);
  const post = ip('postrouting', 640, 44);
  const inp = ip('input', 255, 176);
  const out = ip('output', 640, 168);
  const bpre = br('prerouting', 110, 470);
  const bfwd = br('forward', 430, 470);
  const bpost = br('postrouting', 640, 470);
  const binp = br('input', 255, 580);
  const bout = br('output', 640, 580);
  const cards = [pre, fwd, post, inp, out, bpre, bfwd, bpost, binp, bout];
  const cx = (c: Card) => c.x + c.w / 2;

  const node = (id: string, label: string[], x: number, y: number, shape: Node['shape'] = 'box', w = 86, h = 40): Node => ({ id, label, shape, cx: x, cy: y, w, h });
  const nodes: Node[] = [
    node('in', ['packet in', '(interface)'], 52, IP_LANE),
    node('route-in', ['routing', 'decision'], cx(inp), IP_LANE, 'diamond', 96, 56),
    node('out', ['packet out', '(interface)'], 840, IP_LANE),
    node('local', ['local process'], cx(inp), 380, 'box', 130, 36),
    node('route-out', ['routing', 'decision'], 520, 380, 'diamond', 96, 56),
    node('bridge-in', ['frame in', '(bridge port)'], 52, BRIDGE_LANE),
    node('bridge-decide', ['bridging', 'decision'], cx(binp), BRIDGE_LANE, 'diamond', 100, 56),
    node('bridge-out', ['frame out', '(bridge port)'], 860, BRIDGE_LANE),
    node('bridge-up', ['to the IP layer', '(bridge device)'], cx(binp), 680, 'box', 130, 36),
    node('bridge-down', ['from the IP layer', '(out a bridge)'], 880, 0, 'box', 130, 36),
  ];
  const n = new Map(nodes.map((x) => [x.id, x]));
  const N = (id: string) => n.get(id)!;
  N('bridge-down').cy = bout.y + height(bout) / 2;
  const cardLeft = (c: Card, lane: number): [number, number] => [c.x, lane];
  const cardRight = (c: Card, lane: number): [number, number] => [c.x + c.w, lane];
  const left = (x: Node): [number, number] => [x.cx - x.w / 2, x.cy];
  const right = (x: Node): [number, number] => [x.cx + x.w / 2, x.cy];
  const top = (x: Node | Card): [number, number] => ('cx' in x ? [x.cx, x.cy - x.h / 2] : [cx(x), x.y]);
  const bottom = (x: Node | Card): [number, number] => ('cx' in x ? [x.cx, x.cy + x.h / 2] : [cx(x), x.y + height(x)]);
  const edges: Diagram['edges'] = [
    { from: right(N('in')), to: cardLeft(pre, IP_LANE) },
    { from: cardRight(pre, IP_LANE), to: left(N('route-in')) },
    { from: right(N('route-in')), to: cardLeft(fwd, IP_LANE) },
    { from: cardRight(fwd, IP_LANE), to: cardLeft(post, IP_LANE) },
    { from: cardRight(post, IP_LANE), to: left(N('out')) },
    { from: bottom(N('route-in')), to: top(inp) },
    { from: bottom(inp), to: top(N('local')) },
    { from: right(N('local')), to: left(N('route-out')) },
    { from: right(N('route-out')), to: bottom(out), via: [[cx(out), N('route-out').cy]] },
    { from: top(out), to: bottom(post) },
    { from: right(N('bridge-in')), to: cardLeft(bpre, BRIDGE_LANE) },
    { from: cardRight(bpre, BRIDGE_LANE), to: left(N('bridge-decide')) },
    { from: right(N('bridge-decide')), to: cardLeft(bfwd, BRIDGE_LANE) },
    { from: cardRight(bfwd, BRIDGE_LANE), to: cardLeft(bpost, BRIDGE_LANE) },
    { from: cardRight(bpost, BRIDGE_LANE), to: left(N('bridge-out')) },
    { from: bottom(N('bridge-decide')), to: top(binp) },
    { from: bottom(binp), to: top(N('bridge-up')) },
    { from: left(N('bridge-down')), to: [bout.x + bout.w, N('bridge-down').cy] },
    { from: top(bout), to: bottom(bpost) },
  ];
  const rows = new Map<string, Row>();
  for (const c of cards) for (const r of c.rows) rows.set(r.key, r);
  return { width: 960, height: 710, cards, nodes, edges, rows, backend };
}

const pts = (ps: [number, number][]) => ps.map(([x, y]) => `${x},${y}`).join(' ');

/** The diagram without any path: cards, rows, nodes, arrows and the two layers' captions. */
export function renderDiagramBase(d: Diagram): string {
  const out: string[] = [];
  out.push(`<text class="layer" x="8" y="18">IP layer: iptables / ip6tables tables per hook, in kernel order (backend ${esc(d.backend.ip)})</text>`);
  out.push(`<text class="layer" x="8" y="450">Bridge layer: ebtables (backend ${esc(d.backend.bridge)}); with br_netfilter, bridged IP packets also cross the IP layer's PREROUTING, FORWARD and POSTROUTING</text>`);
  out.push(`<line class="divider" x1="0" y1="430" x2="${d.width}" y2="430"/>`);
  for (const e of d.edges) out.push(`<polyline class="edge" points="${pts([e.from, ...(e.via ?? []), e.to])}" marker-end="url(#arrow)"/>`);
  for (const c of d.cards) {
    out.push(`<g class="card"${attr('data-hook', `${c.layer}:${c.hook}`)}>`);
    out.push(`<rect class="card-box" x="${c.x}" y="${c.y}" width="${c.w}" height="${height(c)}" rx="6"/>`);
    out.push(`<text class="card-title" x="${c.x + c.w / 2}" y="${c.y + 15}">${esc(c.layer === 'bridge' ? `bridge ${c.title}` : c.title)}</text>`);
    for (const r of c.rows) {
      out.push(`<rect class="${r.table ? 'row' : 'row ct'}"${attr('data-box', r.key)} x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="3"><title>${esc(`${r.label}, priority ${priorityText(r.priority)}`)}</title></rect>`);
      out.push(`<text class="row-label" x="${r.x + 6}" y="${r.y + 13}">${esc(r.label)}</text><text class="row-prio" x="${r.x + r.w - 4}" y="${r.y + 13}">${esc(priorityText(r.priority))}</text>`);
    }
    out.push('</g>');
  }
  for (const nd of d.nodes) {
    out.push(`<g class="node"${attr('data-node', nd.id)}>`);
    if (nd.shape === 'diamond') {
      out.push(`<polygon class="node-box" points="${pts([[nd.cx, nd.cy - nd.h / 2], [nd.cx + nd.w / 2, nd.cy], [nd.cx, nd.cy + nd.h / 2], [nd.cx - nd.w / 2, nd.cy]])}"/>`);
    } else {
      out.push(`<rect class="node-box" x="${nd.cx - nd.w / 2}" y="${nd.cy - nd.h / 2}" width="${nd.w}" height="${nd.h}" rx="${nd.id === 'local' ? 18 : 4}"/>`);
    }
    nd.label.forEach((l, i) => out.push(`<text class="node-label" x="${nd.cx}" y="${nd.cy + 4 + (i - (nd.label.length - 1) / 2) * 12}">${esc(l)}</text>`));
    out.push('</g>');
  }
  return out.join('\n');
}

/** Shared <defs>: the arrowheads and the hatching that marks the lit path without relying on colour. */
export function diagramDefs(): string {
  return `<defs>
<marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="arrowhead"/></marker>
<marker id="lit-arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="lit-arrowhead"/></marker>
<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-bg"/><line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern>
</defs>`;
}
