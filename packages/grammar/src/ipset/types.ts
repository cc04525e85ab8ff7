// The contents of `ipset save` (ipset(8)): sets with their type and members, so that `-m set --match-set` can be
// decided instead of assumed. One dimension per part of the type name (`hash:ip,port` has two).
import type { Span } from '../ir/span';

export type IpSetDimension = 'ip' | 'net' | 'port' | 'mac' | 'iface' | 'mark' | 'set';

/** One part of a member. Addresses are ranges: `10.0.0.0/8` and `10.0.0.1-10.0.0.9` alike. */
export type IpSetValue =
  | { kind: 'addr'; version: 4 | 6; from: bigint; to: bigint; prefix: number }
  /** `tcp:80`, `udp:1000-2000`, `80` (tcp); ICMP as `icmp:8/0` (type/code in `from`/`to` as type*256+code);
   *  proto -1: any protocol with ports (bitmap:port members). */
  | { kind: 'port'; proto: number; from: number; to: number }
  /** null: a bitmap:ip,mac member added without its MAC, which the first packet that tests it fills in. */
  | { kind: 'mac'; address: bigint | null }
  /** `eth0`; `physdev:eth0` names a bridge port (an entry -m set never matches, see trace matches-ipset.ts). */
  | { kind: 'iface'; name: string; physdev: boolean }
  | { kind: 'mark'; value: number }
  | { kind: 'set'; name: string };

export interface IpSetMember {
  values: IpSetValue[];
  /** `nomatch`: a hole in a wider net of the set (hash:net* types). */
  nomatch: boolean;
  span: Span;
}

export interface IpSet {
  name: string;
  /** As written: `hash:net,port`. */
  type: string;
  dimensions: IpSetDimension[];
  /** null for types without a family (hash:mac, bitmap:port, list:set). */
  family: 4 | 6 | null;
  /** bitmap:ip and bitmap:port: the range of the set, from the create line. */
  range: IpSetValue | null;
  /** hash:ip and bitmap:ip `netmask`: addresses are kept, added and tested as networks of this prefix. */
  netmask?: number;
  members: IpSetMember[];
  span: Span;
}
