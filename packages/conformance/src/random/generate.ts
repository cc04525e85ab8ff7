// Random rulesets over the matches and targets the simulator supports, and random packets over the random
// topology (topology.ts). The rulesets stay loadable: user chains only jump forward (no loops), every target is
// used only where the kernel accepts it (REJECT in filter, DNAT in nat chains reached from PREROUTING/OUTPUT,
// MASQUERADE/SNAT from POSTROUTING, CT in raw, `-i`/`-o` only in built-in chains that have that interface), and
// protocol options always come with their `-p`. A ruleset the kernel still refuses is skipped and counted.
import { BUILTIN, type ChainModel, type ModuleModel, type OptionGroup, type ProtocolModel, type RuleModel, type RulesetModel, type TableModel, type TableName, type TargetModel } from './model.js';
import type { Rng } from './prng.js';
import { ADDRESS_POOL, DESTINATIONS, HOST_ADDRESSES, INTERFACES, IPSET_FLAGS, NEIGHBOUR_ADDRESS, PORTS, SOURCES, segmentOf, type Source } from './topology.js';

/** Hooks a chain can be reached from. */
type Hooks = ReadonlySet<string>;

const NO_IN = new Set(['OUTPUT', 'POSTROUTING']);
const NO_OUT = new Set(['PREROUTING', 'INPUT']);

interface Draft {
  table: TableName;
  chain: ChainModel;
  /** nat user chains serve either the destination hooks (PREROUTING/OUTPUT) or POSTROUTING, never both. */
  natClass?: 'dst' | 'src';
}

const PORT_POOL = ['22', '53', '80', '443', '8080', '3000'];
const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'DNAT', 'SNAT'];
const MARKS = ['0x1', '0x2', '0x10', '0x11'];

function not(rng: Rng, p = 0.2): string[] {
  return rng.chance(p) ? ['!'] : [];
}

function portSpec(rng: Rng): string {
  if (rng.chance(0.2)) {
    const a = rng.int(1, 60000);
    return `${a}:${a + rng.int(1, 5000)}`;
  }
  return rng.pick(PORT_POOL);
}

function protocol(rng: Rng): ProtocolModel {
  const name = rng.weighted({ tcp: 5, udp: 3, icmp: 2 } as const);
  const modules: ModuleModel[] = [];
  if (name === 'icmp') {
    if (rng.chance(0.5)) modules.push({ module: 'icmp', options: [[...not(rng), '--icmp-type', rng.pick(['8', '0', '3', '13'])]] });
    return { name, modules };
  }
  const opts: OptionGroup[] = [];
  if (rng.chance(0.6)) opts.push([...not(rng), '--dport', portSpec(rng)]);
  if (rng.chance(0.2)) opts.push([...not(rng), '--sport', portSpec(rng)]);
  if (name === 'tcp' && rng.chance(0.3)) {
    const mask = rng.pick(['SYN,RST,ACK,FIN', 'SYN,ACK', 'FIN,SYN,RST,PSH,ACK,URG', 'RST']);
    const comp = rng.pick(['SYN', 'ACK', 'NONE', 'RST', 'SYN,ACK']);
    opts.push([...not(rng, 0.15), '--tcp-flags', mask, comp]);
  }
  if (opts.length) modules.push({ module: name, options: opts });
  if (rng.chance(0.25)) {
    const list = rng.some(PORT_POOL, 4).join(',');
    modules.push({ module: 'multiport', options: [[...not(rng, 0.15), rng.pick(['--dports', '--sports', '--ports']), list]] });
  }
  return { name, modules };
}

function iprange(rng: Rng): string {
  const base = rng.pick(['10.0.0', '198.51.100', '203.0.113', '192.0.2']);
  const a = rng.int(0, 200);
  return `${base}.${a}-${base}.${a + rng.int(0, 55)}`;
}

function modules(rng: Rng, hooks: Hooks): ModuleModel[] {
  const out: ModuleModel[] = [];
  if (rng.chance(0.3)) {
    const opts: OptionGroup[] = [[...not(rng, 0.15), '--ctstate', rng.some(CT_STATES, 3).join(',')]];
    out.push({ module: 'conntrack', options: opts });
  }
  if (rng.chance(0.15)) out.push({ module: 'mark', options: [[...not(rng), '--mark', rng.chance(0.5) ? rng.pick(MARKS) : `${rng.pick(MARKS)}/0xff`]] });
  if (rng.chance(0.08)) out.push({ module: 'connmark', options: [[...not(rng), '--mark', rng.pick(MARKS)]] });
  if (rng.chance(0.15)) {
    const opts: OptionGroup[] = [];
    if (rng.chance(0.6)) opts.push([...not(rng), '--dst-type', rng.pick(['LOCAL', 'UNICAST', 'BROADCAST', 'MULTICAST'])]);
    if (opts.length === 0 || rng.chance(0.3)) opts.push([...not(rng), '--src-type', rng.pick(['LOCAL', 'UNICAST'])]);
    out.push({ module: 'addrtype', options: opts });
  }
  if (rng.chance(0.1)) {
    out.push({ module: 'iprange', options: [[...not(rng), rng.chance(0.5) ? '--src-range' : '--dst-range', iprange(rng)]] });
  }
  if (rng.chance(0.12)) {
    // --physdev-out / --physdev-is-out are refused in chains reached from OUTPUT (xt_physdev.c physdev_mt_check).
    const outOk = !hooks.has('OUTPUT');
    const opts: OptionGroup[] = [];
    const kind = rng.weighted({ in: 3, out: outOk ? 2 : 0, bridged: 2, isIn: 1 });
    if (kind === 'in') opts.push([...not(rng), '--physdev-in', rng.pick(PORTS)]);
    if (kind === 'out') opts.push([...not(rng), '--physdev-out', rng.pick(PORTS)]);
    if (kind === 'bridged' || (kind === 'out' && rng.chance(0.5))) opts.push([...not(rng), '--physdev-is-bridged']);
    if (kind === 'isIn') opts.push([...not(rng), '--physdev-is-in']);
    out.push({ module: 'physdev', options: opts });
  }
  if (rng.chance(0.06)) {
    const name = rng.pick(Object.keys(IPSET_FLAGS));
    const opts: OptionGroup[] = [[...not(rng), '--match-set', name, rng.pick(IPSET_FLAGS[name]!)]];
    if (name === 'r-nets' && rng.chance(0.3)) opts.push(['--return-nomatch']);
    out.push({ module: 'set', options: opts });
  }
  return out;
}

function base(rng: Rng, builtin: string | null): OptionGroup[] {
  const out: OptionGroup[] = [];
  if (rng.chance(0.3)) out.push([...not(rng), '-s', rng.pick(ADDRESS_POOL)]);
  if (rng.chance(0.3)) out.push([...not(rng), '-d', rng.pick(ADDRESS_POOL)]);
  // iptables refuses -i in OUTPUT/POSTROUTING and -o in PREROUTING/INPUT (built-in chains only).
  if (rng.chance(0.25) && !(builtin !== null && NO_IN.has(builtin))) out.push([...not(rng), '-i', rng.pick(INTERFACES)]);
  if (rng.chance(0.25) && !(builtin !== null && NO_OUT.has(builtin))) out.push([...not(rng), '-o', rng.pick(INTERFACES)]);
  return out;
}

function target(name: string, required: OptionGroup[] = [], options: OptionGroup[] = []): TargetModel {
  return { kind: 'target', name, required, options };
}

/** A non-jump target that the kernel accepts in this table for a chain reached from `hooks`. */
function pickTarget(rng: Rng, table: TableName, hooks: Hooks, proto: ProtocolModel | null, natClass?: 'dst' | 'src'): TargetModel | null {
  const portProto = proto !== null && proto.name !== 'icmp';
  const only = (allowed: string[]) => hooks.size > 0 && [...hooks].every((h) => allowed.includes(h));
  const log = () => target('LOG', [], rng.chance(0.7) ? [['--log-prefix', `"cs-${rng.int(1, 99)}: "`]] : []);
  const mark = () => target('MARK', [['--set-xmark', `${rng.pick(MARKS)}/${rng.pick(['0xffffffff', '0xff', '0x10'])}`]]);
  // SET adds the packet's element to a set, or deletes it; later rules of the packet's path test the change.
  const set = () => {
    const name = rng.pick(Object.keys(IPSET_FLAGS));
    const add = rng.chance(0.6);
    return target('SET', [[add ? '--add-set' : '--del-set', name, rng.pick(IPSET_FLAGS[name]!)]], add && rng.chance(0.3) ? [['--exist']] : []);
  };
  const connmark = () => {
    const how = rng.weighted({ set: 2, save: 1, restore: 1 });
    if (how === 'set') return target('CONNMARK', [['--set-xmark', `${rng.pick(MARKS)}/0xffffffff`]]);
    return target('CONNMARK', [[how === 'save' ? '--save-mark' : '--restore-mark', '--nfmask', '0xffffffff', '--ctmask', '0xffffffff']]);
  };
  switch (table) {
    case 'filter': {
      const k = rng.weighted({ ACCEPT: 3, DROP: 2, RETURN: 2, REJECT: 2, LOG: 2, MARK: 1, CONNMARK: 1, SET: 1, none: 2 });
      if (k === 'none') return null;
      if (k === 'SET') return set();
      if (k === 'LOG') return log();
      if (k === 'MARK') return mark();
      if (k === 'CONNMARK') return connmark();
      if (k === 'REJECT') {
        const how = proto?.name === 'tcp' && rng.chance(0.5) ? 'tcp-reset' : rng.pick(['icmp-port-unreachable', 'icmp-host-prohibited', 'icmp-net-unreachable']);
        return target('REJECT', [], [['--reject-with', how]]);
      }
      return target(k);
    }
    case 'nat': {
      const dst = natClass === 'dst' || only(['PREROUTING', 'OUTPUT']);
      const src = natClass === 'src' || only(['POSTROUTING']);
      const k = rng.weighted({ ACCEPT: 2, RETURN: 2, LOG: 1, none: 2, MARK: 1, DNAT: dst ? 4 : 0, SNAT: src ? 2 : 0, MASQUERADE: src ? 3 : 0 });
      if (k === 'none') return null;
      if (k === 'LOG') return log();
      if (k === 'MARK') return mark();
      if (k === 'DNAT') {
        const to = rng.pick([...Object.values(NEIGHBOUR_ADDRESS), ...DESTINATIONS]);
        return target('DNAT', [['--to-destination', portProto && rng.chance(0.5) ? `${to}:${rng.pick(PORT_POOL)}` : to]]);
      }
      if (k === 'SNAT') return target('SNAT', [['--to-source', rng.pick([...Object.values(HOST_ADDRESSES), '198.51.100.9'])]]);
      return target(k);
    }
    case 'mangle': {
      const k = rng.weighted({ ACCEPT: 2, DROP: 1, RETURN: 2, LOG: 1, MARK: 4, CONNMARK: 3, SET: 1, none: 2 });
      if (k === 'none') return null;
      if (k === 'SET') return set();
      if (k === 'LOG') return log();
      if (k === 'MARK') return mark();
      if (k === 'CONNMARK') return connmark();
      return target(k);
    }
    case 'raw': {
      const k = rng.weighted({ ACCEPT: 2, DROP: 1, RETURN: 2, NOTRACK: 2, MARK: 1, SET: 1, none: 2 });
      if (k === 'none') return null;
      if (k === 'SET') return set();
      if (k === 'MARK') return mark();
      if (k === 'NOTRACK') return target('CT', [['--notrack']]);
      return target(k);
    }
  }
}

function reachability(drafts: Draft[]): Map<ChainModel, Set<string>> {
  const reach = new Map<ChainModel, Set<string>>(drafts.map((d) => [d.chain, new Set(d.chain.builtin ? [d.chain.name] : [])]));
  const byName = new Map(drafts.map((d) => [`${d.table}/${d.chain.name}`, d]));
  // Chains only jump forward (index order), so one pass in order settles it.
  for (const d of drafts) {
    for (const r of d.chain.rules) {
      if (r.target && r.target.kind !== 'target') {
        const t = byName.get(`${d.table}/${r.target.name}`);
        if (t) for (const h of reach.get(d.chain)!) reach.get(t.chain)!.add(h);
      }
    }
  }
  return reach;
}

/** A random ruleset: a few tables, built-in chains with rules, and user chains reached by jumps and gotos. */
export function generateRuleset(rng: Rng): RulesetModel {
  const names: TableName[] = ['filter'];
  if (rng.chance(0.55)) names.push('nat');
  if (rng.chance(0.4)) names.push('mangle');
  if (rng.chance(0.3)) names.push('raw');
  const drafts: Draft[] = [];
  const tables: TableModel[] = [];
  for (const name of names) {
    const chains: ChainModel[] = BUILTIN[name].map((c) => ({
      name: c,
      builtin: true,
      policy: name === 'filter' && rng.chance(0.3) ? 'DROP' : (name === 'mangle' || name === 'raw') && rng.chance(0.08) ? 'DROP' : 'ACCEPT',
      rules: [],
    }));
    const userCount = rng.int(0, 3);
    const users: Draft[] = [];
    for (let i = 0; i < userCount; i++) {
      const chain: ChainModel = { name: `U${name[0]!.toUpperCase()}${i + 1}`, builtin: false, policy: null, rules: [] };
      users.push({ table: name, chain, ...(name === 'nat' ? { natClass: rng.chance(0.6) ? ('dst' as const) : ('src' as const) } : {}) });
    }
    const builtins: Draft[] = chains.map((chain) => ({ table: name, chain }));
    // Phase 1: the rules' matches and their jumps (forward only: a built-in chain may jump to any user chain, a
    // user chain only to a later one; nat chains only within their class).
    const all = [...builtins, ...users];
    for (const [k, d] of all.entries()) {
      const n = d.chain.builtin ? rng.int(0, 5) : rng.int(1, 4);
      for (let i = 0; i < n; i++) {
        const builtin = d.chain.builtin ? d.chain.name : null;
        const proto = rng.chance(0.55) ? protocol(rng) : null;
        const rule: RuleModel = { base: base(rng, builtin), proto, modules: modules(rng, new Set(builtin ? [builtin] : ['OUTPUT'])), target: null };
        // (A user chain may be reached from OUTPUT: the physdev-out restriction is applied to every user chain.)
        const targets = all.slice(k + 1).filter((t) => !t.chain.builtin && natCompatible(name, d, t));
        if (targets.length && rng.chance(0.35)) {
          const t = rng.pick(targets);
          rule.target = { kind: rng.chance(0.25) ? 'goto' : 'jump', name: t.chain.name, options: [], required: [] };
        }
        d.chain.rules.push(rule);
      }
    }
    drafts.push(...all);
    tables.push({ name, chains: [...chains, ...users.map((u) => u.chain)] });
  }
  // Phase 2: the other targets, knowing which hooks reach each chain.
  const reach = reachability(drafts);
  for (const d of drafts) {
    const hooks = reach.get(d.chain)!;
    for (const r of d.chain.rules) if (r.target === null) r.target = pickTarget(rng, d.table, hooks, r.proto, d.natClass);
  }
  return { tables };
}

function natCompatible(table: TableName, from: Draft, to: Draft): boolean {
  if (table !== 'nat') return true;
  const cls = from.chain.builtin ? (from.chain.name === 'POSTROUTING' ? 'src' : from.chain.name === 'INPUT' ? null : 'dst') : from.natClass;
  return cls !== null && cls === to.natClass;
}

/** A packet of a random case, as the raw sender sends it. */
export interface RandomPacket {
  from: Source;
  dst: string;
  proto: 'tcp' | 'udp' | 'icmp';
  sport?: number;
  dport?: number;
  /** TCP flag letters (F S R P A U E C), may be empty. */
  flags?: string;
  icmpType?: number;
  /** ICMP id, unique within a case so each packet has its own conntrack entry. */
  icmpId?: number;
}

/** `count` packets with distinct connections (source ports and ICMP ids differ). */
export function generatePackets(rng: Rng, count: number): RandomPacket[] {
  const out: RandomPacket[] = [];
  for (let i = 0; i < count; i++) {
    const from = rng.pick(SOURCES);
    // Only packets that cross the host: not to the sender itself, not between two endpoints on the same side
    // (topology.ts segmentOf; the host talking to itself would go through lo).
    const dst = rng.pick(DESTINATIONS.filter((d) => segmentOf(d) !== segmentOf(from) && d !== (NEIGHBOUR_ADDRESS[from] ?? from)));
    const proto = rng.weighted({ tcp: 5, udp: 3, icmp: 2 } as const);
    if (proto === 'icmp') {
      out.push({ from, dst, proto, icmpType: Number(rng.weighted({ '8': 8, '0': 1, '13': 1 })), icmpId: 1000 + i });
      continue;
    }
    const p: RandomPacket = { from, dst, proto, sport: 41000 + i * 7 + rng.int(0, 6), dport: Number(rng.pick(PORT_POOL)) };
    if (proto === 'tcp') p.flags = rng.weighted({ S: 12, A: 2, SA: 1, R: 1, F: 1, FA: 1, PA: 1, '': 1 });
    out.push(p);
  }
  return out;
}
