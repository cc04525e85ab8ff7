// The report's one stylesheet (inline; no fonts or images are fetched). The lit path is told apart from the
// rest of the diagram by hatching, a thick outline, step numbers and labels, never by colour alone (WCAG 2.2
// 1.4.1 "Use of Color"); focus is always visible (2.4.7); print gets black on white with every step open.
export const STYLE = `
:root{--fg:#1b1f24;--muted:#57606a;--bg:#fff;--line:#8c959f;--card:#f6f8fa;--lit:#b35900;--lit-bg:#ffe8c7;--ok:#116329;--ok-bg:#dafbe1;--bad:#a40e26;--bad-bg:#ffebe9;--nat:#0550ae;--nat-bg:#ddf4ff;--warn:#7d4e00;--info:#0550ae}
*{box-sizing:border-box}
body{margin:0;padding:16px 24px;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 6px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:16px 0 6px}h4{font-size:14px;margin:8px 0}
code,pre{font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
pre{background:var(--card);border:1px solid #d0d7de;border-radius:6px;padding:6px 8px;overflow-x:auto;margin:4px 0;white-space:pre}
a{color:var(--nat)}
:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.command code{color:var(--muted)}
.label{display:inline-block;font-size:11px;text-transform:uppercase;letter-spacing:.03em;color:var(--muted);margin-right:2px}
.banner{border:2px solid;border-radius:8px;padding:6px 12px;margin:8px 0}
.banner p{margin:2px 0}
.banner.ok{border-color:var(--ok);background:var(--ok-bg)}
.banner.stopped{border-color:var(--bad);background:var(--bad-bg);border-style:dashed}
.banner .mark{font-weight:bold}
.verdict-word{color:var(--muted)}
.pick{border:1px solid #d0d7de;border-radius:6px;margin:8px 0;padding:4px 10px}
.pick-item{margin:2px 0}
.pick .p{font-variant-numeric:tabular-nums;font-weight:600}
.pick .assumes{color:var(--muted)}
.pick input:checked+label{font-weight:600;text-decoration:underline}
.outcome{display:none}
.outcome[data-o="1"]{display:block}
g.path{display:none}
g.path[data-o="1"]{display:inline}
figure.diagram{margin:8px 0;overflow-x:auto}
figure.diagram svg{max-width:100%;height:auto;font:11px system-ui,sans-serif}
figcaption{color:var(--muted);font-size:12px}
.layer{font-weight:600;fill:var(--muted)}
.divider{stroke:#d0d7de;stroke-dasharray:4 4}
.edge{fill:none;stroke:var(--line);stroke-width:1.3}
.arrowhead{fill:var(--line)}
.card-box{fill:var(--card);stroke:var(--line)}
.card-title{font-weight:700;text-anchor:middle;fill:var(--fg)}
.row{fill:#fff;stroke:#d0d7de}
.row.ct{fill:none;stroke-dasharray:3 2}
.row-label{fill:var(--fg)}
.row-prio{fill:var(--muted);font-size:9.5px;text-anchor:end}
.node-box{fill:#fff;stroke:var(--line)}
.node-label{text-anchor:middle;fill:var(--muted)}
.lit-line{fill:none;stroke:var(--lit);stroke-width:3;stroke-dasharray:8 4;opacity:.8}
.lit-arrowhead{fill:var(--lit)}
.lit{fill:url(#hatch);stroke:var(--lit);stroke-width:3}
.hatch-bg{fill:var(--lit-bg)}.hatch-line{stroke:var(--lit);stroke-width:2;opacity:.45}
.lit-label{font-weight:700;fill:#000}
.step-badge{fill:var(--lit);stroke:#000;stroke-width:.5}
.step-badge-text{fill:#fff;font-weight:700;text-anchor:middle;font-size:10.5px}
.lit-link:focus-visible rect.lit{stroke:#0969da;stroke-width:4}
.stop circle{fill:var(--bad)}.stop text{fill:#fff;text-anchor:middle;font-weight:700}.stop .stop-text{fill:var(--bad);text-anchor:start}
.nat-badge rect{fill:var(--nat-bg);stroke:var(--nat);stroke-width:1.2}.nat-badge text{fill:var(--nat);text-anchor:middle;font-weight:600;font-size:10.5px}
.nat-inline{background:var(--nat-bg);border:1px solid var(--nat);border-radius:9px;padding:0 6px;color:var(--nat);font-weight:600}
ol.steps{list-style:none;padding:0;margin:6px 0}
ol.steps li{margin:1px 0}
li.step summary{cursor:pointer;padding:2px 4px;border-radius:4px}
li.step summary:hover{background:var(--card)}
li.step .n{display:inline-block;min-width:2.2em;text-align:center;font-weight:700;background:var(--lit);color:#fff;border-radius:9px;margin-right:4px}
li.step .where{font-weight:600}
li.step .hook{display:inline-block;min-width:8.5em;font-size:11px;color:var(--muted);letter-spacing:.03em}
li.step .chain{font-family:ui-monospace,monospace}
li.step.stop summary{color:var(--bad);font-weight:600}
li.step.stop .n::after{content:" ✕"}
.step-body{margin:2px 0 8px 2.8em}
.step-body p{margin:2px 0}
dl.seen{display:flex;flex-wrap:wrap;gap:0 12px;margin:2px 0;font-size:12px;color:var(--muted)}
dl.seen dt{font-weight:600}dl.seen dd{margin:0 0 0 4px;font-family:ui-monospace,monospace}
li.event{margin-left:2.8em;color:var(--muted);font-size:13px}
li.event::before{content:"· "}
.missing{color:var(--warn)}
.assumptions,.draws{background:#fff8c5;border:1px solid #d4a72c;border-radius:6px;padding:4px 10px;margin:6px 0}
.assumptions ul,.draws ul{margin:2px 0;padding-left:20px}
.truncated{color:var(--warn)}
.filters{border:1px solid #d0d7de;border-radius:6px;padding:4px 10px;margin:8px 0;display:flex;gap:16px;flex-wrap:wrap;align-items:center}
.finding{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:4px 10px;margin:6px 0}
.finding.error{border-left-color:var(--bad)}.finding.warning{border-left-color:var(--warn);border-left-style:double}.finding.info{border-left-color:var(--info);border-left-style:dotted}
.sev{font-weight:700;text-transform:uppercase;font-size:11px;letter-spacing:.04em}
.sev.error{color:var(--bad)}.sev.warning{color:var(--warn)}.sev.info{color:var(--info)}
.finding .code{color:var(--muted)}
.related{margin:2px 0 2px 12px}
table.changes{border-collapse:collapse;width:100%}
table.changes td,table.changes th{border-bottom:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
.kind{font-weight:700;white-space:nowrap}
.kind.added::before{content:"+ "}.kind.removed::before{content:"− "}.kind.modified::before{content:"~ "}.kind.moved::before{content:"↕ "}
.kind.added{color:var(--ok)}.kind.removed{color:var(--bad)}
.side{font-size:11px;color:var(--muted);text-transform:uppercase}
del{background:var(--bad-bg);text-decoration:line-through}ins{background:var(--ok-bg);text-decoration:underline}
.explained{color:var(--muted)}
@media print{
  body{padding:0;font-size:11pt;color:#000}
  .pick input,.filters{display:none}
  details::details-content{content-visibility:visible;display:block}
  details>summary{list-style:none}
  section.packet{break-before:auto}
  figure.diagram{break-inside:avoid}
  figure.diagram svg{width:100%}
  .banner,.finding,pre{break-inside:avoid}
  a{color:#000;text-decoration:none}
}
`;

/**
 * Which outcome is shown, for every outcome number up to `most`: the radio buttons of a packet's outcome list
 * decide it through `:has()`, so no script is needed. Browsers without `:has()` show outcome 1 (the rules
 * above); the details of every outcome are in the page either way.
 */
export function outcomeSwitchStyle(most: number): string {
  if (most < 2) return '';
  const rules = ['.packet:has(.pick input:checked) .outcome{display:none}', '.packet:has(.pick input:checked) g.path{display:none}'];
  for (let k = 1; k <= most; k++) {
    rules.push(`.packet:has(.pick input[value="${k}"]:checked) .outcome[data-o="${k}"]{display:block}`);
    rules.push(`.packet:has(.pick input[value="${k}"]:checked) g.path[data-o="${k}"]{display:inline}`);
  }
  return '\n' + rules.join('\n') + '\n';
}
