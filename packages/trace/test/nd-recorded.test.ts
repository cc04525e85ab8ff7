// Neighbour discovery, router discovery and MLD against the real kernel, on both backends: the rules and policies
// each packet hit in fixtures/trace/nd-router (rule counters, recorded by packages/trace/scripts/record-nd.sh into
// fixtures/trace/recorded-raw/nd-router.json) are exactly the simulator's steps. It shows the three facts
// test/nd-untracked.test.ts states: the ND/RS/MLD types are UNTRACKED after raw (INVALID in raw), a redirect is
// INVALID; ND is sent with hop limit 255 (`-m hl --hl-eq 255`); and an MLD report to ff02::16, a group the router
// has not joined (`multicast` of the host context, from `ip -j maddr`), is dropped after PREROUTING.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, parseHostContext, trace, type PacketSpec } from '../src/index';
import { repoRoot } from './kernel-recorded';

interface Probe { name: string; packet: PacketSpec; hits: string[] }
const rec = JSON.parse(readFileSync(path.join(repoRoot, 'fixtures', 'trace', 'recorded-raw', 'nd-router.json'), 'utf8')) as { rules: string; hostContext: string; backends: Record<'nft' | 'legacy', Probe[]> };
const snap = parseSnapshot(readFileSync(path.join(repoRoot, rec.rules), 'utf8'), { fileName: 'ip6tables-save', family: 'ipv6' }).snapshot;
const host = parseHostContext(readFileSync(path.join(repoRoot, rec.hostContext), 'utf8')).context!;

/** The received packet's hooks only: the host's own answers (an NA, an echo reply) pass OUTPUT and POSTROUTING. */
const RECEIVED = new Set(['PREROUTING', 'INPUT', 'FORWARD']);

function kernelHits(hits: string[]): string[] {
  return hits
    .map((h) => h.replace(/^(\w+:\w+:policy):\d+$/, '$1'))
    .filter((h) => RECEIVED.has(h.split(':')[1]!))
    .sort();
}

describe.each(['nft', 'legacy'] as const)('%s', (backend) => {
  const compiled = compileRuleset([snap], host, { backend });
  it.each(rec.backends[backend].map((p) => [p.name, p] as const))('%s: the rules and policies the kernel counted', (_n, probe) => {
    const r = trace(compiled, probe.packet);
    expect(r.outcomes).toHaveLength(1);
    const ours = r.outcomes[0]!.steps
      .filter((s) => s.type === 'rule' || s.type === 'policy')
      .map((s) => (s.type === 'policy' ? `${s.table}:${s.chain}:policy` : `${s.table}:${s.chain}:rule:${s.rule}`))
      .sort();
    expect(ours).toEqual(kernelHits(probe.hits));
  });
});
