// Families, hooks and the x_tables names for them.
import { describe, expect, it } from 'vitest';
import { FAMILY_HOOKS, familyHasHook, familyOfNfproto, familyOfTool, hookOfHookChain, hookOfXtChain, hookStage, isFamily, isHook, isXtHookChain, XTABLES_TOOL } from '../src/index';

describe('families', () => {
  it.each([
    ['ip', 2, 'iptables'], ['ip6', 10, 'ip6tables'], ['inet', 1, undefined], ['arp', 3, 'arptables'], ['bridge', 7, 'ebtables'], ['netdev', 5, undefined],
  ] as const)('%s is NFPROTO %i, written by %s', (family, nfproto, tool) => {
    expect(isFamily(family)).toBe(true);
    expect(familyOfNfproto(nfproto)).toBe(family);
    expect(XTABLES_TOOL.get(family)).toBe(tool);
  });

  it.each([
    ['iptables-save', 'ip'], ['ip6tables-nft-save', 'ip6'], ['ebtables-legacy', 'bridge'], ['arptables-nft-restore', 'arp'], ['nft', undefined], ['iptables-foo', undefined],
  ])('the tool %s is of family %s', (tool, family) => {
    expect(familyOfTool(tool)).toBe(family);
  });

  it('names from input never find Object.prototype members', () => {
    expect(isFamily('__proto__')).toBe(false);
    expect(isHook('constructor')).toBe(false);
    expect(hookOfXtChain('__proto__')).toBeUndefined();
    expect(familyOfNfproto(0)).toBeUndefined();
  });
});

describe('hooks', () => {
  it.each([
    ['ip', 'prerouting input forward output postrouting'],
    ['inet', 'prerouting input forward output postrouting ingress'],
    ['arp', 'input output'],
    ['bridge', 'prerouting input forward output postrouting'],
    ['netdev', 'ingress egress'],
  ] as const)('%s: %s', (family, hooks) => {
    expect(FAMILY_HOOKS.get(family)!.join(' ')).toBe(hooks);
  });

  it('knows which hooks a family lacks', () => {
    expect(familyHasHook('ip', 'ingress')).toBe(false);
    expect(familyHasHook('arp', 'forward')).toBe(false);
  });

  it.each([
    ['PREROUTING', 'prerouting', 0, true], ['OUTPUT', 'output', 0, true], ['INPUT', 'input', 1, true], ['FORWARD', 'forward', 1, true],
    ['POSTROUTING', 'postrouting', 2, true], ['BROUTING', 'prerouting', 0, false],
  ] as const)('the chain %s hangs at %s, stage %i', (chain, hook, stage, hookNamed) => {
    expect(hookOfXtChain(chain)).toBe(hook);
    expect(hookStage(hook)).toBe(stage);
    expect(isXtHookChain(chain)).toBe(hookNamed);
    expect(hookOfHookChain(chain)).toBe(hookNamed ? hook : undefined);
  });

  it('ingress and egress are off the routing path', () => {
    expect(hookStage('ingress')).toBeUndefined();
    expect(hookStage('egress')).toBeUndefined();
  });
});
