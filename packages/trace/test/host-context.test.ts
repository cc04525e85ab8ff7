// parseHostContext: the documented fields, and every problem reported with its code and exact line/column.
import { describe, expect, it } from 'vitest';
import { HostModel, parseHostContext } from '../src/index';

describe('parseHostContext errors', () => {
  it.each([
    ['{ "interfaces": [ { "name": "eth0", } ] }', 'trace/host-context-syntax', 1, 37],
    ['{ "interfaces": 3 }', 'trace/host-context-type', 1, 17],
    ['{\n  "interfaces": [\n    { "name": "eth0", "addresses": ["10.0.0.1/33"] }\n  ]\n}', 'trace/host-context-address', 3, 37],
    ['{ "routes": [ { "dst": "default" } ] }', 'trace/host-context-missing', 1, 15],
    ['{ "routes": [ { "dst": "10.0.0.0/8", "via": "10.0.0.1", "type": "anycast" } ] }', 'trace/host-context-route-type', 1, 65],
    ['{ "neighbors": [ { "ip": "10.0.0.x" } ] }', 'trace/host-context-address', 1, 26],
    ['{ "neighbors": [ { "ip": "10.0.0.2", "mac": "zz" } ] }', 'trace/host-context-mac', 1, 45],
    ['{ "interfaces": [ { "name": "p1", "master": "br9" } ] }', 'trace/host-context-reference', 1, 45],
    ['[]', 'trace/host-context-shape', 1, 1],
  ])('%s → %s at %i:%i', (text, code, line, column) => {
    const r = parseHostContext(text, 'h.json');
    const d = r.diagnostics.find((x) => x.severity === 'error')!;
    expect({ code: d.code, line: d.span.start.line, column: d.span.start.column, file: d.file }).toEqual({ code, line, column, file: 'h.json' });
    expect(r.context).toBeNull();
  });

  it('warns about unknown fields but keeps the context', () => {
    const r = parseHostContext('{ "interfaces": [], "colour": "blue" }');
    expect(r.diagnostics.map((d) => [d.code, d.severity, d.span.start.column])).toEqual([['trace/host-context-unknown-field', 'warning', 21]]);
    expect(r.context).not.toBeNull();
  });
});

describe('the host model', () => {
  const ctx = parseHostContext(JSON.stringify({
    interfaces: [
      { name: 'eth0', addresses: ['192.0.2.10/24'] },
      { name: 'docker0', type: 'bridge', mac: '02:42:ac:11:00:01', addresses: ['172.17.0.1/16'] },
      { name: 'veth1', type: 'veth', master: 'docker0' },
    ],
    routes: [{ dst: 'default', via: '192.0.2.1', dev: 'eth0' }, { dst: '10.0.0.0/8', via: '192.0.2.2' }, { dst: '198.51.100.0/24', type: 'blackhole' }],
    neighbors: [{ name: 'web', ip: '172.17.0.2', mac: '02:42:ac:11:00:02', dev: 'docker0', port: 'veth1' }],
    sysctl: { 'net.ipv4.ip_forward': 0 },
  })).context!;
  const host = new HostModel(ctx);
  const ip = (s: string) => BigInt(s.split('.').reduce((a, b) => a * 256 + Number(b), 0));

  it.each([
    ['192.0.2.10', 'local'],
    ['172.17.0.2', 'unicast docker0'],
    ['10.1.2.3', 'unicast eth0'],
    ['8.8.8.8', 'unicast eth0'],
    ['198.51.100.7', 'blackhole'],
    ['172.17.255.255', 'local'],
  ])('routes %s: %s', (dst, want) => {
    const r = host.route(4, ip(dst));
    expect(r.kind === 'unicast' ? `unicast ${r.dev}` : r.kind).toBe(want);
  });

  it.each([
    ['192.0.2.10', null, 'LOCAL'],
    ['192.0.2.10', 'docker0', 'UNICAST'],
    ['172.17.255.255', null, 'BROADCAST'],
    ['127.0.0.1', null, 'LOCAL'],
    ['224.0.0.1', null, 'MULTICAST'],
    ['8.8.8.8', null, 'UNICAST'],
  ] as const)('addrtype of %s (dev %s) is %s', (a, dev, type) => expect(host.addrType(4, ip(a), dev)).toBe(type));

  it('knows bridge ports, the FDB, sysctls and their defaults', () => {
    expect(host.masterOf('veth1')).toBe('docker0');
    expect(host.fdbPort('docker0', 0x0242ac110002n)).toBe('veth1');
    expect(host.sysctl('net.ipv4.ip_forward')).toBe(0);
    expect(host.sysctl('net.bridge.bridge-nf-call-iptables')).toBe(1);
    expect(host.selectSource(4, 'eth0', ip('192.0.2.1'))).toBe(ip('192.0.2.10'));
  });
});
