// IPv6 against the real kernel: the legacy ip6tables TRACE lines recorded for fixtures/trace/ipv6-router
// (packages/trace/scripts/record-ipv6.sh) must be exactly the traced steps of the simulator — same labels
// (table:chain:type:num, from the first rule after the raw TRACE rule), same IN/OUT, addresses and ports at each
// line: forwarding with a conntrack ACCEPT, ip6 MASQUERADE and its reply, INPUT with nat INPUT after filter
// (legacy), OUTPUT, and a DNAT to [2001:db8:2::2]:80 with the rest of its TCP connection.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, parseHostContext, trace, type PacketSpec } from '../src/index';
import { repoRoot } from './kernel-recorded';

interface Line { prefix: string; in: string; out: string; src: string; dst: string; proto: number; sport?: number; dport?: number; icmptype?: number; mark: number }
interface Flow { name: string; from: string; to: string; proto: string; dport: number; lines: Line[] }

const rec = JSON.parse(readFileSync(path.join(repoRoot, 'fixtures', 'trace', 'recorded-raw', 'ipv6-router.legacy.json'), 'utf8')) as { rules: string; hostContext: string; flows: Flow[] };
const snap = parseSnapshot(readFileSync(path.join(repoRoot, rec.rules), 'utf8'), { fileName: 'ip6tables-save' }).snapshot;
const host = parseHostContext(readFileSync(path.join(repoRoot, rec.hostContext), 'utf8')).context!;
const compiled = compileRuleset([snap], host);
const ADDR: Record<string, string> = { a: '2001:db8:1::2', b: '2001:db8:2::2', host: '2001:db8:1::1' };

/** Every traced packet enters through raw (the TRACE rules are there): a raw line starts a packet. */
function packets(lines: Line[]): Line[][] {
  const out: Line[][] = [];
  for (const l of lines) {
    if (l.prefix.startsWith('TRACE: raw:') || !out.length) out.push([]);
    out[out.length - 1]!.push(l);
  }
  return out;
}

function spec(f: Flow, pkts: Line[][], i: number): PacketSpec {
  const first = pkts[0]![0]!;
  const p = pkts[i]![0]!;
  const s: PacketSpec = { proto: f.proto, dst: f.to in ADDR && f.to !== 'host' ? ADDR[f.to]! : f.to === 'host' ? (f.from === 'b' ? '2001:db8:2::1' : ADDR.host!) : f.to };
  if (f.from === 'host') { s.local = true; s.src = first.src; } else s.from = f.from;
  if (f.proto === 'tcp') { s.sport = first.sport!; s.dport = f.dport; }
  const sameDir = p.src === first.src && p.sport === first.sport;
  const replied = pkts.slice(1, i).some((q) => q[0]!.src !== first.src);
  if (i > 0) {
    if (!sameDir) s.reply = true;
    else if (replied) s.state = 'ESTABLISHED';
  }
  if (f.proto === 'tcp' && i > 0) s.tcpFlags = sameDir ? 'ACK' : 'SYN,ACK';
  return s;
}

describe.each(rec.flows.map((f) => [f.name, f] as const))('IPv6 flow %s', (_n, f) => {
  const pkts = packets(f.lines);
  it.each(pkts.map((p, i) => [i + 1, p, i] as const))('packet %i: the kernel\'s TRACE lines, field by field', (_k, lines, i) => {
    const r = trace(compiled, spec(f, pkts, i));
    expect(r.outcomes).toHaveLength(1);
    const traced = r.outcomes[0]!.steps.filter((s) => s.traced);
    const ours = traced.map((s) => ({ label: `TRACE: ${s.table}:${s.chain}:${s.label.type}:${s.label.num}`, in: s.packet.in, out: s.packet.out, src: s.packet.src, dst: s.packet.dst, sport: s.packet.sport ?? undefined, dport: s.packet.dport ?? undefined }));
    const kernel = lines.map((l) => ({ label: l.prefix.trim(), in: l.in, out: l.out, src: l.src, dst: l.dst, sport: l.sport, dport: l.dport }));
    expect(ours).toEqual(kernel);
  });
});
