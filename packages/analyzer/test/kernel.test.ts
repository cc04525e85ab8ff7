// The claims behind the error findings, checked against the running kernel: a ruleset gets an error-severity
// lint finding exactly when the kernel (through iptables-nft-restore, committed into a throwaway namespace)
// refuses to load it. Needs Linux, root and iptables-nft; skipped loudly elsewhere, required under CI=true.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '@chainsight/grammar';
import { restoreTest } from '@chainsight/kernel-lab';
import { lint } from '@chainsight/analyzer';
import { kernelAvailable } from '../../../test-support/kernel';

const table = (name: string, ...lines: string[]) => `*${name}\n${lines.join('\n')}\nCOMMIT\n`;

const CASES: [name: string, text: string, refused: boolean][] = [
  ['jump to an undefined chain', table('filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j NOSUCH'), true],
  ['jump loop reached from INPUT', table('filter', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', '-A INPUT -j A', '-A A -j B', '-A B -j A'), true],
  ['jump loop nothing reaches', table('filter', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', '-A A -j B', '-A B -j A'), false],
  ['goto loop reached from INPUT (a chain going to itself)', table('filter', ':INPUT ACCEPT [0:0]', ':G - [0:0]', '-A INPUT -j G', '-A G -g G'), true],
  ['goto loop reached from INPUT (two chains)', table('filter', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', '-A INPUT -j A', '-A A -g B', '-A B -g A'), true],
  ['goto loop nothing reaches', table('filter', ':INPUT ACCEPT [0:0]', ':A - [0:0]', ':B - [0:0]', '-A A -g B', '-A B -g A'), false],
  ['SNAT in PREROUTING', table('nat', ':PREROUTING ACCEPT [0:0]', '-A PREROUTING -j SNAT --to-source 192.0.2.1'), true],
  ['DNAT in a chain POSTROUTING jumps to', table('nat', ':POSTROUTING ACCEPT [0:0]', ':X - [0:0]', '-A POSTROUTING -j X', '-A X -j DNAT --to-destination 192.0.2.1'), true],
  ['DNAT in a chain nothing reaches', table('nat', ':POSTROUTING ACCEPT [0:0]', ':X - [0:0]', '-A X -j DNAT --to-destination 192.0.2.1'), false],
  ['DNAT in filter, even unreachable', table('filter', ':INPUT ACCEPT [0:0]', ':X - [0:0]', '-A X -j DNAT --to-destination 192.0.2.1'), true],
  ['REJECT in mangle', table('mangle', ':INPUT ACCEPT [0:0]', '-A INPUT -j REJECT'), true],
  ['RETURN in a built-in chain', table('filter', ':INPUT ACCEPT [0:0]', '-A INPUT -s 192.0.2.0/24 -j RETURN'), false],
  ['-m tcp without -p tcp', table('filter', ':INPUT ACCEPT [0:0]', '-A INPUT -m tcp --dport 22 -j ACCEPT'), true],
  ['-m multiport without -p', table('filter', ':INPUT ACCEPT [0:0]', '-A INPUT -m multiport --dports 80,443 -j ACCEPT'), true],
  ['-i in OUTPUT', table('filter', ':OUTPUT ACCEPT [0:0]', '-A OUTPUT -i eth0 -j DROP'), true],
  ['a mark value outside its mask (loads, never matches)', table('filter', ':INPUT ACCEPT [0:0]', '-A INPUT -m mark --mark 0x3/0x1 -j ACCEPT'), false],
  ['rules after a catch-all DROP (load fine)', table('filter', ':INPUT ACCEPT [0:0]', '-A INPUT -j DROP', '-A INPUT -p tcp --dport 22 -j ACCEPT'), false],
  ["the project's Docker host", readFileSync(new URL('../../../fixtures/docker-host/iptables-save', import.meta.url), 'utf8'), false],
];

describe.runIf(kernelAvailable())('error findings ⇔ the kernel refuses the ruleset', () => {
  it.each(CASES)('%s', async (_name, text, refused) => {
    const { snapshot } = parseSnapshot(text, { fileName: 'case', family: 'ipv4' });
    const errors = lint(snapshot).filter((d) => d.severity === 'error').map((d) => d.code);
    const kernel = await restoreTest(text, 'ipv4');
    expect(!kernel.ok, `kernel ${kernel.ok ? 'accepted' : `refused: ${kernel.stderr.trim()}`}`).toBe(refused);
    expect(errors.length > 0, `lint errors: ${errors.join(', ') || 'none'}`).toBe(refused);
  });
});
