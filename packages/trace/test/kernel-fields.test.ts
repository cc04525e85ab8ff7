// The packet the simulator shows at each step against what the real kernel logged at that step: for the legacy
// recordings every TRACE line (label `table:chain:type:num`, including the return/policy quirk of docs/netfilter.md §legacy-trace) and its
// IN/OUT/PHYSIN/PHYSOUT/MAC/SRC/DST/ports/flags/MARK, and the TTL change, are compared with the simulator's
// legacy-TRACE rendering of the steps that matched the kernel's path (kernel-recorded.test.ts).
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { packetFields } from '../src/render/kernel-log';
import { sharedMissing } from '../../../test-support/shared';
import { compileRecording, matchingSteps, readInput, recordings, traceLineFields, type Recording } from './kernel-recorded';

const legacy = recordings().filter((r) => r.backend === 'legacy');

/** Tables of the user's snapshot (a harness-only raw table is not), and how many harness TRACE rules top raw. */
function harness(r: Recording): { tables: Set<string>; shift: number } {
  const text = readInput(r.iptables)!;
  const snap = parseSnapshot(text, { fileName: 'x' }).snapshot;
  const protos = new Set(r.flows.map((f) => f.flow.proto));
  return { tables: new Set(snap.tables.map((t) => t.name)), shift: protos.size };
}

const COMPARED = ['IN', 'OUT', 'PHYSIN', 'PHYSOUT', 'MAC', 'SRC', 'DST', 'SPT', 'DPT', 'TYPE', 'CODE', 'MARK'];

describe.each(legacy)('$file', (r) => {
  const compiled = compileRecording(r);
  if (compiled === null) { it.skip(sharedMissing(`the inputs of ${r.file}`), () => {}); return; }
  const { tables, shift } = harness(r);
  it.each(r.flows.map((f) => [f.name, f] as const))('%s: every TRACE line', (_n, f) => {
    const kernelLines = f.rawTrace.split('\n').filter((l) => l.startsWith('TRACE: ')).map(traceLineFields)
      .filter((l) => tables.has(l.label.split(':')[0]!))
      .map((l) => {
        const [t, c, type, n] = l.label.split(':') as [string, string, string, string];
        return { ...l, label: t === 'raw' ? `${t}:${c}:${type}:${Number(n) - shift}` : l.label };
      });
    const starts = new Set<number>();
    const ours = f.packets.flatMap((_p, i) => {
      const steps = matchingSteps(compiled, r, f, i);
      expect(steps, `packet ${i + 1} has no matching outcome`).not.toBeNull();
      return steps!;
    });
    let n = 0;
    for (const [i] of f.packets.entries()) { starts.add(n); n += matchingSteps(compiled, r, f, i)!.length; }
    expect(ours.map((s) => `${s.table}:${s.chain}:${s.label.type}:${s.label.num}`)).toEqual(kernelLines.map((l) => l.label));
    const ttl0 = { kernel: 0, ours: 0 };
    ours.forEach((s, i) => {
      const k = kernelLines[i]!;
      const o = traceLineFields(`TRACE: ${k.label} ${packetFields(s.packet, { seq: true, opts: false, uid: false })}`);
      // nfnetlink_log adds PHYSIN/PHYSOUT only with an input/output device (__build_packet_message), while the
      // syslog line the renderer imitates prints them whenever set: compare them only where the capture can show them.
      const shown = COMPARED.filter((x) => !(x === 'PHYSIN' && !k.fields.get('IN')) && !(x === 'PHYSOUT' && !k.fields.get('OUT')));
      const pick = (m: Map<string, string>) => Object.fromEntries(shown.filter((x) => m.has(x)).map((x) => [x, m.get(x)]));
      expect(JSON.stringify(pick(o.fields)), `${k.label} (step ${i + 1}) ours ${JSON.stringify(pick(o.fields))} kernel ${JSON.stringify(pick(k.fields))}`).toBe(JSON.stringify(pick(k.fields)));
      for (const flag of ['SYN', 'ACK', 'RST', 'FIN']) expect(o.flags.has(flag), `${k.label} ${flag}`).toBe(k.flags.has(flag));
      if (starts.has(i)) { ttl0.kernel = Number(k.fields.get('TTL')); ttl0.ours = s.packet.ttl; }
      expect(ttl0.ours - s.packet.ttl, `${k.label} (step ${i + 1}) TTL decrement, kernel ${k.fields.get('TTL')} ours ${s.packet.ttl}`).toBe(ttl0.kernel - Number(k.fields.get('TTL')));
    });
  });
});
