// The tables of x_tables as base chains, and the order the kernel runs them in at each hook, per backend
// (docs/netfilter.md §hook-priorities, §builtin-chains, §bridge-priorities).
import { describe, expect, it } from 'vitest';
import { orderAtHook, priorityTies, xtablesBaseChains, xtablesHookOrder, xtablesPriority, xtablesTables, type Backend, type Hook, type XtFamily, type XtHookEntry } from '../src/index';

const names = (entries: XtHookEntry[]) => entries.map((e) => (e.kind === 'table' ? `${e.table} ${e.priority}` : `${e.name} ${e.priority}`));

describe('what runs at a hook, in order', () => {
  it.each<[Backend, XtFamily, Hook, string[]]>([
    ['legacy', 'ip', 'prerouting', ['defrag -400', 'raw -300', 'conntrack -200', 'mangle -150', 'nat -100']],
    ['legacy', 'ip', 'input', ['mangle -150', 'filter 0', 'security 50', 'nat 100', 'confirm 2147483647']],
    ['nft', 'ip', 'input', ['mangle -150', 'filter 0', 'nat 100', 'security 150', 'confirm 2147483647']],
    ['legacy', 'ip6', 'forward', ['mangle -150', 'filter 0', 'security 50']],
    ['nft', 'ip', 'output', ['defrag -400', 'raw -300', 'conntrack -200', 'mangle -150', 'nat -100', 'filter 0', 'security 150']],
    ['legacy', 'ip', 'postrouting', ['mangle -150', 'nat 100', 'confirm 2147483647']],
    ['legacy', 'bridge', 'prerouting', ['broute -2147483648', 'nat -300']],
    ['nft', 'bridge', 'prerouting', ['nat -300']],
    ['legacy', 'bridge', 'output', ['nat 100', 'filter 200']],
    ['nft', 'bridge', 'output', ['filter -200', 'nat 100']],
    ['legacy', 'arp', 'forward', ['filter 0']],
    ['nft', 'arp', 'forward', []],
  ])('%s %s %s', (backend, family, hook, expected) => {
    expect(names(xtablesHookOrder(backend, family, hook))).toEqual(expected);
  });

  it('nat is the only table with two priorities: destination NAT before filter, source NAT after', () => {
    expect(['prerouting', 'input', 'output', 'postrouting'].map((h) => xtablesPriority('legacy', 'ip', 'nat', h as Hook))).toEqual([-100, 100, -100, 100]);
    expect(xtablesPriority('legacy', 'ip', 'nat', 'forward')).toBeUndefined();
  });

  it('lists the tables and their chains in iptables(8) and ebtables(8) order', () => {
    expect(xtablesTables('legacy', 'ip')).toEqual(['raw', 'mangle', 'nat', 'filter', 'security']);
    expect(xtablesTables('legacy', 'bridge')).toEqual(['filter', 'nat', 'broute']);
    expect(xtablesTables('nft', 'bridge')).toEqual(['filter', 'nat']);
    expect(xtablesBaseChains('legacy', 'ip').filter((c) => c.table === 'nat').map((c) => c.chain)).toEqual(['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING']);
    expect(xtablesBaseChains('nft', 'ip').find((c) => c.table === 'mangle' && c.chain === 'OUTPUT')!.type).toBe('route');
  });
});

describe('the kernel order of entries with equal priority', () => {
  const e = (name: string, priority: number) => ({ name, priority });

  it.each([
    ['ascending priority whatever the registration order', [e('a', 100), e('b', -100), e('c', 0)], ['b', 'c', 'a']],
    // nf_hook_entries_grow() inserts a new entry before the first one whose priority is not lower.
    ['equal priorities: the latest registration first', [e('first', 0), e('second', 0), e('third', 0)], ['third', 'second', 'first']],
    ['a tie among others', [e('x', -10), e('old', 0), e('y', 10), e('new', 0)], ['x', 'new', 'old', 'y']],
  ])('%s', (_name, registered, expected) => {
    expect(orderAtHook(registered).map((x) => x.name)).toEqual(expected);
  });

  it('finds the ties a caller must label', () => {
    expect(priorityTies([e('a', 0), e('b', 5), e('c', 0)]).map((g) => g.map((x) => x.name))).toEqual([['a', 'c']]);
    expect(priorityTies([e('a', 0), e('b', 5)])).toEqual([]);
  });
});
