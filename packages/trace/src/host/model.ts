// The host context compiled for lookups: local addresses and the kernel's `local` routing table (for
// `-m addrtype` and the local-delivery decision), the main routing table (longest prefix, then metric), bridge
// ports and the FDB implied by the neighbours, sysctls with the kernel's defaults.
import { parseMac, prefixMask } from '@chainsight/grammar';
import { parseCidr, parseIpAny, type HostContext, type HostNeighbor } from './context';
import { formatIp, inPrefix, isMulticast } from '../addr';
import { joined } from './multicast';
import { ruleMatches, ruleModels, tableId, type RouteKey, type RuleModel } from './policy';

export type { RouteKey } from './policy';

export type Version = 4 | 6;

export interface IfaceAddress {
  version: Version;
  address: bigint;
  prefix: number;
  /** false for a secondary IPv4 address (IFA_F_SECONDARY): no connected route, never a selected source. */
  primary: boolean;
}

export interface IfaceModel {
  name: string;
  type: string;
  master: string | null;
  hairpin: boolean;
  mac: bigint | null;
  addresses: IfaceAddress[];
  group: number;
  /** For a bridge: its ports in context order. */
  ports: string[];
  /** Multicast groups joined (`multicast` of the context), or null when the context does not say. */
  multicast: { version: Version; address: bigint }[] | null;
}

export interface NeighbourModel {
  name: string | null;
  version: Version;
  ip: bigint;
  mac: bigint | null;
  /** Host interface (the bridge for containers). */
  dev: string | null;
  port: string | null;
}

export interface RouteModel {
  version: Version;
  dst: bigint;
  prefix: number;
  via: bigint | null;
  dev: string | null;
  metric: number;
  type: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'local' | 'throw';
  src: bigint | null;
  /** Connected route derived from an interface address (proto kernel, scope link). */
  connected: boolean;
  /** The prefix as a mask, precomputed for lookups. */
  mask: bigint;
}

export type RouteResult =
  | { kind: 'local'; dev: string; broadcast: boolean; multicast?: boolean }
  | { kind: 'unicast'; dev: string; via: bigint | null; route: RouteModel }
  | { kind: 'unreachable' | 'blackhole' | 'prohibit'; route: RouteModel | null };

export { isMulticast };


const SYSCTL_DEFAULTS: Record<string, number> = {
  'net.ipv4.ip_forward': 1,
  'net.ipv6.conf.all.forwarding': 1,
  'net.bridge.bridge-nf-call-iptables': 1,
  'net.bridge.bridge-nf-call-ip6tables': 1,
  'net.netfilter.nf_conntrack_tcp_loose': 1,
  'net.ipv4.conf.all.route_localnet': 0,
  'net.ipv4.conf.all.rp_filter': 0,
};

export class HostModel {
  readonly interfaces = new Map<string, IfaceModel>();
  readonly neighbours: NeighbourModel[] = [];
  /** The main table: connected routes and the context's routes without another table. */
  readonly routes: RouteModel[] = [];
  /** Routes of the other tables (policy routing), by table id. */
  private readonly tables = new Map<number | string, RouteModel[]>();
  readonly rules: RuleModel[];
  /** Local addresses → device, per IP version (Maps keyed by bigint: the hot path of addrtype and routing). */
  private readonly local: Record<Version, Map<bigint, string>> = { 4: new Map(), 6: new Map() };
  private readonly broadcast = new Map<bigint, string>();
  /** Whether the context was given by the user (false: defaults, see defaultHostContext). */
  readonly given: boolean;

  constructor(readonly context: HostContext, given = true) {
    this.given = given;
    for (const i of context.interfaces) {
      const addresses = interfaceAddresses(i.addresses ?? [], i.secondary);
      this.interfaces.set(i.name, {
        name: i.name,
        type: i.type ?? (i.name === 'lo' ? 'loopback' : 'ethernet'),
        master: i.master ?? null,
        hairpin: i.hairpin ?? false,
        mac: i.mac ? parseMac(i.mac) : null,
        addresses,
        group: i.group ?? 0,
        ports: [],
        multicast: i.multicast ? i.multicast.map((g) => parseIpAny(g)!) : null,
      });
    }
    if (!this.interfaces.has('lo')) {
      this.interfaces.set('lo', {
        name: 'lo', type: 'loopback', master: null, hairpin: false, mac: null, group: 0, ports: [], multicast: null,
        addresses: interfaceAddresses(['127.0.0.1/8', '::1/128'], undefined),
      });
    }
    for (const i of this.interfaces.values()) if (i.master) this.interfaces.get(i.master)?.ports.push(i.name);
    // The kernel's local table (fib_add_ifaddr): `local <addr>` for each address, `broadcast <last address>`
    // for prefixes shorter than /31, and `local 127.0.0.0/8 dev lo` (observed with `ip route show table local`
    // on 6.18: no network-address broadcast route any more).
    for (const i of this.interfaces.values()) {
      for (const a of i.addresses) {
        this.local[a.version].set(a.address, i.name);
        const bits = a.version === 4 ? 32 : 128;
        if (a.version === 4 && a.prefix < 31) {
          const host = (1n << BigInt(bits - a.prefix)) - 1n;
          this.broadcast.set(a.address | host, i.name);
        }
        // fib_add_ifaddr(): only a primary address adds its subnet's route (with itself as preferred source).
        if (a.primary && (a.prefix < bits || a.version === 6)) {
          this.routes.push({
            version: a.version, dst: a.address & prefixMask(a.version, a.prefix), prefix: a.prefix, via: null, dev: i.name,
            metric: a.version === 6 ? 256 : 0, type: 'unicast', src: a.address, connected: true, mask: prefixMask(a.version, a.prefix),
          });
        }
      }
    }
    this.rules = ruleModels(context.rules);
    for (const r of context.routes) {
      const table = tableId(r.table);
      let version: Version;
      let dst: bigint;
      let prefix: number;
      if (r.dst === 'default') {
        const via = r.via ? parseIpAny(r.via) : null;
        version = via?.version ?? 4;
        dst = 0n;
        prefix = 0;
      } else {
        const c = parseCidr(r.dst)!;
        version = c.version;
        dst = c.address & prefixMask(c.version, c.prefix);
        prefix = c.prefix;
      }
      const route: RouteModel = {
        version, dst, prefix,
        via: r.via ? parseIpAny(r.via)!.address : null,
        dev: r.dev ?? null,
        metric: r.metric ?? (version === 6 ? 1024 : 0),
        type: (r.type ?? 'unicast') as RouteModel['type'],
        src: r.src ? parseIpAny(r.src)!.address : null,
        connected: false,
        mask: prefixMask(version, prefix),
      };
      if (table === 254) this.routes.push(route);
      else {
        let list = this.tables.get(table);
        if (!list) this.tables.set(table, (list = []));
        list.push(route);
      }
    }
    for (const list of this.tables.values()) list.sort((a, b) => b.prefix - a.prefix || a.metric - b.metric);
    this.routes.sort((a, b) => b.prefix - a.prefix || a.metric - b.metric);
    // A dual-stack neighbour (`ip` and `ip6`) is one neighbour per family, with the same name, MAC, dev and port.
    for (const n of context.neighbors) {
      this.neighbours.push(neighbourModel(n));
      if (n.ip6 !== undefined) this.neighbours.push(neighbourModel({ ...n, ip: n.ip6 }));
    }
  }

  sysctl(name: string): number {
    const v = this.context.sysctl[name];
    if (v === undefined) return SYSCTL_DEFAULTS[name] ?? 0;
    return typeof v === 'number' ? v : Number(v);
  }

  /** Per-interface sysctl `net.ipv4.conf.<dev>.<key>`, combined with `all` as the kernel does for booleans (OR). */
  confFlag(dev: string, key: string): boolean {
    return this.sysctl(`net.ipv4.conf.all.${key}`) !== 0 || this.sysctl(`net.ipv4.conf.${dev}.${key}`) !== 0;
  }

  isLocal(version: Version, a: bigint): boolean {
    return this.local[version].has(a) || (version === 4 && a >> 24n === 127n);
  }

  /** The interface whose subnet broadcast address `a` is (the local table's `broadcast` route), or null. */
  broadcastDev(a: bigint): string | null {
    return this.broadcast.get(a) ?? null;
  }

  /** The interface that holds a local address (lo for 127/8). */
  localDev(version: Version, a: bigint): string | null {
    const dev = this.local[version].get(a);
    if (dev !== undefined) return dev;
    return version === 4 && a >> 24n === 127n ? 'lo' : null;
  }

  /**
   * `inet_dev_addr_type()` / the IPv6 counterpart used by xt_addrtype: the route type of the address in the
   * local table (LOCAL, BROADCAST), MULTICAST, else UNICAST — or, with `dev`, UNICAST unless the local-table entry
   * belongs to `dev` (net/ipv4/fib_frontend.c: `if (!dev || dev == nhc->nhc_dev) ret = res.type`).
   * IPv6 (xt_addrtype.c match_lookup_rt6): LOCAL for own addresses, MULTICAST, UNREACHABLE without a route.
   */
  addrType(version: Version, a: bigint, dev: string | null): string {
    if (isMulticast(version, a)) return 'MULTICAST';
    if (version === 4) {
      if (a === 0xffffffffn) return 'BROADCAST';
      const localDev = this.localDev(4, a);
      if (localDev !== null) return dev === null || dev === localDev ? 'LOCAL' : 'UNICAST';
      const bdev = this.broadcast.get(a);
      if (bdev !== undefined) return dev === null || dev === bdev ? 'BROADCAST' : 'UNICAST';
      return 'UNICAST';
    }
    const localDev = this.localDev(6, a);
    if (localDev !== null) return dev === null || dev === localDev || a === 1n ? 'LOCAL' : 'UNICAST';
    const r = this.route(6, a);
    if (r.kind === 'unicast') return 'UNICAST';
    if (r.kind === 'local') return 'LOCAL';
    return r.kind === 'blackhole' ? 'BLACKHOLE' : r.kind === 'prohibit' ? 'PROHIBIT' : 'UNREACHABLE';
  }

  /**
   * fib_lookup(): the policy rules in priority order (policy.ts; without rules in the context the kernel's
   * defaults: local, main, default); a table is searched by longest prefix, then lowest metric.
   */
  route(version: Version, dst: bigint, key: RouteKey = {}, output = false): RouteResult {
    // A multicast packet received on an interface where the host has not joined its group is not delivered
    // (ip_route_input_rcu() without `our` and without multicast forwarding: -EINVAL; ip6_mc_input(): freed).
    // Looped-back packets (iif lo) and groups of unknown membership keep the lookup below: delivered.
    if (key.iif !== undefined && key.iif !== 'lo' && this.given && isMulticast(version, dst) && this.multicastJoined(version, key.iif, dst) === false) {
      return { kind: 'unreachable', route: null };
    }
    const rules = this.rules;
    for (let k = 0; k < rules.length; k++) {
      const rule = rules[k]!;
      if (!ruleMatches(rule, version, dst, key)) continue;
      switch (rule.action) {
        case 'nop':
          continue;
        case 'goto': {
          // fib_rules_lookup(): on to the first rule of the target priority (its selectors are tested too); a
          // goto whose target does not exist is passed over.
          const to = rules.findIndex((r, j) => j > k && r.priority === rule.goto);
          if (to >= 0) k = to - 1;
          continue;
        }
        case 'lookup': {
          const r = this.lookupTable(version, rule.table, dst, output);
          // fib4_rule_suppress()/fib6_rule_suppress(): a route whose prefix is not longer than
          // suppress_prefixlength is not taken; the lookup goes on with the next rule.
          // Local-table answers are host routes (/32, /128); unreachable, blackhole and prohibit routes are
          // errors, which are never suppressed.
          if (!r) continue;
          const plen = r.kind === 'unicast' ? r.route.prefix : r.kind === 'local' ? (version === 4 ? 32 : 128) : null;
          if (plen !== null && plen <= rule.suppressPrefixlength) continue;
          return r;
        }
        default:
          return { kind: rule.action, route: null };
      }
    }
    return { kind: 'unreachable', route: null };
  }

  /** One table; null when it has no route for `dst` (or a `throw` route): the next rule is tried. */
  private lookupTable(version: Version, table: number | string, dst: bigint, output: boolean): RouteResult | null {
    if (table === 255) {
      const localDev = this.localDev(version, dst);
      if (localDev !== null) return { kind: 'local', dev: localDev, broadcast: false };
      if (version === 4) {
        // The kernel's local table holds no 255.255.255.255 and no multicast route: a received one is delivered by
        // ip_route_input_slow()/ip_route_input_mc(), a sent one routed by the other tables (output: true,
        // ip_route_output_key_hash_rcu()).
        if (dst === 0xffffffffn && !output) return { kind: 'local', dev: 'lo', broadcast: true };
        const b = this.broadcast.get(dst);
        if (b !== undefined) return { kind: 'local', dev: b, broadcast: true };
      }
      if (isMulticast(version, dst) && !output) return { kind: 'local', dev: 'lo', broadcast: false, multicast: true };
    }
    const routes = table === 254 ? this.routes : this.tables.get(table) ?? [];
    for (const r of routes) {
      if (r.version !== version || (dst & r.mask) !== r.dst) continue;
      if (r.type === 'local') return { kind: 'local', dev: r.dev ?? 'lo', broadcast: false };
      if (r.type === 'throw') return null;
      if (r.type !== 'unicast') return { kind: r.type, route: r };
      let dev = r.dev;
      if (dev === null && r.via !== null) {
        const viaRoute = this.routes.find((x) => x.connected && x.version === version && inPrefix(version, r.via!, x.dst, x.prefix));
        dev = viaRoute?.dev ?? null;
      }
      if (dev === null) continue;
      return { kind: 'unicast', dev, via: r.via, route: r };
    }
    return null;
  }

  /**
   * The source address the kernel picks for a packet leaving `dev` towards `nexthop` (`inet_select_addr()`,
   * net/ipv4/devinet.c, which skips IFA_F_SECONDARY addresses): the primary address of `dev` whose subnet holds the
   * next hop, else the device's first primary address; IPv6: the first non-link-local address of the device.
   */
  selectSource(version: Version, dev: string, nexthop: bigint | null): bigint | null {
    const iface = this.interfaces.get(dev);
    const addrs = (iface?.addresses ?? []).filter((a) => a.version === version && a.primary);
    if (version === 6) {
      const global = addrs.find((a) => a.address >> 118n !== 0x3fan);
      return (global ?? addrs[0])?.address ?? null;
    }
    if (nexthop !== null) {
      const same = addrs.find((a) => inPrefix(4, nexthop, a.address, a.prefix));
      if (same) return same.address;
    }
    return addrs[0]?.address ?? null;
  }

  /** Whether the host has joined `group` on `dev` (host/multicast.ts); null when the context cannot say. */
  multicastJoined(version: Version, dev: string, group: bigint): boolean | null {
    const iface = this.interfaces.get(dev);
    if (!iface) return null;
    const fwd = version === 6 && (this.sysctl(`net.ipv6.conf.${dev}.forwarding`) !== 0 || this.sysctl('net.ipv6.conf.all.forwarding') !== 0);
    return joined(iface, version, group, fwd);
  }

  /** The neighbour called `name`; of IP version `version` when given (a dual-stack neighbour has one per family). */
  neighbourByName(name: string, version?: Version): NeighbourModel | undefined {
    return this.neighbours.find((n) => n.name === name && (version === undefined || n.version === version));
  }

  neighbourByIp(version: Version, ip: bigint): NeighbourModel | undefined {
    return this.neighbours.find((n) => n.version === version && n.ip === ip);
  }

  /** Bridge FDB: the port behind which a MAC address lives (from the neighbours, learned on their ports). */
  fdbPort(bridge: string, mac: bigint): string | null {
    const n = this.neighbours.find((x) => x.mac === mac && x.port !== null && this.interfaces.get(x.port)?.master === bridge);
    return n?.port ?? null;
  }

  /** The bridge's own MAC, or null. A frame addressed to it is delivered to the bridge device (br_handle_frame_finish). */
  isBridge(dev: string): boolean {
    return this.interfaces.get(dev)?.type === 'bridge';
  }

  masterOf(dev: string): string | null {
    return this.interfaces.get(dev)?.master ?? null;
  }

  describe(version: Version, a: bigint): string {
    const n = this.neighbourByIp(version, a);
    return n?.name ? `${formatIp(version, a)} (${n.name})` : formatIp(version, a);
  }
}

/**
 * An interface's addresses with primary/secondary: as the context's `secondary` list says, else by the kernel's
 * rule on the order they were added (__inet_insert_ifa(), net/ipv4/devinet.c): an IPv4 address in the same subnet,
 * with the same prefix length, as an earlier one is secondary. IPv6 addresses are all primary.
 */
export function interfaceAddresses(list: readonly string[], secondary: readonly string[] | undefined): IfaceAddress[] {
  const out: IfaceAddress[] = [];
  const marked = secondary?.map((s) => parseCidr(s)).filter((c) => c !== null) ?? null;
  for (const a of list) {
    const c = parseCidr(a);
    if (!c) continue;
    const primary = c.version === 6 ? true
      : marked !== null ? !marked.some((m) => m.version === 4 && m.address === c.address && m.prefix === c.prefix)
      : !out.some((p) => p.version === 4 && p.primary && p.prefix === c.prefix && inPrefix(4, c.address, p.address, p.prefix));
    out.push({ ...c, primary });
  }
  return out;
}

function neighbourModel(n: HostNeighbor): NeighbourModel {
  const ip = parseIpAny(n.ip)!;
  return {
    name: n.name ?? null,
    version: ip.version,
    ip: ip.address,
    mac: n.mac ? parseMac(n.mac) : null,
    dev: n.dev ?? null,
    port: n.port ?? null,
  };
}
