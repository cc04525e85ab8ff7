// The built-in part of a rule. iptables: ip_tables.c ip_packet_match() / ip6_tables.c ip6_packet_match()
// (-s -d -i -o -p -f, each inverted by its `!`). ebtables: ebtables.c ebt_basic_match() (-p ethertype, -i/-o
// bridge ports, --logical-in/--logical-out the bridge, -s/-d MAC under mask).
import type { Interface, OptionEntry, Rule } from '@chainsight/grammar';
import type { SimPacket } from '../sim/state';
import type { EvalCtx, Pred } from './types';
import { addressTest, interfaceTest, neg } from './values';

/** Whether ipBase models a base option; the others are reported (ruleset.ts) and assumed to match. */
export function ipBaseSupported(o: OptionEntry): boolean {
  switch (o.key) {
    case 'source':
    case 'destination': return o.value.type === 'address';
    case 'in-interface':
    case 'out-interface': return o.value.type === 'interface';
    case 'protocol': return o.value.type === 'protocol';
    case 'fragment': return true;
    default: return false;
  }
}

/** iptables base options as predicates; `unconditional` is ip_tables.c's all-zero `ipt_ip` test. */
export function ipBase(rule: Rule): { preds: Pred[]; unconditional: boolean; unsupported: OptionEntry[] } {
  const preds: Pred[] = [];
  const unsupported: OptionEntry[] = [];
  let unconditional = true;
  for (const o of rule.base) {
    const v = o.value;
    if (!ipBaseSupported(o)) { unsupported.push(o); unconditional = false; continue; }
    switch (o.key) {
      case 'source':
      case 'destination': {
        if (v.type !== 'address') break;
        if (v.mask === 0n && !o.negated) break; // 0.0.0.0/0: iptables stores nothing
        unconditional = false;
        const t = addressTest(v);
        preds.push(neg(o, o.key === 'source' ? (p) => t(p.src) : (p) => t(p.dst)));
        break;
      }
      case 'in-interface':
      case 'out-interface': {
        if (v.type !== 'interface') break;
        if (v.wildcard && v.name === '' && !o.negated) break; // `-i +` is saved as nothing
        unconditional = false;
        const t = interfaceTest(v);
        // Without a host context the device may be unknown ('' with HostFacts.in/out set): asked, not guessed.
        preds.push(neg(o, o.key === 'in-interface'
          ? (p, c) => (p.in === '' && c.facts.in !== null ? learnt(p, c, 'in', v) : t(p.in))
          : (p, c) => (p.out === '' && c.facts.out !== null ? learnt(p, c, 'out', v) : t(p.out))));
        break;
      }
      case 'protocol': {
        if (v.type !== 'protocol') break;
        if (v.number === 0) { if (o.negated) { unconditional = false; preds.push(() => false); } break; }
        unconditional = false;
        const n = v.number;
        preds.push(neg(o, (p) => p.proto === n));
        break;
      }
      case 'fragment':
        // -f: second and further fragments. Simulated packets are never non-first fragments.
        unconditional = false;
        preds.push(neg(o, () => false));
        break;
    }
  }
  return { preds, unconditional, unsupported };
}

/** A test of an unknown device; once a name is known the packet carries it (later steps show IN=/OUT=). */
function learnt(p: SimPacket, c: EvalCtx, which: 'in' | 'out', v: Interface): boolean {
  const r = c.facts.devTest(which, v);
  const name = c.facts[which]?.name;
  if (name) p[which] = name;
  return r;
}

const ETH_P_IP = 0x0800;
const ETH_P_IPV6 = 0x86dd;

/** ebtables base: ebt_basic_match(). A device spec never matches a missing device (ebt_dev_check). */
export function ebBase(rule: Rule): { preds: Pred[]; unsupported: OptionEntry[] } {
  const preds: Pred[] = [];
  const unsupported: OptionEntry[] = [];
  for (const o of rule.base) {
    const v = o.value;
    switch (o.key) {
      case 'protocol': {
        if (v.type !== 'ethertype') { unsupported.push(o); break; }
        // Frames here are Ethernet II with an IP payload; `LENGTH` (802.3) never matches them.
        const want = v.number;
        preds.push(neg(o, (p) => want !== null && want === (p.v === 4 ? ETH_P_IP : ETH_P_IPV6)));
        break;
      }
      case 'in-interface':
      case 'out-interface':
      case 'logical-in':
      case 'logical-out': {
        if (v.type !== 'interface') { unsupported.push(o); break; }
        const t = interfaceTest(v);
        // During an ebtables hook p.in / p.out are the bridge ports; --logical-in/out name their bridge.
        const key = o.key;
        preds.push(neg(o, (p, c) => {
          const name = key === 'in-interface' ? p.in
            : key === 'out-interface' ? p.out
            : key === 'logical-in' ? (p.in === '' ? '' : c.host.masterOf(p.in) ?? '')
            : (p.out === '' ? '' : c.host.masterOf(p.out) ?? '');
          return name !== '' && t(name);
        }));
        break;
      }
      case 'source':
      case 'destination': {
        if (v.type !== 'mac') { unsupported.push(o); break; }
        const mask = v.mask;
        const want = v.address & mask;
        preds.push(neg(o, o.key === 'source'
          ? (p) => p.srcMac !== null && (p.srcMac & mask) === want
          : (p) => p.dstMac !== null && (p.dstMac & mask) === want));
        break;
      }
      default:
        unsupported.push(o);
    }
  }
  return { preds, unsupported };
}
