// Headless Chromium for the tests that open generated pages in a real browser (Debian's `chromium` package, which
// .ci/run installs). Absent, those tests skip with a notice, except under CI=true, where its absence fails them.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['chromium', 'chromium-browser', 'google-chrome'];

function find(): string | null {
  for (const c of CANDIDATES) if (spawnSync(c, ['--version'], { encoding: 'utf8' }).status === 0) return c;
  return null;
}

export const chromium = find();

/** Call at the top of a describe: whether to run; throws under CI=true when Chromium is missing. */
export function chromiumAvailable(what: string): boolean {
  if (chromium) return true;
  if (process.env.CI === 'true') throw new Error(`${what} needs headless Chromium ('chromium' on PATH), and CI=true requires it`);
  console.warn(`\n*** SKIPPED: ${what}: no Chromium on PATH (apt-get install chromium) ***\n`);
  return false;
}

export interface BrowserRun {
  status: number | null;
  stdout: string;
  /** Messages the page wrote to its console or caused (script errors, refused loads), from Chromium's log. */
  console: string[];
  ms: number;
}

/** Opens `file` headless with extra switches (`--screenshot=…`, `--dump-dom`); its console lines are collected. */
export function openPage(file: string, switches: string[], timeoutMs = 60_000): BrowserRun {
  const t0 = performance.now();
  const r = spawnSync(chromium!, [
    '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--force-device-scale-factor=1', '--no-first-run',
    '--enable-logging=stderr', '--v=0', ...switches, pathToFileURL(file).href,
  ], { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  // Chromium logs a page's console as `…:INFO:CONSOLE(line)] "message", source: …` and refused loads as
  // "Refused to …" (Content-Security-Policy) or "Not allowed to load local resource".
  const console = (r.stderr ?? '').split('\n').filter((l) => /:CONSOLE[:(]|Refused to |Not allowed to load|Uncaught /.test(l));
  return { status: r.status, stdout: r.stdout ?? '', console, ms };
}
