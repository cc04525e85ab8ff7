// The published package: `npm pack` of the built CLI, installed with `npm install -g` into a temporary prefix,
// runs as a user would run it. It must not depend on the unpublished @chainsight/* packages (they are bundled,
// tsup.config.ts), must find chevrotain when a line needs it (grammar/src/lex/chevrotain.ts), and must carry the
// docker-host example it points to in --help. It installs chevrotain and diff from the npm registry (or npm's
// cache), so it runs under CI=true only and skips with a notice elsewhere.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const cliDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(cliDir, 'package.json'), 'utf8')) as { name: string; version: string };
const isCI = process.env.CI === 'true';
if (!isCI) console.warn('\n*** SKIPPED: the npm pack / npm install -g test runs under CI=true only (it installs from the npm registry) ***\n');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function sh(cmd: string, args: string[], cwd: string): { code: number | null; out: string; err: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, out: r.stdout ?? '', err: `${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

describe.skipIf(!isCI)('the npm package', () => {
  let dir = '';
  let bin = '';
  let example = '';

  beforeAll(() => {
    if (!existsSync(join(cliDir, 'dist', 'index.js'))) throw new Error('apps/cli/dist is missing: build first (the test command does)');
    dir = mkdtempSync(join(tmpdir(), 'chainsight-pack-'));
    const pack = sh(npm, ['pack', '--json', '--pack-destination', dir], cliDir);
    if (pack.code !== 0) throw new Error(`npm pack failed: ${pack.err}`);
    const [packed] = JSON.parse(pack.out) as { filename: string }[];
    const prefix = join(dir, 'prefix');
    const install = sh(npm, ['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, join(dir, packed!.filename)], dir);
    if (install.code !== 0) throw new Error(`npm install -g failed: ${install.err}`);
    bin = join(prefix, 'bin', 'chainsight');
    example = join(prefix, 'lib', 'node_modules', manifest.name, 'dist', 'examples', 'docker-host');
  }, 300_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs with no @chainsight/* dependency', () => {
    const installed = JSON.parse(readFileSync(join(example, '..', '..', '..', 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    expect(Object.keys(installed.dependencies ?? {}).filter((d) => d.startsWith('@chainsight/'))).toEqual([]);
  });

  it.each([
    [['--version'], `chainsight ${manifest.version}\n`],
    [['-V'], `chainsight ${manifest.version}\n`],
  ])('chainsight %j prints the package version', (argv, out) => {
    const r = sh(bin, argv, dir);
    expect(r).toEqual({ code: 0, out, err: '' });
  });

  it('--help names --version and the bundled example', () => {
    const r = sh(bin, ['--help'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toContain("'chainsight --version'");
    expect(r.out).toContain('dist/examples/docker-host');
  });

  it('traces the bundled docker-host example: the published port is DNATed to the container', () => {
    const r = sh(bin, ['trace', 'iptables-save', 'host.json', '--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'], example);
    // The one note an iptables-nft save gets: native nftables tables it cannot show may exist (mixed-host.ts).
    expect(r.err).toMatch(/^note: iptables-save is an iptables-nft save \(nf_tables backend\): .*\[host\/native-tables-unseen\]\n$/);
    expect(r.code).toBe(0);
    expect(r.out).toContain('NAT: DNAT to 172.17.0.2:80 (nat DOCKER rule 2, iptables-save:36)');
    expect(r.out).toContain('Verdict: forwarded out docker0');
  });

  it('loads chevrotain from its own dependencies for a line the hand scanner declines', () => {
    // A line indented by a paste: the scanner leaves it to the chevrotain lexer and line grammar.
    writeFileSync(join(dir, 'indented.rules'), '*filter\n  :INPUT ACCEPT [0:0]\nCOMMIT\n');
    const r = sh(bin, ['parse', 'indented.rules'], dir);
    expect(r.code).toBe(0);
    expect(r.err).toContain('indented.rules:2:1: warning line starts with white space');
    expect(r.out).toContain('table filter: 1 chains (0 user), 0 rules');
  });
});
