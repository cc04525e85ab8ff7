// The figure that matters: how many scenario flows and random cases the simulator and the kernel agree on. The
// suite counts as it goes and prints one line at the end (and .ci/run echoes it from .conformance-summary.txt):
//
//   conformance: 99/105 flows and 380/380 random cases agree (98.8%); 6 flows are known divergences (docs/divergences.md)
//
// and, when the packet-set engine's claims were checked too, `; packet sets: 134/134 witnesses confirmed …`.
//
// A flow counts once per backend it ran with. Known divergences count as not agreeing: the figure says what is
// true, the divergence list says why.

export interface Tally {
  flows: { agreed: number; total: number; knownDivergences: number };
  random: { agreed: number; total: number; ran: boolean };
  /** The packet-set engine's claims checked in the kernel (kernel/engine-check.ts summariseEngineCheck), when run. */
  packetSets?: string;
  /** Why a part did not run (skips), or what else the reader must know. */
  notes: string[];
}

export function emptyTally(): Tally {
  return { flows: { agreed: 0, total: 0, knownDivergences: 0 }, random: { agreed: 0, total: 0, ran: false }, notes: [] };
}

function percent(agreed: number, total: number): string {
  if (total === 0) return 'n/a';
  const p = (100 * agreed) / total;
  // Never round up to 100%: 999/1000 is 99.9%, not 100.0%.
  const text = agreed < total && p > 99.9 ? '99.9' : p.toFixed(1);
  return `${text}%`;
}

export function formatFigure(t: Tally): string {
  if (t.flows.total === 0 && !t.random.ran) {
    return `conformance: no agreement figure, nothing was compared${t.notes.length ? ` (${t.notes.join('; ')})` : ''}`;
  }
  const flows = `${t.flows.agreed}/${t.flows.total} flows`;
  const random = t.random.ran ? `${t.random.agreed}/${t.random.total} random cases` : 'no random cases (not run)';
  let line = `conformance: ${flows} and ${random} agree (${percent(t.flows.agreed + t.random.agreed, t.flows.total + t.random.total)})`;
  if (t.flows.knownDivergences > 0) {
    line += `; ${t.flows.knownDivergences} flow${t.flows.knownDivergences === 1 ? ' is a known divergence' : 's are known divergences'} (docs/divergences.md)`;
  }
  if (t.packetSets !== undefined) line += `; packet sets: ${t.packetSets}`;
  return [line, ...t.notes.map((n) => `conformance: ${n}`)].join('\n');
}
