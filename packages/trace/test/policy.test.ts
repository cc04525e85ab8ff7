// Policy routing as fib_rules.c picks a rule: in priority order, every selector must hold (`not` inverts them),
// a lookup that finds nothing (or a `throw` route) goes on to the next rule. The paths through a real dual-uplink
// router are checked against the kernel in the conformance scenario fixtures/conformance/policy-routing.
import { describe, expect, it } from 'vitest';
import { parseIpAny } from '../src/host/context';
import { HostModel, parseHostContext, type HostContext, type HostRule } from '../src/index';
import type { RouteKey } from '../src/host/model';

const ip = (s: string) => parseIpAny(s)!.address;

function host(rules: HostRule[] | undefined): HostModel {
  const ctx: HostContext = {
    interfaces: [
      { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8', '::1/128'] },
      { name: 'eth0', addresses: ['192.0.2.10/24', '2001:db8::10/64'] },
      { name: 'eth1', addresses: ['198.51.100.10/24'] },
    ],
    routes: [
      { dst: 'default', via: '192.0.2.1', dev: 'eth0' },
      { dst: 'default', via: '198.51.100.1', dev: 'eth1', table: 100 },
      { dst: '203.0.113.0/24', type: 'throw', table: 100 },
      { dst: '192.0.2.0/24', type: 'blackhole', table: 200 },
    ],
    ...(rules ? { rules } : {}),
    neighbors: [],
    sysctl: {},
  };
  return new HostModel(ctx);
}

const DEFAULTS: HostRule[] = [{ priority: 0, table: 'local' }, { priority: 32766, table: 'main' }, { priority: 32767, table: 'default' }];
const withRule = (...rules: HostRule[]) => host([...DEFAULTS, ...rules]);

/** Where a lookup ends: `eth1 via 198.51.100.1`, `local`, or the kind (unreachable, blackhole, …). */
function where(h: HostModel, dst: string, key: RouteKey = {}): string {
  const r = h.route(parseIpAny(dst)!.version, ip(dst), key);
  if (r.kind === 'unicast') return `${r.dev}${r.via !== null ? ' via' : ''}`;
  return r.kind;
}

describe('rule selection', () => {
  it.each([
    ['no rules in the context: the kernel defaults (local, main)', host(undefined), '8.8.8.8', {}, 'eth0 via'],
    ['an own address is local before any other rule', withRule({ priority: 10, table: 100 }), '198.51.100.10', {}, 'local'],
    ['fwmark: the mark selects table 100', withRule({ priority: 100, fwmark: '0x1', table: 100 }), '8.8.8.8', { mark: 1 }, 'eth1 via'],
    ['fwmark: another mark does not', withRule({ priority: 100, fwmark: '0x1', table: 100 }), '8.8.8.8', { mark: 2 }, 'eth0 via'],
    ['fwmark with a mask compares the masked bits', withRule({ priority: 100, fwmark: '0x4/0xf', table: 100 }), '8.8.8.8', { mark: 0x1234 }, 'eth1 via'],
    ['from: a source in the prefix', withRule({ priority: 200, from: '10.1.0.128/25', table: 100 }), '8.8.8.8', { src: ip('10.1.0.200') }, 'eth1 via'],
    ['from: a source outside it', withRule({ priority: 200, from: '10.1.0.128/25', table: 100 }), '8.8.8.8', { src: ip('10.1.0.5') }, 'eth0 via'],
    ['from: an unknown source does not match a prefix', withRule({ priority: 200, from: '10.1.0.128/25', table: 100 }), '8.8.8.8', {}, 'eth0 via'],
    ['to: the destination in the prefix', withRule({ priority: 300, to: '8.8.0.0/16', table: 100 }), '8.8.8.8', {}, 'eth1 via'],
    ['iif lo: locally generated packets', withRule({ priority: 300, iif: 'lo', table: 100 }), '8.8.8.8', { iif: 'lo' }, 'eth1 via'],
    ['iif: another input device', withRule({ priority: 300, iif: 'lo', table: 100 }), '8.8.8.8', { iif: 'eth0' }, 'eth0 via'],
    ['not inverts the selectors', withRule({ priority: 300, not: true, fwmark: '0x1', table: 100 }), '8.8.8.8', { mark: 0 }, 'eth1 via'],
    ['a blackhole rule', withRule({ priority: 300, to: '8.8.8.8/32', action: 'blackhole' }), '8.8.8.8', {}, 'blackhole'],
    ['a prohibit rule', withRule({ priority: 300, fwmark: 7, action: 'prohibit' }), '8.8.8.8', { mark: 7 }, 'prohibit'],
    ['a table without a route goes on to the next rule', withRule({ priority: 100, table: 300 }), '8.8.8.8', {}, 'eth0 via'],
    ['a throw route goes on to the next rule', withRule({ priority: 100, table: 100 }), '203.0.113.5', {}, 'eth0 via'],
    ['a blackhole route in the chosen table', withRule({ priority: 100, table: 200 }), '192.0.2.99', {}, 'blackhole'],
    ['an IPv4 rule leaves IPv6 alone', withRule({ priority: 100, from: '0.0.0.0/0', to: '0.0.0.0/0', family: 'ipv4', action: 'unreachable' }), '2001:db8::99', {}, 'eth0'],
    ['a rule without addresses holds for both families', withRule({ priority: 100, action: 'unreachable' }), '2001:db8::99', {}, 'unreachable'],
    ['lower priority first; equal priorities in the given order', host([{ priority: 5, table: 100 }, { priority: 5, action: 'unreachable' }, ...DEFAULTS]), '8.8.8.8', {}, 'eth1 via'],
    ['without a local rule nothing is local, as in the kernel', host([{ priority: 32766, table: 'main' }]), '192.0.2.10', {}, 'eth0'],
    ['ipproto: the protocol of the flow', withRule({ priority: 100, ipproto: 'udp', table: 100 }), '8.8.8.8', { proto: 17 }, 'eth1 via'],
    ['ipproto: another protocol', withRule({ priority: 100, ipproto: 17, table: 100 }), '8.8.8.8', { proto: 6 }, 'eth0 via'],
    ['dport: a port in the range', withRule({ priority: 100, ipproto: 'tcp', dport: '8000-8999', table: 100 }), '8.8.8.8', { proto: 6, dport: 8080 }, 'eth1 via'],
    ['dport: a port outside it', withRule({ priority: 100, ipproto: 'tcp', dport: '8000-8999', table: 100 }), '8.8.8.8', { proto: 6, dport: 80 }, 'eth0 via'],
    ['sport: one port', withRule({ priority: 100, sport: 53, table: 100 }), '8.8.8.8', { proto: 17, sport: 53 }, 'eth1 via'],
    ['a flow without ports has port 0', withRule({ priority: 100, dport: '1-65535', table: 100 }), '8.8.8.8', { proto: 1 }, 'eth0 via'],
    ['not inverts the port selectors too', withRule({ priority: 100, not: true, ipproto: 'udp', dport: 53, table: 100 }), '8.8.8.8', { proto: 6, dport: 53 }, 'eth1 via'],
    ['suppress_prefixlength 0 passes over a default route (wg-quick)', withRule({ priority: 10, table: 'main', suppress_prefixlength: 0 }, { priority: 20, table: 100 }), '8.8.8.8', {}, 'eth1 via'],
    ['suppress_prefixlength 0 keeps a longer route', withRule({ priority: 10, table: 'main', suppress_prefixlength: 0 }, { priority: 20, table: 100 }), '192.0.2.99', {}, 'eth0'],
    ['suppress_prefixlength 24 passes over a /24 too', withRule({ priority: 10, table: 'main', suppress_prefixlength: 24 }, { priority: 20, table: 100 }), '192.0.2.99', {}, 'eth1 via'],
    ['a suppressed lookup still answers with an error route', withRule({ priority: 10, table: 200, suppress_prefixlength: 32 }), '192.0.2.99', {}, 'blackhole'],
    ['nop goes on with the next rule', withRule({ priority: 10, action: 'nop' }, { priority: 20, table: 100 }), '8.8.8.8', {}, 'eth1 via'],
    ['goto skips the rules before its target', withRule({ priority: 10, goto: 30 }, { priority: 20, action: 'unreachable' }, { priority: 30, table: 100 }), '8.8.8.8', {}, 'eth1 via'],
    ['goto: the target rule\'s selectors must hold', withRule({ priority: 10, goto: 30 }, { priority: 20, action: 'unreachable' }, { priority: 30, fwmark: 1, table: 100 }), '8.8.8.8', {}, 'eth0 via'],
    ['goto to a priority no rule has is passed over', withRule({ priority: 10, goto: 15 }, { priority: 20, action: 'unreachable' }), '8.8.8.8', {}, 'unreachable'],
  ] as const)('%s', (_name, h, dst, key, expected) => expect(where(h, dst, key as RouteKey)).toBe(expected));
});

describe('rules in a host context', () => {
  const parse = (rules: string) => parseHostContext(`{ "interfaces": [], "routes": [], "rules": ${rules} }`, 'h.json');
  it('are read as given', () => {
    const r = parse('[{ "priority": 0, "table": "local" }, { "priority": 100, "fwmark": "0x1", "table": 100 }, { "priority": 32766, "table": "main" }]');
    expect(r.diagnostics).toEqual([]);
    expect(r.context!.rules).toEqual([{ priority: 0, table: 'local' }, { priority: 100, fwmark: '0x1', table: 100 }, { priority: 32766, table: 'main' }]);
  });
  it('take the protocol, port, suppress, goto and nop fields', () => {
    const r = parse(`[{ "priority": 0, "table": "local" }, { "priority": 10, "goto": 40 }, { "priority": 20, "action": "nop" },
      { "priority": 30, "ipproto": "tcp", "sport": 1024, "dport": "8000-8999", "table": 200 },
      { "priority": 40, "table": "main", "suppress_prefixlength": 0 }]`);
    expect(r.diagnostics).toEqual([]);
    expect(r.context!.rules).toEqual([
      { priority: 0, table: 'local' }, { priority: 10, goto: 40 }, { priority: 20, action: 'nop' },
      { priority: 30, ipproto: 'tcp', sport: 1024, dport: '8000-8999', table: 200 },
      { priority: 40, table: 'main', suppress_prefixlength: 0 },
    ]);
  });
  it.each([
    ['a bad fwmark', '[{ "priority": 0, "table": "local" }, { "fwmark": "x", "table": 1 }]', 'trace/host-context-rule'],
    ['a bad prefix', '[{ "priority": 0, "table": "local" }, { "from": "10.0.0.0/99", "table": 1 }]', 'trace/host-context-address'],
    ['an unknown action', '[{ "priority": 0, "table": "local" }, { "action": "jump", "table": 1 }]', 'trace/host-context-rule'],
    ['a goto without its target', '[{ "priority": 0, "table": "local" }, { "priority": 5, "action": "goto" }]', 'trace/host-context-rule'],
    ['a goto backwards', '[{ "priority": 0, "table": "local" }, { "priority": 5, "goto": 3 }]', 'trace/host-context-rule'],
    ['a bad port range', '[{ "priority": 0, "table": "local" }, { "dport": "90-80", "table": 1 }]', 'trace/host-context-rule'],
    ['a port range of three numbers', '[{ "priority": 0, "table": "local" }, { "sport": "1-2-3", "table": 1 }]', 'trace/host-context-rule'],
    ['a goto beside another action', '[{ "priority": 0, "table": "local" }, { "priority": 5, "goto": 9, "action": "lookup", "table": 1 }]', 'trace/host-context-rule'],
    ['an unknown protocol', '[{ "priority": 0, "table": "local" }, { "ipproto": "tcpp", "table": 1 }]', 'trace/host-context-rule'],
    ['a lookup without a table', '[{ "priority": 0, "table": "local" }, { "fwmark": 1 }]', 'trace/host-context-missing'],
  ])('%s is an error at its place', (_name, rules, code) => {
    const r = parse(rules);
    expect(r.context).toBeNull();
    expect(r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code)).toEqual([code]);
  });
  it('warns when no rule looks up the local table', () => {
    const r = parse('[{ "priority": 32766, "table": "main" }]');
    expect(r.diagnostics.map((d) => `${d.severity} ${d.code}`)).toEqual(['warning trace/host-context-rule']);
  });
});
