// Random rule fragments and packets over shared value pools, for the property tests: values are drawn from
// small pools that the packets share, so boundaries (a port one past a range, an address one outside a prefix)
// are hit often.
import fc from 'fast-check';
import { CT_STATES, PKT_TYPES, type ConcretePacket } from '../src/index';
import { formatV4 } from './concrete';

const ADDRS = [0x0a000000n, 0x0a000001n, 0x0a000002n, 0x0a000003n, 0x0a0000ffn, 0x0a000100n, 0x0a010000n, 0xc0a80001n];
const PORTS = [0, 1, 21, 22, 23, 79, 80, 81, 443, 1024, 65535];
const MARKS = [0, 1, 2, 3, 0xff, 0x100, 0x10001, 0xffffffff];
const SMALL = [0, 1, 3, 8, 16, 40, 63, 64, 100, 128, 254, 255];
export const DEVICES = ['eth0', 'eth1', 'eth2', 'veth1', 'veth22', 'docker0', 'lo', 'wg0'];
const PROTOS = [1, 6, 17, 47, 132];

const pick = <T,>(xs: readonly T[]) => fc.constantFrom(...xs);
const bang = fc.constantFrom('', '! ');
const v4 = (a: bigint) => formatV4(a);
const portRange = fc.tuple(pick(PORTS), pick(PORTS)).map(([a, b]) => (a === b ? String(a) : `${Math.min(a, b)}:${Math.max(a, b)}`));
const portList = fc.array(portRange, { minLength: 1, maxLength: 4 }).map((xs) => xs.join(','));
const mark = fc.tuple(pick(MARKS), fc.option(pick(MARKS), { nil: undefined })).map(([v, m]) => (m === undefined ? `0x${v.toString(16)}` : `0x${(v & m) >>> 0 === v ? v.toString(16) : ((v & m) >>> 0).toString(16)}/0x${m.toString(16)}`));
const states = fc.subarray(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'], { minLength: 1 }).map((xs) => xs.join(','));
const ctStates = fc.subarray(['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED', 'SNAT', 'DNAT'], { minLength: 1 }).map((xs) => xs.join(','));

/** Rule fragments, one per module (and the base options), each with random values. */
export const MODULES: Record<string, fc.Arbitrary<string>> = {
  base: fc.tuple(bang, pick(ADDRS), fc.integer({ min: 0, max: 32 }), bang, pick(DEVICES), fc.boolean(), bang, pick(PROTOS)).map(
    ([n1, a, len, n2, dev, plus, n3, proto]) => `${n1}-s ${v4(a)}/${len} ${n2}-i ${plus ? dev.slice(0, 3) + '+' : dev} ${n3}-p ${proto}`,
  ),
  destination: fc.tuple(bang, pick(ADDRS), fc.integer({ min: 0, max: 32 }), bang, pick(DEVICES)).map(([n, a, len, n2, dev]) => `${n}-d ${v4(a)}/${len} ${n2}-o ${dev}`),
  tcp: fc.tuple(bang, portRange, bang, portRange, bang, fc.subarray(['SYN', 'ACK', 'FIN', 'RST']), fc.subarray(['SYN', 'ACK', 'FIN', 'RST'])).map(
    ([n1, sp, n2, dp, n3, mask, comp]) => `-p tcp -m tcp ${n1}--sport ${sp} ${n2}--dport ${dp} ${n3}--tcp-flags ${mask.join(',') || 'NONE'} ${comp.join(',') || 'NONE'}`,
  ),
  'tcp (one inverted port each)': fc.tuple(pick(PORTS), pick(PORTS)).map(([a, b]) => `-p tcp -m tcp ! --sport ${a} ! --dport ${b}`),
  udp: fc.tuple(bang, portRange, bang, portRange).map(([n1, sp, n2, dp]) => `-p udp -m udp ${n1}--sport ${sp} ${n2}--dport ${dp}`),
  icmp: fc.tuple(bang, fc.constantFrom('any', '8', '0', '3', '3/1', '11/0', 'echo-request')).map(([n, t]) => `-p icmp -m icmp ${n}--icmp-type ${t}`),
  multiport: fc.tuple(fc.constantFrom('sports', 'dports', 'ports'), bang, portList, fc.constantFrom('tcp', 'udp')).map(([k, n, l, p]) => `-p ${p} -m multiport ${n}--${k} ${l}`),
  iprange: fc.tuple(bang, pick(ADDRS), pick(ADDRS), fc.constantFrom('src', 'dst')).map(([n, a, b, w]) => `-m iprange ${n}--${w}-range ${v4(a < b ? a : b)}-${v4(a < b ? b : a)}`),
  pkttype: fc.tuple(bang, fc.constantFrom('unicast', 'broadcast', 'multicast', 'host', 'otherhost')).map(([n, t]) => `-m pkttype ${n}--pkt-type ${t}`),
  length: fc.tuple(bang, pick(SMALL), pick(SMALL)).map(([n, a, b]) => `-m length ${n}--length ${Math.min(a, b)}:${Math.max(a, b)}`),
  ttl: fc.tuple(fc.constantFrom('--ttl-eq', '! --ttl-eq', '--ttl-lt', '--ttl-gt'), pick(SMALL)).map(([k, n]) => `-m ttl ${k} ${n}`),
  tos: fc.tuple(bang, fc.constantFrom('0x10', '0x10/0x3f', '0x08/0xff', 'Minimize-Delay', '0x00/0x02')).map(([n, t]) => `-m tos ${n}--tos ${t}`),
  dscp: fc.tuple(bang, fc.constantFrom('--dscp 0x0a', '--dscp 46', '--dscp-class EF', '--dscp-class AF11', '--dscp 0')).map(([n, d]) => `-m dscp ${n}${d}`),
  ecn: fc.tuple(bang, fc.constantFrom('--ecn-tcp-cwr', '--ecn-tcp-ece', '--ecn-ip-ect 1', '--ecn-ip-ect 3')).map(([n, d]) => `-p tcp -m ecn ${n}${d}`),
  mark: fc.tuple(bang, mark).map(([n, m]) => `-m mark ${n}--mark ${m}`),
  connmark: fc.tuple(bang, mark).map(([n, m]) => `-m connmark ${n}--mark ${m}`),
  conntrack: fc.tuple(bang, ctStates, fc.constantFrom('', ' --ctdir ORIGINAL', ' --ctdir REPLY')).map(([n, s, d]) => `-m conntrack ${n}--ctstate ${s}${d}`),
  'conntrack (direction only)': fc.constantFrom('-m conntrack --ctdir ORIGINAL', '-m conntrack --ctdir REPLY'),
  state: fc.tuple(bang, states).map(([n, s]) => `-m state ${n}--state ${s}`),
  comment: fc.constant('-m comment --comment "a note"'),
};

/** Packets over the same pools, well formed (ports only for port protocols, ICMP fields only for ICMP …). */
export const packetArb: fc.Arbitrary<ConcretePacket> = fc
  .record({
    in: pick(DEVICES),
    out: pick(DEVICES),
    proto: pick([1, 6, 17, 47, 132]),
    src: pick(ADDRS),
    dst: pick(ADDRS),
    sport: pick(PORTS),
    dport: pick(PORTS),
    icmpType: pick([0, 3, 8, 11]),
    icmpCode: pick([0, 1, 3]),
    tcpFlags: fc.integer({ min: 0, max: 255 }),
    ctState: pick(CT_STATES),
    reply: fc.boolean(),
    snat: fc.boolean(),
    dnat: fc.boolean(),
    mark: pick(MARKS),
    ctMark: pick(MARKS),
    pktType: pick(PKT_TYPES),
    length: pick(SMALL),
    ttl: pick(SMALL),
    tos: pick(SMALL),
  })
  .map((r) => {
    const ports = [6, 17, 132].includes(r.proto);
    const tracked = r.ctState === 'NEW' || r.ctState === 'ESTABLISHED' || r.ctState === 'RELATED';
    return {
      in: r.in,
      out: r.out,
      proto: r.proto,
      fragment: false,
      src: r.src,
      dst: r.dst,
      sport: ports ? r.sport : null,
      dport: ports ? r.dport : null,
      icmpType: r.proto === 1 ? r.icmpType : null,
      icmpCode: r.proto === 1 ? r.icmpCode : null,
      tcpFlags: r.proto === 6 ? r.tcpFlags : 0,
      ctState: r.ctState,
      ctDir: tracked ? (r.reply ? 'REPLY' : 'ORIGINAL') : null,
      snat: tracked && r.snat,
      dnat: tracked && r.dnat,
      mark: r.mark,
      ctMark: tracked ? r.ctMark : 0,
      pktType: r.pktType,
      length: r.length,
      ttl: r.ttl,
      tos: r.tos,
    } satisfies ConcretePacket;
  });

