// The shape of a print form: the text one extension's `print` function writes into the last column of
// `iptables -L` (iptables/extensions/libxt_*.c), as a regular expression, and how to write the same data as
// the words its `save` function writes.
import type { Family } from '../../ir/nodes';
import { Hit, sticky, type WordOut } from './emit';

export interface FormContext {
  family: Family;
  /** Target forms may rename the target (`CT` printed as `NOTRACK` is `-j NOTRACK`). */
  targetName: string;
}

/** Emits the save words of a hit; returns a reason when the printed text cannot be read back (kept verbatim). */
export type Emit = (say: Say, ctx: FormContext) => string | void;

export interface PrintForm {
  /** The extension whose print function writes this text. */
  name: string;
  re: RegExp;
  emit: Emit;
}

/** A match form: ends at a word boundary, the next print begins after a space. */
export function form(name: string, source: string, emit: Emit): PrintForm {
  return { name, re: sticky(`(?:${source})(?=\\s|$)`), emit };
}

/** A target form: the target prints last, so it must run to the end of the line. */
export function targetForm(name: string, source: string, emit: Emit): PrintForm {
  return { name, re: sticky(`(?:${source})\\s*$`), emit };
}

/** Writes save words for one hit; each word is located at the listing text it comes from. */
export class Say {
  constructor(
    readonly hit: Hit,
    readonly out: WordOut,
  ) {}

  has(group: string): boolean {
    return this.hit.has(group);
  }

  text(group: string): string {
    return this.hit.text(group);
  }

  /** `-m name` (merged into the previous match of the same module when `key` is new there). */
  module(name: string, key?: string): void {
    this.out.module(name, this.hit.whole, key);
  }

  /** Read, but the print leaves `what` out: reported with the rule's lossy warning. */
  caveat(what: string): void {
    this.out.caveats.push({ piece: this.hit.whole, reason: what });
  }

  /** `! ` when group `neg` took part. */
  neg(group: string): void {
    if (this.hit.has(group)) this.out.word('!', this.hit.at(group));
  }

  /** `option value` (value: the group's text, or `value` read from it), located at the group. */
  opt(option: string, group: string, value?: string, quoted = false): void {
    const at = this.hit.at(group);
    this.out.word(option, at);
    this.out.word(value ?? at.text, at, quoted);
  }

  /** A flag option, located at `group` (or the whole print when absent). */
  flag(option: string, group?: string): void {
    this.out.word(option, group ? this.hit.at(group) : this.hit.whole);
  }

  /**
   * For each match of `re` in group `group`: `[!] --k [v]` from its groups `n`, `k` and `v`. Extensions that
   * print their save form without the dashes (libxt_set.c, libxt_CT.c, libxt_SYNPROXY.c).
   */
  dashedItems(group: string, re: RegExp): void {
    for (const item of this.items(group, re)) {
      item.neg('n');
      if (item.has('v')) item.opt(`--${item.text('k')}`, 'v');
      else item.flag(`--${item.text('k')}`, 'k');
    }
  }

  /** Each match of `re` (global, with indices) inside group `group`, as its own Say. */
  items(group: string, re: RegExp): Say[] {
    const at = this.hit.at(group);
    const out: Say[] = [];
    const line = this.out.line.text;
    const g = new RegExp(re.source, 'gd');
    g.lastIndex = at.start;
    const bounded = line.slice(0, at.end);
    for (let m = g.exec(bounded); m; m = g.exec(bounded)) {
      if (m[0] === '') { g.lastIndex++; continue; }
      out.push(new Say(new Hit(m, line), this.out));
    }
    return out;
  }
}
