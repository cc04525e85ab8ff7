// A host context read from iproute2's own JSON, as docs/host-facts.md §iproute2-captures describes: on a live host one command captures
// everything,
//   { ip -j -d addr; ip -j route show table all; ip -j rule; ip -j neigh; bridge -j fdb; } > host.iproute.json
// and each output may also be a file of its own. Each JSON array is recognised by the fields its entries carry
// (iproute2 6.1 output, observed in network namespaces on this project's kernel):
//   ip -j [-d] addr     ifname, address (MAC), link_type, master, linkinfo.info_kind (with -d), addr_info[]
//   ip -j [-d] link     the same without addr_info
//   ip -j route         (`show table all` lists both families) dst ("default", a prefix, or a bare host address), gateway, dev, metric, type, table,
//                       prefsrc, protocol, scope; IPv6 routes also carry "pref"
//   ip -j rule          priority, src ("all" or an address) + srclen, dst + dstlen, fwmark + fwmask, iif, oif,
//                       ipproto, sport/dport (a range as sport_start + sport_end), suppress_prefixlen,
//                       not (present: inverted), table, goto, nop (present) or action; `ip -j rule` lists IPv4 rules
//                       (`-6` the IPv6 ones): a rule without addresses is taken for both families
//   ip -j neigh         dst, dev, lladdr, state[]
//   bridge -j [-d] link ifname, master, state ("forwarding"), cost, hairpin (with -d)
//   bridge -j fdb       mac, ifname (the port), master (the bridge), flags[], state
//   ip -j maddr         ifname, maddr[] of { family ("inet", "inet6"), address } or { link } (a MAC: not read)
// What iproute2 does not print (sysctls, neighbour names) comes from a host-context JSON object given beside it,
// which may then hold only "hostname" and "sysctl".
import type { Diagnostic, Span } from '@chainsight/grammar';
import { parseMac, spanOf } from '@chainsight/grammar';
import { parseCidr, parseIpAny, type HostContext, type HostInterface, type HostNeighbor, type HostRoute, type HostRule } from './context';
import { JsonSyntaxError, parseLocatedJsonSequence, type LocatedValue } from './located-json';
import { masterLoopMessage, masterLoops } from './masters';
import { parseFwmark, parseIpproto } from './policy';
import { isMulticast } from '../addr';

export type IprouteOutput = 'ip-addr' | 'ip-link' | 'ip-route' | 'ip-rule' | 'ip-neigh' | 'bridge-link' | 'bridge-fdb' | 'ip-maddr';

export interface IprouteInput {
  text: string;
  fileName: string;
  /** Where `text` starts in the file (a section of a host capture); default its start. */
  origin?: { line: number; offset: number };
  /** The family the output was printed for (`ip -4 rule` / `ip -6 rule`): its policy rules hold for that family
   *  only. Without it a rule that names no address is taken for both (iproute2 does not print the family). */
  family?: 'ipv4' | 'ipv6';
}

export interface IprouteResult {
  context: HostContext | null;
  /** Which outputs were recognised, per file, in order. */
  outputs: { fileName: string; output: IprouteOutput | 'empty'; span: Span }[];
  diagnostics: Diagnostic[];
}

/** iproute2 JSON is an array of objects (or several); a host context is an object. `[12:34] -A …` (a rule with
 *  counters) is neither. */
export function looksLikeIprouteJson(text: string): boolean {
  return /^\s*\[\s*[{\]]/.test(text);
}

type Entry = { span: Span; fields: Map<string, LocatedValue> };

/** Which command printed these entries, by the fields that only its output has. */
export function iprouteOutputOf(entries: readonly { fields: Map<string, unknown> }[]): IprouteOutput | null {
  const any = (key: string) => entries.some((e) => e.fields.has(key));
  if (any('addr_info')) return 'ip-addr';
  if (any('maddr') && any('ifname')) return 'ip-maddr';
  if (any('mac') && any('ifname')) return 'bridge-fdb';
  if (any('ifname') && (any('link_type') || any('operstate'))) return 'ip-link';
  if (any('ifname') && any('master')) return 'bridge-link';
  if (any('priority') && any('src') && (any('table') || any('action'))) return 'ip-rule';
  if (any('lladdr') || (any('dst') && entries.every((e) => e.fields.has('state')) && !any('protocol'))) return 'ip-neigh';
  if (any('dst')) return 'ip-route';
  return null;
}

/** Route types the simulator models (docs/host-facts.md §routes); the others (broadcast, multicast, anycast, nat) are local-table bookkeeping. */
const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw']);

export function hostContextFromIproute(inputs: readonly IprouteInput[]): IprouteResult {
  const diagnostics: Diagnostic[] = [];
  const outputs: IprouteResult['outputs'] = [];
  const interfaces = new Map<string, HostInterface>();
  const hairpins = new Map<string, boolean>();
  /** Where each interface's master was read (for the master-loop warning). */
  const masterAt = new Map<string, { file: string; span: Span }>();
  const routes: HostRoute[] = [];
  const routeKeys = new Set<string>();
  let rules: HostRule[] | null = null;
  const ruleKeys = new Set<string>();
  const neighbours: { n: HostNeighbor; mac: string | undefined }[] = [];
  /** bridge → MAC (lower case) → port, from `bridge -j fdb`. */
  const fdb = new Map<string, Map<string, string>>();
  /** Whether -d told the interface kinds (then a master is not assumed to be a bridge). */
  let detailed = false;
  let file = '';
  const report = (severity: 'error' | 'warning' | 'info', code: string, message: string, span: Span, hint?: string) => {
    diagnostics.push({ code: `trace/${code}`, severity, message, file, span, ...(hint ? { hint } : {}) });
  };
  const text = (e: Entry, key: string): string | undefined => {
    const v = e.fields.get(key);
    return v?.kind === 'string' ? v.value : v?.kind === 'number' ? String(v.value) : undefined;
  };
  const num = (e: Entry, key: string): number | undefined => {
    const v = e.fields.get(key);
    return v?.kind === 'number' ? v.value : undefined;
  };
  const strings = (e: Entry, key: string): string[] => {
    const v = e.fields.get(key);
    return v?.kind === 'array' ? v.items.flatMap((x) => (x.kind === 'string' ? [x.value] : [])) : [];
  };
  const object = (v: LocatedValue | undefined): Map<string, LocatedValue> | null =>
    v?.kind === 'object' ? new Map(v.entries.map((x) => [x.key, x.value])) : null;
  const iface = (name: string): HostInterface => {
    let i = interfaces.get(name);
    if (!i) interfaces.set(name, (i = { name }));
    return i;
  };

  const readLink = (e: Entry, withAddresses: boolean) => {
    const name = text(e, 'ifname');
    if (!name) return report('warning', 'iproute-entry', 'an interface without "ifname"; skipped', e.span);
    const i = iface(name);
    const linkType = text(e, 'link_type');
    const mac = text(e, 'address');
    if (mac && linkType !== 'loopback' && parseMac(mac) !== null) i.mac = mac;
    const master = text(e, 'master');
    if (master) { i.master = master; masterAt.set(name, { file, span: e.fields.get('master')!.span }); }
    const info = object(e.fields.get('linkinfo'));
    const kind = info?.get('info_kind');
    if (info) detailed = true;
    if (kind?.kind === 'string') i.type = kind.value;
    else if (linkType === 'loopback') i.type = 'loopback';
    const slave = object(info?.get('info_slave_data'));
    const hp = slave?.get('hairpin');
    if (hp?.kind === 'boolean') hairpins.set(name, hp.value);
    // `group` is a name from /etc/iproute2/group; "default" is group 0, numbers stand for themselves.
    const group = text(e, 'group');
    if (group !== undefined && /^\d+$/.test(group) && group !== '0') i.group = Number(group);
    if (!withAddresses) return;
    const infos = e.fields.get('addr_info');
    for (const a of infos?.kind === 'array' ? infos.items : []) {
      const f = object(a);
      const local = f?.get('local');
      const prefix = f?.get('prefixlen');
      if (local?.kind !== 'string' || prefix?.kind !== 'number') continue;
      const cidr = `${local.value}/${prefix.value}`;
      if (parseCidr(cidr) === null) { report('warning', 'iproute-address', `'${cidr}' is not an address with prefix length; skipped`, local.span); continue; }
      (i.addresses ??= []).push(cidr);
      // `"secondary": true` (IFA_F_SECONDARY): HostInterface.secondary.
      const secondary = f?.get('secondary');
      if (secondary?.kind === 'boolean' && secondary.value) (i.secondary ??= []).push(cidr);
    }
  };

  // The multicast groups of an interface (HostInterface.multicast), IPv4 and IPv6; link-layer entries are not read.
  const readMaddr = (e: Entry) => {
    const name = text(e, 'ifname');
    if (!name) return report('warning', 'iproute-entry', 'an interface without "ifname"; skipped', e.span);
    const i = iface(name);
    const list = e.fields.get('maddr');
    i.multicast ??= [];
    for (const m of list?.kind === 'array' ? list.items : []) {
      const a = object(m)?.get('address');
      if (a?.kind !== 'string') continue;
      const g = parseIpAny(a.value);
      if (g === null || !isMulticast(g.version, g.address)) { report('warning', 'iproute-address', `'${a.value}' is not a multicast address; skipped`, a.span); continue; }
      if (!i.multicast.includes(a.value)) i.multicast.push(a.value);
    }
  };

  const readRoute = (e: Entry) => {
    const dst = text(e, 'dst');
    if (!dst) return;
    const type = text(e, 'type') ?? 'unicast';
    const table = text(e, 'table');
    // The local table and the kernel's own connected routes follow from the interfaces' addresses; the
    // simulator derives them (host/model.ts), as the kernel does when an address is added.
    if (table === 'local' || !ROUTE_TYPES.has(type)) return;
    if (text(e, 'protocol') === 'kernel' && !e.fields.has('gateway') && type === 'unicast') return;
    const gateway = text(e, 'gateway');
    if (gateway !== undefined && parseIpAny(gateway) === null) return report('warning', 'iproute-address', `gateway '${gateway}' is not an IP address; route skipped`, e.fields.get('gateway')!.span);
    // "default" names no family; IPv6 routes are the ones printed with a "pref" (or a gateway with a colon).
    const v6 = e.fields.has('pref') || gateway?.includes(':') === true;
    const route: HostRoute = { dst: dst === 'default' && v6 && !gateway ? '::/0' : dst };
    if (route.dst !== 'default' && parseCidr(route.dst) === null) return report('warning', 'iproute-address', `route dst '${dst}' is not a prefix; skipped`, e.fields.get('dst')!.span);
    if (gateway) route.via = gateway;
    const dev = text(e, 'dev');
    if (dev) route.dev = dev;
    const metric = num(e, 'metric');
    if (metric !== undefined) route.metric = metric;
    if (type !== 'unicast') route.type = type;
    if (table !== undefined && table !== 'main') route.table = /^\d+$/.test(table) ? Number(table) : table;
    const src = text(e, 'prefsrc');
    if (src && parseIpAny(src) !== null) route.src = src;
    // The same route captured twice (`ip -j -6 route` beside `ip -j route show table all`) is one route.
    const key = JSON.stringify(route);
    if (routeKeys.has(key)) return;
    routeKeys.add(key);
    routes.push(route);
  };

  /** Selectors chainsight does not model: a rule that has one is left out, with a warning. */
  const UNMODELLED = ['tos', 'dsfield', 'dscp', 'flowlabel', 'uid_start', 'uidrange', 'l3mdev', 'suppress_ifgroup', 'realms', 'tun_id'];
  const readRule = (e: Entry, family: 'ipv4' | 'ipv6' | undefined) => {
    const priority = num(e, 'priority');
    const rule: HostRule = {};
    if (priority !== undefined) rule.priority = priority;
    if (family) rule.family = family;
    if (e.fields.has('not')) rule.not = true;
    for (const [key, lenKey, field] of [['src', 'srclen', 'from'], ['dst', 'dstlen', 'to']] as const) {
      const a = text(e, key);
      if (a === undefined || a === 'all') continue;
      const len = num(e, lenKey);
      const cidr = len === undefined ? a : `${a}/${len}`;
      if (parseCidr(cidr) === null) return report('warning', 'iproute-address', `rule ${key} '${cidr}' is not a prefix; rule left out`, e.fields.get(key)!.span);
      rule[field] = cidr;
    }
    const mark = text(e, 'fwmark');
    if (mark !== undefined) {
      const mask = text(e, 'fwmask');
      rule.fwmark = mask === undefined ? mark : `${mark}/${mask}`;
      if (parseFwmark(rule.fwmark) === null) return report('warning', 'iproute-rule', `rule ${priority ?? ''}: fwmark '${rule.fwmark}' is not a number; rule left out`, e.fields.get('fwmark')!.span);
    }
    const iif = text(e, 'iif');
    if (iif) rule.iif = iif;
    const oif = text(e, 'oif');
    if (oif) rule.oif = oif;
    const ipproto = text(e, 'ipproto');
    if (ipproto !== undefined) {
      if (parseIpproto(ipproto) === null) return report('warning', 'iproute-rule', `rule ${priority ?? ''}: ipproto '${ipproto}' is not a protocol chainsight knows; rule left out`, e.fields.get('ipproto')!.span);
      rule.ipproto = /^\d+$/.test(ipproto) ? Number(ipproto) : ipproto;
    }
    // A single port prints as `dport`, a range as `dport_start` and `dport_end`.
    for (const key of ['sport', 'dport'] as const) {
      const one = num(e, key);
      const from = num(e, `${key}_start`);
      const to = num(e, `${key}_end`);
      if (one !== undefined) rule[key] = one;
      else if (from !== undefined && to !== undefined) rule[key] = from === to ? from : `${from}-${to}`;
    }
    const suppress = num(e, 'suppress_prefixlen');
    if (suppress !== undefined) rule.suppress_prefixlength = suppress;
    const target = num(e, 'goto');
    const action = e.fields.has('nop') ? 'nop' : target !== undefined ? 'goto' : text(e, 'action');
    const unmodelled = UNMODELLED.filter((k) => e.fields.has(k));
    if (unmodelled.length || (action !== undefined && !['blackhole', 'unreachable', 'prohibit', 'goto', 'nop'].includes(action))) {
      const what = unmodelled.length ? `its ${unmodelled.map((k) => (k === 'uid_start' ? 'uidrange' : k)).join(', ')} selector` : `action '${action}'`;
      return report('warning', 'iproute-rule', `rule ${priority ?? ''}: ${what} is not modelled; rule left out`, e.span);
    }
    if (target !== undefined) rule.goto = target;
    if (action !== undefined) rule.action = action as HostRule['action'];
    else {
      const table = text(e, 'table');
      rule.table = table === undefined ? 'main' : /^\d+$/.test(table) ? Number(table) : table;
    }
    const key = JSON.stringify(rule);
    if (ruleKeys.has(key)) return;
    ruleKeys.add(key);
    (rules ??= []).push(rule);
  };

  const readNeighbour = (e: Entry) => {
    const ip = text(e, 'dst');
    if (!ip || parseIpAny(ip) === null) return;
    const lladdr = text(e, 'lladdr');
    // FAILED and INCOMPLETE entries have no link-layer address: nobody answered there.
    if (!lladdr || parseMac(lladdr) === null) return;
    const n: HostNeighbor = { ip, mac: lladdr };
    const dev = text(e, 'dev');
    if (dev) n.dev = dev;
    neighbours.push({ n, mac: lladdr.toLowerCase() });
  };

  const readFdb = (e: Entry) => {
    const mac = text(e, 'mac');
    const port = text(e, 'ifname');
    const bridge = text(e, 'master');
    // `self` entries are the device's own table (the bridge's multicast and local addresses), not a learned port.
    if (!mac || !port || !bridge || strings(e, 'flags').includes('self')) return;
    let m = fdb.get(bridge);
    if (!m) fdb.set(bridge, (m = new Map()));
    if (!m.has(mac.toLowerCase())) m.set(mac.toLowerCase(), port);
  };

  for (const input of inputs) {
    file = input.fileName;
    let values: LocatedValue[];
    try {
      values = parseLocatedJsonSequence(input.text, input.origin);
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      report('error', 'iproute-syntax', `not valid JSON: ${e.message}`, e.span);
      continue;
    }
    for (const v of values) {
      if (v.kind !== 'array') {
        report('error', 'iproute-shape', 'expected the JSON array that `ip -j …` or `bridge -j …` prints', v.span);
        continue;
      }
      const entries: Entry[] = [];
      for (const item of v.items) {
        if (item.kind === 'object') entries.push({ span: item.span, fields: new Map(item.entries.map((x) => [x.key, x.value])) });
        else report('warning', 'iproute-entry', 'an entry that is not an object; skipped', item.span);
      }
      if (!entries.length) { outputs.push({ fileName: file, output: 'empty', span: v.span }); continue; }
      const output = iprouteOutputOf(entries);
      if (!output) {
        report('error', 'iproute-shape', 'not an output chainsight knows (ip -j addr|link|route|rule|neigh|maddr, bridge -j link|fdb)', v.span);
        continue;
      }
      outputs.push({ fileName: file, output, span: v.span });
      for (const e of entries) {
        if (output === 'ip-addr' || output === 'ip-link') readLink(e, output === 'ip-addr');
        else if (output === 'ip-route') readRoute(e);
        else if (output === 'ip-rule') readRule(e, input.family);
        else if (output === 'ip-neigh') readNeighbour(e);
        else if (output === 'bridge-fdb') readFdb(e);
        else if (output === 'ip-maddr') readMaddr(e);
        else {
          const name = text(e, 'ifname');
          const master = text(e, 'master');
          if (name && master) { iface(name).master = master; masterAt.set(name, { file, span: e.fields.get('master')!.span }); }
          const hp = e.fields.get('hairpin');
          if (name && hp?.kind === 'boolean') hairpins.set(name, hp.value);
        }
      }
    }
  }

  // A master loop (masters.ts): warned about and cut, so that walking ports and masters ends.
  for (const loop of masterLoops(new Map([...interfaces.values()].flatMap((i) => (i.master ? [[i.name, i.master] as const] : []))))) {
    const at = masterAt.get(loop[0]!)!;
    file = at.file;
    report('warning', 'iproute-master-loop', masterLoopMessage(loop), at.span);
    for (const n of loop) delete interfaces.get(n)!.master;
  }
  // Without -d, a master is taken for a bridge (bonds and VRFs are masters too, but br_netfilter only sees bridges).
  for (const i of interfaces.values()) {
    if (!i.master) continue;
    const m = interfaces.get(i.master);
    if (m && !m.type && !detailed) m.type = 'bridge';
  }
  for (const [name, on] of hairpins) if (on && interfaces.has(name)) interfaces.get(name)!.hairpin = true;
  // A neighbour on a bridge sits behind the port the bridge learned its MAC on.
  for (const { n, mac } of neighbours) {
    const port = n.dev && mac ? fdb.get(n.dev)?.get(mac) : undefined;
    if (port) n.port = port;
  }
  const errors = diagnostics.some((d) => d.severity === 'error');
  if (!errors && !outputs.some((o) => o.output === 'ip-addr' || o.output === 'ip-link') && inputs.length) {
    file = inputs[0]!.fileName;
    report('warning', 'iproute-no-interfaces', "no `ip -j addr` output among the inputs: the host's own addresses are unknown",
      outputs[0]?.span ?? spanOf(1, 1, 0, 0),
      'capture with: { ip -j -d addr; ip -j route show table all; ip -j rule; ip -j neigh; bridge -j fdb; } > host.iproute.json');
  }
  const context: HostContext = {
    interfaces: [...interfaces.values()],
    routes,
    ...(rules ? { rules } : {}),
    neighbors: neighbours.map((x) => x.n),
    sysctl: {},
  };
  return { context: errors ? null : context, outputs, diagnostics };
}
