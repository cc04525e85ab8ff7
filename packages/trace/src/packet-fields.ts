// The packet options, one table for both ways a packet is given: the command line (`--dport 80`) and a line of
// a --batch file (`{"dport": 80}`). Each value is checked against what the packet header can carry, so that a
// value the command line refuses is refused in a batch too, and no value is traced as something else
// (`--dport 99999999999999999999999` is not port 1e+23, `--src-mac zz:zz` is not "no MAC").
import { ICMP_TYPES, ICMPV6_TYPES, parseMac } from '@chainsight/grammar';
import { parseIpAny } from './host/context';
import type { PacketSpec } from './packet';
import { protocolNumber } from './protocol';

export type Checked = { ok: true; value: string | number | boolean } | { ok: false; message: string };

export interface PacketField {
  /** The command-line spelling (`phys-in`); a batch line also takes the camelCase key (`physIn`). */
  option: string;
  key: keyof PacketSpec;
  /** A flag on the command line (`--reply`), true or false in a batch line. */
  flag?: true;
  /** Checks a value: a string from the command line, any JSON value from a batch line. */
  check(value: unknown): Checked;
}

const ok = (value: string | number | boolean): Checked => ({ ok: true, value });
const bad = (message: string): Checked => ({ ok: false, message });
/** How a refused value is quoted back: strings as given, other JSON values as JSON. */
const got = (v: unknown) => (typeof v === 'string' ? `'${v}'` : v === undefined ? 'nothing' : JSON.stringify(v) ?? String(v));

/** A whole number in [0, max]: a JSON integer, or decimal or 0x-hex text (as iptables' own options take them). */
function integer(max: number, what: string): (v: unknown) => Checked {
  return (v) => {
    let n: number | null = null;
    if (typeof v === 'number' && Number.isSafeInteger(v)) n = v;
    else if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) {
      // BigInt first: Number('99999999999999999999999') would be 1e+23, not an error.
      const b = BigInt(v);
      n = b <= BigInt(max) ? Number(b) : max + 1;
    }
    if (n === null || n < 0 || n > max) return bad(`must be ${what} (got ${got(v)})`);
    return ok(n);
  };
}

function text(check: (s: string) => string | null): (v: unknown) => Checked {
  return (v) => {
    if (typeof v !== 'string') return bad(`must be a string (got ${got(v)})`);
    const problem = check(v);
    return problem === null ? ok(v) : bad(`${problem} (got ${got(v)})`);
  };
}

/** TCP header flag bits (the header's eight, as the kernel names them in include/net/tcp.h's TCPHDR_*). */
export const PACKET_TCP_FLAGS: ReadonlyMap<string, number> = new Map([
  ['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20], ['ECE', 0x40], ['CWR', 0x80],
  ['NONE', 0],
]);

/** `SYN,ACK` (also `|`, `+` or space between names) as flag bits, or null if a name is not a flag. */
export function parseTcpFlags(flags: string): number | null {
  const names = flags.split(/[,|+ ]+/).filter(Boolean);
  if (!names.length) return null;
  let f = 0;
  for (const name of names) {
    const v = PACKET_TCP_FLAGS.get(name.toUpperCase());
    if (v === undefined) return null;
    f |= v;
  }
  return f;
}

/** `8`, `3/1` (type/code, each 0-255) or a name iptables' icmp / ip6tables' icmp6 match knows. */
export function checkIcmpType(v: unknown): Checked {
  if (typeof v === 'number') return integer(255, 'an ICMP type from 0 to 255')(v);
  if (typeof v !== 'string') return bad(`must be an ICMP type: a number, TYPE/CODE or a name (got ${got(v)})`);
  const m = /^(\d+)(?:\/(\d+))?$/.exec(v);
  if (m) return Number(m[1]) <= 255 && (m[2] === undefined || Number(m[2]) <= 255) ? ok(v) : bad(`must have a type and a code from 0 to 255 (got '${v}')`);
  const named = ICMP_TYPES.get(v) ?? ICMPV6_TYPES.get(v);
  return named && named[0] >= 0 ? ok(v) : bad(`is not an ICMP type: a number, TYPE/CODE or a name like echo-request (got '${v}')`);
}

export const CT_STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const;

/** dev_valid_name() (net/core/dev.c): 1 to 15 bytes (IFNAMSIZ 16 with the NUL), not `.` or `..`, no `/`, `:` or space. */
export function interfaceNameProblem(name: string): string | null {
  if (name === '' || Buffer.byteLength(name, 'utf8') >= 16) return 'must be an interface name of 1 to 15 bytes';
  if (name === '.' || name === '..' || /[/:\s]/.test(name)) return "must be an interface name (no '/', ':' or spaces, not '.' or '..')";
  return null;
}

const address = text((s) => (parseIpAny(s) === null ? 'must be an IPv4 or IPv6 address' : null));
const mac = text((s) => (parseMac(s) === null ? 'must be a MAC address like 02:42:ac:11:00:02' : null));
const iface = text(interfaceNameProblem);
const name = text((s) => (s === '' ? 'must not be empty' : null));
const boolean = (v: unknown): Checked => (typeof v === 'boolean' ? ok(v) : bad(`must be true or false (got ${got(v)})`));
const port = integer(65535, 'a port number from 0 to 65535');
const byte = (what: string) => integer(255, `${what} from 0 to 255`);

const proto = (v: unknown): Checked => {
  if (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) return integer(255, 'a protocol number from 0 to 255 or a name')(v);
  if (typeof v !== 'string') return bad(`must be a protocol name or number (got ${got(v)})`);
  return protocolNumber(v) === null ? bad(`is not a protocol chainsight knows: a name from /etc/protocols or a number from 0 to 255 (got '${v}')`) : ok(v);
};
const tcpFlags = text((s) => (parseTcpFlags(s) === null ? `must be TCP flags separated by commas (${[...PACKET_TCP_FLAGS.keys()].join(', ')})` : null));
const state = (v: unknown): Checked => {
  const s = typeof v === 'string' ? v.toUpperCase() : null;
  return s !== null && (CT_STATES as readonly string[]).includes(s) ? ok(s) : bad(`must be one of ${CT_STATES.join(', ')} (got ${got(v)})`);
};

/** Every packet field. Lengths are IP total lengths: at most 65535 for IPv4, payload 65535 + 40 for IPv6 (xt_length). */
export const PACKET_FIELDS: readonly PacketField[] = [
  { option: 'src', key: 'src', check: address },
  { option: 'dst', key: 'dst', check: address },
  { option: 'proto', key: 'proto', check: proto },
  { option: 'sport', key: 'sport', check: port },
  { option: 'dport', key: 'dport', check: port },
  { option: 'icmp-type', key: 'icmpType', check: checkIcmpType },
  { option: 'icmp-code', key: 'icmpCode', check: byte('an ICMP code') },
  { option: 'tcp-flags', key: 'tcpFlags', check: tcpFlags },
  { option: 'state', key: 'state', check: state },
  { option: 'reply', key: 'reply', flag: true, check: boolean },
  { option: 'mark', key: 'mark', check: integer(0xffffffff, 'a 32-bit mark from 0 to 0xffffffff') },
  { option: 'in', key: 'in', check: iface },
  { option: 'phys-in', key: 'physIn', check: iface },
  { option: 'local', key: 'local', flag: true, check: boolean },
  { option: 'bound-src', key: 'boundSrc', flag: true, check: boolean },
  { option: 'from', key: 'from', check: name },
  { option: 'to', key: 'to', check: name },
  { option: 'out', key: 'out', check: iface },
  { option: 'phys-out', key: 'physOut', check: iface },
  { option: 'src-mac', key: 'srcMac', check: mac },
  { option: 'dst-mac', key: 'dstMac', check: mac },
  { option: 'length', key: 'length', check: integer(65575, 'an IP packet length from 0 to 65535 (IPv6: 65575)') },
  { option: 'ttl', key: 'ttl', check: byte('a TTL (hop limit)') },
  { option: 'tos', key: 'tos', check: byte('a TOS byte') },
  // (uid_t)-1 is no user (INVALID_UID, include/linux/uidgid.h).
  { option: 'uid', key: 'uid', check: integer(0xfffffffe, 'a user id from 0 to 4294967294') },
  { option: 'gid', key: 'gid', check: integer(0xfffffffe, 'a group id from 0 to 4294967294') },
];

const BY_NAME = new Map<string, PacketField>(PACKET_FIELDS.flatMap((f) => [[f.option, f], [f.key, f]]));

/** The field a command-line option or a batch key names (`phys-in` or `physIn`), or undefined. */
export function packetField(name: string): PacketField | undefined {
  return BY_NAME.get(name);
}
