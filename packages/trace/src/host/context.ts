// The host context (interfaces, bridges and ports, routes, neighbours, sysctls; format: docs/host-facts.md §host-context):
// its types, and `parseHostContext`, which validates the JSON and reports every problem at its line and column.
import type { Diagnostic, Span } from '@chainsight/grammar';
import { parseIpv4, parseIpv6, parseMac } from '@chainsight/grammar';
import { JsonSyntaxError, parseLocatedJson, type LocatedValue } from './located-json';
import { masterLoopMessage, masterLoops } from './masters';
import { isMulticast } from '../addr';
import { parseFwmark, parseIpproto, parsePortRange } from './policy';

export interface HostInterface {
  name: string;
  /** loopback, bridge, veth, ethernet (default), vlan, … */
  type?: string;
  /** The bridge this interface is a port of. */
  master?: string;
  /** Bridge port in hairpin mode (frames may leave through the port they came in on). */
  hairpin?: boolean;
  /** Own addresses with prefix length, IPv4 and IPv6 (`192.168.0.1/20`). */
  addresses?: string[];
  /**
   * Those of `addresses` that are secondary (`ip addr` marks them "secondary"): never a chosen source or
   * MASQUERADE's address (inet_select_addr()). Absent: the kernel's rule on the list's order decides.
   */
  secondary?: string[];
  mac?: string;
  /** Interface group (`ip link set dev X group N`), for `-m devgroup`. */
  group?: number;
  /**
   * The multicast groups the host has joined on this interface, IPv4 and IPv6 (`ip maddr`: the kernel's own and
   * those of sockets, e.g. mDNS's 224.0.0.251). Absent: only the groups the kernel always joins are known.
   */
  multicast?: string[];
}

export interface HostRoute {
  /** `default` or a prefix. */
  dst: string;
  via?: string;
  dev?: string;
  /** Routing table; only `main` (the default) takes part in lookups. */
  table?: string | number;
  metric?: number;
  /** unicast (default), blackhole, unreachable, prohibit, local. */
  type?: string;
  /** Preferred source address (`src` of `ip route`). */
  src?: string;
}

export interface HostNeighbor {
  name?: string;
  ip: string;
  /** The same neighbour's IPv6 address, beside an IPv4 `ip` (one entry for a dual-stack neighbour). */
  ip6?: string;
  mac?: string;
  /** Host interface the neighbour is reached on (a bridge for containers). */
  dev?: string;
  /** For a bridge: the port the neighbour sits behind. */
  port?: string;
}

/** A policy-routing rule, as `ip rule` lists it. */
export interface HostRule {
  priority?: number;
  /** Inferred from `from`/`to`; without either the rule is for both families. */
  family?: 'ipv4' | 'ipv6';
  not?: boolean;
  /** Source prefix, or `all`. */
  from?: string;
  /** Destination prefix, or `all`. */
  to?: string;
  /** `0x1` or `0x4/0xf` (value/mask), or a number. */
  fwmark?: string | number;
  /** Input device; `lo` matches locally generated packets. */
  iif?: string;
  oif?: string;
  /** Protocol name (`tcp`, `udp` …) or number. */
  ipproto?: string | number;
  /** A port or a range `from-to`. */
  sport?: string | number;
  dport?: string | number;
  /** A route found with a prefix this short or shorter is not taken: the next rule is tried (wg-quick uses 0). */
  suppress_prefixlength?: number;
  /** lookup (default), blackhole, unreachable, prohibit, goto (to the rule of priority `goto`), nop. */
  action?: 'lookup' | 'blackhole' | 'unreachable' | 'prohibit' | 'goto' | 'nop';
  /** The table to look up: main, local, default, or a number. */
  table?: string | number;
  /** `goto`: the priority where the rules go on (a later one). */
  goto?: number;
}

export interface HostContext {
  hostname?: string;
  interfaces: HostInterface[];
  routes: HostRoute[];
  /** Policy routing; absent: the kernel's default rules (local, main, default). */
  rules?: HostRule[];
  neighbors: HostNeighbor[];
  sysctl: Record<string, number | string>;
}

export interface HostContextResult {
  context: HostContext | null;
  diagnostics: Diagnostic[];
}

/** What the simulator assumes without a host context (docs/host-facts.md §without-host-facts). */
export function defaultHostContext(): HostContext {
  return {
    hostname: 'default',
    interfaces: [{ name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8', '::1/128'] }],
    routes: [],
    neighbors: [],
    sysctl: {},
  };
}

/** A CIDR (`10.0.0.1/24`, `fe80::1/64`, or a bare address = host prefix). */
export function parseCidr(text: string): { version: 4 | 6; address: bigint; prefix: number } | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const v4 = parseIpv4(addr);
  const version = v4 !== null ? 4 : 6;
  const address = v4 ?? parseIpv6(addr);
  if (address === null) return null;
  const max = version === 4 ? 32 : 128;
  const prefix = slash < 0 ? max : Number(text.slice(slash + 1));
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (slash >= 0 && !/^\d+$/.test(text.slice(slash + 1)))) return null;
  return { version, address, prefix };
}

export function parseIpAny(text: string): { version: 4 | 6; address: bigint } | null {
  const v4 = parseIpv4(text);
  if (v4 !== null) return { version: 4, address: v4 };
  const v6 = parseIpv6(text);
  return v6 === null ? null : { version: 6, address: v6 };
}

type Obj = Extract<LocatedValue, { kind: 'object' }>;

export function parseHostContext(text: string, fileName = '<host context>'): HostContextResult {
  const diagnostics: Diagnostic[] = [];
  const report = (code: string, message: string, span: Span, severity: 'error' | 'warning' = 'error', hint?: string) => {
    diagnostics.push({ code: `trace/${code}`, severity, message, file: fileName, span, ...(hint ? { hint } : {}) });
  };
  let root: LocatedValue;
  try {
    root = parseLocatedJson(text);
  } catch (e) {
    if (e instanceof JsonSyntaxError) {
      report('host-context-syntax', `host context is not valid JSON: ${e.message}`, e.span);
      return { context: null, diagnostics };
    }
    throw e;
  }
  if (root.kind !== 'object') {
    report('host-context-shape', 'a host context is a JSON object ({ "interfaces": [...], ... })', root.span);
    return { context: null, diagnostics };
  }
  // sysctl names come from the input: an object without a prototype, so `__proto__` is a name like another.
  const ctx: HostContext = { interfaces: [], routes: [], neighbors: [], sysctl: Object.create(null) as Record<string, number | string> };

  const fieldsOf = (o: Obj, where: string, known: readonly string[]) => {
    const map = new Map<string, LocatedValue>();
    for (const e of o.entries) {
      if (!known.includes(e.key)) {
        report('host-context-unknown-field', `unknown field '${e.key}' in ${where}`, e.keySpan, 'warning', `known fields: ${known.join(', ')}`);
      }
      map.set(e.key, e.value);
    }
    return map;
  };
  const str = (v: LocatedValue | undefined, what: string): string | undefined => {
    if (v === undefined) return undefined;
    if (v.kind === 'string') return v.value;
    report('host-context-type', `${what} must be a string`, v.span);
    return undefined;
  };
  const num = (v: LocatedValue | undefined, what: string): number | undefined => {
    if (v === undefined) return undefined;
    if (v.kind === 'number') return v.value;
    report('host-context-type', `${what} must be a number`, v.span);
    return undefined;
  };
  const arr = (v: LocatedValue | undefined, what: string): LocatedValue[] => {
    if (v === undefined) return [];
    if (v.kind === 'array') return v.items;
    report('host-context-type', `${what} must be an array`, v.span);
    return [];
  };
  const objects = (v: LocatedValue | undefined, what: string): Obj[] =>
    arr(v, what).filter((x): x is Obj => {
      if (x.kind === 'object') return true;
      report('host-context-type', `each entry of ${what} must be an object`, x.span);
      return false;
    });
  const mac = (v: LocatedValue | undefined, what: string): string | undefined => {
    const s = str(v, what);
    if (s !== undefined && parseMac(s) === null) { report('host-context-mac', `${what} '${s}' is not a MAC address`, v!.span); return undefined; }
    return s;
  };
  const ip = (v: LocatedValue | undefined, what: string): string | undefined => {
    const s = str(v, what);
    if (s !== undefined && parseIpAny(s) === null) { report('host-context-address', `${what} '${s}' is not an IP address`, v!.span); return undefined; }
    return s;
  };

  const top = fieldsOf(root, 'the host context', ['hostname', 'interfaces', 'routes', 'rules', 'neighbors', 'neighbours', 'sysctl', 'comment']);
  const hostname = str(top.get('hostname'), 'hostname');
  if (hostname !== undefined) ctx.hostname = hostname;

  const ifaceSpans = new Map<string, Span>();
  // Read once: a second objects() call would report "interfaces must be an array" twice.
  const interfaceObjects = objects(top.get('interfaces'), 'interfaces');
  for (const o of interfaceObjects) {
    const f = fieldsOf(o, 'an interface', ['name', 'type', 'master', 'hairpin', 'addresses', 'secondary', 'mac', 'group', 'mtu', 'multicast', 'comment']);
    const name = str(f.get('name'), 'interface name');
    if (name === undefined) { if (!f.has('name')) report('host-context-missing', 'an interface needs a "name"', o.span); continue; }
    if (ifaceSpans.has(name)) report('host-context-duplicate', `interface '${name}' is listed twice`, o.span);
    ifaceSpans.set(name, o.span);
    const iface: HostInterface = { name };
    const type = str(f.get('type'), 'interface type');
    if (type !== undefined) iface.type = type;
    const master = str(f.get('master'), 'interface master');
    if (master !== undefined) iface.master = master;
    const hp = f.get('hairpin');
    if (hp !== undefined) {
      if (hp.kind === 'boolean') iface.hairpin = hp.value;
      else report('host-context-type', 'hairpin must be true or false', hp.span);
    }
    const m = mac(f.get('mac'), `MAC of '${name}'`);
    if (m !== undefined) iface.mac = m;
    const g = num(f.get('group'), 'interface group');
    if (g !== undefined) iface.group = g;
    const addrs: string[] = [];
    for (const a of arr(f.get('addresses'), `addresses of '${name}'`)) {
      const s = str(a, 'an address');
      if (s === undefined) continue;
      if (parseCidr(s) === null) report('host-context-address', `'${s}' is not an address with prefix length (like 192.168.0.1/24)`, a.span);
      else addrs.push(s);
    }
    if (addrs.length) iface.addresses = addrs;
    const sv = f.get('secondary');
    if (sv !== undefined) {
      const secondary: string[] = [];
      for (const a of arr(sv, `secondary addresses of '${name}'`)) {
        const s = str(a, 'an address');
        if (s === undefined) continue;
        const c = parseCidr(s);
        if (c === null) report('host-context-address', `'${s}' is not an address with prefix length (like 192.168.0.1/24)`, a.span);
        else if (!addrs.some((x) => { const y = parseCidr(x)!; return y.version === c.version && y.address === c.address && y.prefix === c.prefix; })) {
          report('host-context-address', `secondary address '${s}' is not one of the "addresses" of '${name}'`, a.span);
        } else secondary.push(s);
      }
      iface.secondary = secondary;
    }
    const mv = f.get('multicast');
    if (mv !== undefined) {
      const groups: string[] = [];
      for (const a of arr(mv, `multicast groups of '${name}'`)) {
        const s = ip(a, 'a multicast group');
        if (s === undefined) continue;
        const g = parseIpAny(s)!;
        if (!isMulticast(g.version, g.address)) report('host-context-address', `'${s}' is not a multicast address (224.0.0.0/4, ff00::/8)`, a.span);
        else groups.push(s);
      }
      iface.multicast = groups;
    }
    ctx.interfaces.push(iface);
  }
  const masterSpans = new Map<string, Span>();
  for (const o of interfaceObjects) {
    const f = new Map(o.entries.map((e) => [e.key, e.value]));
    const master = f.get('master');
    const name = f.get('name');
    if (master?.kind === 'string' && name?.kind === 'string' && !masterSpans.has(name.value)) masterSpans.set(name.value, master.span);
    if (master?.kind === 'string' && !ifaceSpans.has(master.value)) {
      report('host-context-reference', `master '${master.value}' is not an interface of this context`, master.span);
    }
  }
  const masters = new Map(ctx.interfaces.flatMap((i) => (i.master !== undefined ? [[i.name, i.master] as const] : [])));
  for (const loop of masterLoops(masters)) {
    report('host-context-master-loop', masterLoopMessage(loop), masterSpans.get(loop[0]!)!, 'warning');
    for (const i of ctx.interfaces) if (loop.includes(i.name)) delete i.master;
  }

  for (const o of objects(top.get('routes'), 'routes')) {
    const f = fieldsOf(o, 'a route', ['dst', 'via', 'dev', 'table', 'metric', 'type', 'src', 'comment']);
    const dst = str(f.get('dst'), 'route dst');
    if (dst === undefined) { if (!f.has('dst')) report('host-context-missing', 'a route needs a "dst" ("default" or a prefix)', o.span); continue; }
    if (dst !== 'default' && parseCidr(dst) === null) { report('host-context-address', `route dst '${dst}' is neither "default" nor a prefix`, f.get('dst')!.span); continue; }
    const route: HostRoute = { dst };
    const via = ip(f.get('via'), 'route via');
    if (via !== undefined) route.via = via;
    const dev = str(f.get('dev'), 'route dev');
    if (dev !== undefined) {
      route.dev = dev;
      if (!ifaceSpans.has(dev)) report('host-context-reference', `route dev '${dev}' is not an interface of this context`, f.get('dev')!.span);
    }
    const t = f.get('table');
    if (t !== undefined) {
      if (t.kind === 'string' || t.kind === 'number') route.table = t.value;
      else report('host-context-type', 'route table must be a name or a number', t.span);
    }
    const metric = num(f.get('metric'), 'route metric');
    if (metric !== undefined) route.metric = metric;
    const type = str(f.get('type'), 'route type');
    if (type !== undefined) {
      if (!['unicast', 'blackhole', 'unreachable', 'prohibit', 'local', 'throw'].includes(type)) {
        report('host-context-route-type', `route type '${type}' is not one of unicast, blackhole, unreachable, prohibit, local, throw`, f.get('type')!.span);
      } else route.type = type;
    }
    const src = ip(f.get('src'), 'route src');
    if (src !== undefined) route.src = src;
    if (route.via === undefined && route.dev === undefined && (route.type ?? 'unicast') === 'unicast') {
      report('host-context-missing', `route to ${dst} needs "via" or "dev"`, o.span);
      continue;
    }
    ctx.routes.push(route);
  }

  if (top.has('rules')) {
    const rules: HostRule[] = [];
    for (const o of objects(top.get('rules'), 'rules')) {
      const f = fieldsOf(o, 'a rule', ['priority', 'family', 'not', 'from', 'to', 'fwmark', 'iif', 'oif', 'ipproto', 'sport', 'dport', 'suppress_prefixlength', 'action', 'table', 'goto', 'comment']);
      const rule: HostRule = {};
      const priority = num(f.get('priority'), 'rule priority');
      if (priority !== undefined) rule.priority = priority;
      const family = str(f.get('family'), 'rule family');
      if (family === 'ipv4' || family === 'ipv6') rule.family = family;
      else if (family !== undefined) report('host-context-rule', `rule family '${family}' is not ipv4 or ipv6`, f.get('family')!.span);
      const not = f.get('not');
      if (not !== undefined) {
        if (not.kind === 'boolean') rule.not = not.value;
        else report('host-context-type', 'rule not must be true or false', not.span);
      }
      for (const key of ['from', 'to'] as const) {
        const p = str(f.get(key), `rule ${key}`);
        if (p === undefined) continue;
        if (p !== 'all' && parseCidr(p) === null) report('host-context-address', `rule ${key} '${p}' is neither "all" nor a prefix`, f.get(key)!.span);
        else rule[key] = p;
      }
      const mark = f.get('fwmark');
      if (mark !== undefined) {
        if ((mark.kind === 'string' && parseFwmark(mark.value)) || (mark.kind === 'number' && Number.isInteger(mark.value))) rule.fwmark = mark.value as string | number;
        else report('host-context-rule', 'rule fwmark must be a number or "value/mask" (0x1, 0x4/0xf)', mark.span);
      }
      for (const key of ['iif', 'oif'] as const) {
        const d = str(f.get(key), `rule ${key}`);
        if (d !== undefined) rule[key] = d;
      }
      const proto = f.get('ipproto');
      if (proto !== undefined) {
        if ((proto.kind === 'string' || proto.kind === 'number') && parseIpproto(proto.value) !== null) rule.ipproto = proto.value;
        else report('host-context-rule', 'rule ipproto must be a protocol name or number (tcp, udp, 17)', proto.span);
      }
      for (const key of ['sport', 'dport'] as const) {
        const p = f.get(key);
        if (p === undefined) continue;
        if ((p.kind === 'string' || p.kind === 'number') && parsePortRange(p.value) !== null) rule[key] = p.value;
        else report('host-context-rule', `rule ${key} must be a port or a range "from-to"`, p.span);
      }
      const suppress = num(f.get('suppress_prefixlength'), 'rule suppress_prefixlength');
      if (suppress !== undefined) rule.suppress_prefixlength = suppress;
      const target = num(f.get('goto'), 'rule goto');
      if (target !== undefined) rule.goto = target;
      const action = str(f.get('action'), 'rule action');
      if (action === 'lookup' || action === 'blackhole' || action === 'unreachable' || action === 'prohibit' || action === 'goto' || action === 'nop') rule.action = action;
      else if (action !== undefined) report('host-context-rule', `rule action '${action}' is not one of lookup, blackhole, unreachable, prohibit, goto, nop`, f.get('action')!.span);
      if (target !== undefined && action !== undefined && action !== 'goto') {
        report('host-context-rule', `"goto" belongs to a goto rule, not to action '${action}'`, f.get('goto')!.span);
      } else if ((action === 'goto' || target !== undefined) && (target === undefined || target <= (rule.priority ?? 0))) {
        // fib_nl2rule(): a goto must name a later priority ("Backward goto not supported").
        report('host-context-rule', 'a goto rule needs "goto": the priority of a later rule', o.span);
      }
      const t = f.get('table');
      if (t !== undefined) {
        if (t.kind === 'string' || t.kind === 'number') rule.table = t.value;
        else report('host-context-type', 'rule table must be a name or a number', t.span);
      }
      if ((action === undefined && target === undefined) || action === 'lookup') {
        if (rule.table === undefined) report('host-context-missing', 'a lookup rule needs a "table"', o.span);
      }
      rules.push(rule);
    }
    // As in the kernel, the given rules are all the rules: without `lookup local` no address is local.
    const tables = new Set(rules.map((r) => String(r.table)));
    if (!tables.has('local') && !tables.has('255')) {
      report('host-context-rule', 'no rule looks up the local table: no packet would be delivered to this host (the kernel\'s rule 0 is "lookup local")', top.get('rules')!.span, 'warning');
    }
    ctx.rules = rules;
  }

  const neighbourKey = top.has('neighbors') ? 'neighbors' : 'neighbours';
  const names = new Set<string>();
  for (const o of objects(top.get(neighbourKey), neighbourKey)) {
    const f = fieldsOf(o, 'a neighbour', ['name', 'ip', 'ip6', 'mac', 'dev', 'port', 'comment']);
    const addr = ip(f.get('ip'), 'neighbour ip');
    if (addr === undefined) { if (!f.has('ip')) report('host-context-missing', 'a neighbour needs an "ip"', o.span); continue; }
    const n: HostNeighbor = { ip: addr };
    const a6 = ip(f.get('ip6'), 'neighbour ip6');
    if (a6 !== undefined) {
      if (parseIpAny(a6)!.version !== 6) report('host-context-address', `neighbour ip6 '${a6}' is not an IPv6 address`, f.get('ip6')!.span);
      else if (parseIpAny(addr)!.version !== 4) report('host-context-address', `a neighbour with "ip6" needs an IPv4 "ip", not '${addr}'`, f.get('ip')!.span);
      else n.ip6 = a6;
    }
    const name = str(f.get('name'), 'neighbour name');
    if (name !== undefined) {
      if (names.has(name)) report('host-context-duplicate', `neighbour name '${name}' is used twice`, f.get('name')!.span);
      names.add(name);
      n.name = name;
    }
    const m = mac(f.get('mac'), 'neighbour MAC');
    if (m !== undefined) n.mac = m;
    const dev = str(f.get('dev'), 'neighbour dev');
    if (dev !== undefined) {
      n.dev = dev;
      if (!ifaceSpans.has(dev)) report('host-context-reference', `neighbour dev '${dev}' is not an interface of this context`, f.get('dev')!.span);
    }
    const port = str(f.get('port'), 'neighbour port');
    if (port !== undefined) {
      n.port = port;
      if (!ifaceSpans.has(port)) report('host-context-reference', `neighbour port '${port}' is not an interface of this context`, f.get('port')!.span);
    }
    ctx.neighbors.push(n);
  }

  const sys = top.get('sysctl');
  if (sys !== undefined) {
    if (sys.kind !== 'object') report('host-context-type', 'sysctl must be an object of "name": value', sys.span);
    else for (const e of sys.entries) {
      if (e.value.kind === 'number' || e.value.kind === 'string') ctx.sysctl[e.key] = e.value.value;
      else if (e.value.kind === 'boolean') ctx.sysctl[e.key] = e.value.value ? 1 : 0;
      else report('host-context-type', `sysctl '${e.key}' must be a number or a string`, e.value.span);
    }
  }
  const errors = diagnostics.some((d) => d.severity === 'error');
  return { context: errors ? null : ctx, diagnostics };
}
