// The SET target (xt_set.c set_target_v3()): `--add-set NAME FLAGS` adds the packet's element to the set, then
// `--del-set NAME FLAGS` deletes it, and the packet goes on (XT_CONTINUE). The element is built as the set type's
// kadt function builds it for IPSET_ADD / IPSET_DEL, from the same sides -m set takes (flag k for dimension k, a
// missing flag is dst); a packet that lacks a part (no ports, no Ethernet header, another family, an address
// outside a bitmap's range) changes nothing. The changes live on the traced path (sim/set-changes.ts).
import { prefixMask, type IpSet, type IpSetMember, type IpSetValue, type Target } from '@chainsight/grammar';
import type { SetChanges } from '../sim/set-changes';
import type { SimPacket } from '../sim/state';
import { fieldOf, LIST_DEPTH, type Flag } from './matches-ipset';
import type { Action, EvalCtx } from './types';
import { formatIp } from '../addr';
import { fmtMac } from '../packet';

const fullPrefix = (version: 4 | 6) => (version === 4 ? 32 : 128);

/**
 * The element `p` stands for in `set`. An address in a hash:net* dimension takes the most specific prefix the set
 * already holds there (ip_set_hash_gen.h: `INIT_CIDR(h->nets[0].cidr[k], HOST_MASK)`, nets[] ordered from the
 * longest prefix), a host prefix when it holds none; in a set with a netmask, the netmask.
 */
export function elementOf(set: IpSet, members: readonly IpSetMember[], p: SimPacket, flags: readonly Flag[]): IpSetValue[] | null {
  if (set.family !== null && set.family !== p.v) return null;
  const values: IpSetValue[] = [];
  for (let k = 0; k < set.dimensions.length; k++) {
    const dim = set.dimensions[k]!;
    const f = fieldOf(p, dim, flags[k] ?? 'dst');
    if (f === null) return null;
    switch (f.kind) {
      case 'addr-of': {
        const full = fullPrefix(f.version);
        // hash_ip4_kadt(), bitmap_ip_kadt(): the address masked with the set's netmask.
        let prefix = dim === 'ip' && set.netmask !== undefined ? set.netmask : full;
        if (dim === 'net') {
          prefix = 0;
          for (const m of members) {
            const v = m.values[k];
            if (v?.kind === 'addr') prefix = Math.max(prefix, v.prefix < 0 ? full : v.prefix);
          }
          if (prefix === 0) prefix = full;
        }
        const mask = prefixMask(f.version, prefix);
        const ones = (1n << BigInt(full)) - 1n;
        values.push({ kind: 'addr', version: f.version, from: f.a & mask, to: (f.a & mask) | (ones ^ mask), prefix });
        break;
      }
      case 'port':
        // bitmap:port keeps port numbers only (as the reader stores its members).
        values.push(set.type === 'bitmap:port' ? { ...f, proto: -1 } : f);
        break;
      case 'iface':
        if (f.name === '') return null;
        values.push(f);
        break;
      default:
        values.push(f);
    }
  }
  // bitmap types: an element outside the range given at create is refused (-IPSET_ERR_BITMAP_RANGE).
  const first = values[0];
  const range = set.range;
  if (range && first) {
    if (range.kind === 'addr' && first.kind === 'addr' && (first.from < range.from || first.to > range.to)) return null;
    if (range.kind === 'port' && first.kind === 'port' && (first.from < range.from || first.to > range.to)) return null;
  }
  return values;
}

function sameValue(a: IpSetValue, b: IpSetValue): boolean {
  switch (a.kind) {
    case 'addr': return b.kind === 'addr' && a.version === b.version && a.from === b.from && a.to === b.to;
    case 'port': return b.kind === 'port' && a.proto === b.proto && a.from === b.from && a.to === b.to;
    case 'mac': return b.kind === 'mac' && a.address === b.address;
    case 'iface': return b.kind === 'iface' && a.name === b.name && a.physdev === b.physdev;
    case 'mark': return b.kind === 'mark' && a.value === b.value;
    case 'set': return b.kind === 'set' && a.name === b.name;
  }
}

/** The same entry of `set`: a bitmap set keys its entries by the first part alone (the IP or port is the index). */
const sameElement = (set: IpSet, a: readonly IpSetValue[], b: readonly IpSetValue[]) =>
  set.type.startsWith('bitmap:') ? a[0] !== undefined && b[0] !== undefined && sameValue(a[0], b[0]) : a.length === b.length && a.every((v, k) => sameValue(v, b[k]!));

/** An element as `ipset save` would print it: `192.0.2.20`, `192.0.2.16/28`, `10.0.0.1,tcp:80`. */
function showElement(values: readonly IpSetValue[]): string {
  return values.map((v) => {
    switch (v.kind) {
      case 'addr': return v.prefix === fullPrefix(v.version) ? formatIp(v.version, v.from) : `${formatIp(v.version, v.from)}/${v.prefix}`;
      case 'port': {
        // ipset's own protocol names (ip_set_get_port: tcp, udp, sctp, udplite, icmp, icmpv6).
        const name = v.proto === 6 ? 'tcp' : v.proto === 17 ? 'udp' : v.proto === 132 ? 'sctp' : v.proto === 136 ? 'udplite' : v.proto === 1 ? 'icmp' : v.proto === 58 ? 'icmpv6' : null;
        const port = v.proto === 1 || v.proto === 58 ? `${v.from >> 8}/${v.from & 255}` : String(v.from);
        return name ? `${name}:${port}` : port;
      }
      case 'mac': return v.address === null ? '(no MAC)' : fmtMac(v.address);
      case 'iface': return v.physdev ? `physdev:${v.name}` : v.name;
      case 'mark': return `0x${v.value.toString(16)}`;
      case 'set': return v.name;
    }
  }).join(',');
}

interface SetOp {
  sets: ReadonlyMap<string, IpSet>;
  changes: SetChanges;
  p: SimPacket;
  flags: readonly Flag[];
  /** `--exist`: adding an element that is there refreshes it instead of failing (IPSET_FLAG_EXIST). */
  exist: boolean;
  /** The set the rule names, and the element the change was made with (for the trace's note). */
  top: string;
  done?: string;
}

/**
 * Applies a change for the packet's element of `set`: `apply` gets the set's members and the element, and says
 * whether the set took the change. list:set passes it to its member sets in order until one takes it
 * (list_set_kadd(), list_set_kdel()).
 */
function change(set: IpSet, op: SetOp, apply: (set: IpSet, members: readonly IpSetMember[], values: IpSetValue[]) => boolean, depth = 0): boolean {
  const members = op.changes.members(set);
  if (set.dimensions[0] === 'set') {
    if (depth > LIST_DEPTH) return false;
    return members.some((m) => {
      const inner = m.values[0]?.kind === 'set' ? op.sets.get(m.values[0].name) : undefined;
      return inner !== undefined && change(inner, op, apply, depth + 1);
    });
  }
  const values = elementOf(set, members, op.p, op.flags);
  if (values === null || !apply(set, members, values)) return false;
  op.done = `${showElement(values)}${set.name === op.top ? '' : ` (in ${set.name})`}`;
  return true;
}

/**
 * ip_set_add(): an element already there fails without --exist (-IPSET_ERR_EXIST); with it, the entry is
 * rewritten, which clears a `nomatch`.
 */
function add(set: IpSet, op: SetOp): boolean {
  return change(set, op, (s, members, values) => {
    const at = members.findIndex((m) => sameElement(s, m.values, values));
    if (at >= 0 && !op.exist) return false;
    const entry: IpSetMember = { values, nomatch: false, span: s.span };
    op.changes.replace(s, at >= 0 ? members.map((m, k) => (k === at ? entry : m)) : [...members, entry]);
    return true;
  });
}

/** ip_set_del(): the element must be there. */
function del(set: IpSet, op: SetOp): boolean {
  return change(set, op, (s, members, values) => {
    const at = members.findIndex((m) => sameElement(s, m.values, values));
    if (at < 0) return false;
    op.changes.replace(s, members.filter((_m, k) => k !== at));
    return true;
  });
}

/** The SET target's action; without the set contents (`ipset save`) the change cannot be followed and is noted. */
export function setAction(t: Target, ipsets: ReadonlyMap<string, IpSet> | null): Action {
  const arg = (key: string) => t.options.find((o) => o.key === key)?.words;
  const exist = t.options.some((o) => o.key === 'exist');
  const ops = (['add-set', 'del-set'] as const).flatMap((key) => {
    const words = arg(key);
    if (!words?.[0]) return [];
    const flags = (words[1] ?? '').split(',').map((f): Flag => (f === 'src' ? 'src' : 'dst'));
    return [{ key, name: words[0], flags }];
  });
  const mapped = arg('map-set')?.[0];
  return {
    kind: 'ext',
    name: 'SET',
    run: (p: SimPacket, c: EvalCtx) => {
      for (const o of ops) {
        const set = ipsets?.get(o.name);
        if (!set) {
          c.effects.note(`SET --${o.key} ${o.name}: ${ipsets ? `no set '${o.name}' in the ipset file` : 'the set contents are not given (ipset save)'}, so later tests of it do not see this change`);
          continue;
        }
        const op: SetOp = { sets: ipsets!, changes: c.sets, p, flags: o.flags, exist, top: o.name };
        const done = o.key === 'add-set' ? add(set, op) : del(set, op);
        c.effects.note(`SET --${o.key} ${o.name}: ${done ? `${op.done} ${o.key === 'add-set' ? 'added' : 'deleted'}` : 'nothing changes (the element is already there, is not there, or the packet lacks a part of it)'}`);
      }
      if (mapped !== undefined) c.effects.note(`SET --map-set ${mapped}: the mark, priority or queue the matching entry maps to is not modelled`);
      return 'CONTINUE';
    },
  };
}
