// Targets that change what later rules read, as maps from a set to the set after the change. Each follows the
// target's kernel code; a change the space cannot express exactly forgets the field (any value afterwards),
// which only ever adds packets: a reach set stays a superset of what the kernel lets through, so "no packet
// reaches this rule" stays true.
import { fieldCube, masked, type Field } from '@chainsight/bdd';
import type { OptionEntry, Target } from '@chainsight/grammar';
import { DSCP_CLASSES, findOption, optionNumber, parseTos } from '@chainsight/grammar';
import type { PacketSpace } from './space';

export type Transform = (set: number) => number;

/** The set after `x = (x & ~mask) ^ value` on a field (xt_MARK, xt_CONNMARK --set-xmark, xt_DSCP tos_tg). */
export function xset(space: PacketSpace, field: Field, value: number, mask: number): Transform {
  const { bdd } = space;
  const v = BigInt(value >>> 0);
  const m = BigInt(mask >>> 0);
  const bitsOf = (x: bigint) => Array.from({ length: field.width }, (_, i) => i).filter((i) => ((x >> BigInt(field.width - 1 - i)) & 1n) === 1n).map((i) => field.first + i);
  // The masked bits are forgotten, then take the value's bits; the value's bits outside the mask flip.
  const forget = bdd.cube(bitsOf(m));
  const assign = masked(bdd, field, v & m, m);
  const flips = bdd.cube(bitsOf(v & ~m));
  return (s) => bdd.flip(bdd.and(bdd.exists(s, forget), assign), flips);
}

/** Any value of the field afterwards. */
export function havoc(space: PacketSpace, field: Field): Transform {
  const cube = fieldCube(space.bdd, field);
  return (s) => space.bdd.exists(s, cube);
}

/** Applies t only to the part of the set inside `where`. */
export function within(space: PacketSpace, where: number, t: Transform): Transform {
  const { bdd } = space;
  return (s) => bdd.or(bdd.diff(s, where), t(bdd.and(s, where)));
}

const opt = (t: Target, key: string): OptionEntry | undefined => findOption(t.options, key);
const num = (t: Target, key: string, fallback: number): number => optionNumber(t.options, key, fallback);

/**
 * The change a non-terminating target makes to the fields of the space, or null when it changes none of them.
 * `notes` collects what was approximated.
 */
export function targetTransform(space: PacketSpace, t: Target, notes: string[]): Transform | null {
  const { f } = space;
  const tracked = space.ctStates(['NEW', 'ESTABLISHED', 'RELATED']);
  switch (t.name) {
    case 'MARK': {
      const o = opt(t, 'set-xmark');
      if (o?.value.type === 'mark') return xset(space, f.mark, o.value.value >>> 0, o.value.mask >>> 0);
      notes.push('MARK: the new mark could not be read; any mark assumed afterwards');
      return havoc(space, f.mark);
    }
    case 'CONNMARK': {
      // xt_connmark.c connmark_tg_shift(): no conntrack entry → nothing changes.
      const o = opt(t, 'set-xmark');
      const parts: Transform[] = [];
      if (o?.value.type === 'mark') parts.push(xset(space, f.ctMark, o.value.value >>> 0, o.value.mask >>> 0));
      if (opt(t, 'save-mark')) parts.push(havoc(space, f.ctMark));
      if (opt(t, 'restore-mark')) parts.push(havoc(space, f.mark));
      if (opt(t, 'save-mark') || opt(t, 'restore-mark')) notes.push('CONNMARK --save-mark/--restore-mark: the copied mark is not followed bit by bit; any value assumed afterwards');
      if (parts.length === 0) return null;
      return within(space, tracked, (s) => parts.reduce((acc, p) => p(acc), s));
    }
    case 'TOS': {
      const o = opt(t, 'set-tos');
      const v = o ? parseTos(o.words[0] ?? '') : null;
      if (v) return xset(space, f.tos, v.value, v.mask);
      return havoc(space, f.tos);
    }
    case 'DSCP': {
      const cls = opt(t, 'set-dscp-class')?.words[0];
      const d = cls !== undefined ? DSCP_CLASSES.get(cls.toUpperCase()) : num(t, 'set-dscp', -1);
      if (d === undefined || d < 0 || d > 0x3f) return havoc(space, f.tos);
      // xt_DSCP.c dscp_tg: tos = (tos & ~XT_DSCP_MASK) | (dscp << XT_DSCP_SHIFT).
      return xset(space, f.tos, d << 2, 0xfc);
    }
    case 'TTL':
    case 'HL':
      return havoc(space, f.ttl);
    case 'ECN':
      return (s) => havoc(space, f.tcpFlags)(havoc(space, f.tos)(s));
    case 'HMARK':
      return havoc(space, f.mark);
    case 'CT':
    case 'NOTRACK': {
      // xt_CT.c / NOTRACK: a packet without a conntrack entry becomes UNTRACKED; one with an entry is left alone.
      if (t.name === 'CT' && !opt(t, 'notrack')) return null;
      const invalid = space.ctStates(['INVALID']);
      return within(space, invalid, (s) => space.bdd.and(space.bdd.exists(s, fieldCube(space.bdd, f.ctState)), space.ctStates(['UNTRACKED'])));
    }
    default:
      return null;
  }
}
