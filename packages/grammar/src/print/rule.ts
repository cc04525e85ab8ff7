// Prints one rule's arguments in canonical iptables-save / ebtables-save form:
// iptables: -s -d -i -o -p -f, then the matches in order, then -j/-g and the target options
// (iptables print_rule4 order); ebtables: -p -s -d -i --logical-in -o --logical-out, matches, target.
import type { Family, Match, OptionEntry, Rule, Target } from '../ir/nodes';
import {
  canonicalOption, findMatchModule, findTargetSpec, EB_BASE, type OptionSpec,
} from '../registry';
import { BASE_SPECS } from '../parse/rule-args';
import { saveString, word } from './quote';

const IP_BASE_ORDER = ['source', 'destination', 'in-interface', 'out-interface', 'protocol', 'fragment'];
const EB_BASE_ORDER = ['protocol', 'source', 'destination', 'in-interface', 'logical-in', 'out-interface', 'logical-out'];

/** Options whose value iptables-save prints through xtables_save_string. */
const STRING_KEYS = new Set(['comment', 'log-prefix', 'nflog-prefix', 'ulog-prefix', 'string', 'hex-string', 'u32', 'bytecode']);

function formatOption(o: OptionEntry, specs: readonly OptionSpec[] | null, family: Family): string {
  const spec = o.known && specs ? canonicalOption(specs, o.key) : undefined;
  // A value that did not parse is printed under the spelling it was written with: options that share a key
  // (`--and-mark`, `--set-mark` → set-xmark) mean different things for the same words.
  const name = spec ? (spec.savedSpellings?.includes(o.spelling) || o.value.type === 'raw' ? o.spelling : spec.names[0]!) : o.spelling;
  let words: string[];
  if (spec && o.value.type !== 'raw' && spec.value.format) {
    words = (spec.value.format as (v: unknown, w: string[], c: { family: Family }) => string[])(o.value, o.words, { family });
  } else words = o.words;
  const shown = words.map((w) => {
    // A value that reads as an option or a negation (`-x`, `!`) is quoted, or it would not read back as a value.
    if (readsAsOption(w)) return word(w, true);
    if (STRING_KEYS.has(o.key)) return o.quoted ? word(w, true) : saveString(w);
    return word(w, !!o.quoted && words.length === 1 && /[^A-Za-z0-9_.:/,+-]/.test(w));
  });
  return (o.negated ? '! ' : '') + [name, ...shown].join(' ');
}

/** What the rule reader (parse/rule-args.ts) takes for an option or a `!` when it stands bare. */
const readsAsOption = (w: string) => w === '!' || (w.length > 1 && w.startsWith('-') && !/^-\d/.test(w));

function matchSpecs(m: Match, family: Family): readonly OptionSpec[] | null {
  return m.known ? findMatchModule(family, m.module)?.options ?? null : null;
}

export function printMatch(m: Match, family: Family): string {
  const opts = m.options.map((o) => formatOption(o, matchSpecs(m, family), family));
  if (family === 'bridge' || m.module === '') return opts.join(' ');
  return ['-m', m.known ? m.module : m.spelling, ...opts].join(' ');
}

export function printTarget(t: Target, family: Family): string {
  const specs = t.type === 'extension' ? findTargetSpec(family, t.name)?.options ?? null : null;
  const opts = t.options.map((o) => formatOption(o, specs, family));
  return [t.goto ? '-g' : '-j', t.name, ...opts].join(' ');
}

/** The rule's arguments after `-A CHAIN`. */
export function printRuleArgs(rule: Rule): string {
  const family = rule.family;
  const bridge = family === 'bridge';
  const specs = bridge ? EB_BASE : BASE_SPECS.ip;
  const order = bridge ? EB_BASE_ORDER : IP_BASE_ORDER;
  const base = [...rule.base].sort((a, b) => order.indexOf(a.key) - order.indexOf(b.key));
  const parts: string[] = base.map((o) => formatOption(o, specs, family));
  for (const m of rule.matches) {
    const text = printMatch(m, family);
    if (text) parts.push(text);
  }
  if (rule.target) parts.push(printTarget(rule.target, family));
  else if (bridge) parts.push('-j CONTINUE');
  return parts.join(' ');
}

export function printRule(rule: Rule, counterStyle: 'prefix' | 'suffix' = 'prefix'): string {
  const args = printRuleArgs(rule);
  const head = `-A ${rule.chain}${args ? ' ' + args : ''}`;
  if (!rule.counters) return head;
  const { packets, bytes } = rule.counters;
  return counterStyle === 'suffix' ? `${head} -c ${packets} ${bytes}` : `[${packets}:${bytes}] ${head}`;
}
