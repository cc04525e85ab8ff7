// With nf_tables the trace event of a REJECT rule is emitted after the target ran, i.e. after the events of the
// RST / ICMP error the target sent (docs/netfilter.md §reject: "the generated packet's lines appear before the
// REJECT rule's own line"). Before the kernel lab splits a capture into packets, put each such event (with the
// PACKET line xtables-monitor printed for it) back in front of the answer's events, so the REJECT step ends the
// rejected packet and the answer is a packet of its own.
//
// The answer's events are the run just before the REJECT event whose trace ids differ from the REJECT event's;
// when the rejected packet came in from outside (it has an input device), the answer, generated locally, has none,
// which also separates it from the rejected packet's earlier events when the trace id changed on the way (a frame
// handed from a bridge to the IP stack gets a new id, docs/netfilter.md §nft-trace).
import type { TraceEvent } from '@chainsight/kernel-lab';

type Event = TraceEvent;

function isRejectEvent(e: Event): boolean {
  return e.format === 'xtables-monitor' && e.type === 'rule' && e.verdict === 'DROP' && / -j REJECT\b/.test(e.ruleText ?? '');
}

function idOf(e: Event): string | undefined {
  return e.format === 'xtables-monitor' || e.format === 'xtables-monitor-packet' || e.format === 'nft-monitor' ? e.id : undefined;
}

export function reorderRejectEvents(events: readonly Event[]): Event[] {
  const out = [...events];
  const inputDevice = new Map<string, string | undefined>();
  for (const e of events) if (e.format === 'xtables-monitor-packet' && !inputDevice.has(e.id)) inputDevice.set(e.id, e.fields.IN);
  for (let k = 0; k < out.length; k++) {
    const e = out[k]!;
    if (!isRejectEvent(e)) continue;
    const id = idOf(e)!;
    // The REJECT event and the PACKET line printed for it just before.
    let start = k;
    if (k > 0 && out[k - 1]!.format === 'xtables-monitor-packet' && idOf(out[k - 1]!) === id) start = k - 1;
    const fromOutside = inputDevice.get(id) !== undefined;
    let j = start;
    while (j > 0) {
      const prev = out[j - 1]!;
      const pid = idOf(prev);
      if (pid === undefined || pid === id) break;
      if (fromOutside && inputDevice.get(pid) !== undefined) break;
      j--;
    }
    if (j === start) continue;
    const moved = out.splice(start, k - start + 1);
    out.splice(j, 0, ...moved);
  }
  return out;
}
