// Rebuild a host context (docs/host-facts.md §host-context) from namespaces, veth pairs and bridges, as the topology of docs/netfilter.md §experiments does for
// its fixed topology:
//   * namespace `host`: the context's bridges (`ip link add type bridge`, MAC and addresses as given), bridge
//     ports (veth, host end named as the context's port, enslaved), plain interfaces (veth, e.g. the uplink eth0),
//     routes, sysctls;
//   * one namespace per neighbour: `eth0` with the neighbour's MAC and address (prefix from the host's subnet on
//     that link), default route via the host's address on that link (not for the default gateway);
//   * external hosts (addresses only reachable through the default route, e.g. the seed's 10.28.61.30): one
//     namespace each, linked to the gateway's namespace, which forwards (ip_forward=1) and has a /32 route to it.
// Everything is linked only to the lab's own namespaces (README.md rules). Interface names longer than 15
// characters (IFNAMSIZ - 1) are replaced by short generated names; the mapping is returned.
import { isIP } from 'node:net';
import { cidrContains, parseCidr, type HostContext, type HostInterface, type HostNeighbor } from './host-context.js';
import type { Lab } from './netns.js';
import { setSysctl } from './sysctl.js';

export interface TopologyNeighbour {
  name: string;
  ns: string;
  ip: string;
  mac?: string;
  /** Host interface (context name) the neighbour is reached on, e.g. docker0. */
  dev: string;
  /** Bridge port (actual name in the host namespace) when dev is a bridge. */
  port?: string;
  /** Interface inside the neighbour's namespace. */
  ifname: 'eth0';
  /** The host's address on that link, used as the neighbour's default route. */
  gateway?: string;
}

export interface TopologyExternal {
  ip: string;
  ns: string;
  /** Name of the neighbour acting as its gateway. */
  via: string;
}

export interface Topology {
  lab: Lab;
  hostNs: string;
  neighbours: Map<string, TopologyNeighbour>;
  externals: TopologyExternal[];
  /** Context interface name → name used in the host namespace (identical unless it was too long). */
  interfaceNames: Map<string, string>;
  /** The host's own addresses (without prefix). */
  hostAddresses: string[];
  warnings: string[];
}

export interface TopologyOptions {
  /** Addresses of hosts beyond the default gateway to create (IPv4 or IPv6). */
  externalHosts?: string[];
  /** Ping each neighbour's gateway once before any rule is loaded: fills ARP caches and the bridge FDB so that
   *  traced packets are neither delayed by ARP nor flooded to every port (flooding would traverse FORWARD once
   *  per port). Default true. */
  warmup?: boolean;
}

const IFNAMSIZ_MAX = 15;

function validIfName(name: string): boolean {
  return name.length > 0 && name.length <= IFNAMSIZ_MAX && !/[\s/:]/.test(name) && name !== '.' && name !== '..';
}

function roleFor(name: string, used: Set<string>): string {
  let base = name.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 8) || 'n';
  if (base === 'host' || /^(x|p|s)\d+$/.test(base)) base = `n${base}`.slice(0, 8);
  let role = base;
  for (let i = 2; used.has(role); i++) role = `${base.slice(0, 7)}${i}`;
  used.add(role);
  return role;
}

function addressesOf(iface: HostInterface | undefined): ReturnType<typeof parseCidr>[] {
  return (iface?.addresses ?? []).map(parseCidr);
}

export async function buildTopology(lab: Lab, ctx: HostContext, options: TopologyOptions = {}): Promise<Topology> {
  const warnings: string[] = [];
  const hostNs = await lab.addNamespace('host');
  const interfaces = (ctx.interfaces ?? []).filter((i) => i.type !== 'loopback' && i.name !== 'lo');
  const byName = new Map(interfaces.map((i) => [i.name, i]));
  const neighbours = new Map<string, TopologyNeighbour>();
  const usedRoles = new Set<string>(['host']);

  // Interface names: the context's, unless the kernel would refuse them.
  const interfaceNames = new Map<string, string>();
  let generated = 0;
  const actual = (ctxName: string): string => {
    let n = interfaceNames.get(ctxName);
    if (n === undefined) {
      n = validIfName(ctxName) ? ctxName : `csif${generated++}`;
      if (n !== ctxName) warnings.push(`interface '${ctxName}' renamed '${n}' (longer than ${IFNAMSIZ_MAX} characters or invalid)`);
      interfaceNames.set(ctxName, n);
    }
    return n;
  };

  // Which neighbour is the default gateway (the `via` of a default route)?
  const gatewayIps = new Set((ctx.routes ?? []).filter((r) => r.dst === 'default' && r.via).map((r) => r.via!));

  // 1. bridges
  for (const br of interfaces.filter((i) => i.type === 'bridge')) {
    await lab.ipOk(hostNs, ['link', 'add', actual(br.name), 'type', 'bridge']);
  }

  // 2. neighbour namespaces (created before the links that end in them)
  const neighbourList = ctx.neighbors ?? [];
  const nsOfNeighbour = new Map<HostNeighbor, { role: string; ns: string; name: string }>();
  for (const [i, n] of neighbourList.entries()) {
    const name = n.name ?? `n${i}`;
    const role = roleFor(name, usedRoles);
    nsOfNeighbour.set(n, { role, ns: await lab.addNamespace(role), name });
  }

  // 3. links. A link (bridge port or plain interface) leads to 0, 1 or several neighbours: with one, the peer end
  //    is the neighbour's eth0; with none, a placeholder namespace holds it (so the interface has carrier); with
  //    several, a segment namespace bridges them.
  let placeholder = 0;
  const linkTo = async (hostIf: string, peers: HostNeighbor[]): Promise<void> => {
    if (peers.length === 1) {
      const target = nsOfNeighbour.get(peers[0]!)!;
      await lab.ipOk(hostNs, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', target.ns]);
      return;
    }
    const role = peers.length === 0 ? `p${placeholder++}` : `s${placeholder++}`;
    usedRoles.add(role);
    const segNs = await lab.addNamespace(role);
    await lab.ipOk(hostNs, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'up0', 'netns', segNs]);
    if (peers.length === 0) {
      await lab.ipOk(segNs, ['link', 'set', 'up0', 'up']);
      return;
    }
    await lab.ipOk(segNs, ['link', 'add', 'br0', 'type', 'bridge']);
    await lab.ipOk(segNs, ['link', 'set', 'up0', 'master', 'br0', 'up']);
    for (const [j, p] of peers.entries()) {
      const target = nsOfNeighbour.get(p)!;
      await lab.ipOk(segNs, ['link', 'add', `n${j}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', target.ns]);
      await lab.ipOk(segNs, ['link', 'set', `n${j}`, 'master', 'br0', 'up']);
    }
    await lab.ipOk(segNs, ['link', 'set', 'br0', 'up']);
  };

  const portOf = new Map<HostNeighbor, string>();
  for (const iface of interfaces.filter((i) => i.type !== 'bridge')) {
    if (iface.type && !['veth', 'ethernet', 'ether', 'bond', 'macvlan', 'tap'].includes(iface.type)) {
      warnings.push(`interface '${iface.name}' of type '${iface.type}' is modelled as a plain veth link`);
    }
    if (iface.master !== undefined && !byName.has(iface.master)) {
      warnings.push(`interface '${iface.name}': master '${iface.master}' is not in the context; left unattached`);
    }
    const peers = neighbourList.filter((n) =>
      iface.master !== undefined ? n.port === iface.name : n.dev === iface.name && n.port === undefined,
    );
    await linkTo(actual(iface.name), peers);
    for (const p of peers) portOf.set(p, actual(iface.name));
    if (iface.master !== undefined && byName.has(iface.master)) {
      await lab.ipOk(hostNs, ['link', 'set', actual(iface.name), 'master', actual(iface.master)]);
      if (iface.hairpin) await lab.ipOk(hostNs, ['link', 'set', actual(iface.name), 'type', 'bridge_slave', 'hairpin', 'on']);
    }
  }
  // Neighbours on a bridge whose port the context does not name get a generated port each.
  let autoPort = 0;
  for (const n of neighbourList) {
    if (portOf.has(n)) continue;
    const dev = n.dev !== undefined ? byName.get(n.dev) : undefined;
    if (dev === undefined) {
      warnings.push(`neighbour '${n.name ?? n.ip}' has no usable dev; its namespace stays unlinked`);
      continue;
    }
    if (dev.type !== 'bridge') {
      if (n.port !== undefined) warnings.push(`neighbour '${n.name ?? n.ip}': port '${n.port}' is not a port of '${n.dev}'`);
      continue; // plain link already made above when dev exists as an interface
    }
    const port = `csp${autoPort++}`;
    warnings.push(`neighbour '${n.name ?? n.ip}' on bridge '${n.dev}' without a known port: generated port '${port}'`);
    await linkTo(port, [n]);
    await lab.ipOk(hostNs, ['link', 'set', port, 'master', actual(dev.name), 'up']);
    portOf.set(n, port);
  }

  // 4. host addresses, MACs, up (bridges last so their ports exist; a bridge with an explicit MAC keeps it)
  const hostAddresses: string[] = [];
  const order = [...interfaces.filter((i) => i.type !== 'bridge'), ...interfaces.filter((i) => i.type === 'bridge')];
  for (const iface of order) {
    const name = actual(iface.name);
    if (iface.mac) await lab.ipOk(hostNs, ['link', 'set', name, 'address', iface.mac]);
    for (const a of iface.addresses ?? []) {
      const c = parseCidr(a);
      await lab.ipOk(hostNs, ['addr', 'add', a, 'dev', name, ...(c.family === 6 ? ['nodad'] : [])]);
      hostAddresses.push(c.address);
    }
    await lab.ipOk(hostNs, ['link', 'set', name, 'up']);
  }

  // 5. neighbours: address, MAC, default route via the host's address on the link
  for (const n of neighbourList) {
    const { ns, name } = nsOfNeighbour.get(n)!;
    const dev = n.dev !== undefined ? byName.get(n.dev) : undefined;
    const entry: TopologyNeighbour = { name, ns, ip: n.ip, dev: n.dev ?? '', ifname: 'eth0' };
    if (n.mac) entry.mac = n.mac;
    const port = portOf.get(n);
    if (port !== undefined && dev?.type === 'bridge') entry.port = port;
    neighbours.set(name, entry);
    if (dev === undefined || !portOf.has(n)) continue;
    if (n.mac) await lab.ipOk(ns, ['link', 'set', 'eth0', 'address', n.mac]);
    const fam = isIP(n.ip) as 4 | 6;
    const subnet = addressesOf(dev).find((c) => cidrContains(c, n.ip));
    const hostAddr = subnet?.address ?? addressesOf(dev).find((c) => c.family === fam)?.address;
    await lab.ipOk(ns, ['addr', 'add', `${n.ip}/${subnet?.prefix ?? (fam === 4 ? 32 : 128)}`, 'dev', 'eth0', ...(fam === 6 ? ['nodad'] : [])]);
    await lab.ipOk(ns, ['link', 'set', 'eth0', 'up']);
    if (hostAddr === undefined) {
      warnings.push(`neighbour '${name}': the host has no ${fam === 4 ? 'IPv4' : 'IPv6'} address on '${n.dev}', no route set`);
      continue;
    }
    if (subnet === undefined) await lab.ipOk(ns, ['route', 'add', hostAddr, 'dev', 'eth0']);
    if (!gatewayIps.has(n.ip)) {
      await lab.ipOk(ns, ['route', 'add', 'default', 'via', hostAddr, 'dev', 'eth0']);
      entry.gateway = hostAddr;
    }
  }

  // 6. host routes (connected routes come from the addresses; a listed duplicate is only a warning)
  for (const r of ctx.routes ?? []) {
    const args = ['route', 'add', r.dst];
    if (r.via) args.push('via', r.via);
    if (r.dev) args.push('dev', actual(r.dev));
    if (r.table !== undefined) args.push('table', String(r.table));
    if (r.metric !== undefined) args.push('metric', String(r.metric));
    const res = await lab.ip(hostNs, args);
    if (res.code !== 0) warnings.push(`route ${r.dst}: ${res.stderr.trim()}`);
  }

  // 6b. policy-routing rules. The kernel's own (0 local, 32766 main, 32767 default) are there already; the others
  //     are added with `ip [-6] rule add`, once per family when the rule names no address.
  const defaults = new Set(['0 local', '32766 main', '32767 default']);
  for (const r of ctx.rules ?? []) {
    const selectors = r.from || r.to || r.fwmark !== undefined || r.iif || r.oif || r.not || r.ipproto !== undefined || r.sport !== undefined || r.dport !== undefined || r.suppress_prefixlength !== undefined;
    if ((r.action ?? 'lookup') === 'lookup' && r.goto === undefined && defaults.has(`${r.priority} ${r.table}`) && !selectors) continue;
    const args: string[] = ['rule', 'add'];
    if (r.not) args.push('not');
    if (r.from) args.push('from', r.from);
    if (r.to) args.push('to', r.to);
    if (r.fwmark !== undefined) args.push('fwmark', String(r.fwmark));
    if (r.iif) args.push('iif', actual(r.iif));
    if (r.oif) args.push('oif', actual(r.oif));
    if (r.ipproto !== undefined) args.push('ipproto', String(r.ipproto));
    if (r.sport !== undefined) args.push('sport', String(r.sport));
    if (r.dport !== undefined) args.push('dport', String(r.dport));
    if (r.priority !== undefined) args.push('priority', String(r.priority));
    const action = r.action ?? (r.goto !== undefined ? 'goto' : 'lookup');
    if (action === 'lookup') args.push('lookup', String(r.table ?? 'main'));
    else if (action === 'goto') args.push('goto', String(r.goto));
    else args.push(action);
    if (r.suppress_prefixlength !== undefined) args.push('suppress_prefixlength', String(r.suppress_prefixlength));
    const addr = r.from && r.from !== 'all' ? r.from : r.to && r.to !== 'all' ? r.to : null;
    const families = r.family ? [r.family === 'ipv6' ? 6 : 4] : addr ? [addr.includes(':') ? 6 : 4] : [4, 6];
    for (const fam of families) {
      const res = await lab.ip(hostNs, fam === 6 ? ['-6', ...args] : args);
      if (res.code !== 0) warnings.push(`rule ${args.slice(2).join(' ')}: ${res.stderr.trim()}`);
    }
  }

  // 7. sysctls: context values over the documented defaults (ip_forward 1; bridge-nf-call-iptables is 1 by
  //    default in every new namespace on this kernel).
  const sysctls: Record<string, number | string | boolean> = { 'net.ipv4.ip_forward': 1, ...(ctx.sysctl ?? {}) };
  for (const [key, value] of Object.entries(sysctls)) {
    const v = typeof value === 'boolean' ? (value ? 1 : 0) : value;
    try {
      const res = await setSysctl(lab, hostNs, key, v);
      if (res.code !== 0) warnings.push(`sysctl ${key}=${v}: ${res.stderr.trim()}`);
    } catch (e) {
      warnings.push(`sysctl ${key}=${v}: ${(e as Error).message}`);
    }
  }

  // 8. external hosts behind the default gateway
  const externals: TopologyExternal[] = [];
  const gatewayNeighbour = [...neighbours.values()].find((n) => gatewayIps.has(n.ip));
  for (const [k, ip] of (options.externalHosts ?? []).entries()) {
    if (gatewayNeighbour === undefined) throw new Error(`external host ${ip}: the context has no default route via a neighbour`);
    const fam = isIP(ip);
    if (fam === 0) throw new Error(`external host '${ip}' is not an IP address`);
    const role = `x${k}`;
    usedRoles.add(role);
    const ns = await lab.addNamespace(role);
    const gwNs = gatewayNeighbour.ns;
    const gwIf = `x${k}`;
    await lab.ipOk(gwNs, ['link', 'add', gwIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
    await lab.ipOk(gwNs, ['link', 'set', gwIf, 'up']);
    await lab.ipOk(gwNs, ['route', 'add', ip, 'dev', gwIf]);
    await setSysctl(lab, gwNs, fam === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding', 1);
    await lab.ipOk(ns, ['addr', 'add', `${ip}/${fam === 4 ? 32 : 128}`, 'dev', 'eth0', ...(fam === 6 ? ['nodad'] : [])]);
    await lab.ipOk(ns, ['link', 'set', 'eth0', 'up']);
    // The gateway is reached on-link: a host route to it, then the default route through it.
    await lab.ipOk(ns, ['route', 'add', gatewayNeighbour.ip, 'dev', 'eth0']);
    await lab.ipOk(ns, ['route', 'add', 'default', 'via', gatewayNeighbour.ip, 'dev', 'eth0']);
    externals.push({ ip, ns, via: gatewayNeighbour.name });
  }

  const topo: Topology = { lab, hostNs, neighbours, externals, interfaceNames, hostAddresses, warnings };
  if (options.warmup ?? true) await warmup(topo);
  return topo;
}

/** One bounded ping per neighbour to its host address and per external host to its gateway, in parallel. */
async function warmup(topo: Topology): Promise<void> {
  const jobs: Promise<void>[] = [];
  const ping = (ns: string, dst: string, what: string): void => {
    jobs.push(
      (async () => {
        // Two tries: a freshly enslaved bridge port may need a moment before it forwards.
        for (let attempt = 0; attempt < 2; attempt++) {
          const r = await topo.lab.exec(ns, ['ping', '-n', '-c', '1', '-W', '1', dst], { timeoutMs: 3000 });
          if (r.code === 0) return;
        }
        topo.warnings.push(`warm-up ping ${what} → ${dst} got no reply`);
      })(),
    );
  };
  for (const n of topo.neighbours.values()) {
    if (n.gateway) ping(n.ns, n.gateway, n.name);
    else if (n.dev) ping(topo.hostNs, n.ip, 'host');
  }
  for (const x of topo.externals) {
    const gw = topo.neighbours.get(x.via);
    if (gw) ping(x.ns, gw.ip, x.ip);
  }
  await Promise.all(jobs);
}

/** Which namespace owns an address: the host, a neighbour or an external host. */
export function ownerOf(topo: Topology, ip: string): { kind: 'host'; ns: string } | { kind: 'neighbour' | 'external'; ns: string; name: string } | null {
  if (topo.hostAddresses.includes(ip)) return { kind: 'host', ns: topo.hostNs };
  for (const n of topo.neighbours.values()) if (n.ip === ip) return { kind: 'neighbour', ns: n.ns, name: n.name };
  for (const x of topo.externals) if (x.ip === ip) return { kind: 'external', ns: x.ns, name: x.ip };
  return null;
}
