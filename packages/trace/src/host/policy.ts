// Policy routing: the rules of `ip rule` (net/core/fib_rules.c fib_rule_match(), net/ipv4/fib_rules.c
// fib4_rule_match()) picked in priority order; the first whose selectors match decides: look the destination up
// in its table (a miss, or a `throw` route, goes on to the next rule), or end with blackhole/unreachable/prohibit.
// Without rules in the host context, the kernel's defaults: 0 lookup local, 32766 lookup main, 32767 lookup default.
import { inPrefix } from '../addr';
import { protocolNumber } from '../protocol';
import { parseCidr, type HostRule } from './context';

export type Version = 4 | 6;

/** Table ids as the kernel numbers them (include/uapi/linux/rtnetlink.h: RT_TABLE_DEFAULT/MAIN/LOCAL). */
export const TABLE_IDS: Record<string, number> = { default: 253, main: 254, local: 255 };

export function tableId(t: string | number | undefined): number | string {
  if (t === undefined) return 254;
  if (typeof t === 'number') return t;
  if (/^\d+$/.test(t)) return Number(t);
  // Own names only: a table named `constructor` in the input is a name, not Object.prototype's member.
  return Object.hasOwn(TABLE_IDS, t) ? TABLE_IDS[t]! : t;
}

export interface RuleModel {
  priority: number;
  /** null: both families (a rule without addresses; `ip rule` and `ip -6 rule` keep separate lists). */
  version: Version | null;
  not: boolean;
  from: { address: bigint; prefix: number } | null;
  to: { address: bigint; prefix: number } | null;
  fwmark: { value: number; mask: number } | null;
  iif: string | null;
  oif: string | null;
  /** `ipproto`: the protocol number, or null. */
  proto: number | null;
  sport: PortRange | null;
  dport: PortRange | null;
  /** `suppress_prefixlength`: a route found with a prefix this short or shorter is not taken (-1: off). */
  suppressPrefixlength: number;
  action: NonNullable<HostRule['action']>;
  table: number | string;
  /** The priority a `goto` rule continues at. */
  goto: number | null;
}

export interface PortRange {
  from: number;
  to: number;
}

/**
 * What the route lookup knows of the packet (struct flowi4): source, mark, input device (lo for local output),
 * and the protocol and ports the `ipproto`/`sport`/`dport` selectors compare (0 when the packet has none).
 */
export interface RouteKey {
  src?: bigint;
  mark?: number;
  iif?: string;
  oif?: string;
  proto?: number;
  sport?: number;
  dport?: number;
}

const DEFAULT_RULES: HostRule[] = [
  { priority: 0, table: 'local' },
  { priority: 32766, table: 'main' },
  { priority: 32767, table: 'default' },
];

function prefixOf(text: string | undefined): { version: Version; address: bigint; prefix: number } | null {
  if (text === undefined || text === 'all') return null;
  return parseCidr(text);
}

export function parseFwmark(v: string | number): { value: number; mask: number } | null {
  if (typeof v === 'number') return { value: v >>> 0, mask: 0xffffffff };
  const [value, mask] = v.split('/');
  const n = Number(value);
  const m = mask === undefined ? 0xffffffff : Number(mask);
  return Number.isInteger(n) && Number.isInteger(m) && n >= 0 && m >= 0 ? { value: n >>> 0, mask: m >>> 0 } : null;
}

/** `ipproto`: a name from /etc/protocols (as `ip rule` prints it) or a number. */
export function parseIpproto(v: string | number): number | null {
  const n = protocolNumber(v);
  return n !== null && Number.isInteger(n) && n >= 0 && n <= 255 ? n : null;
}

/** `sport`/`dport`: a port or `from-to` (fib_rule_port_range). */
export function parsePortRange(v: string | number): PortRange | null {
  const parts = typeof v === 'number' ? [v] : v.split('-').map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
  if (parts.length > 2) return null;
  const from = parts[0]!;
  const to = parts[1] ?? from;
  return Number.isInteger(from) && Number.isInteger(to) && from >= 0 && to <= 65535 && from <= to ? { from, to } : null;
}

export function ruleModels(rules: readonly HostRule[] | undefined): RuleModel[] {
  const out = (rules ?? DEFAULT_RULES).map((r, k): RuleModel & { order: number } => {
    const from = prefixOf(r.from);
    const to = prefixOf(r.to);
    const version = r.family === 'ipv4' ? 4 : r.family === 'ipv6' ? 6 : from?.version ?? to?.version ?? null;
    return {
      order: k,
      priority: r.priority ?? 32765,
      version,
      not: r.not ?? false,
      from: from && from.prefix > 0 ? from : null,
      to: to && to.prefix > 0 ? to : null,
      fwmark: r.fwmark === undefined ? null : parseFwmark(r.fwmark),
      iif: r.iif ?? null,
      oif: r.oif ?? null,
      proto: r.ipproto === undefined ? null : parseIpproto(r.ipproto),
      sport: r.sport === undefined ? null : parsePortRange(r.sport),
      dport: r.dport === undefined ? null : parsePortRange(r.dport),
      suppressPrefixlength: r.suppress_prefixlength ?? -1,
      action: r.action ?? (r.goto !== undefined ? 'goto' : 'lookup'),
      table: tableId(r.table),
      goto: r.goto ?? null,
    };
  });
  // The kernel keeps rules sorted by priority; equal priorities in the order they were added.
  return out.sort((a, b) => a.priority - b.priority || a.order - b.order);
}

const inRange = (r: PortRange, port: number | undefined) => (port ?? 0) >= r.from && (port ?? 0) <= r.to;

/**
 * fib_rule_match() and fib4_rule_match()/fib6_rule_match(): every given selector must hold; `not` inverts the
 * result. The protocol and ports are the ones the flow carries (fib4_rules_early_flow_dissect() for a received
 * packet, the socket's flow for a local one).
 */
export function ruleMatches(r: RuleModel, version: Version, dst: bigint, key: RouteKey): boolean {
  if (r.version !== null && r.version !== version) return false;
  let ok = true;
  if (r.iif !== null && r.iif !== key.iif) ok = false;
  else if (r.oif !== null && r.oif !== key.oif) ok = false;
  else if (r.fwmark !== null && ((r.fwmark.value ^ (key.mark ?? 0)) & r.fwmark.mask) !== 0) ok = false;
  else if (r.from !== null && (key.src === undefined || !inPrefix(version, key.src, r.from.address, r.from.prefix))) ok = false;
  else if (r.to !== null && !inPrefix(version, dst, r.to.address, r.to.prefix)) ok = false;
  else if (r.proto !== null && r.proto !== (key.proto ?? 0)) ok = false;
  else if (r.sport !== null && !inRange(r.sport, key.sport)) ok = false;
  else if (r.dport !== null && !inRange(r.dport, key.dport)) ok = false;
  return r.not ? !ok : ok;
}
