// The built-in part of an iptables rule as a set: ip_tables.c ip_packet_match() (-s -d -i -o -p -f, each inverted
// by its `!`). Concrete twin: trace/src/compile/base.ts ipBase().
import { interfaceMatcher, type Interface, type Rule } from '@chainsight/grammar';
import type { SymCtx } from './context';
import { neg, unknown } from './context';

export function deviceSet(c: SymCtx, which: 'iif' | 'oif', v: Interface): number {
  const { space } = c;
  return space.oneOf(space.f[which], space.devices.accepting(interfaceMatcher(v)));
}

export function ipBaseSet(c: SymCtx, rule: Rule): number {
  const { space } = c;
  const { bdd, f } = space;
  let r = 1;
  for (const o of rule.base) {
    const v = o.value;
    let set: number;
    switch (o.key) {
      case 'source':
      case 'destination':
        if (v.type !== 'address') return bdd.and(r, unknownBase(c, rule, o.key));
        set = space.masked(o.key === 'source' ? f.src : f.dst, v.address & v.mask, v.mask);
        break;
      case 'in-interface':
      case 'out-interface':
        if (v.type !== 'interface') return bdd.and(r, unknownBase(c, rule, o.key));
        set = deviceSet(c, o.key === 'in-interface' ? 'iif' : 'oif', v);
        break;
      case 'protocol':
        if (v.type !== 'protocol') return bdd.and(r, unknownBase(c, rule, o.key));
        // Protocol 0 (`all`) is no test; `! -p all` matches nothing (ip_packet_match's IPT_INV_PROTO).
        set = v.number === 0 ? 1 : space.eq(f.proto, v.number);
        break;
      case 'fragment':
        // -f: second and later fragments (fragment offset ≠ 0).
        set = space.eq(f.frag, 1);
        break;
      default:
        return bdd.and(r, unknownBase(c, rule, o.key));
    }
    r = bdd.and(r, neg(c, o, set));
  }
  return r;
}

function unknownBase(c: SymCtx, rule: Rule, key: string): number {
  const m = { kind: 'match' as const, module: `base:${key}`, spelling: key, known: false, explicit: false, options: [], span: rule.span };
  return unknown(c, m, `the rule's ${key} could not be read`, true);
}
