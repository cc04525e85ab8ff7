// The concrete side of the property tests: trace's compiled matcher (the one the kernel conformance suite
// checks) evaluated on a ConcretePacket, through trace's own match harness.
import type { ConcretePacket } from '../src/index';
import { evaluate as evaluateConcrete, type Result } from '../../trace/test/match-harness';
import { newConn } from '../../trace/src/sim/conntrack';
import type { SimPacket } from '../../trace/src/sim/state';

export function formatV4(a: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((a >> s) & 255n)).join('.');
}

/** The packet as trace's SimPacket fields, applied by the harness after it resolved a plain TCP packet. */
export function concreteResult(rule: string, p: ConcretePacket, backend: 'nft' | 'legacy' = 'nft'): Result {
  const tracked = p.ctState === 'NEW' || p.ctState === 'ESTABLISHED' || p.ctState === 'RELATED';
  const fields: Partial<SimPacket> = {
    src: p.src,
    dst: p.dst,
    proto: p.proto,
    sport: p.sport,
    dport: p.dport,
    icmpType: p.icmpType,
    icmpCode: p.icmpCode,
    tcpFlags: p.tcpFlags,
    mark: p.mark,
    length: p.length,
    ttl: p.ttl,
    tos: p.tos,
    pktType: p.pktType,
    in: p.in,
    out: p.out,
    ctState: p.ctState,
    ctDir: p.ctDir,
  };
  const set: Partial<SimPacket> & { conn: 'none' } = { conn: 'none', ...fields };
  if (tracked) {
    const ct = newConn({ ...(fields as SimPacket), v: 4 } as SimPacket);
    ct.mark = p.ctMark;
    const binding = { table: 'nat', chain: 'X', rule: 1, file: 'f', line: 1, addr: 0n, port: null };
    if (p.snat) ct.snat = { type: 'SNAT', ...binding };
    if (p.dnat) ct.dnat = { type: 'DNAT', ...binding };
    set.ct = ct;
  } else set.ct = null;
  return evaluateConcrete({
    rule,
    spec: { src: formatV4(p.src), dst: formatV4(p.dst), proto: 'tcp', sport: 40000, dport: 80 },
    set,
    backend,
    // The harness's case type asks for an expectation; evaluate() does not read it.
    expect: false,
  });
}
