// Host facts from iproute2's JSON. fixtures/docker-host/host.iproute.json was captured from the kernel, in the
// namespaces the kernel lab built from fixtures/docker-host/host.json (conformance test host-capture.test.ts
// checks the same for every scenario, as root); here it is read offline and must trace like the context it was
// captured from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import {
  compileRuleset, hostContextFromIproute, iprouteOutputOf, looksLikeHostInput, readHostInputs, trace, type HostContext, type PacketSpec,
} from '../src/index';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixture = (name: string) => readFileSync(path.join(root, 'fixtures', 'docker-host', name), 'utf8');
const capture = fixture('host.iproute.json');
const given = JSON.parse(fixture('host.json')) as HostContext;

const fields = (...keys: string[]) => ({ fields: new Map(keys.map((k) => [k, true])) });

describe('which command printed an array', () => {
  it.each([
    ['ip -j addr', [fields('ifindex', 'ifname', 'link_type', 'address', 'addr_info')], 'ip-addr'],
    ['ip -j link', [fields('ifindex', 'ifname', 'operstate', 'link_type', 'address')], 'ip-link'],
    ['ip -j route', [fields('dst', 'gateway', 'dev', 'flags'), fields('dst', 'dev', 'protocol', 'scope', 'prefsrc')], 'ip-route'],
    ['ip -j route (only a blackhole)', [fields('type', 'dst', 'flags')], 'ip-route'],
    ['ip -j neigh', [fields('dst', 'dev', 'lladdr', 'state')], 'ip-neigh'],
    ['ip -j rule', [fields('priority', 'src', 'table'), fields('priority', 'src', 'fwmark', 'action')], 'ip-rule'],
    ['ip -j neigh (only failed entries)', [fields('dst', 'dev', 'state')], 'ip-neigh'],
    ['bridge -j link', [fields('ifindex', 'link', 'ifname', 'flags', 'mtu', 'master', 'state', 'priority', 'cost')], 'bridge-link'],
    ['bridge -j fdb', [fields('mac', 'ifname', 'flags', 'master', 'state')], 'bridge-fdb'],
    ['something else', [fields('name', 'value')], null],
  ] as const)('%s', (_name, entries, output) => expect(iprouteOutputOf(entries)).toBe(output));
});

describe('a capture of the Docker host, read back', () => {
  const r = hostContextFromIproute([{ text: capture, fileName: 'host.iproute.json' }]);
  const ctx = r.context!;

  it('recognises each output and reports nothing', () => {
    expect(r.outputs.map((o) => o.output)).toEqual(['ip-addr', 'ip-route', 'ip-rule', 'ip-neigh', 'bridge-fdb']);
    expect(r.diagnostics).toEqual([]);
  });

  it.each(given.interfaces.map((i) => [i.name, i] as const))('interface %s', (name, i) => {
    const got = ctx.interfaces.find((x) => x.name === name)!;
    expect(got.master).toBe(i.master);
    expect(got.mac).toBe(i.mac);
    // The lab builds every link as a veth pair; the context left eth0's kind unsaid.
    expect(got.type).toBe(i.type ?? 'veth');
    // The kernel adds IPv6 link-local addresses and ::1 by itself.
    expect(got.addresses?.filter((a) => !/^fe80:|^::1\//.test(a)) ?? []).toEqual(i.addresses ?? []);
  });

  it('keeps the routes the kernel was given and leaves out the ones it derives from addresses', () => {
    expect(ctx.routes).toEqual([{ dst: 'default', via: '198.51.100.1', dev: 'eth0' }]);
  });

  it('reads the kernel\'s default policy rules', () => {
    expect(ctx.rules).toEqual([{ priority: 0, table: 'local' }, { priority: 32766, table: 'main' }, { priority: 32767, table: 'default' }]);
  });

  it('finds each neighbour, and for those on the bridge the port the bridge learned its MAC on', () => {
    const byIp = new Map(ctx.neighbors.map((n) => [n.ip, n]));
    for (const n of given.neighbors) {
      expect(byIp.get(n.ip)).toEqual({ ip: n.ip, mac: n.mac, dev: n.dev, ...(n.port ? { port: n.port } : {}) });
    }
  });

  const rules = parseSnapshot(fixture('iptables-save'), { fileName: 'iptables-save' }).snapshot;
  const summary = (host: HostContext, spec: PacketSpec) =>
    trace(compileRuleset([rules], host), spec).outcomes.map((o) => ({
      verdict: o.verdict, egress: o.egress, masquerade: o.masquerade, nat: o.nat.map((n) => `${n.type} ${n.to}`),
      steps: o.steps.map((s) => `${s.hook} ${s.table} ${s.chain} ${s.label.type}:${s.label.num} ${s.verdict}`),
    }));
  it.each([
    ['a client outside to the published port', { src: '203.0.113.7', dst: '198.51.100.10', proto: 'tcp', dport: 8080 }],
    ['a container to the outside (MASQUERADE)', { src: '172.17.0.2', dst: '203.0.113.7', proto: 'tcp', dport: 443 }],
    ['a container to another container', { src: '172.17.0.2', dst: '172.17.0.3', proto: 'tcp', dport: 80 }],
    ['the host to a container', { src: '198.51.100.10', dst: '172.17.0.3', proto: 'udp', dport: 53 }],
  ] as const)('traces %s as with the context it was captured from', (_name, spec) => {
    const withCapture = summary(ctx, spec as PacketSpec);
    expect(withCapture).toEqual(summary(given, spec as PacketSpec));
    expect(withCapture[0]!.steps.length).toBeGreaterThan(0);
  });
});

describe('host inputs together and apart', () => {
  it.each([
    ['[{"ifname":"lo"}]', true],
    ['  [\n  {"dst":"default"}]', true],
    ['[]', true],
    ['{"interfaces": []}', true],
    ['[12:34] -A INPUT -j ACCEPT', false],
    ['*filter\n', false],
  ])('%j is host facts: %s', (text, yes) => expect(looksLikeHostInput(text)).toBe(yes));

  const at = (text: string) => ({ text, fileName: 'f.json' });
  it.each([
    ['invalid JSON', ['[{"ifname": }]'], 'trace/iproute-syntax 1:13'],
    ['an array of something else', ['[{"name": "x"}]'], 'trace/iproute-shape 1:1'],
    ['a host context with interfaces beside a capture', ['{"interfaces": [{"name": "lo"}]}', '[{"ifname":"lo","link_type":"loopback","addr_info":[]}]'], 'trace/host-context-twice 1:1'],
    ['two host contexts', ['{"sysctl": {}}', '{"sysctl": {}}'], 'trace/host-context-twice 1:1'],
  ])('%s is an error', (_name, texts, expected) => {
    const r = readHostInputs(texts.map(at));
    expect(r.context).toBeNull();
    const e = r.diagnostics.find((d) => d.severity === 'error')!;
    expect(`${e.code} ${e.span.start.line}:${e.span.start.column}`).toBe(expected);
  });

  it('a host context with only hostname and sysctl adds them to a capture', () => {
    const r = readHostInputs([at('{"hostname": "h", "sysctl": {"net.ipv4.ip_forward": 0}}'), at(capture)]);
    expect(r.diagnostics).toEqual([]);
    expect(r.context!.hostname).toBe('h');
    expect(r.context!.sysctl).toEqual({ 'net.ipv4.ip_forward': 0 });
    expect(r.context!.interfaces.map((i) => i.name)).toEqual(['lo', 'docker0', 'eth0', 'veth1a2b3c4', 'veth5d6e7f8']);
  });

  it('routes alone say that the addresses are unknown', () => {
    const r = readHostInputs([at('[{"dst":"default","gateway":"10.0.0.1","dev":"eth0","flags":[]}]')]);
    expect(r.context!.routes).toEqual([{ dst: 'default', via: '10.0.0.1', dev: 'eth0' }]);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['trace/iproute-no-interfaces']);
  });

  it('reads policy rules as ip -j rule prints them, and leaves out those with selectors it does not model', () => {
    // Entries 40 to 32764 are `ip -j rule` output for rules added with `ip rule add … goto 100`, `nop`,
    // `ipproto 17`, `uidrange 1000-2000`, `ipproto udp dport 53`, `ipproto tcp sport 1024-2000 dport 8000-8999`,
    // `lookup main suppress_prefixlength 0` and `not fwmark 0xca6c lookup 51820`, in a network namespace.
    const text = JSON.stringify([
      { priority: 0, src: 'all', table: 'local' },
      { priority: 40, src: 'all', goto: 100 },
      { priority: 41, src: 'all', nop: null },
      { priority: 42, src: 'all', ipproto: 'udp', table: '7' },
      { priority: 43, src: 'all', uid_start: 1000, uid_end: 2000, table: '7' },
      { priority: 100, src: 'all', ipproto: 'udp', dport: 53, table: '200' },
      { priority: 150, src: 'all', ipproto: 'tcp', sport_start: 1024, sport_end: 2000, dport_start: 8000, dport_end: 8999, table: '200' },
      { priority: 200, src: '10.1.0.128', srclen: 25, table: '100' },
      { priority: 300, not: null, src: 'all', dst: '10.0.0.0', dstlen: 8, fwmark: '0x4', fwmask: '0xf', iif: 'eth9', action: 'blackhole' },
      { priority: 400, src: 'all', dsfield: '0x10', table: '100' },
      { priority: 500, src: 'all', fwmark: '0xzz', table: '100' },
      { priority: 32763, src: 'all', table: 'main', suppress_prefixlen: 0 },
      { priority: 32764, not: null, src: 'all', fwmark: '0xca6c', table: '51820' },
      { priority: 32766, src: 'all', table: 'main' },
    ]);
    const r = hostContextFromIproute([at(text)]);
    expect(r.context!.rules).toEqual([
      { priority: 0, table: 'local' },
      { priority: 40, goto: 100, action: 'goto' },
      { priority: 41, action: 'nop' },
      { priority: 42, ipproto: 'udp', table: 7 },
      { priority: 100, ipproto: 'udp', dport: 53, table: 200 },
      { priority: 150, ipproto: 'tcp', sport: '1024-2000', dport: '8000-8999', table: 200 },
      { priority: 200, from: '10.1.0.128/25', table: 100 },
      { priority: 300, not: true, to: '10.0.0.0/8', fwmark: '0x4/0xf', iif: 'eth9', action: 'blackhole' },
      { priority: 32763, suppress_prefixlength: 0, table: 'main' },
      { priority: 32764, not: true, fwmark: '0xca6c', table: 51820 },
      { priority: 32766, table: 'main' },
    ]);
    const said = r.diagnostics.filter((d) => d.code === 'trace/iproute-rule').map((d) => `${d.code} ${d.message}`);
    expect(said).toEqual([
      'trace/iproute-rule rule 43: its uidrange selector is not modelled; rule left out',
      'trace/iproute-rule rule 400: its dsfield selector is not modelled; rule left out',
      "trace/iproute-rule rule 500: fwmark '0xzz' is not a number; rule left out",
    ]);
  });

  it('an IPv6 default route without a gateway stays IPv6', () => {
    const r = hostContextFromIproute([at('[{"dst":"default","dev":"eth0","metric":1024,"flags":[],"pref":"medium"}]')]);
    expect(r.context!.routes).toEqual([{ dst: '::/0', dev: 'eth0', metric: 1024 }]);
  });

  it('without -d, a master is taken for a bridge; with -d the kind is read', () => {
    const plain = '[{"ifname":"br0","link_type":"ether","address":"02:00:00:00:00:01","addr_info":[]},{"ifname":"p1","master":"br0","link_type":"ether","address":"02:00:00:00:00:02","addr_info":[]}]';
    expect(hostContextFromIproute([at(plain)]).context!.interfaces.map((i) => [i.name, i.type])).toEqual([['br0', 'bridge'], ['p1', undefined]]);
    const detailed = plain.replace('"addr_info":[]}', '"linkinfo":{"info_kind":"bond"},"addr_info":[]}');
    expect(hostContextFromIproute([at(detailed)]).context!.interfaces[0]!.type).toBe('bond');
  });
});
