// Inputs that used to hang, exhaust memory or print a stack trace: a loop of gotos (walked for ever by trace), rules
// that fork into more paths than the outcome limit (explored past it), and an explain line whose table is named
// after an Object.prototype member. Each ends in a located message and the documented exit code.
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../src/io';
import { run } from '../src/run';

async function cli(argv: string[], files: Record<string, string>) {
  const io = memoryIo(files);
  const code = await run(argv, io);
  return { code, out: io.out, err: io.err };
}

const filter = (...lines: string[]) => `*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n${lines.join('\n')}\nCOMMIT\n`;
const PACKET = ['--in', 'eth0', '--out', 'eth1', '--src', '192.0.2.7', '--dst', '198.51.100.7'];

describe('a loop of gotos: the kernel refuses the table, so trace refuses to trace it', () => {
  it.each([
    ['a chain going to itself', filter(':G - [0:0]', '-A FORWARD -j G', '-A G -g G'),
      'rules:7:6: error the kernel refuses to load table filter: goto loop G → G (G goes to G (rules:7)), reached from FORWARD'],
    ['two chains going to each other', filter(':A - [0:0]', ':B - [0:0]', '-A FORWARD -j A', '-A A -g B', '-A B -g A'),
      'rules:8:6: error the kernel refuses to load table filter: goto loop A → B → A (A goes to B (rules:8), B goes to A (rules:9)), reached from FORWARD'],
  ])('%s: exit 2, the loop located at its rules', async (_name, rules, first) => {
    const r = await cli(['trace', 'rules', ...PACKET], { rules });
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err.split('\n')[0]).toContain(first);
    expect(r.err).toContain('mark_source_chains');
    expect(r.err).not.toMatch(/\n\s+at /);
    // A code frame quotes the loop's first rule from the file.
    expect(r.err.split('\n')[1]).toMatch(/^\s+7 \| -A G -g G$|^\s+8 \| -A A -g B$/);
  });

  it('lint names it a goto loop', async () => {
    const r = await cli(['lint', 'rules'], { rules: filter(':G - [0:0]', '-A FORWARD -j G', '-A G -g G') });
    expect(r.code).toBe(1);
    expect(r.out + r.err).toContain('goto loop G → G, reached from FORWARD: the kernel refuses to load a ruleset with a reachable loop');
  });
});

describe('more paths than the outcome limit', () => {
  const rules = filter(...Array.from({ length: 60 }, (_, i) => `-A FORWARD -m recent --rcheck --name r${i} --rsource -m limit --limit 5/sec`));
  it.each([
    [[], 'stopped after 256 outcomes: at least'],
    [['--max-outcomes', '10'], 'stopped after 10 outcomes: at least'],
  ])('%j: says how many were left out and how to pin them', async (extra, head) => {
    const r = await cli(['trace', 'rules', ...PACKET, ...extra], { rules });
    expect(r.code).toBe(0);
    expect(r.out).toContain(head);
    expect(r.out).toMatch(/they split on:\n {4}(limit|recent): \d+ matches such as -m /);
    expect(r.out).toMatch(/pin a fork with --assume KEY=true\|false \(e\.g\. --assume (limit|recent)=false\)/);
  });

  it('--format json carries left_out', async () => {
    const r = await cli(['trace', 'rules', ...PACKET, '--max-outcomes', '10', '--format', 'json'], { rules });
    const j = JSON.parse(r.out) as { truncated: boolean; left_out: { at_least: number; split_by: { assume: string }[] }; outcomes: unknown[] };
    expect([j.truncated, j.outcomes.length]).toEqual([true, 10]);
    expect(j.left_out.at_least).toBeGreaterThan(10);
    expect(j.left_out.split_by.map((s) => s.assume).sort()).toEqual(['limit', 'recent']);
  });
});

describe('explain of a line naming a table after an Object.prototype member', () => {
  it.each([['__proto__'], ['constructor'], ['toString']])('TRACE: %s:INPUT:rule:1 … is unmapped, not a crash', async (table) => {
    const log = `Dec  7 10:00:00 host kernel: [1.0] TRACE: ${table}:INPUT:rule:1 IN=eth0 OUT= SRC=192.0.2.7 DST=192.0.2.10 LEN=60 TTL=64 ID=1 PROTO=TCP SPT=40000 DPT=22 SYN\n`;
    const r = await cli(['explain', 'trace.log', '--rules', 'rules'], { 'trace.log': log, rules: filter('-A INPUT -j ACCEPT') });
    expect(r.err).not.toContain('internal error');
    expect(r.err + r.out).not.toMatch(/\n\s+at /);
    expect(r.out).toContain(table);
  });
});
