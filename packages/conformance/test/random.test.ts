// The random differential machinery without a kernel: the generator is deterministic and only produces rulesets
// the kernel accepts (checked here against the rules iptables and the kernel enforce), the shrinker finds a
// minimal failing ruleset, and the driver — run against a fake kernel with a planted bug — reports the mismatch
// and shrinks it down to the rule that shows the bug.
import { parseSnapshot } from '@chainsight/grammar';
import { describe, expect, it } from 'vitest';
import type { LabFlowResult } from '../src/kernel-types';
import { caseSeed, generateCase, randomPacketFlow, runDifferential, sendArgs, type KernelSide } from '../src/random/differential';
import { generatePackets, type RandomPacket } from '../src/random/generate';
import { printRuleset, ruleCount, type RulesetModel } from '../src/random/model';
import { Rng } from '../src/random/prng';
import { shrinkRuleset, smallerRulesets } from '../src/random/shrink';
import { IPSET_FLAGS, RANDOM_HOST_JSON, RANDOM_IPSETS, segmentOf, sourceAddress } from '../src/random/topology';
import { createSimulator } from '../src/simulate';
import { fromSimulator } from '../src/steps';

const CASES = Array.from({ length: 150 }, (_, i) => generateCase(7, i, 4));

describe('the generator', () => {
  it('is deterministic: the same seed and case give the same ruleset and packets', () => {
    expect(printRuleset(generateCase(7, 3, 4).ruleset)).toBe(printRuleset(CASES[3]!.ruleset));
    expect(generateCase(7, 3, 4).packets).toEqual(CASES[3]!.packets);
    expect(caseSeed(7, 3)).not.toBe(caseSeed(7, 4));
    expect(new Rng(1).next()).toBe(new Rng(1).next());
  });

  it('writes rulesets the grammar parses without an error, and the simulator compiles', () => {
    for (const c of CASES) {
      const text = printRuleset(c.ruleset);
      const errors = parseSnapshot(text, { fileName: `case ${c.index}` }).diagnostics.filter((d) => d.severity === 'error');
      expect(errors.map((d) => d.message), text).toEqual([]);
      expect(() => createSimulator({ iptablesSave: text, hostJson: RANDOM_HOST_JSON, backend: 'nft' })).not.toThrow();
    }
  });

  it('uses every supported match and target somewhere', () => {
    const all = CASES.map((c) => printRuleset(c.ruleset)).join('\n');
    for (const word of ['-m conntrack', '-m multiport', '-m mark', '-m connmark', '-m addrtype', '-m physdev', '-m iprange', '--tcp-flags', '-g ', '-j RETURN', '-j ACCEPT', '-j DROP', '-j REJECT', '-j LOG', '-j MARK', '-j CONNMARK', '-j DNAT', '-j SNAT', '-j MASQUERADE', '-j CT --notrack', '*raw', '*mangle', '*nat', '*filter']) {
      expect(all, word).toContain(word);
    }
  });

  it('keeps to what iptables and the kernel accept', () => {
    for (const c of CASES) {
      for (const t of c.ruleset.tables) {
        const users = t.chains.filter((ch) => !ch.builtin).map((ch) => ch.name);
        for (const ch of t.chains) {
          for (const r of ch.rules) {
            const where = `${t.name} ${ch.name}: ${printRuleset({ tables: [{ ...t, chains: [{ ...ch, rules: [r] }] }] })}`;
            const words = r.base.flat();
            // iptables: no -i in OUTPUT/POSTROUTING, no -o in PREROUTING/INPUT.
            if (['OUTPUT', 'POSTROUTING'].includes(ch.name)) expect(words, where).not.toContain('-i');
            if (['PREROUTING', 'INPUT'].includes(ch.name)) expect(words, where).not.toContain('-o');
            const target = r.target;
            if (!target) continue;
            if (target.kind !== 'target') {
              // Jumps only forward: no loops.
              expect(users.indexOf(target.name), where).toBeGreaterThan(ch.builtin ? -1 : users.indexOf(ch.name));
            }
            if (target.name === 'REJECT') expect(t.name, where).toBe('filter');
            if (['DNAT', 'SNAT', 'MASQUERADE'].includes(target.name)) expect(t.name, where).toBe('nat');
            if (target.name === 'DNAT') expect(['POSTROUTING', 'INPUT'], where).not.toContain(ch.name);
            if (target.name === 'MASQUERADE' || target.name === 'SNAT') expect(['PREROUTING', 'OUTPUT'], where).not.toContain(ch.name);
            if (target.name === 'CT') expect(t.name, where).toBe('raw');
            // Protocol options come with their -p.
            if (/--dport|--sport|--tcp-flags|--icmp-type|--dports|--sports|--ports/.test(printRuleset({ tables: [{ ...t, chains: [{ ...ch, rules: [{ ...r, proto: null }] }] }] }))) {
              throw new Error(`protocol option outside its -p: ${where}`);
            }
          }
        }
      }
    }
  });

  // The constructs behind the divergences found so far (docs/divergences.md, "Resolved") are drawn like any other.
  it('draws the constructs of the resolved divergences', () => {
    const seen = new Set<string>();
    for (const c of CASES) {
      for (const t of c.ruleset.tables) {
        for (const ch of t.chains) {
          for (const r of ch.rules) {
            const text = printRuleset({ tables: [{ ...t, chains: [{ ...ch, rules: [r] }] }] });
            if (t.name === 'raw' && /-m (conntrack|connmark)/.test(text)) seen.add('raw-conntrack-state');
            if (t.name === 'filter' && ch.name === 'OUTPUT' && r.target?.name === 'REJECT') seen.add('reject-in-output');
            if (t.name === 'raw' && ch.name === 'OUTPUT' && r.target?.name === 'CT') seen.add('notrack-reject-answer');
            if (/! --physdev-out/.test(text)) seen.add('physdev-out-negated');
            if (/! --dport \S+ ! --sport|! --sport \S+ ! --dport/.test(text)) seen.add('nft-inverted-ports');
          }
        }
      }
    }
    expect([...seen].sort()).toEqual(['nft-inverted-ports', 'notrack-reject-answer', 'physdev-out-negated', 'raw-conntrack-state', 'reject-in-output']);
  });

  it('draws -m set over every set the lab restores, with each of its flags', () => {
    const seen = new Set<string>();
    for (const c of CASES) for (const t of c.ruleset.tables) for (const ch of t.chains) for (const r of ch.rules) {
      for (const m of r.modules) if (m.module === 'set') seen.add(m.options[0]!.filter((w) => w !== '!').slice(1).join(' '));
    }
    const all = Object.entries(IPSET_FLAGS).flatMap(([name, flags]) => flags.map((f) => `${name} ${f}`));
    expect(all.filter((x) => !seen.has(x))).toEqual([]);
    expect(RANDOM_IPSETS.match(/^create (\S+)/gm)!.map((l) => l.slice(7)).sort()).toEqual(Object.keys(IPSET_FLAGS).sort());
  });

  it('draws packets that cross the host, each with its own connection', () => {
    const packets = generatePackets(new Rng(11), 400);
    for (const p of packets) {
      expect(segmentOf(p.dst), JSON.stringify(p)).not.toBe(segmentOf(p.from));
      expect(p.dst).not.toBe(sourceAddress(p.from, p.dst));
    }
    const keys = packets.slice(0, 4).map((p) => `${p.proto} ${p.sport ?? p.icmpId}`);
    expect(new Set(keys).size).toBe(4);
  });

  it('sends what it describes', () => {
    const tcp: RandomPacket = { from: 'b1', dst: '198.51.100.7', proto: 'tcp', sport: 41000, dport: 80, flags: 'SA' };
    expect(sendArgs(tcp)).toEqual(['10.0.0.2', '198.51.100.7', 'tcp', '41000', '80', 'SA']);
    expect(sendArgs({ from: 'host', dst: '10.0.0.3', proto: 'icmp', icmpType: 8, icmpId: 1002 })).toEqual(['10.0.0.1', '10.0.0.3', 'icmp', '8', '0', '1002']);
    expect(randomPacketFlow(tcp, 'p')).toMatchObject({ client: '10.0.0.2', server: '198.51.100.7', flow: { from: 'b1', to: '198.51.100.7', proto: 'tcp', sport: 41000, dport: 80, tcpFlags: 'SA' } });
  });
});

describe('the shrinker', () => {
  const model = CASES.find((c) => ruleCount(c.ruleset) > 15 && c.ruleset.tables.some((t) => t.chains.some((ch) => ch.rules.some((r) => r.target?.name === 'DROP'))))!.ruleset;
  const hasDrop = (m: RulesetModel) => m.tables.some((t) => t.chains.some((c) => c.rules.some((r) => r.target?.name === 'DROP')));

  it('every candidate is one piece smaller', () => {
    const size = (m: RulesetModel) =>
      m.tables.reduce((n, t) => n + 1 + t.chains.reduce((k, c) => k + 1 + (c.policy === 'DROP' ? 1 : 0) + c.rules.reduce((j, r) =>
        j + 1 + r.base.length + r.modules.reduce((x, mo) => x + 1 + mo.options.length, 0) + (r.proto ? 1 + r.proto.modules.reduce((x, mo) => x + 1 + mo.options.length, 0) : 0) + (r.target ? 1 + r.target.options.length : 0), 0), 0), 0);
    let candidates = 0;
    for (const c of smallerRulesets(model)) {
      expect(size(c)).toBeLessThan(size(model));
      candidates++;
    }
    expect(candidates).toBeGreaterThan(ruleCount(model));
  });

  it('shrinks to a minimal failing ruleset: one table, one chain with one bare DROP rule', async () => {
    const r = await shrinkRuleset(model, async (m) => hasDrop(m), { maxAttempts: 10_000, deadline: Date.now() + 20_000 });
    expect(r.complete).toBe(true);
    expect(ruleCount(r.model)).toBe(1);
    const rule = r.model.tables.flatMap((t) => t.chains.flatMap((c) => c.rules))[0]!;
    expect(rule).toEqual({ base: [], proto: null, modules: [], target: { kind: 'target', name: 'DROP', options: [], required: [] } });
    expect(r.model.tables).toHaveLength(1);
  });

  it('stops at the budget and says so', async () => {
    const r = await shrinkRuleset(model, async (m) => hasDrop(m), { maxAttempts: 3, deadline: Date.now() + 20_000 });
    expect({ complete: r.complete, attempts: r.attempts }).toEqual({ complete: false, attempts: 3 });
  });
});

/**
 * A stand-in for the kernel: the simulator itself, with a planted bug — it ignores every rule that tests
 * `-p udp` — and it refuses rulesets with a MASQUERADE rule (as the kernel refuses some rulesets).
 */
class FakeKernel implements KernelSide {
  readonly tool = 'fake';
  private text = '';
  async load(text: string) {
    if (text.includes('MASQUERADE')) return { ok: false as const, error: 'refused' };
    this.text = text;
    return { ok: true as const };
  }
  async send(packet: RandomPacket, name: string): Promise<LabFlowResult> {
    const buggy = this.text.split('\n').filter((l) => !(l.startsWith('-A') && l.includes('-p udp'))).join('\n');
    const sim = createSimulator({ iptablesSave: buggy, hostJson: RANDOM_HOST_JSON, ipsetSave: RANDOM_IPSETS, backend: 'nft' });
    const result = randomPacketFlow(packet, name);
    const spec = packet.from === 'host' ? { local: true, src: result.client } : /^\d/.test(packet.from) ? { src: result.client } : { from: packet.from };
    const o = sim.trace({ ...spec, dst: packet.dst, proto: packet.proto, ...(packet.proto === 'icmp' ? { icmpType: packet.icmpType ?? 8 } : { sport: packet.sport!, dport: packet.dport!, ...(packet.flags !== undefined ? { tcpFlags: packet.flags.split('').map((l) => ({ S: 'SYN', A: 'ACK', F: 'FIN', R: 'RST', P: 'PSH' })[l]).join(',') || 'NONE' } : {}) }) }).outcomes[0]!;
    result.packets = [{ direction: 'request', packet: { saddr: result.client, daddr: packet.dst, ...(packet.sport !== undefined ? { sport: packet.sport, dport: packet.dport! } : {}) }, steps: o.steps.map(fromSimulator) }];
    return result;
  }
}

describe('the driver, against a fake kernel with a planted bug', () => {
  it('counts agreements and refusals, reports the mismatches and shrinks them to a udp rule', async () => {
    const report = await runDifferential(new FakeKernel(), { seed: 5, deadline: Date.now() + 60_000, maxCases: 40, packetsPerCase: 4, maxShrinks: 1, shrinkMs: 30_000 });
    expect(report.rulesets).toBe(40);
    expect(report.refused).toBeGreaterThan(0);
    expect(report.cases).toBe((report.rulesets - report.refused) * 4);
    expect(report.mismatches.length).toBeGreaterThan(0);
    expect(report.agreed + report.mismatches.length).toBe(report.cases);
    const m = report.mismatches[0]!;
    expect(m.reproduced).toBe(true);
    expect(m.shrunk?.complete).toBe(true);
    const minimal = printRuleset(m.shrunk!.model);
    expect(minimal).toContain('-p udp');
    // The ignored udp rule itself, and at most the rule after it whose number it shifted.
    expect(ruleCount(m.shrunk!.model)).toBeLessThanOrEqual(2);
  }, 60_000);
});
