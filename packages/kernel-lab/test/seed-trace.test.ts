// The seed Docker host rebuilt in namespaces and traced by the real kernel with both backends: c1 → c2 (bridged)
// and c1 → 10.28.61.30 (routed out of eth0, MASQUERADE). The normalised sequences must match what
// docs/netfilter.md (§bridge-paths, §lab-limits) reports as observed, and must be the same for both backends.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { describeResult, formatSteps, runScenario, type Backend, type Scenario, type ScenarioResult } from '../src/index.js';
import { describeLab, sharedDir } from './lab-gate.js';
import { C1_C2_REQUEST, C1_EXT_REQUEST, ESTABLISHED_TO_DOCKER0, strip } from './seed-expectations.js';

function seedScenario(): Scenario {
  const seed = (name: string): string => readFileSync(path.join(sharedDir, 'seed', name), 'utf8');
  return {
    name: 'docker-2017',
    hostContext: JSON.parse(seed('docker-2017.host.json')),
    iptablesSave: seed('docker-2017.iptables-save'),
    flows: [
      { name: 'c1-c2', from: 'c1', to: 'c2', proto: 'icmp', expectReply: true },
      { name: 'c1-external', from: 'c1', to: '10.28.61.30', proto: 'icmp', expectReply: true },
    ],
  };
}

const results = new Map<Backend, ScenarioResult>();

for (const backend of ['nft', 'legacy'] as const) {
  describeLab(
    `seed docker-2017 traced by the kernel (${backend} backend)`,
    () => {
      let result: ScenarioResult;
      beforeAll(async () => {
        result = await runScenario(seedScenario(), { backend });
        results.set(backend, result);
      }, 30_000);
      const flow = (name: string) => result.flows.find((f) => f.name === name)!;
      const show = (): string => describeResult(result);

      it('uses the expected capture tool and got the replies', { timeout: 5000 }, () => {
        expect(result.tool).toBe(backend === 'nft' ? 'xtables-monitor' : 'nflog');
        expect(result.warnings, show()).toEqual([]);
        expect(flow('c1-c2').replied).toBe(true);
        expect(flow('c1-external').replied).toBe(true);
      });

      it('c1 → c2: first request through raw, nat PREROUTING, filter FORWARD (DOCKER-USER, DOCKER-ISOLATION, DOCKER), nat POSTROUTING', { timeout: 5000 }, () => {
        const f = flow('c1-c2');
        expect(f.packets.map((p) => p.direction), show()).toEqual(['request', 'reply']);
        expect(strip(f.request), formatSteps(f.request).join('\n')).toEqual(C1_C2_REQUEST);
        // The implicit return of the empty DOCKER chain: printed by legacy TRACE, inferred for nft.
        expect(f.request.find((s) => s.chain === 'DOCKER')?.inferred).toBe(backend === 'nft' ? true : undefined);
      });

      it('c1 → c2: the reply skips every nat chain and is accepted by the ESTABLISHED rule', { timeout: 5000 }, () => {
        const f = flow('c1-c2');
        expect(strip(f.reply), formatSteps(f.reply).join('\n')).toEqual(ESTABLISHED_TO_DOCKER0);
        expect(f.reply.some((s) => s.table === 'nat')).toBe(false);
      });

      it('c1 → external: FORWARD rule 5 and MASQUERADE; the reply arrives for the masqueraded address', { timeout: 5000 }, () => {
        const f = flow('c1-external');
        expect(strip(f.request), formatSteps(f.request).join('\n')).toEqual(C1_EXT_REQUEST);
        expect(strip(f.reply), formatSteps(f.reply).join('\n')).toEqual(ESTABLISHED_TO_DOCKER0);
        const reply = f.packets.find((p) => p.direction === 'reply')!;
        // MASQUERADE picked eth0's address; de-NAT happens in the nat hook without traversing the chain (docs/netfilter.md §nat-first-packet).
        expect(reply.packet).toMatchObject({ saddr: '10.28.61.30', daddr: '10.171.77.0', iif: 'eth0' });
      });

      it('keeps the kernel\'s own wording in the raw capture', { timeout: 5000 }, () => {
        const raw = flow('c1-c2').rawTrace;
        if (backend === 'nft') {
          expect(raw).toMatch(/filter:DOCKER-USER:rule:0x[0-9a-f]+:0xfffffffb/); // NFT_RETURN printed as hex
          expect(raw).not.toMatch(/filter:DOCKER:/); // nothing for the empty DOCKER chain
        } else {
          expect(raw).toContain('TRACE: filter:DOCKER-USER:return:1 '); // unconditional -j RETURN, quirk label
          expect(raw).toContain('TRACE: filter:DOCKER:return:1 '); // implicit end of the empty chain
          expect(raw).toContain('TRACE: raw:PREROUTING:policy:3 '); // 1 harness + 1 seed rule + policy
          expect(raw).toMatch(/TRACE: filter:FORWARD:rule:6 IN=docker0 OUT=docker0 PHYSIN=veth0594f4b PHYSOUT=veth57a3dec/);
        }
      });

      if (backend === 'legacy') {
        it('gives the same normalised steps as the nft backend', { timeout: 5000 }, () => {
          const nft = results.get('nft');
          if (!nft) return; // nft suite skipped (its own failure is reported there)
          for (const f of result.flows) {
            const other = nft.flows.find((g) => g.name === f.name)!;
            expect(strip(f.request)).toEqual(strip(other.request));
            expect(strip(f.reply)).toEqual(strip(other.reply));
          }
        });
      }
    },
    { backend, shared: true },
  );
}
