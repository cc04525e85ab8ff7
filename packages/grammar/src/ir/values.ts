// Typed option values. Addresses and ports are numbers/bigints so that matching is arithmetic
// (architecture doc, "Data shapes worth fixing early").

export type IpVersion = 4 | 6;

/** An address with a mask. `prefix` is null for a non-contiguous dotted mask (iptables accepts those). */
export interface AddressMask {
  type: 'address';
  version: IpVersion;
  address: bigint;
  mask: bigint;
  prefix: number | null;
}

export interface AddressRange {
  type: 'address-range';
  version: IpVersion;
  from: bigint;
  to: bigint;
}

export interface PortRange {
  type: 'port-range';
  from: number;
  to: number;
}

export interface PortList {
  type: 'port-list';
  ranges: PortRange[];
}

export interface MarkMask {
  type: 'mark';
  value: number;
  mask: number;
}

export interface Interface {
  type: 'interface';
  name: string;
  /** `eth+`: prefix match on `name` (without the plus). */
  wildcard: boolean;
}

export interface MacMask {
  type: 'mac';
  address: bigint;
  mask: bigint;
}

export interface Protocol {
  type: 'protocol';
  /** IANA number; 0 means any (`all`). */
  number: number;
  /** Name as iptables prints it, when it has one. */
  name: string | null;
}

export interface EtherType {
  type: 'ethertype';
  /** 16-bit ethertype, or null for `LENGTH` (802.3 length field). */
  number: number | null;
  name: string | null;
}

export interface IcmpType {
  type: 'icmp-type';
  /** null means `any`. */
  icmpType: number | null;
  /** ebtables only: `--ip-icmp-type 1:11` is a range of types. */
  icmpTypeMax?: number;
  /** null: every code of the type. */
  codeMin: number | null;
  codeMax: number | null;
  name: string | null;
}

export interface TcpFlags {
  type: 'tcp-flags';
  mask: number;
  compare: number;
}

export interface Rate {
  type: 'rate';
  count: number;
  /** Seconds per unit: 1 second, 60 minute, 3600 hour, 86400 day. */
  unitSeconds: number;
  unit: 'second' | 'minute' | 'hour' | 'day';
}

export interface NumberRange {
  type: 'number-range';
  from: number;
  to: number;
}

export interface NumberValue {
  type: 'number';
  value: number;
}

export interface StringValue {
  type: 'string';
  value: string;
}

export interface ListValue {
  type: 'list';
  items: string[];
}

export interface FlagValue {
  type: 'flag';
}

/** NAT ranges: `--to-destination 10.0.0.1-10.0.0.9:80-90`, `--to-ports 8080`, `--to 10.0.0.0/24` (NETMAP). */
export interface NatRange {
  type: 'nat-range';
  version: IpVersion;
  addressFrom: bigint | null;
  addressTo: bigint | null;
  /** NETMAP only: the prefix of `--to`. */
  prefix: number | null;
  portFrom: number | null;
  portTo: number | null;
}

/** A value kept as the raw argument words: opaque to chainsight's semantics but printed back verbatim. */
export interface RawValue {
  type: 'raw';
  words: string[];
}

export type OptionValue =
  | AddressMask
  | AddressRange
  | PortRange
  | PortList
  | MarkMask
  | Interface
  | MacMask
  | Protocol
  | EtherType
  | IcmpType
  | TcpFlags
  | Rate
  | NumberRange
  | NumberValue
  | StringValue
  | ListValue
  | FlagValue
  | NatRange
  | RawValue;
