// `--format html` of trace, lint and diff: one page on stdout, the exit codes of the other formats, and what it
// cannot draw refused as a usage error. (The pages in a real browser: report-browser.test.ts.)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const files: Record<string, string> = {};
for (const f of ['docker-host/iptables-save', 'docker-host/host.json', 'diff/host/before.rules', 'diff/host/after.rules']) {
  files[f] = readFileSync(path.join(repoRoot, 'fixtures', f), 'utf8');
}
files['batch.jsonl'] = '{"src": "203.0.113.7", "dst": "198.51.100.10"}\n';

async function cli(argv: string[]) {
  const io = memoryIo(files);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

const client = ['docker-host/iptables-save', 'docker-host/host.json', '--from', 'client', '--dst', '198.51.100.10', '--proto', 'tcp', '--dport', '8080'];

describe.each([
  { what: 'trace', argv: ['trace', ...client], code: 0, title: 'chainsight trace: tcp 203.0.113.7:40000 → 198.51.100.10:8080 [SYN]' },
  { what: 'trace --expect that fails (the page, then exit 1)', argv: ['trace', ...client, '--expect', 'DROP'], code: 1, title: 'chainsight trace: tcp' },
  { what: 'trace --then', argv: ['trace', ...client, '--then', 'reply', '--then', 'request'], code: 0, title: 'chainsight trace: tcp' },
  { what: 'lint', argv: ['lint', 'docker-host/iptables-save'], code: 0, title: 'chainsight lint: docker-host/iptables-save' },
  { what: 'diff', argv: ['diff', 'diff/host/before.rules', 'diff/host/after.rules'], code: 1, title: 'chainsight diff: diff/host/before.rules → diff/host/after.rules' },
])('$what --format html', ({ argv, code, title }) => {
  it(`prints one page and exits ${code}`, async () => {
    const r = await cli([...argv, '--format', 'html']);
    expect(r.code).toBe(code);
    expect(r.out.startsWith('<!doctype html>\n')).toBe(true);
    expect(r.out.endsWith('</html>\n')).toBe(true);
    expect(r.out.match(/<html/g)).toHaveLength(1);
    expect(r.out).toContain(`<title>${title}`);
  });
});

describe('what an HTML page cannot hold', () => {
  it('refuses --batch (one page draws one trace)', async () => {
    const r = await cli(['trace', 'docker-host/iptables-save', '--batch', 'batch.jsonl', '--format', 'html']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--format html draws one trace (or one --then conversation), not a --batch');
    expect(r.out).toBe('');
  });

  it('a three-packet conversation is three sections, each with its diagram', async () => {
    const r = await cli(['trace', ...client, '--then', 'reply', '--then', 'request', '--format', 'html']);
    expect(r.out.match(/<section class="packet" id="p-\d"/g)).toEqual(['<section class="packet" id="p-1"', '<section class="packet" id="p-2"', '<section class="packet" id="p-3"']);
    expect(r.out.match(/<figure class="diagram">/g)).toHaveLength(3);
  });
});
