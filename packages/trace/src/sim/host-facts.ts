// The host facts one run of the path rests on, when the trace has no host context (rules only). What the rules
// decide stays decided; what only the host could say is, in this order:
//   1. given on the command line (`--local-addr`, `--out`),
//   2. implied by the rules (host/rules-facts.ts: Docker's bridge network, kube-proxy's node-port addresses, …),
//   3. a fork where it decides the path — is this address one of the host's (routing's local/forward choice,
//      `-m addrtype`), which interface is OUT (`-o`) — each answer an outcome with its assumption, like the
//      stateful matches (choices.ts); a run answers each question once and keeps to it,
//   4. a default the kernel has (ip_forward on, as on any router these rules were written for), said in the notes.
// With a host context every answer comes from the HostModel and nothing here forks.
import { interfaceMatcher, type Interface } from '@chainsight/grammar';
import type { CompiledRuleset } from '../compile/ruleset';
import { addressFact, networkOf } from '../host/rules-facts';
import type { Version } from '../host/model';
import { formatIp } from '../addr';
import type { Chooser } from './choices';

/** What one run learnt of a device it does not know (the reply's IN is the first packet's OUT). */
export interface DevFacts {
  /** The name, once an exact `-o NAME` test was answered yes (or the rules imply it). */
  name: string | null;
  /** Answers to `-o` tests by spelling (`docker0`, `veth+`). */
  is: Map<string, boolean>;
  /** How the assumptions name it: `OUT`, `IN`, `OUT after the reroute`. */
  label: string;
}

/** What a later packet of the connection starts from: the first packet's answers. */
export interface FactsSeed {
  local: ReadonlyMap<string, boolean>;
  /** The device the packet enters by, when it is the first packet's unknown OUT. */
  in: DevFacts | null;
}

export function cloneDev(d: DevFacts | null): DevFacts | null {
  return d ? { name: d.name, is: new Map(d.is), label: d.label } : null;
}

/** `docker0` or `veth+`, as `-o` spells it. */
function spelling(v: Interface): string {
  return v.wildcard ? `${v.name}+` : v.name;
}

/** Whether an earlier answer about `known` decides a test of `asked` (both spellings); null when it does not. */
function implied(known: string, answer: boolean, asked: Interface): boolean | null {
  const kWild = known.endsWith('+');
  const kName = kWild ? known.slice(0, -1) : known;
  if (!kWild) return answer ? (asked.wildcard ? kName.startsWith(asked.name) : kName === asked.name) : asked.wildcard ? null : kName === asked.name ? false : null;
  if (answer) {
    // The name starts with kName: an exact name or a prefix that cannot share that start is false.
    if (!asked.wildcard) return asked.name.startsWith(kName) ? null : false;
    if (kName.startsWith(asked.name)) return true;
    return asked.name.startsWith(kName) ? null : false;
  }
  // The name does not start with kName: nothing starting with kName matches.
  return asked.name.startsWith(kName) ? false : null;
}

export class HostFacts {
  /** Addresses this run answered: `v:address` → one of the host's. */
  readonly local: Map<string, boolean>;
  /** Unknown input / output device of this run (null: known, or not yet routed). */
  in: DevFacts | null;
  out: DevFacts | null = null;
  /** Facts this run took from the rules or assumed without a fork, for the trace's Inferred list. */
  readonly notes: string[] = [];

  constructor(private readonly compiled: CompiledRuleset, private readonly chooser: Chooser, seed?: FactsSeed) {
    this.local = new Map(seed?.local ?? []);
    this.in = cloneDev(seed?.in ?? null);
    if (this.in) this.in.label = 'IN';
  }

  /** The host context was given: every fact comes from it. */
  get known(): boolean {
    return this.compiled.host.given;
  }

  note(text: string): void {
    if (!this.notes.includes(text)) this.notes.push(text);
  }

  /** Is `a` one of the host's addresses (the local routing table, `inet_addr_type` LOCAL)? */
  isLocal(v: Version, a: bigint): boolean {
    const host = this.compiled.host;
    if (host.given || host.isLocal(v, a)) return host.isLocal(v, a);
    const key = `${v}:${a}`;
    const seen = this.local.get(key);
    if (seen !== undefined) return seen;
    const ip = formatIp(v, a);
    const rulesOnly = this.compiled.rulesOnly;
    let answer: boolean;
    const fact = addressFact(rulesOnly.facts, v, a);
    if (rulesOnly.localAddresses.has(key)) answer = true;
    else if (fact) {
      answer = fact.local;
      this.note(`${ip} ${fact.local ? 'is' : 'is not'} an address of this host: ${fact.local ? 'a node-port address of' : fact.prefix === (v === 4 ? 32 : 128) ? 'a DNAT endpoint of' : 'in a network the rules give to others:'} ${fact.why}`);
    } else if (rulesOnly.localAddresses.size) {
      answer = false;
      this.note(`${ip} is not an address of this host: the host's addresses are the --local-addr ones`);
    } else {
      answer = this.chooser.fact([`local:${ip}`, 'local'], `${ip} is an address of this host`, `${ip} is not an address of this host`, true);
    }
    this.local.set(key, answer);
    return answer;
  }

  /**
   * xt_addrtype's type of `a` without a host context: MULTICAST and the limited broadcast are decided by the
   * address; LOCAL against UNICAST is asked only when the test tells them apart.
   */
  addrType(v: Version, a: bigint, types: ReadonlySet<string>): string {
    const host = this.compiled.host;
    const t = host.addrType(v, a, null);
    if (t === 'MULTICAST' || t === 'BROADCAST' || t === 'LOCAL') return t;
    if (types.has('LOCAL') === types.has('UNICAST')) return types.has('LOCAL') ? 'LOCAL' : 'UNICAST';
    return this.isLocal(v, a) ? 'LOCAL' : 'UNICAST';
  }

  /**
   * The device a forwarded or sent packet leaves by, without a host context: `--out` (the caller's), the
   * interface the rules put the destination's network behind, or unknown ('', the `-o` tests then fork).
   */
  outFor(v: Version, dst: bigint, label = 'OUT'): string {
    const n = networkOf(this.compiled.rulesOnly.facts, v, dst);
    const ip = formatIp(v, dst);
    if (n) {
      this.note(`${ip} leaves by ${n.dev}: the rules put ${formatIp(v, n.address)}/${n.prefix} behind it, ${n.why}`);
      return n.dev;
    }
    const out: DevFacts = { name: null, is: new Map(), label };
    // Each interface cited by its widest network (Docker's bridge network rather than one container's /32).
    for (const n of [...this.compiled.rulesOnly.facts.networks].sort((x, y) => x.prefix - y.prefix)) {
      if (n.version !== v || out.is.has(n.dev)) continue;
      out.is.set(n.dev, false);
      this.note(`${ip} does not leave by ${n.dev}: the rules put ${formatIp(v, n.address)}/${n.prefix} behind ${n.dev}, ${n.why}`);
    }
    this.out = out;
    return '';
  }

  /** `-i`/`-o` against a device this run does not know: an earlier answer, or a fork. */
  devTest(which: 'in' | 'out', v: Interface): boolean {
    const d = which === 'in' ? this.in : this.out;
    if (d === null) return false;
    if (v.wildcard && v.name === '') return true;
    if (d.name !== null) return interfaceMatcher(v)(d.name);
    const key = spelling(v);
    const seen = d.is.get(key);
    if (seen !== undefined) return seen;
    for (const [k, a] of d.is) {
      const r = implied(k, a, v);
      if (r !== null) return r;
    }
    const answer = this.chooser.fact([`${which}:${key}`], `${d.label} is ${key}`, `${d.label} is not ${key}`, true);
    d.is.set(key, answer);
    if (answer && !v.wildcard) d.name = v.name;
    return answer;
  }

  /** The unknown OUT in words: `an interface other than docker0`. */
  describeOut(): string {
    const d = this.out;
    if (!d || d.name !== null) return d?.name ?? '';
    const not = [...d.is].filter(([, a]) => !a).map(([k]) => k);
    const is = [...d.is].filter(([, a]) => a).map(([k]) => k);
    if (is.length) return `an interface matching ${is.join(', ')}${not.length ? `, not ${not.join(' or ')}` : ''}`;
    return not.length ? `an interface other than ${not.join(' or ')}` : 'an interface the rules do not name';
  }
}
