// The kernel as referee of the packet-set engine (random/engine-claims.ts makes the claims): every witness is sent
// through a reduced ruleset and the rule it is said to hit must count it; every rule called unreachable keeps a
// zero counter while packets drawn from its own match set go through the whole ruleset.
//
// Observed by rule counters (`iptables-nft-save -c`), not by the trace: a counter says "this rule matched" for any
// rule, with or without a target, and many packets can be sent between two readings. So that a counter moves only
// for the packets sent, the lab's neighbours and external host drop what they receive (an INPUT DROP in their
// own namespaces): no answer comes back through the host. The host's own answers (a RST, an echo reply, a REJECT's
// ICMP error) leave through OUTPUT and POSTROUTING, which a reduced ruleset leaves empty unless the witness is for
// one of them, where the answer goes to a neighbour, not back to the chain (a REJECT in filter OUTPUT answers the
// host itself: the one case where an answer could pass the chain again).
import { requireTool, flushConntrack, pythonPath } from '@chainsight/kernel-lab';
import { fileURLToPath } from 'node:url';
import { generateCase, sendArgs } from '../random/differential.js';
import { ruleKey, unreachableClaims, witnessClaims, type UnreachableClaim } from '../random/engine-claims.js';
import type { RandomPacket } from '../random/generate.js';
import { printRuleset } from '../random/model.js';
import { Rng } from '../random/prng.js';
import { RandomLab } from './random-lab.js';

const SEND_RAW = fileURLToPath(new URL('../../scripts/send-raw.py', import.meta.url));

/** Per-rule packet counters (`table chain N`, N counted without the lab's TRACE rules), and the TRACE rules' total. */
export interface Counters {
  rules: Map<string, bigint>;
  traced: bigint;
}

/** Reads `iptables-save -c` text. The lab's TRACE rules (`-p P -j TRACE` at the top of raw) count every packet. */
export function parseCounters(text: string): Counters {
  const rules = new Map<string, bigint>();
  const position = new Map<string, number>();
  let table = '';
  let traced = 0n;
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^\[(\d+):\d+\] -A (\S+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const packets = BigInt(m[1]!);
    const chain = m[2]!;
    if (table === 'raw' && /^-p (icmp|tcp|udp) -j TRACE$/.test(m[3] ?? '')) {
      traced += packets;
      continue;
    }
    const n = (position.get(`${table} ${chain}`) ?? 0) + 1;
    position.set(`${table} ${chain}`, n);
    rules.set(ruleKey(table, chain, n), packets);
  }
  return { rules, traced };
}

/** The random lab with silent neighbours, sending batches of packets and reading counters. */
export class EngineLab {
  private constructor(private readonly random: RandomLab) {}

  static async open(): Promise<EngineLab> {
    const random = await RandomLab.open();
    try {
      const { lab, topo } = random;
      for (const ns of [...[...topo.neighbours.values()].map((n) => n.ns), ...topo.externals.map((e) => e.ns)]) {
        await lab.execOk(ns, [requireTool('iptables-nft'), '-A', 'INPUT', '-j', 'DROP']);
      }
      return new EngineLab(random);
    } catch (e) {
      await random.close();
      throw e;
    }
  }

  load(text: string) {
    return this.random.load(text);
  }

  async counters(): Promise<Counters> {
    const { lab, topo } = this.random;
    return parseCounters((await lab.execOk(topo.hostNs, [requireTool('iptables-nft-save'), '-c'])).stdout);
  }

  /**
   * Sends the packets (conntrack emptied first: each starts its connection) from their namespaces, then waits until
   * the lab's TRACE rules have counted them all (softirq work may finish after the sender returns).
   */
  async send(packets: readonly RandomPacket[], before: Counters): Promise<Counters> {
    const { lab, topo } = this.random;
    const py = pythonPath();
    if (py === null) throw new Error('python3 is needed for the raw packet sender');
    await flushConntrack(lab, topo.hostNs);
    const byNs = new Map<string, string[][]>();
    for (const p of packets) {
      const ns = this.random.namespaceOf(p);
      byNs.set(ns, [...(byNs.get(ns) ?? []), sendArgs(p)]);
    }
    for (const [ns, specs] of byNs) {
      const argv = [py, SEND_RAW, ...specs.flatMap((s, i) => (i === 0 ? s : ['--', ...s]))];
      const r = await lab.exec(ns, argv, { timeoutMs: 10_000 });
      if (r.code !== 0) throw new Error(`send-raw.py in ${ns}: ${r.stderr.trim()}`);
    }
    let now = await this.counters();
    for (let waited = 0; now.traced - before.traced < BigInt(packets.length) && waited < 2000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
      now = await this.counters();
    }
    await new Promise((r) => setTimeout(r, 20));
    return this.counters();
  }

  close(): Promise<void> {
    return this.random.close();
  }
}

export interface EngineCheckReport {
  seed: number;
  perClaim: number;
  rulesets: number;
  /** Reduced or whole rulesets the kernel refused. */
  refused: string[];
  witnesses: { total: number; confirmed: number; skipped: Map<string, number> };
  unreachable: { claims: number; sampled: number; packets: number; hits: number; unsampled: number };
  /** Every disagreement, with the ruleset, the rule, the packet and the counters. */
  findings: string[];
  elapsedMs: number;
}

export interface EngineCheckOptions {
  seed: number;
  rulesets: number;
  /** Packets drawn per unreachable claim. */
  perClaim: number;
  /** Stop starting new rulesets at this time (ms since epoch). */
  deadline: number;
  log?: (line: string) => void;
}

const delta = (a: Counters, b: Counters, key: string) => (b.rules.get(key) ?? 0n) - (a.rules.get(key) ?? 0n);

export async function runEngineCheck(lab: EngineLab, options: EngineCheckOptions): Promise<EngineCheckReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const report: EngineCheckReport = {
    seed: options.seed, perClaim: options.perClaim, rulesets: 0, refused: [], findings: [], elapsedMs: 0,
    witnesses: { total: 0, confirmed: 0, skipped: new Map() },
    unreachable: { claims: 0, sampled: 0, packets: 0, hits: 0, unsampled: 0 },
  };
  const rng = new Rng(options.seed ^ 0x5eed);
  const random = () => rng.next();
  for (let index = 0; index < options.rulesets && Date.now() < options.deadline; index++) {
    const c = generateCase(options.seed, index, 0);
    report.rulesets++;
    const where = `random case ${index} (seed ${options.seed})`;

    // Witnesses, one reduced ruleset at a time.
    const w = witnessClaims(c.ruleset);
    for (const [why, n] of w.skipped) report.witnesses.skipped.set(why, (report.witnesses.skipped.get(why) ?? 0) + n);
    for (const rc of w.cases) {
      if (rc.claims.length === 0) continue;
      const loaded = await lab.load(rc.text);
      if (!loaded.ok) {
        report.refused.push(`${where}, ${rc.table} ${rc.hook} reduced: ${loaded.error}`);
        continue;
      }
      const groups = new Map<string, typeof rc.claims>();
      for (const claim of rc.claims) {
        const k = JSON.stringify(claim.packet);
        groups.set(k, [...(groups.get(k) ?? []), claim]);
      }
      let before = await lab.counters();
      for (const claims of groups.values()) {
        const after = await lab.send([claims[0]!.packet], before);
        for (const claim of claims) {
          report.witnesses.total++;
          if (delta(before, after, claim.key) > 0n) report.witnesses.confirmed++;
          else {
            const moved = [...after.rules.keys()].filter((k) => delta(before, after, k) > 0n);
            report.findings.push([
              `${where}: the engine's witness for ${claim.key} (${claim.text}) did not hit it in the kernel`,
              `  packet: ${JSON.stringify(claim.packet)} (engine: ${describeConcrete(claim.concrete)})`,
              `  rules whose counters moved: ${moved.join(', ') || 'none'}`,
              `  ruleset (${rc.table} with only ${rc.hook}'s rules):`,
              ...rc.text.trimEnd().split('\n').map((l) => `    ${l}`),
            ].join('\n'));
            log(`witness for ${claim.key} in ${where} not confirmed`);
          }
        }
        before = after;
      }
    }

    // Unreachable claims, in the whole ruleset.
    const claims = unreachableClaims(c.ruleset, random, options.perClaim);
    report.unreachable.claims += claims.length;
    const sampled = claims.filter((u) => u.samples.length > 0);
    report.unreachable.unsampled += claims.length - sampled.length;
    report.unreachable.sampled += sampled.length;
    if (sampled.length === 0) continue;
    const text = printRuleset(c.ruleset);
    const loaded = await lab.load(text);
    if (!loaded.ok) {
      report.refused.push(`${where}: ${loaded.error}`);
      continue;
    }
    const packets = sampled.flatMap((u) => u.samples);
    report.unreachable.packets += packets.length;
    const before = await lab.counters();
    const after = await lab.send(packets, before);
    for (const u of claims) {
      const hits = delta(before, after, u.key);
      if (hits === 0n) continue;
      report.unreachable.hits++;
      report.findings.push(await culprit(lab, u, sampled, where, text, hits));
    }
  }
  report.elapsedMs = Date.now() - started;
  return report;
}

/** A rule called unreachable counted packets: find the packets that hit it, one at a time. */
async function culprit(lab: EngineLab, u: UnreachableClaim, sampled: UnreachableClaim[], where: string, text: string, hits: bigint): Promise<string> {
  const guilty: string[] = [];
  let before = await lab.counters();
  for (const p of sampled.flatMap((s) => s.samples)) {
    const after = await lab.send([p], before);
    if (delta(before, after, u.key) > 0n) guilty.push(JSON.stringify(p));
    before = after;
    if (guilty.length >= 3) break;
  }
  return [
    `${where}: the engine calls ${u.key} (${u.text}) unreachable, but its kernel counter counted ${hits} packet(s)`,
    `  packets that hit it when sent alone: ${guilty.join(' ') || 'none (only together with the others)'}`,
    '  ruleset:',
    ...text.trimEnd().split('\n').map((l) => `    ${l}`),
  ].join('\n');
}

function describeConcrete(p: { in: string; out: string; ctState: string; mark: number; ttl: number; length: number; oracles?: ReadonlyMap<number, boolean> }): string {
  return `in ${p.in || '-'} out ${p.out || '-'} ctstate ${p.ctState} mark ${p.mark} ttl ${p.ttl} length ${p.length}`;
}

/** `packet sets: W/T witnesses confirmed …` for the summary line. */
export function summariseEngineCheck(r: EngineCheckReport): string {
  const skipped = [...r.witnesses.skipped.values()].reduce((a, b) => a + b, 0);
  return `${r.witnesses.confirmed}/${r.witnesses.total} witnesses confirmed (${skipped} not sent: ${[...r.witnesses.skipped].map(([why, n]) => `${n} ${why}`).join(', ') || 'none'}), `
    + `${r.unreachable.sampled} unreachable claims × up to ${r.perClaim} packets (${r.unreachable.packets} sent; ${r.unreachable.unsampled} more claims with no packet the lab can send), ${r.unreachable.hits} hits`;
}
