// nft's priority expressions: read as nft reads them, printed as `nft list ruleset` prints them (src/rule.c
// prio2str), with the bridge family's own names.
import { describe, expect, it } from 'vitest';
import { parsePriority, printPriority, type Hook, type NfFamily } from '../src/index';

describe('printing a priority as nft list ruleset does', () => {
  it.each<[NfFamily, Hook, number, string]>([
    ['inet', 'input', 0, 'filter'],
    ['inet', 'input', 10, 'filter + 10'],
    ['inet', 'input', -10, 'filter - 10'],
    ['inet', 'input', 11, '11'], // beyond reach (10) of every name
    ['ip', 'prerouting', -300, 'raw'],
    ['ip', 'prerouting', -150, 'mangle'],
    ['ip', 'prerouting', -100, 'dstnat'],
    ['ip', 'output', -100, 'dstnat'], // std_prio_family_hook_compat allows dstnat at output too
    ['ip', 'input', -95, '-95'], // dstnat is not allowed at input: the number
    ['ip', 'postrouting', 100, 'srcnat'],
    ['ip', 'input', 100, 'srcnat'],
    ['ip', 'forward', 100, '100'],
    ['ip', 'input', 150, '150'], // iptables-nft's security chains
    ['ip6', 'forward', 50, 'security'],
    ['arp', 'input', 0, 'filter'],
    ['arp', 'input', -150, '-150'], // mangle is an IP name only
    ['netdev', 'ingress', 5, 'filter + 5'],
    ['bridge', 'prerouting', -300, 'dstnat'],
    ['bridge', 'input', -200, 'filter'],
    ['bridge', 'output', 100, 'out'],
    ['bridge', 'postrouting', 300, 'srcnat'],
    ['bridge', 'input', 0, '0'], // no bridge name near 0
    ['bridge', 'output', 200, '200'], // ebtables-legacy's filter OUTPUT has no name
    ['ip', 'input', -2147483648, '-2147483648'],
  ])('%s %s %i → %s', (family, hook, value, text) => {
    expect(printPriority(value, family, hook)).toBe(text);
  });

  it('prints numbers only when asked (nft -y)', () => {
    expect(printPriority(-150, 'ip', 'prerouting', true)).toBe('-150');
  });
});

describe('reading a priority expression', () => {
  it.each<[NfFamily, Hook, string, number]>([
    ['inet', 'input', 'filter', 0],
    ['inet', 'input', 'filter + 10', 10],
    ['inet', 'input', 'filter+10', 10],
    ['inet', 'input', 'filter - 5', -5],
    ['ip', 'prerouting', '-150', -150],
    ['ip', 'prerouting', '- 150', -150],
    ['ip', 'prerouting', '  dstnat ', -100],
    ['ip', 'input', '2147483647', 2147483647],
    ['bridge', 'prerouting', 'dstnat', -300],
    ['bridge', 'output', 'out', 100],
    ['bridge', 'forward', 'filter', -200],
  ])('%s %s "%s" = %i', (family, hook, text, value) => {
    const r = parsePriority(text, family, hook);
    expect(r).toMatchObject({ ok: true, value });
  });

  it.each<[NfFamily, Hook, string, string, number, number]>([
    ['ip', 'input', 'dstnat', "'dstnat' is not a priority name of the ip family at hook input (allowed there: raw, mangle, filter, security, srcnat)", 0, 6],
    ['bridge', 'input', 'mangle', "'mangle' is not a priority name of the bridge family at hook input (allowed there: filter)", 0, 6],
    ['inet', 'input', 'filter-5', "'filter-5' is not a priority name of the inet family at hook input (allowed there: raw, mangle, filter, security, srcnat)", 0, 8],
    ['ip', 'input', '2147483648', 'priority 2147483648 is out of range (a 32-bit signed number)', 0, 10],
    ['ip', 'input', 'filter - 2147483649', 'priority filter - 2147483649 is out of range (a 32-bit signed number)', 9, 10],
    ['ip', 'input', '$prio', 'priority given as a variable ($prio): its define is not resolved here', 0, 5],
    ['ip', 'input', 'filter * 2', "'filter * 2' is not a priority: expected a number, or a name such as 'filter' with an optional '+ n' or '- n'", 0, 10],
  ])('%s %s "%s" is refused', (family, hook, text, message, index, length) => {
    expect(parsePriority(text, family, hook)).toEqual({ ok: false, message, index, length });
  });

  it('prints back what it read, for every named priority at every hook it is allowed at', () => {
    for (const [family, hook, text] of [['ip', 'prerouting', 'mangle - 3'], ['bridge', 'postrouting', 'srcnat + 1'], ['inet', 'output', 'dstnat + 10']] as const) {
      const r = parsePriority(text, family, hook);
      expect(r.ok && printPriority(r.value, family, hook)).toBe(text);
    }
  });
});
