// The outcome limit (--max-outcomes, 256 by default) bounds the exploration itself: the explorer stops when it is
// reached and says how many paths it left out (at least: each fork still pending leads to one path or more) and
// which forks they split on, with the --assume key that pins each. Without that, 1,000 rules that fork twice each
// needed gigabytes before the limit was reached. Times are measured in bench/growth.mjs, never here.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, renderText, trace } from '../src/index';

const filter = (rules: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD DROP [0:0]\n:OUTPUT ACCEPT [0:0]\n${rules.join('\n')}\nCOMMIT\n`;
/** n rules that each fork on a recent list (no target: every path goes on to the next rule). */
const recentRules = (n: number, extra = '') => Array.from({ length: n }, (_, i) => `-A FORWARD -m recent --rcheck --name r${i} --rsource${extra}`);

function run(text: string, maxOutcomes?: number) {
  const r = parseSnapshot(text, { fileName: 'rules' });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return trace(compileRuleset([r.snapshot], null), { in: 'eth0', out: 'eth1', src: '192.0.2.7', dst: '198.51.100.7' }, maxOutcomes !== undefined ? { maxOutcomes } : {});
}

describe('the outcome limit stops the exploration and counts what it left out', () => {
  // Each run leaves one pending fork per choice it made past its prefix, and the shallowest is run next: with 3
  // two-way forks (8 paths) and a limit of 3, the runs are [match ×3], [no, match, match], [no, no, match], and
  // the pending forks rule 3 under [match, match], rule 2 under [match], rule 3 under [no, match] and under [no, no].
  it.each([
    { name: '3 forks, all paths (8)', forks: 3, max: 8, outcomes: 8, atLeast: null, split: [] },
    { name: '1 fork, limit 1: its own key', forks: 1, max: 1, outcomes: 1, atLeast: 1, split: [['recent:r0', 1, 1]] },
    { name: '3 forks, limit 3', forks: 3, max: 3, outcomes: 3, atLeast: 4, split: [['recent', 2, 4]] },
    { name: '3 forks, limit 1', forks: 3, max: 1, outcomes: 1, atLeast: 3, split: [['recent', 3, 3]] },
    { name: '10 forks, limit 5', forks: 10, max: 5, outcomes: 5, atLeast: 36, split: [['recent', 9, 36]] },
  ])('$name', ({ forks, max, outcomes, atLeast, split }) => {
    const r = run(filter(recentRules(forks)), max);
    expect(r.outcomes).toHaveLength(outcomes);
    expect(r.truncated).toBe(atLeast !== null);
    if (atLeast === null) { expect(r.leftOut).toBeUndefined(); return; }
    expect(r.leftOut!.atLeast).toBe(atLeast);
    // Never more than the paths that really remain.
    expect(outcomes + r.leftOut!.atLeast).toBeLessThanOrEqual(2 ** forks);
    // Grouped by the key that pins them all (`--assume recent=…`): how many matches, how many pending forks.
    expect(r.leftOut!.splitBy.map((s) => [s.assume, s.matches, s.paths])).toEqual(split);
  });

  it('400 rules forking on recent and limit (2^800 paths) stop at the default 256 and say how to narrow it', () => {
    const r = run(filter(recentRules(400, ' -m limit --limit 5/sec')));
    expect(r.outcomes).toHaveLength(256);
    expect(r.truncated).toBe(true);
    expect(r.leftOut!.atLeast).toBeGreaterThan(256);
    expect(r.leftOut!.splitBy.map((s) => s.assume).sort()).toEqual(['limit', 'recent']);
    const text = renderText(r);
    expect(text).toContain(`stopped after 256 outcomes: at least ${r.leftOut!.atLeast.toLocaleString('en-US')} more paths were not explored`);
    expect(text).toMatch(/pin a fork with --assume KEY=true\|false \(e\.g\. --assume (recent|limit)=false\)/);
    // The summary lines list the last assumptions of each outcome, not all 800.
    expect(Math.max(...text.split('\n').filter((l) => /^\s+\d+\. p=/.test(l)).map((l) => l.length))).toBeLessThan(2000);
  });
});

describe('a kube-proxy fan-out: n endpoints, n outcomes, each with its draws on one line', () => {
  /** A service chain of n endpoints as kube-proxy writes it: endpoint i is drawn with probability 1/(n-i). */
  const fanOut = (n: number) => {
    const lines = ['*nat', ':PREROUTING ACCEPT [0:0]', ':SVC - [0:0]'];
    for (let i = 0; i < n; i++) lines.push(`:SEP${i} - [0:0]`);
    lines.push('-A PREROUTING -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j SVC');
    for (let i = 0; i < n; i++) {
      const p = i === n - 1 ? '' : ` -m statistic --mode random --probability ${(1 / (n - i)).toFixed(11)}`;
      lines.push(`-A SVC${p} -j SEP${i}`);
    }
    for (let i = 0; i < n; i++) lines.push(`-A SEP${i} -p tcp -m tcp -j DNAT --to-destination 10.244.${i >> 8}.${i & 255}:8080`);
    lines.push('COMMIT');
    return `${lines.join('\n')}\n`;
  };
  it.each([[4], [50], [400]])('%i endpoints', (n) => {
    const r = parseSnapshot(fanOut(n), { fileName: 'kube' });
    const result = trace(compileRuleset([r.snapshot], null), { in: 'eth0', src: '192.0.2.7', dst: '10.96.0.10', proto: 'tcp', dport: 80 }, { maxOutcomes: n });
    const dnat = result.outcomes.map((o) => o.nat.find((x) => x.type === 'DNAT')?.to);
    expect(new Set(dnat).size).toBe(n);
    expect(result.truncated).toBe(false);
    expect(result.outcomes.reduce((s, o) => s + o.probability, 0)).toBeCloseTo(1, 6);
    for (const o of result.outcomes) expect(o.draws.length).toBeLessThanOrEqual(3);
    // The last endpoint's path: every earlier draw failed, said once.
    if (n > 3) expect(result.outcomes[n - 1]!.draws).toEqual([expect.stringMatching(new RegExp(`^${n - 1} draws did not match, -m statistic .*\\(kube:${n + 5}\\) … .*\\(kube:${2 * n + 3}\\) \\(p=`))]);
  });
});
