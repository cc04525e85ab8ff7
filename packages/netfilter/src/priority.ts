// nft's named priorities and the priority expression of a base chain (`priority filter + 10;`, `priority -150;`):
// parsing as nft reads it and printing as `nft list ruleset` does. Copied from nftables src/rule.c (std_prios,
// bridge_std_prios, std_prio_family_hook_compat, std_prio_lookup, prio2str) and the grammar's prio_spec
// (src/parser_bison.y); the tables are nft(8) PRIORITY.
import type { NfFamily } from './family';
import type { Hook } from './hook';
import { INT_MAX, INT_MIN, NF_BR_PRI, NF_IP_PRI } from './kernel-priorities';

export interface StandardPriority {
  name: string;
  value: number;
  /** Families whose chains may use the name. */
  families: readonly NfFamily[];
  /** Hooks where the name may be used; undefined: every hook of those families. */
  hooks?: readonly Hook[];
}

const IP_FAMILIES: readonly NfFamily[] = ['ip', 'ip6', 'inet'];

/**
 * Every family but bridge (std_prios). Where each name is allowed is std_prio_family_hook_compat(), which is wider
 * than the man page's table: dstnat is also accepted at output, srcnat also at input (where the NAT core runs nat
 * chains of those types, iptable_nat.c nf_nat_ipv4_ops).
 */
export const STANDARD_PRIORITIES: readonly StandardPriority[] = [
  { name: 'raw', value: NF_IP_PRI.RAW, families: IP_FAMILIES },
  { name: 'mangle', value: NF_IP_PRI.MANGLE, families: IP_FAMILIES },
  { name: 'dstnat', value: NF_IP_PRI.NAT_DST, families: IP_FAMILIES, hooks: ['prerouting', 'output'] },
  { name: 'filter', value: NF_IP_PRI.FILTER, families: ['ip', 'ip6', 'inet', 'arp', 'netdev'] },
  { name: 'security', value: NF_IP_PRI.SECURITY, families: IP_FAMILIES },
  { name: 'srcnat', value: NF_IP_PRI.NAT_SRC, families: IP_FAMILIES, hooks: ['input', 'postrouting'] },
];

/** The bridge family's own values (bridge_std_prios). */
export const BRIDGE_STANDARD_PRIORITIES: readonly StandardPriority[] = [
  { name: 'dstnat', value: NF_BR_PRI.NAT_DST_BRIDGED, families: ['bridge'], hooks: ['prerouting'] },
  { name: 'filter', value: NF_BR_PRI.FILTER_BRIDGED, families: ['bridge'] },
  { name: 'out', value: NF_BR_PRI.NAT_DST_OTHER, families: ['bridge'], hooks: ['output'] },
  { name: 'srcnat', value: NF_BR_PRI.NAT_SRC, families: ['bridge'], hooks: ['postrouting'] },
];

export function standardPriorities(family: NfFamily): readonly StandardPriority[] {
  return family === 'bridge' ? BRIDGE_STANDARD_PRIORITIES : STANDARD_PRIORITIES;
}

function fits(p: StandardPriority, family: NfFamily, hook: Hook): boolean {
  return p.families.includes(family) && (p.hooks === undefined || p.hooks.includes(hook));
}

/** The value of a named priority for a chain of `family` at `hook`; undefined where nft refuses the name there. */
export function lookupStandardPriority(name: string, family: NfFamily, hook: Hook): number | undefined {
  const p = standardPriorities(family).find((x) => x.name === name);
  return p && fits(p, family, hook) ? p.value : undefined;
}

/**
 * A priority as `nft list ruleset` prints it (prio2str): the first named priority within 10 of the value gives
 * `name`, `name + n` or `name - n`, if the name is allowed for the family and hook; otherwise the number.
 * `numeric` is `nft -y` (--numeric-priority).
 */
export function printPriority(value: number, family: NfFamily, hook: Hook, numeric = false): string {
  if (!numeric) {
    for (const p of standardPriorities(family)) {
      const offset = value - p.value;
      if (Math.abs(offset) <= 10) {
        // prio2str stops at the first name within reach, allowed or not.
        if (!fits(p, family, hook)) break;
        return offset > 0 ? `${p.name} + ${offset}` : offset < 0 ? `${p.name} - ${-offset}` : p.name;
      }
    }
  }
  return String(value);
}

export type PriorityParse =
  | { ok: true; value: number; /** The named priority it was written with. */ name?: string; offset?: number }
  | { ok: false; message: string; /** 0-based index into the text of the part that is wrong. */ index: number; length: number };

// prio_spec: int_num (NUM or '-' NUM), variable_expr ($name), extended_prio_name (a string or the keyword `out`)
// alone or followed by '+' NUM or '-' NUM. Blanks between the parts are free, as in nft's scanner; a name runs on
// over '-' (its string token does), so `filter-5` is one unknown name, as nft reads it.
const EXPR = /^(\s*)(?:(-?\s*\d+)|(\$[A-Za-z_][\w.]*)|([A-Za-z_.][\w/.-]*)(?![\w/.-])(?:(\s*)([+-])(\s*)(\d+))?)\s*$/;

/**
 * Reads the priority of a base chain of `family` at `hook`: `-150`, `filter`, `filter + 10`, `dstnat - 5`.
 * A name must be allowed for the family and hook (std_prio_lookup; nft: "'…' is invalid priority in this
 * context"); the value must fit the kernel's 32-bit signed priority. Variables (`$prio`) are not resolved here.
 */
export function parsePriority(text: string, family: NfFamily, hook: Hook): PriorityParse {
  const m = EXPR.exec(text);
  const lead = m?.[1]?.length ?? 0;
  if (!m) return { ok: false, message: `'${text.trim()}' is not a priority: expected a number, or a name such as 'filter' with an optional '+ n' or '- n'`, index: lead, length: text.length - lead };
  const inRange = (v: number) => v >= INT_MIN && v <= INT_MAX;
  if (m[2] !== undefined) {
    const value = Number(m[2].replace(/\s+/g, ''));
    if (!inRange(value)) return { ok: false, message: `priority ${m[2]} is out of range (a 32-bit signed number)`, index: lead, length: m[2].length };
    return { ok: true, value };
  }
  if (m[3] !== undefined) return { ok: false, message: `priority given as a variable (${m[3]}): its define is not resolved here`, index: lead, length: m[3].length };
  const name = m[4]!;
  const base = lookupStandardPriority(name, family, hook);
  if (base === undefined) {
    const names = standardPriorities(family).filter((p) => fits(p, family, hook)).map((p) => p.name);
    return { ok: false, message: `'${name}' is not a priority name of the ${family} family at hook ${hook} (allowed there: ${names.length ? names.join(', ') : 'none'})`, index: lead, length: name.length };
  }
  if (m[6] === undefined) return { ok: true, value: base, name, offset: 0 };
  const offset = (m[6] === '-' ? -1 : 1) * Number(m[8]);
  const value = base + offset;
  if (!inRange(value)) {
    const at = lead + name.length + m[5]!.length + 1 + m[7]!.length;
    return { ok: false, message: `priority ${name} ${m[6]} ${m[8]} is out of range (a 32-bit signed number)`, index: at, length: m[8]!.length };
  }
  return { ok: true, value, name, offset };
}
