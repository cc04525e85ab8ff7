// The comparison layer: step equality (a kernel step without hook or verdict matches any), the first difference,
// the choice among simulated outcomes, and the two-column diff.
import { describe, expect, it } from 'vitest';
import { alignSteps, compareSteps, matchCandidates, renderDiff, type Candidate } from '../src/compare';
import { formatStep, fromSimulator, sameStep, type Step } from '../src/steps';
import { step } from './helpers';

const s = step;

const RAW = s('PREROUTING', 'raw', 'PREROUTING', 'policy', null, 'ACCEPT');
const JUMP = s('FORWARD', 'filter', 'FORWARD', 'rule', 1, 'JUMP:DOCKER-USER');
const RET = s('FORWARD', 'filter', 'DOCKER-USER', 'rule', 1, 'RETURN');
const ACC6 = s('FORWARD', 'filter', 'FORWARD', 'rule', 6, 'ACCEPT');
const ACC5 = s('FORWARD', 'filter', 'FORWARD', 'rule', 5, 'ACCEPT');
const NAT = s('POSTROUTING', 'nat', 'POSTROUTING', 'policy', null, 'ACCEPT');

describe('sameStep', () => {
  it.each([
    ['identical steps', RAW, RAW, true],
    ['kernel verdict unknown matches any verdict', s('FORWARD', 'filter', 'FORWARD', 'rule', 6), ACC6, true],
    ['kernel hook unknown matches any hook', s(undefined, 'filter', 'FORWARD', 'rule', 6, 'ACCEPT'), ACC6, true],
    ['another rule number', ACC5, ACC6, false],
    ['another verdict', s('FORWARD', 'filter', 'FORWARD', 'rule', 6, 'DROP'), ACC6, false],
    ['another hook', s('INPUT', 'filter', 'FORWARD', 'rule', 6, 'ACCEPT'), ACC6, false],
    ['policy against rule', s('FORWARD', 'filter', 'FORWARD', 'policy', null, 'ACCEPT'), ACC6, false],
    ['another family', { ...RAW, family: 'bridge' as const }, RAW, false],
  ])('%s', (_name, kernel, sim, expected) => {
    expect(sameStep(kernel, sim)).toBe(expected);
  });

  it('the simulator may not leave out what the kernel knows (the wildcard is one-sided)', () => {
    expect(sameStep(ACC6, s('FORWARD', 'filter', 'FORWARD', 'rule', 6))).toBe(false);
  });
});

describe('fromSimulator', () => {
  it('turns REJECT into DROP (the kernel reports a REJECT rule with verdict DROP) and keeps the rest', () => {
    const step = { family: 'ip', hook: 'FORWARD', table: 'filter', chain: 'KUBE-SERVICES', type: 'rule', rule: 1, verdict: 'REJECT', target: 'REJECT' } as never;
    expect(fromSimulator(step)).toEqual({ family: 'ip', hook: 'FORWARD', table: 'filter', chain: 'KUBE-SERVICES', type: 'rule', rule: 1, verdict: 'DROP' });
  });
});

describe('compareSteps', () => {
  it.each([
    ['equal sequences', [RAW, JUMP, RET, ACC6], [RAW, JUMP, RET, ACC6], { agree: true, firstDifference: null }],
    ['a different rule in the middle', [RAW, JUMP, RET, ACC6, NAT], [RAW, JUMP, RET, ACC5, NAT], { agree: false, firstDifference: 3 }],
    ['the simulator stops early', [RAW, JUMP, RET, ACC6], [RAW, JUMP], { agree: false, firstDifference: 2 }],
    ['the simulator goes on', [RAW], [RAW, NAT], { agree: false, firstDifference: 1 }],
    ['both empty', [], [], { agree: true, firstDifference: null }],
  ])('%s', (_name, kernel, sim, expected) => {
    expect(compareSteps(kernel, sim)).toEqual(expected);
  });
});

describe('matchCandidates', () => {
  const a: Candidate = { label: 'outcome 1 of 2 (p=0.5): DNAT to 10.180.0.4:80', probability: 0.5, steps: [RAW, JUMP, ACC5] };
  const b: Candidate = { label: 'outcome 2 of 2 (p=0.5): DNAT to 10.180.0.5:80', probability: 0.5, steps: [RAW, JUMP, ACC6] };

  it('the kernel took one of the simulated forks: agreement with that outcome', () => {
    const m = matchCandidates([RAW, JUMP, ACC6], [a, b]);
    expect({ agree: m.agree, index: m.index, label: m.candidate?.label }).toEqual({ agree: true, index: 1, label: b.label });
  });

  it('an outcome with probability 0 does not count', () => {
    expect(matchCandidates([RAW, JUMP, ACC6], [a, { ...b, probability: 0 }]).agree).toBe(false);
  });

  it('no outcome agrees: the closest one (longest common prefix) is kept for the diff', () => {
    const far: Candidate = { label: 'far', probability: 1, steps: [NAT] };
    const m = matchCandidates([RAW, JUMP, RET], [far, a]);
    expect({ agree: m.agree, label: m.candidate?.label, first: m.comparison?.firstDifference }).toEqual({ agree: false, label: a.label, first: 2 });
  });

  it('no candidate at all', () => {
    expect(matchCandidates([RAW], [])).toEqual({ agree: false, candidate: null, index: -1, comparison: null });
  });
});

describe('alignSteps and renderDiff', () => {
  it('aligns a changed step, a kernel-only step and a simulator-only step', () => {
    expect(alignSteps([RAW, JUMP, RET, ACC6], [RAW, JUMP, ACC5, NAT]).map((r) => r.kind)).toEqual(['same', 'same', 'kernel-only', 'changed', 'sim-only']);
    expect(alignSteps([RAW, JUMP, RET, ACC6], [RAW, ACC6]).map((r) => r.kind)).toEqual(['same', 'kernel-only', 'kernel-only', 'same']);
    expect(alignSteps([RAW, ACC6], [RAW, JUMP, RET, ACC6]).map((r) => r.kind)).toEqual(['same', 'sim-only', 'sim-only', 'same']);
  });

  it('renders kernel left, simulator right, with a mark per row', () => {
    expect(renderDiff([RAW, JUMP, RET, ACC6], [RAW, ACC5])).toBe(
      [
        '  kernel                                           simulator',
        '  ----------------------------------------------   ---------',
        '  PREROUTING raw/PREROUTING policy ACCEPT        | PREROUTING raw/PREROUTING policy ACCEPT',
        '< FORWARD filter/FORWARD rule 1 JUMP:DOCKER-USER <',
        '< FORWARD filter/DOCKER-USER rule 1 RETURN       <',
        '≠ FORWARD filter/FORWARD rule 6 ACCEPT           ≠ FORWARD filter/FORWARD rule 5 ACCEPT',
      ].join('\n'),
    );
  });

  it('formats steps as the kernel lab does (family prefix unless ip, inferred marker)', () => {
    expect(formatStep({ ...RAW, family: 'bridge' })).toBe('bridge PREROUTING raw/PREROUTING policy ACCEPT');
    expect(formatStep({ ...s('FORWARD', 'filter', 'DOCKER', 'return', null, 'RETURN'), inferred: true })).toBe('FORWARD filter/DOCKER return RETURN (inferred)');
  });
});
