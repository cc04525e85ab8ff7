// `--format html` opened in headless Chromium: the bundled examples' pages load without a console message, the
// steps in the DOM after load are the steps of `--format json` for the same question, a screenshot of each page is
// kept (under .artifacts/report/, gitignored) and is a real image, and the lit rows are painted where the diagram's
// rows are. Skipped with a notice without Chromium, failed under CI=true (test-support/chromium.ts).
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';
import { chromiumAvailable, openPage } from '../../../test-support/chromium';
import { decodePng, pixelsIn } from '../../../test-support/png';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const OUT = path.join(repoRoot, '.artifacts', 'report');
const DOCKER = 'fixtures/docker-host';
const files: Record<string, string> = {};
for (const f of ['docker-host/iptables-save', 'docker-host/host.json', 'diff/host/before.rules', 'diff/host/after.rules', 'lint/synology-ds414.v4.save']) {
  files[`fixtures/${f}`] = readFileSync(path.join(repoRoot, 'fixtures', f), 'utf8');
}

// A fork: one packet in four is DNATed to this host (filter INPUT), the rest to a backend (filter FORWARD).
files['fork.save'] = `*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
-A PREROUTING -d 192.0.2.10/32 -p tcp -m statistic --mode random --probability 0.25 -j DNAT --to-destination 192.0.2.10:8080
-A PREROUTING -d 192.0.2.10/32 -p tcp -j DNAT --to-destination 10.0.0.2:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p tcp -j ACCEPT
-A FORWARD -p tcp -j ACCEPT
COMMIT
`;
const fork = ['trace', 'fork.save', '--local-addr', '192.0.2.10', '--in', 'eth0', '--src', '203.0.113.5', '--dst', '192.0.2.10', '--proto', 'tcp', '--dport', '80'];

async function cli(argv: string[]): Promise<string> {
  const io = memoryIo(files);
  const code = await run(argv, io);
  if (code > 1) throw new Error(`chainsight ${argv.join(' ')}: exit ${code}\n${io.err}`);
  return io.out;
}

const client = [`${DOCKER}/iptables-save`, `${DOCKER}/host.json`, '--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'];
const worker = [`${DOCKER}/iptables-save`, `${DOCKER}/host.json`, '--from', 'worker', '--dst', '203.0.113.7', '--proto', 'tcp', '--dport', '443', '--then', 'reply'];

const PAGES = [
  { name: 'trace-published-port', argv: ['trace', ...client] },
  { name: 'trace-masquerade-then-reply', argv: ['trace', ...worker] },
  { name: 'lint-docker-host', argv: ['lint', `${DOCKER}/iptables-save`] },
  { name: 'lint-findings', argv: ['lint', 'fixtures/lint/synology-ds414.v4.save'] },
  { name: 'diff-host', argv: ['diff', 'fixtures/diff/host/before.rules', 'fixtures/diff/host/after.rules'] },
];

interface JsonStep { family: string; hook: string; table: string; chain: string; rule: number | null }
interface JsonTrace { outcomes: { steps: JsonStep[] }[] }

/** The row a step lights: its layer, the hook (BROUTING is bridge prerouting) and its table. */
const rowOf = (s: JsonStep) => `${s.family === 'bridge' ? 'bridge' : 'ip'}:${s.hook === 'BROUTING' ? 'prerouting' : s.hook.toLowerCase()}:${s.table}`;

const attrs = (tag: string) => Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

describe.runIf(chromiumAvailable('the HTML report browser tests'))('HTML reports in headless Chromium', () => {
  const html = new Map<string, string>();
  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    for (const p of PAGES) {
      const text = await cli([...p.argv, '--format', 'html']);
      html.set(p.name, text);
      writeFileSync(path.join(OUT, `${p.name}.html`), text);
    }
  });

  describe.each(PAGES)('$name', ({ name }) => {
    it('loads without a console message and gives a non-empty screenshot', () => {
      const png = path.join(OUT, `${name}.png`);
      const r = openPage(path.join(OUT, `${name}.html`), [`--screenshot=${png}`, '--window-size=1200,1600']);
      expect(r.status).toBe(0);
      expect(r.console).toEqual([]);
      expect(statSync(png).size).toBeGreaterThan(10_000);
      const img = decodePng(readFileSync(png));
      expect([img.width, img.height]).toEqual([1200, 1600]);
      // Not one flat colour: the page was drawn.
      expect(new Set(pixelsIn(img, 0, 0, img.width, 400).map((p) => p.join(','))).size).toBeGreaterThan(20);
    });
  });

  describe.each([
    { name: 'trace-published-port', argv: client, conversation: false },
    { name: 'trace-masquerade-then-reply', argv: worker, conversation: true },
  ])('$name: the DOM after load holds the steps of --format json', ({ name, argv, conversation }) => {
    it('step by step, and one lit row per visit', async () => {
      const json = JSON.parse(await cli(['trace', ...argv, '--format', 'json']));
      const packets: JsonTrace[] = conversation ? json.conversation : [json];
      const dom = openPage(path.join(OUT, `${name}.html`), ['--dump-dom']).stdout;
      expect(dom).toContain('</html>');
      packets.forEach((pk, p) => pk.outcomes.forEach((o, k) => {
        const lis = [...dom.matchAll(new RegExp(`<li class="step[^"]*" id="p-${p + 1}-o-${k + 1}-s-\\d+"[^>]*>`, 'g'))].map((m) => attrs(m[0]));
        expect(lis.map((a) => `${a['data-family']} ${a['data-hook']} ${a['data-table']} ${a['data-chain']} ${a['data-rule']}`))
          .toEqual(o.steps.map((s) => `${s.family} ${s.hook} ${s.table} ${s.chain} ${s.rule ?? ''}`));
        const section = dom.slice(dom.indexOf(`<section class="packet" id="p-${p + 1}"`));
        const group = section.slice(section.indexOf(`<g class="path" data-o="${k + 1}"><a `));
        const lit = [...group.slice(0, group.indexOf('</g>')).matchAll(/<rect class="lit"[^>]*>/g)].map((m) => attrs(m[0]));
        const order: string[] = [];
        for (const s of o.steps) if (order[order.length - 1] !== rowOf(s)) order.push(rowOf(s));
        expect(lit.map((a) => a['data-box'])).toEqual([...new Set(order)]);
        expect(lit.flatMap((a) => a['data-steps']!.split(' ').map(Number)).sort((a, b) => a - b)).toEqual(o.steps.map((_, i) => i + 1));
      }));
    });
  });

  it('lint: the DOM after load holds one finding per finding of --format json, under its rule', async () => {
    const json = JSON.parse(await cli(['lint', 'fixtures/lint/synology-ds414.v4.save', '--format', 'json']));
    const dom = openPage(path.join(OUT, 'lint-findings.html'), ['--dump-dom']).stdout;
    const found = [...dom.matchAll(/<article class="finding [a-z]+" id="f-\d+"[^>]*>/g)].map((m) => attrs(m[0]));
    const expected = json.files.flatMap((f: { diagnostics: { code: string; severity: string }[] }) => f.diagnostics);
    expect(found.length).toBe(expected.length);
    expect(found.map((a) => `${a['data-code']} ${a['data-severity']}`).sort()).toEqual(expected.map((d: { code: string; severity: string }) => `${d.code} ${d.severity}`).sort());
  });

  it.each([1, 2])('a fork: with outcome %i chosen, its path is the one painted (CSS :has, no script)', async (chosen) => {
    const page = await cli([...fork, '--format', 'html']);
    expect(page).toContain('value="2">');
    // The page as if the reader had chosen the outcome; its diagram pinned to the top left, at its own size.
    const variant = page.replace(' value="1" checked>', ' value="1">').replace(` value="${chosen}">`, ` value="${chosen}" checked>`)
      .replace('</head>', '<style>body{margin:0;padding:0}figure.diagram{position:absolute;left:0;top:0;margin:0;background:#fff;z-index:1}figure.diagram svg{max-width:none}</style></head>');
    const file = path.join(OUT, `trace-fork-outcome-${chosen}.html`);
    writeFileSync(file, variant);
    const svg = page.slice(page.indexOf('<svg'), page.indexOf('</svg>'));
    const { width, height } = attrs(svg.slice(0, svg.indexOf('>')));
    const png = path.join(OUT, `trace-fork-outcome-${chosen}.png`);
    expect(openPage(file, [`--screenshot=${png}`, `--window-size=${width},${height}`]).console).toEqual([]);
    const img = decodePng(readFileSync(png));
    const row = (key: string) => attrs(new RegExp(`<rect class="row" data-box="${key}"[^>]*>`).exec(svg)![0]);
    const litShare = (key: string) => {
      const r = row(key);
      const px = pixelsIn(img, Number(r.x), Number(r.y), Number(r.width), Number(r.height));
      return px.filter(([r, g, b]) => r > 150 && g > 60 && g < 240 && b < 210 && r - b > 50).length / px.length;
    };
    const [on, off] = chosen === 1 ? ['ip:input:filter', 'ip:forward:filter'] : ['ip:forward:filter', 'ip:input:filter'];
    expect(litShare(on)).toBeGreaterThan(0.5);
    expect(litShare(off)).toBeLessThan(0.02);
    expect(litShare('ip:prerouting:nat')).toBeGreaterThan(0.5);
  });

  it('paints the lit rows where the diagram\'s rows are, and no other row', () => {
    const page = html.get('trace-published-port')!;
    const svg = page.slice(page.indexOf('<svg'), page.indexOf('</svg>') + 6);
    const style = page.slice(page.indexOf('<style>'), page.indexOf('</style>') + 8);
    const file = path.join(OUT, 'trace-published-port-diagram.html');
    writeFileSync(file, `<!doctype html><html><head><meta charset="utf-8">${style}<style>body{margin:0;padding:0}figure{margin:0}</style></head><body>${svg}</body></html>`);
    const { width, height } = attrs(svg.slice(0, svg.indexOf('>')));
    const png = path.join(OUT, 'trace-published-port-diagram.png');
    const r = openPage(file, [`--screenshot=${png}`, `--window-size=${width},${height}`]);
    expect(r.console).toEqual([]);
    const img = decodePng(readFileSync(png));
    // The lit colours: the outline (#b35900) and the hatching's ground (#ffe8c7) and lines between them.
    const litColour = ([r, g, b]: [number, number, number]) => r > 150 && g > 60 && g < 240 && b < 210 && r - b > 50;
    const share = (x: Record<string, string>) => {
      const px = pixelsIn(img, Number(x.x), Number(x.y), Number(x.width), Number(x.height));
      return px.filter(litColour).length / px.length;
    };
    const lit = [...svg.matchAll(/<rect class="lit"[^>]*>/g)].map((m) => attrs(m[0]));
    expect(lit.length).toBeGreaterThan(1);
    for (const x of lit) expect(share(x), x['data-box']).toBeGreaterThan(0.5);
    const litKeys = new Set(lit.map((x) => x['data-box']));
    const rows = [...svg.matchAll(/<rect class="row[^"]*" data-box[^>]*>/g)].map((m) => attrs(m[0])).filter((x) => !litKeys.has(x['data-box']));
    expect(rows.length).toBeGreaterThan(20);
    for (const x of rows) expect(share(x), x['data-box']).toBeLessThan(0.02);
  });
});
