// Loops of jumps and gotos. The kernel refuses a table in which a built-in chain reaches such a loop
// (ip_tables.c mark_source_chains, ebtables.c check_chainloops), so a trace never walks one: compiling reports
// the refusal located at the loop's rules, and a packet that reaches the table ends with that message. A goto
// pushes nothing on the jump stack, so before this a goto loop was walked for ever.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, trace } from '../src/index';

const filter = (...lines: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${lines.join('\n')}\nCOMMIT\n`;

/** `n` chains C0 … C(n-1), each going to the next, the last back to C0; FORWARD jumps into the ring. */
function gotoRing(n: number): string {
  const decl: string[] = [];
  const rules: string[] = ['-A FORWARD -j C0'];
  for (let i = 0; i < n; i++) {
    decl.push(`:C${i} - [0:0]`);
    rules.push(`-A C${i} -g C${(i + 1) % n}`);
  }
  return filter(...decl, ...rules);
}

const CASES: { name: string; text: string; family?: 'bridge'; loop: string | null; lines: number[] }[] = [
  { name: 'a chain that goes to itself', text: filter(':G - [0:0]', '-A FORWARD -j G', '-A G -g G'), loop: 'goto loop G → G', lines: [7] },
  { name: 'two chains that go to each other', text: filter(':A - [0:0]', ':B - [0:0]', '-A FORWARD -j A', '-A A -g B', '-A B -g A'), loop: 'goto loop A → B → A', lines: [8, 9] },
  { name: 'a jump and a goto', text: filter(':A - [0:0]', ':B - [0:0]', '-A FORWARD -j A', '-A A -j B', '-A B -p tcp -g A'), loop: 'jump/goto loop A → B → A', lines: [8, 9] },
  { name: 'a jump loop behind a condition', text: filter(':A - [0:0]', ':B - [0:0]', '-A FORWARD -j A', '-A A -p udp -j B', '-A B -j A'), loop: 'jump loop A → B → A', lines: [8, 9] },
  { name: 'a loop nothing reaches (the kernel loads it)', text: filter(':A - [0:0]', ':B - [0:0]', '-A A -g B', '-A B -g A'), loop: null, lines: [] },
  { name: 'a goto ring of 10,000 chains', text: gotoRing(10_000), loop: 'goto loop C0 → C1 → C2', lines: [10_006] },
  {
    name: 'ebtables chains that jump to each other', family: 'bridge',
    text: '*filter\n:INPUT ACCEPT\n:FORWARD ACCEPT\n:OUTPUT ACCEPT\n:A RETURN\n:B RETURN\n-A FORWARD -j A\n-A A -j B\n-A B -j A\nCOMMIT\n',
    loop: 'jump loop A → B → A', lines: [8, 9],
  },
];

describe('a loop a built-in chain reaches: the kernel refuses the table, the trace says so', () => {
  it.each(CASES)('$name', ({ text, family, loop, lines }) => {
    const r = parseSnapshot(text, { fileName: 'rules', ...(family ? { family } : {}) });
    expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const compiled = compileRuleset([r.snapshot], null);
    const spec = family === 'bridge'
      ? { in: 'br0', physIn: 'p1', src: '10.9.0.2', dst: '10.9.0.3' }
      : { in: 'eth0', out: 'eth1', src: '192.0.2.7', dst: '198.51.100.7' };
    if (loop === null) {
      expect(compiled.refused).toEqual([]);
      return;
    }
    expect(compiled.refused).toHaveLength(1);
    const d = compiled.refused[0]!;
    expect(d).toMatchObject({ code: 'trace/chain-loop', severity: 'error', file: 'rules' });
    expect(d.message).toContain(`the kernel refuses to load table filter: ${loop}`);
    expect(d.message).toContain(family === 'bridge' ? 'ebtables.c check_chainloops' : 'ip_tables.c mark_source_chains');
    // Located at the first rule of the loop, every other rule of it related (file:line).
    expect([d.span.start.line, ...(d.related ?? []).map((x) => x.span.start.line)].slice(0, lines.length)).toEqual(lines);
    if (family !== 'bridge') {
      const result = trace(compiled, spec);
      expect(result.outcomes).toHaveLength(1);
      expect(result.outcomes[0]!.summary).toBe(d.message);
    }
  });
});

describe('random graphs of jumps and gotos (the goto-loop generator of the fuzz tests)', () => {
  /** Does a chain FORWARD reaches (or FORWARD itself) lie on a cycle of jumps and gotos? */
  function reachesLoop(edges: ReadonlyMap<string, readonly string[]>): boolean {
    const state = new Map<string, 'open' | 'done'>();
    const visit = (c: string): boolean => {
      const s = state.get(c);
      if (s === 'open') return true;
      if (s === 'done') return false;
      state.set(c, 'open');
      for (const d of edges.get(c) ?? []) if (visit(d)) return true;
      state.set(c, 'done');
      return false;
    };
    return visit('FORWARD');
  }

  it('terminates, and reports a loop exactly when FORWARD reaches one', () => {
    const names = ['A', 'B', 'C', 'D', 'E'];
    const ruleArb = fc.record({
      from: fc.constantFrom('FORWARD', ...names),
      to: fc.constantFrom(...names),
      goto: fc.boolean(),
      cond: fc.constantFrom('', '-p tcp ', '-s 10.0.0.0/8 ', '! -i eth0 '),
    });
    fc.assert(
      fc.property(fc.array(ruleArb, { maxLength: 12 }), (rules) => {
        const lines = [...names.map((n) => `:${n} - [0:0]`), ...rules.map((r) => `-A ${r.from} ${r.cond}${r.goto ? '-g' : '-j'} ${r.to}`)];
        const parsed = parseSnapshot(filter(...lines), { fileName: 'rules' });
        expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const compiled = compileRuleset([parsed.snapshot], null);
        const edges = new Map<string, string[]>();
        for (const r of rules) edges.set(r.from, [...(edges.get(r.from) ?? []), r.to]);
        const looped = reachesLoop(edges);
        expect(compiled.refused.length > 0).toBe(looped);
        const result = trace(compiled, { in: 'eth0', out: 'eth1', src: '10.1.2.3', dst: '198.51.100.7', proto: 'tcp', dport: 80 });
        expect(result.outcomes.length).toBeGreaterThan(0);
        if (looped) expect(result.outcomes[0]!.summary).toBe(compiled.refused[0]!.message);
      }),
      { numRuns: 150 },
    );
  });
});
