// The agreement figure's wording.
import { expect, it } from 'vitest';
import { emptyTally, formatFigure, type Tally } from '../src/summary';

const tally = (flows: Tally['flows'], random: Tally['random'], notes: string[] = []): Tally => ({ flows, random, notes });

it.each([
  [tally({ agreed: 99, total: 105, knownDivergences: 6 }, { agreed: 380, total: 380, ran: true }), 'conformance: 99/105 flows and 380/380 random cases agree (98.8%); 6 flows are known divergences (docs/divergences.md)'],
  [tally({ agreed: 10, total: 10, knownDivergences: 0 }, { agreed: 0, total: 0, ran: false }), 'conformance: 10/10 flows and no random cases (not run) agree (100.0%)'],
  [tally({ agreed: 999, total: 1000, knownDivergences: 1 }, { agreed: 0, total: 0, ran: true }), 'conformance: 999/1000 flows and 0/0 random cases agree (99.9%); 1 flow is a known divergence (docs/divergences.md)'],
  [tally({ agreed: 2000, total: 2001, knownDivergences: 0 }, { agreed: 0, total: 0, ran: true }), 'conformance: 2000/2001 flows and 0/0 random cases agree (99.9%)'],
  [tally({ agreed: 5, total: 5, knownDivergences: 0 }, { agreed: 3, total: 3, ran: true }, ['scenario docker-2017 SKIPPED: missing ../shared/seed']), 'conformance: 5/5 flows and 3/3 random cases agree (100.0%)\nconformance: scenario docker-2017 SKIPPED: missing ../shared/seed'],
  [{ ...tally({ agreed: 5, total: 5, knownDivergences: 0 }, { agreed: 3, total: 3, ran: true }), packetSets: '9/9 witnesses confirmed, 2 unreachable claims × up to 20 packets, 0 hits' }, 'conformance: 5/5 flows and 3/3 random cases agree (100.0%); packet sets: 9/9 witnesses confirmed, 2 unreachable claims × up to 20 packets, 0 hits'],
  [{ ...emptyTally(), notes: ['SKIPPED: not root'] }, 'conformance: no agreement figure, nothing was compared (SKIPPED: not root)'],
])('%#: %s', (t, expected) => {
  expect(formatFigure(t)).toBe(expected);
});
