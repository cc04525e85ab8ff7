// Evaluates one rule's predicate on one packet, for the table-driven match tests: the rule is compiled as the
// only rule of FORWARD (ip) or of the bridge filter FORWARD chain, the packet is built by resolvePacket and then
// adjusted field by field.
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, resolvePacket, type PacketSpec } from '../src/index';
import { Chooser } from '../src/sim/choices';
import { HostFacts } from '../src/sim/host-facts';
import { newConn } from '../src/sim/conntrack';
import { SetChanges } from '../src/sim/set-changes';
import type { SimPacket } from '../src/sim/state';
import type { EvalCtx, Effects } from '../src/compile/types';

export const HOST = {
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8', '::1/128'] },
    { name: 'eth0', mac: '52:54:00:00:00:01', addresses: ['10.0.0.254/24', 'fd00::fe/64'], group: 3 },
    { name: 'eth1', mac: '52:54:00:00:01:01', addresses: ['10.0.1.254/24', 'fd01::fe/64'] },
    { name: 'br0', type: 'bridge', mac: '02:00:00:00:00:01', addresses: ['10.9.0.1/24'] },
    { name: 'p1', type: 'veth', master: 'br0' },
    { name: 'p2', type: 'veth', master: 'br0' },
  ],
  routes: [{ dst: 'default', via: '10.0.1.1', dev: 'eth1' }, { dst: '::/0', via: 'fd01::1', dev: 'eth1' }],
  neighbors: [],
  sysctl: {},
};

export type Result = boolean | 'fork';

export interface MatchCase {
  rule: string;
  /** Packet spec fields over the default (tcp 10.0.0.1:40000 → 10.0.1.2:80, SYN, in eth0, forwarded to eth1). */
  spec?: PacketSpec;
  /** Simulated packet fields set after resolution. */
  set?: Partial<SimPacket> & { conn?: 'new' | 'established' | 'reply' | 'none' };
  /** ebtables rule (bridge family). */
  bridge?: boolean;
  family?: 'ipv6';
  /** The backend the rules are loaded with (default nft, as for a snapshot without a header). */
  backend?: 'nft' | 'legacy';
  expect: Result;
}

const noEffects: Effects = { log: () => {}, note: () => {}, nat: () => true };

export function evaluate(c: MatchCase): Result {
  const v6 = c.family === 'ipv6';
  const text = c.bridge
    ? `*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n-A FORWARD ${c.rule} -j ACCEPT\n`
    : `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n-A FORWARD ${c.rule} -j ACCEPT\nCOMMIT\n`;
  const parsed = parseSnapshot(text, { fileName: 'case', ...(c.bridge ? { format: 'ebtables-save' as const } : v6 ? { family: 'ipv6' as const } : {}) });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new Error(`${c.rule}: ${errors.map((d) => d.message).join('; ')}`);
  const compiled = compileRuleset([parsed.snapshot], HOST, c.backend ? { backend: c.backend } : {});
  const fam = c.bridge ? compiled.bridge! : v6 ? compiled.ip6! : compiled.ip4!;
  const rule = fam.tables.get('filter')!.chains.get('FORWARD')!.rules[0]!;
  const spec: PacketSpec = {
    src: v6 ? 'fd00::1' : '10.0.0.1', dst: v6 ? 'fd01::2' : '10.0.1.2', proto: 'tcp', sport: 40000, dport: 80, in: 'eth0',
    ...c.spec,
  };
  const p = resolvePacket(spec, compiled.host).packet;
  p.in = c.bridge ? 'p1' : 'eth0';
  p.out = c.bridge ? 'p2' : 'eth1';
  const { conn = 'new', ...fields } = c.set ?? {};
  if (conn !== 'none') {
    p.ct = newConn(p);
    p.ctState = conn === 'new' ? 'NEW' : 'ESTABLISHED';
    p.ctDir = conn === 'reply' ? 'REPLY' : 'ORIGINAL';
  } else {
    p.ct = null;
    p.ctDir = null;
  }
  Object.assign(p, fields);
  const chooser = new Chooser([], new Map());
  const ctx: EvalCtx = { host: compiled.host, hook: 'FORWARD', table: 'filter', chooser, effects: noEffects, sets: new SetChanges(), facts: new HostFacts(compiled, chooser) };
  const r = rule.pred === null ? true : rule.pred(p, ctx);
  return chooser.taken.length ? 'fork' : r;
}
