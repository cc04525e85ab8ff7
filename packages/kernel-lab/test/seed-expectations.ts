// The kernel's path for the seed Docker host (shared/seed, docker-2017.*) as docs/netfilter.md §traversal-order, §nat-first-packet, §bridge-paths, §legacy-trace
// and docs/netfilter.md §lab-limits describe it, in the normalised step vocabulary (src/normalize.ts).
import type { TraceStep } from '../src/index.js';

export const ip = (hook: string, table: string, chain: string, type: TraceStep['type'], rule: number | null, verdict: string): TraceStep => ({
  family: 'ip',
  hook,
  table,
  chain,
  type,
  rule,
  verdict,
});

/** Steps without the `inferred` marker (nft does not print implicit returns; legacy does). */
export const strip = (steps: TraceStep[]): TraceStep[] => steps.map(({ inferred: _i, ...s }) => s);

const RAW = [
  ip('PREROUTING', 'raw', 'PREROUTING', 'rule', 1, 'CONTINUE'), // the seed's own `-p icmp -j TRACE`
  ip('PREROUTING', 'raw', 'PREROUTING', 'policy', null, 'ACCEPT'),
];
const FORWARD_HEAD = [
  ip('FORWARD', 'filter', 'FORWARD', 'rule', 1, 'JUMP:DOCKER-USER'),
  ip('FORWARD', 'filter', 'DOCKER-USER', 'rule', 1, 'RETURN'),
  ip('FORWARD', 'filter', 'FORWARD', 'rule', 2, 'JUMP:DOCKER-ISOLATION'),
  ip('FORWARD', 'filter', 'DOCKER-ISOLATION', 'rule', 1, 'RETURN'),
];

/** c1 → c2 (bridged on docker0), first echo request: raw, nat PREROUTING, filter FORWARD through the empty DOCKER
 *  chain to rule 6 (`-i docker0 -o docker0 -j ACCEPT`), nat POSTROUTING. */
export const C1_C2_REQUEST: TraceStep[] = [
  ...RAW,
  ip('PREROUTING', 'nat', 'PREROUTING', 'policy', null, 'ACCEPT'),
  ...FORWARD_HEAD,
  ip('FORWARD', 'filter', 'FORWARD', 'rule', 4, 'JUMP:DOCKER'),
  ip('FORWARD', 'filter', 'DOCKER', 'return', null, 'RETURN'),
  ip('FORWARD', 'filter', 'FORWARD', 'rule', 6, 'ACCEPT'),
  ip('POSTROUTING', 'nat', 'POSTROUTING', 'policy', null, 'ACCEPT'),
];

/** Any reply (ESTABLISHED): no nat chains, FORWARD up to rule 3 (`--ctstate RELATED,ESTABLISHED -j ACCEPT`). */
export const ESTABLISHED_TO_DOCKER0: TraceStep[] = [...RAW, ...FORWARD_HEAD, ip('FORWARD', 'filter', 'FORWARD', 'rule', 3, 'ACCEPT')];

/** c1 → 10.28.61.30 (routed out of eth0): FORWARD rule 5 (`-i docker0 ! -o docker0 -j ACCEPT`), MASQUERADE. */
export const C1_EXT_REQUEST: TraceStep[] = [
  ...RAW,
  ip('PREROUTING', 'nat', 'PREROUTING', 'policy', null, 'ACCEPT'),
  ...FORWARD_HEAD,
  ip('FORWARD', 'filter', 'FORWARD', 'rule', 5, 'ACCEPT'),
  ip('POSTROUTING', 'nat', 'POSTROUTING', 'rule', 1, 'ACCEPT'),
];
