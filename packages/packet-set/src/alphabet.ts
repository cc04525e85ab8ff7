// Interface names as a finite alphabet. A ruleset tests devices by exact name (`-i eth0`) or by prefix
// (`-i veth+`, iptables' iface_to_mask()); every other name behaves like some name the rules mention. So the
// names fall into classes that no rule can tell apart:
// - each exact name the rules use;
// - for each prefix p, "starts with p, is no exact name and starts with no longer prefix" (written `p*`);
// - "any other name" (starts with no prefix, equals no exact name), written `*`;
// - the missing device "" (the kernel compares a NULL device as the empty name: locally generated packets have
//   no input device, packets to the host no output device).
// Each class has a representative name on which any test of the ruleset gives the same answer as on every
// member of the class; tests are decided on the representatives.

import type { Interface } from '@chainsight/grammar';

/** A class of device names, with the name the tests are evaluated on. */
export interface NameClass {
  /** `eth0`, `veth*`, `*` (no prefix, no exact name), or `` (no device). */
  label: string;
  /** A name of the class: the exact name, or a synthetic one no rule can tell from the class's other members. */
  representative: string;
  kind: 'exact' | 'prefix' | 'other' | 'none';
}

// Never part of a real device name (dev_valid_name() refuses '/', ':' and white space; a control byte is odd
// but the point is only that it equals no exact name and extends no prefix further).
const FILLER = '\u0001';

export class NameAlphabet {
  readonly classes: readonly NameClass[];
  private readonly exactIndex = new Map<string, number>();

  constructor(exact: Iterable<string>, prefixes: Iterable<string>) {
    const names = [...new Set(exact)].filter((n) => n !== '').sort();
    const pre = [...new Set(prefixes)].filter((p) => p !== '').sort();
    const classes: NameClass[] = [{ label: '', representative: '', kind: 'none' }];
    for (const n of names) {
      this.exactIndex.set(n, classes.length);
      classes.push({ label: n, representative: n, kind: 'exact' });
    }
    for (const p of pre) classes.push({ label: `${p}*`, representative: p + FILLER, kind: 'prefix' });
    classes.push({ label: '*', representative: FILLER, kind: 'other' });
    this.classes = classes;
  }

  get size(): number {
    return this.classes.length;
  }

  /** The class of a concrete name. */
  classOf(name: string): number {
    if (name === '') return 0;
    const exact = this.exactIndex.get(name);
    if (exact !== undefined) return exact;
    // The longest prefix that the name starts with decides its class.
    let best = -1;
    let bestLen = -1;
    this.classes.forEach((c, i) => {
      if (c.kind !== 'prefix') return;
      const p = c.representative.slice(0, -1);
      if (name.startsWith(p) && p.length > bestLen) {
        best = i;
        bestLen = p.length;
      }
    });
    return best >= 0 ? best : this.classes.length - 1;
  }

  /** The classes an `-i`/`-o` style test accepts (before its `!`). */
  accepting(test: (name: string) => boolean): number[] {
    const out: number[] = [];
    this.classes.forEach((c, i) => {
      if (test(c.representative)) out.push(i);
    });
    return out;
  }

  /**
   * A real-looking name of the class for a witness packet: the exact name, or the prefix followed by a suffix
   * that makes no exact name and no longer prefix (e.g. `veth` + `x0`), or a name outside every prefix.
   */
  witnessName(index: number): string {
    const c = this.classes[index];
    if (!c) throw new RangeError(`no interface class ${index}`);
    if (c.kind === 'exact' || c.kind === 'none') return c.representative;
    const base = c.kind === 'prefix' ? c.representative.slice(0, -1) : '';
    for (let k = 0; k < 1000; k++) {
      const candidate = base + (c.kind === 'other' ? `cs${k}` : `x${k}`);
      if (this.classOf(candidate) === index) return candidate;
    }
    return c.label;
  }
}

/** Interface values as the base options and physdev hold them: exact or prefix. */
export function collectName(v: Interface, exact: Set<string>, prefixes: Set<string>): void {
  if (v.wildcard) prefixes.add(v.name);
  else exact.add(v.name);
}
