// The packet options' one check (packet-fields.ts): the values the command line, --batch and library callers
// give are the values the header can carry, or an error naming what was wrong; none is traced as another.
import { parseSnapshot } from '@chainsight/grammar';
import { describe, expect, it } from 'vitest';
import { compileRuleset, packetField, PACKET_FIELDS, PacketError, parseBatchLine, trace, type PacketSpec } from '../src/index';

const check = (name: string, v: unknown) => {
  const r = packetField(name)!.check(v);
  return r.ok ? r.value : `error: ${r.message}`;
};

describe('each packet field', () => {
  it.each([
    // [field, value, what it becomes or the error]
    ['dport', '8080', 8080],
    ['dport', 8080, 8080],
    ['dport', '0x50', 80],
    ['dport', '65535', 65535],
    ['dport', '65536', "error: must be a port number from 0 to 65535 (got '65536')"],
    ['dport', '99999999999999999999999', "error: must be a port number from 0 to 65535 (got '99999999999999999999999')"],
    ['dport', 1e23, 'error: must be a port number from 0 to 65535 (got 1e+23)'],
    ['dport', 80.5, 'error: must be a port number from 0 to 65535 (got 80.5)'],
    ['dport', '80 ', "error: must be a port number from 0 to 65535 (got '80 ')"],
    ['mark', '0xffffffff', 0xffffffff],
    ['mark', -1, 'error: must be a 32-bit mark from 0 to 0xffffffff (got -1)'],
    ['ttl', 255, 255],
    ['ttl', 256, 'error: must be a TTL (hop limit) from 0 to 255 (got 256)'],
    ['tos', '999', "error: must be a TOS byte from 0 to 255 (got '999')"],
    ['length', 65575, 65575],
    ['length', 999999, 'error: must be an IP packet length from 0 to 65535 (IPv6: 65575) (got 999999)'],
    ['gid', 4294967295, 'error: must be a group id from 0 to 4294967294 (got 4294967295)'],
    ['proto', 'TCP', 'TCP'],
    ['proto', 'ipv6-icmp', 'ipv6-icmp'],
    ['proto', 255, 255],
    ['proto', '300', "error: must be a protocol number from 0 to 255 or a name (got '300')"],
    ['proto', 'constructor', "error: is not a protocol chainsight knows: a name from /etc/protocols or a number from 0 to 255 (got 'constructor')"],
    ['icmp-type', '3/3', '3/3'],
    ['icmp-type', 'echo-reply', 'echo-reply'],
    ['icmp-type', '3/999', "error: must have a type and a code from 0 to 255 (got '3/999')"],
    ['icmp-type', 300, 'error: must be an ICMP type from 0 to 255 (got 300)'],
    ['icmpCode', 1, 1],
    ['tcp-flags', 'syn,ack', 'syn,ack'],
    ['tcp-flags', '', "error: must be TCP flags separated by commas (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NONE) (got '')"],
    ['state', 'established', 'ESTABLISHED'],
    ['state', 'toString', "error: must be one of NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED (got 'toString')"],
    ['src', '2001:db8::1', '2001:db8::1'],
    ['src', '010.0.0.1', "error: must be an IPv4 or IPv6 address (got '010.0.0.1')"],
    ['srcMac', 'zz:zz', "error: must be a MAC address like 02:42:ac:11:00:02 (got 'zz:zz')"],
    ['in', 'eth0.100', 'eth0.100'],
    ['in', '0123456789abcdef', "error: must be an interface name of 1 to 15 bytes (got '0123456789abcdef')"],
    ['in', '..', "error: must be an interface name (no '/', ':' or spaces, not '.' or '..') (got '..')"],
    ['from', '', "error: must not be empty (got '')"],
    ['reply', true, true],
    ['local', 'true', "error: must be true or false (got 'true')"],
  ])('%s %j → %j', (name, value, expected) => {
    expect(check(name, value)).toEqual(expected);
  });

  it('names are looked up in a Map: Object.prototype members are no fields', () => {
    for (const n of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(packetField(n)).toBeUndefined();
  });

  it('every field is checked and every PacketSpec key has a field', () => {
    const keys = new Set(PACKET_FIELDS.map((f) => f.key));
    expect(keys.size).toBe(PACKET_FIELDS.length);
    expect([...keys].sort()).toEqual(['boundSrc', 'dport', 'dst', 'dstMac', 'from', 'gid', 'icmpCode', 'icmpType', 'in', 'length', 'local', 'mark', 'out', 'physIn', 'physOut', 'proto', 'reply', 'sport', 'src', 'srcMac', 'state', 'tcpFlags', 'to', 'tos', 'ttl', 'uid']);
  });
});

describe('library callers get the same checks (resolvePacket)', () => {
  const compiled = compileRuleset([parseSnapshot('*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n', { fileName: 'r' }).snapshot], null);
  const base: PacketSpec = { src: '10.0.0.1', dst: '10.0.0.2', in: 'eth0', proto: 'tcp', dport: 22 };
  it.each([
    [{ dport: 70000 }, '--dport must be a port number from 0 to 65535 (got 70000)'],
    [{ srcMac: 'zz' }, "--src-mac must be a MAC address like 02:42:ac:11:00:02 (got 'zz')"],
    [{ length: 19 }, '--length 19 is not an IPv4 packet length (20 to 65535)'],
    [{ dst: '2001:db8::2', src: '2001:db8::1', length: 39 }, '--length 39 is not an IPv6 packet length (40 to 65575)'],
    [{ proto: 'icmp', dport: undefined, icmpType: '3/1', icmpCode: 2 }, '--icmp-type 3/1 has code 1, --icmp-code says 2'],
    [{ icmpType: 8 }, "--icmp-type/--icmp-code need an icmp or icmpv6 packet, not 'tcp'"],
    [{ proto: 'udp', dport: 53, tcpFlags: 'SYN' }, "--tcp-flags needs a tcp packet, not 'udp'"],
  ])('%j: %s', (extra: Partial<PacketSpec>, message) => {
    const spec = { ...base, ...extra } as PacketSpec;
    if ('dport' in extra && extra.dport === undefined) delete spec.dport;
    expect(() => trace(compiled, spec)).toThrow(PacketError);
    expect(() => trace(compiled, spec)).toThrow(message);
  });
});

describe('--batch lines', () => {
  it.each([
    ['{"dst": "10.0.0.2", "proto": "udp", "dport": "53", "icmp-type": null}', "4:65 'icmp-type' must be an ICMP type: a number, TYPE/CODE or a name (got null)"],
    ['{"dst": "10.0.0.2", "id": {"__proto__": 1}}', null],
    ['  {"dst": "10.0.0.2",\t"mark": "0x100000000"}', "4:31 'mark' must be a 32-bit mark from 0 to 0xffffffff (got '0x100000000')"],
  ])('%s', (text, error) => {
    const b = parseBatchLine(text, 4)!;
    expect(b.error === null ? null : `${b.line}:${b.column} ${b.error}`).toBe(error);
    if (error === null) expect(Object.keys(b.id as object)).toEqual(['__proto__']);
  });
});
