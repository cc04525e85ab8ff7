// `chainsight capture --script`, and a host capture as the one input of every command, driven through
// run(argv, io): the capture the kernel test took of the docker-modern scenario's namespaces
// (fixtures/conformance/docker-modern/host.capture).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAPTURE_SCRIPT } from '@chainsight/trace';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const CAPTURE = readFileSync(path.join(root, 'fixtures', 'conformance', 'docker-modern', 'host.capture'), 'utf8');
const FILES = { 'host.capture': CAPTURE };
const lineOf = (needle: string) => CAPTURE.slice(0, CAPTURE.indexOf(needle)).split('\n').length;

async function cli(argv: string[], files: Record<string, string> = FILES) {
  const io = memoryIo(files, '');
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('chainsight capture', () => {
  it('prints the capture script, byte for byte', async () => {
    const r = await cli(['capture', '--script']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toBe(CAPTURE_SCRIPT);
  });

  it.each([
    [['capture'], 2, /Usage: chainsight capture --script/],
    [['capture', 'host.capture'], 2, /capture takes no files/],
    [['capture', '--help'], 0, /sudo sh capture.sh > host.capture/],
  ])('%j exits %i', async (argv, code, text) => {
    const r = await cli(argv);
    expect(r.code).toBe(code);
    expect(r.out + r.err).toMatch(text);
  });
});

describe('a host capture as the one input', () => {
  it('trace: rules, host facts and backend from the capture; rules cited at their capture lines', async () => {
    const r = await cli(['trace', 'host.capture', '--src', '198.51.100.50', '--dst', '198.51.100.20', '--proto', 'tcp', '--dport', '8080', '--expect', 'forwarded']);
    expect([r.code, r.err]).toEqual([0, '']);
    expect(r.out).toContain('enters on eth0, where neighbour 198.51.100.50 is');
    expect(r.out).toContain('iptables backend nft (from the header of host.capture)');
    expect(r.out).toContain('Outcome: forwarded out docker0 (bridge port vethweb)');
    expect(r.out).toContain(`-j DNAT --to-destination 172.17.0.2:80  → ACCEPT  (host.capture:${lineOf('-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT')})`);
  });

  it('trace: a second host beside the capture is refused', async () => {
    const r = await cli(['trace', 'host.capture', 'host.json', '--src', '198.51.100.50', '--dst', '198.51.100.20'], { ...FILES, 'host.json': '{"interfaces": []}' });
    expect(r.code).toBe(2);
    expect(r.err).toContain('host facts from host.capture and host.json: one host at a time');
  });

  it('parse: the capture, then each rules section', async () => {
    const r = await cli(['parse', 'host.capture']);
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^host\.capture: chainsight capture \(format 1\), of \S+, kernel \S+, iptables backend nft$/);
    expect(lines).toContain('  sections: 16 ran');
    expect(lines).toContain('host.capture [iptables-save]: iptables-save, IPv4, backend nft (iptables-save v1.8.9)');
    expect(lines).toContain('host.capture [ip6tables-save]: iptables-save, IPv6, backend nft');
    const json = JSON.parse((await cli(['parse', 'host.capture', '--format', 'json'])).out) as { files: { section: string; capture?: { sections: { name: string; line: number }[] } }[] };
    expect(json.files.map((f) => f.section)).toEqual(['iptables-save', 'ip6tables-save', 'ebtables-save']);
    expect(json.files[0]!.capture!.sections.find((s) => s.name === 'ip-addr')!.line).toBe(lineOf('### chainsight-capture begin ip-addr'));
  });

  it('fmt prints the one ruleset with rules, restorable; lint, graph and diff read the capture', async () => {
    const fmt = await cli(['fmt', 'host.capture']);
    expect(fmt.code).toBe(0);
    expect(fmt.out.startsWith('*raw\n')).toBe(true);
    expect((await cli(['lint', 'host.capture'])).out).toBe('no problems in 1 file\n');
    expect((await cli(['graph', 'host.capture', '--format', 'mermaid'])).out).toContain('subgraph');
    expect((await cli(['diff', 'host.capture', 'host.capture'])).code).toBe(0);
  });

  it('a bad rule and a failed command are reported at their lines in the capture, exit 2', async () => {
    const bad = CAPTURE
      .replace('-A DOCKER-FORWARD -i docker0 -j ACCEPT', '-A DOCKER-FORWARD -i docker0 -s 10.0.0.300 -j ACCEPT')
      .replace(/### chainsight-capture end ipset-save exit=0/, '### chainsight-capture stderr ipset v7.17: Kernel error received: Operation not permitted\n### chainsight-capture end ipset-save exit=1');
    const at = (needle: string) => bad.slice(0, bad.indexOf(needle)).split('\n').length;
    for (const cmd of [['lint'], ['parse'], ['trace', '--src', '198.51.100.50', '--dst', '198.51.100.20']]) {
      const r = await cli([cmd[0]!, 'host.capture', ...cmd.slice(1)], { 'host.capture': bad });
      expect(r.code, cmd[0]).toBe(2);
      expect(r.err + r.out).toContain(`host.capture:${at('-s 10.0.0.300')}:33: error`);
    }
    const trace = await cli(['trace', 'host.capture', '--src', '198.51.100.50', '--dst', '198.51.100.20'], { 'host.capture': bad });
    expect(trace.err).toContain(`host.capture:${at('### chainsight-capture end ipset-save exit=1')}:1: warning 'ipset save' exited with status 1: ipset v7.17: Kernel error received: Operation not permitted`);
  });
});
