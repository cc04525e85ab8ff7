// Known divergences between the simulator and the kernel. Each has a section in docs/divergences.md (anchor =
// the id) with its cause and a reproduction. A scenario flow that shows one says so in flows.json
// (`"divergence": "<id>"`): the suite then expects that flow to differ, and fails when it agrees (the divergence
// is fixed: update the doc and the flow). A divergence the random generator can produce is kept out of
// random/generate.ts by a condition naming its id, so that a random mismatch is always news.
//
// None is known at present: the ones found so far are fixed, each with what the kernel does, in
// docs/divergences.md ("Resolved").
export interface DivergenceInfo {
  summary: string;
}

export const KNOWN_DIVERGENCES: Readonly<Record<string, DivergenceInfo>> = {};

export type KnownDivergence = string;

export function isKnownDivergence(id: string): id is KnownDivergence {
  return Object.hasOwn(KNOWN_DIVERGENCES, id);
}
