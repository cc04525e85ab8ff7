// What the raw table sees before conntrack, and the answers REJECT sends: each case is a former divergence the
// conformance suite found against the kernel (docs/divergences.md, "Resolved"), asked on a small ruleset.
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, trace, type Outcome, type PacketSpec } from '../src/index';
import { HOST } from './match-harness';

function run(rules: string, spec: PacketSpec): Outcome {
  const parsed = parseSnapshot(rules, { fileName: 'rules' });
  expect(parsed.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const outcomes = trace(compileRuleset([parsed.snapshot], HOST), spec).outcomes;
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

const table = (name: string, chains: string[], rules: string[]) => `*${name}\n${chains.map((c) => `:${c} ACCEPT [0:0]`).join('\n')}\n${rules.join('\n')}\nCOMMIT\n`;
const RAW = ['PREROUTING', 'OUTPUT'];
const FILTER = ['INPUT', 'FORWARD', 'OUTPUT'];
const FROM_ETH0: PacketSpec = { src: '10.0.0.1', dst: '10.0.1.2', proto: 'udp', dport: 53, in: 'eth0' };
const matched = (o: Pick<Outcome, 'steps'>, table: string, chain: string) => o.steps.filter((s) => s.table === table && s.chain === chain && s.type === 'rule').map((s) => s.rule);

describe('the raw table runs before conntrack: no connection yet (xt_conntrack.c, xt_connmark.c)', () => {
  it.each([
    ['--ctstate INVALID matches every packet', ['-A PREROUTING -m conntrack --ctstate INVALID'], [1]],
    ['--ctstate NEW matches none', ['-A PREROUTING -m conntrack --ctstate NEW'], []],
    ['-m state --state NEW matches none', ['-A PREROUTING -m state --state NEW'], []],
    ['connmark never matches', ['-A PREROUTING -m connmark --mark 0x0'], []],
    ['after CT --notrack the state is UNTRACKED', ['-A PREROUTING -j CT --notrack', '-A PREROUTING -m conntrack --ctstate UNTRACKED'], [1, 2]],
  ])('%s', (_what, rules, expected) => {
    const o = run(table('raw', RAW, rules), FROM_ETH0);
    expect(matched(o, 'raw', 'PREROUTING')).toEqual(expected);
  });

  it('after raw, conntrack gives the packet its state', () => {
    const o = run(table('filter', FILTER, ['-A FORWARD -m conntrack --ctstate NEW']), FROM_ETH0);
    expect(matched(o, 'filter', 'FORWARD')).toEqual([1]);
  });
});

describe('the answers REJECT sends (nf_reject_ipv4.c, icmp.c __icmp_send)', () => {
  it('REJECT in OUTPUT answers the local sender through loopback, from its own address', () => {
    const o = run(table('filter', FILTER, ['-A OUTPUT -p udp -j REJECT', '-A INPUT -m conntrack --ctstate RELATED -j ACCEPT']), { local: true, src: '10.0.1.254', dst: '10.0.1.2', proto: 'udp', dport: 9999 });
    expect(o.verdict).toBe('REJECT');
    const g = o.generated!;
    expect(g.kind).toBe('icmp-error');
    expect(g.packet).toMatchObject({ src: '10.0.1.254', dst: '10.0.1.254', in: 'lo', ctState: 'RELATED' });
    expect(g.steps.map((s) => `${s.hook} ${s.chain} ${s.type}`)).toEqual(['OUTPUT OUTPUT policy', 'INPUT INPUT rule']);
    expect(g.verdict).toBe('delivered');
  });

  it('an ICMP error about a packet to one of the host\'s addresses has that address as source', () => {
    // From the eth0 side to the eth1 address: the error leaves by eth0 but comes from 10.0.1.254.
    const o = run(table('filter', FILTER, ['-A INPUT -j REJECT']), { ...FROM_ETH0, dst: '10.0.1.254' });
    expect(o.generated!.packet).toMatchObject({ src: '10.0.1.254', dst: '10.0.0.1' });
  });

  it('CT --notrack in raw OUTPUT leaves the answer its connection (xt_CT.c: a packet with one is left alone)', () => {
    const rules = table('raw', RAW, ['-A OUTPUT -j CT --notrack']) + table('filter', FILTER, ['-A FORWARD -j REJECT', '-A OUTPUT -m conntrack --ctstate RELATED']);
    const g = run(rules, { ...FROM_ETH0, proto: 'tcp', dport: 80 }).generated!;
    expect(g.packet.ctState).toBe('RELATED');
    expect(matched(g, 'filter', 'OUTPUT')).toEqual([1]);
  });
});
