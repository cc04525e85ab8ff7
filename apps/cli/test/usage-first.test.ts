// Usage is checked before input is read: a mistake on the command line is reported at once, not after seconds
// spent parsing a large snapshot. A file that does not exist shows that nothing was read (reading it would say
// "no such file"); a rules file full of errors shows that nothing was parsed (parsing it would print them).
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

const BROKEN = '*filter\n-A INPUT -s 10.0.0.300 -j DROP\nthis is not a rule\nCOMMIT\n';
const HOST = JSON.stringify({ interfaces: [{ name: 'eth0', addresses: ['192.0.2.1/24'] }], routes: [{ dst: 'default', via: '192.0.2.254', dev: 'eth0' }] });

async function cli(argv: string[]) {
  const io = memoryIo({ 'broken.rules': BROKEN, 'host.json': HOST });
  const code = await run(argv, io);
  return { code, err: io.err, out: io.out };
}

describe('usage errors come before the input is read', () => {
  it.each([
    ['parse: an unknown --format', ['parse', 'missing.rules', '--format', 'yaml'], '--format must be one of text, json'],
    ['lint: an unknown --format', ['lint', 'missing.rules', '--format', 'yaml'], '--format must be one of text, json, sarif'],
    ['graph: an unknown --format', ['graph', 'missing.rules', '--format', 'png'], '--format must be one of dot, mermaid, json'],
    ['diff: contradicting counter options', ['diff', 'a.rules', 'b.rules', '--counters', '--ignore-counters'], '--counters and --ignore-counters contradict each other'],
    ['explain: --host without --compare', ['explain', 'missing.log', '--rules', 'missing.rules', '--host', 'missing.json'], '--host is only used with --compare'],
    ['trace: a bad --dport', ['trace', 'missing.rules', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--proto', 'tcp', '--dport', '99999'], '--dport must be'],
    ['trace: a bad --then', ['trace', 'missing.rules', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--then', 'later'], '--then takes request[:FLAGS]'],
    ['trace: --then after --reply', ['trace', 'missing.rules', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--reply', '--then', 'reply'], "--then starts from the connection's first packet"],
    ['trace: a bad --local-addr', ['trace', 'missing.rules', '--src', '10.0.0.1', '--dst', '10.0.0.2', '--local-addr', 'host'], '--local-addr needs an IP address'],
  ])('%s', async (_what, argv, message) => {
    const r = await cli(argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toContain('no such file');
  });
});

describe('trace refuses a packet the host facts cannot place before it parses the rules', () => {
  it.each([
    ['no source, no host context', ['trace', 'broken.rules', '--dst', '10.0.0.2'], 'the packet needs a source (--src, --from) or --local; without a host context also --in'],
    ['no destination', ['trace', 'broken.rules', '--src', '10.0.0.1', '--in', 'eth0'], 'the packet needs a destination (--dst ADDRESS or --to NEIGHBOUR)'],
    ['a neighbour the host context does not have', ['trace', 'broken.rules', 'host.json', '--from', 'nobody', '--dst', '10.0.0.2'], "--from 'nobody' is not a neighbour of the host context"],
    ['--in without a source', ['trace', 'broken.rules', '--in', 'eth0', '--dst', '10.0.0.2'], 'the packet needs a source address (--src or --from)'],
  ])('%s', async (_what, argv, message) => {
    const r = await cli(argv);
    expect(r).toEqual({ code: 2, err: `error: ${message}\n`, out: '' });
  });

  it('leaves the entry of a packet with a source to the trace when there are no host facts (the rules may tell it)', async () => {
    // Parsed, so the file's errors are reported: the packet was not refused up front.
    const r = await cli(['trace', 'broken.rules', '--src', '10.0.0.1', '--dst', '10.0.0.2']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('broken.rules:2:');
  });
});
