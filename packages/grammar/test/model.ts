// The meaning of a parsed snapshot without its source positions and spellings: what must survive printing.
import type { Match, OptionEntry, Rule, Snapshot, Target } from '@chainsight/grammar';

/** `name` in a value is how it was written (`esp` or `50`), not what it means. */
const value = (v: OptionEntry['value']) => {
  const { name: _name, ...rest } = v as OptionEntry['value'] & { name?: unknown };
  return rest;
};
const option = (o: OptionEntry) => ({ key: o.key, negated: o.negated, known: o.known, value: value(o.value) });
const match = (m: Match) => ({ module: m.module, known: m.known, options: m.options.map(option) });
const target = (t: Target | null) => t && { name: t.name, type: t.type, goto: t.goto, options: t.options.map(option) };
/** ebtables stores a rule without `-j` with the standard target CONTINUE, and ebtables-save prints it so. */
const CONTINUE = { name: 'CONTINUE', type: 'verdict', goto: false, options: [] };
const rule = (r: Rule) => ({
  index: r.index, counters: r.counters, base: [...r.base].map(option).sort((a, b) => a.key.localeCompare(b.key)),
  matches: r.matches.filter((m) => m.module !== '' || m.options.length).map(match),
  target: r.target === null && r.family === 'bridge' ? CONTINUE : target(r.target), comment: r.comment,
});

export function meaning(s: Snapshot) {
  return {
    family: s.family,
    tables: s.tables.map((t) => ({
      name: t.name,
      chains: t.chains.map((c) => ({ name: c.name, builtin: c.builtin, policy: c.policy, rules: c.rules.map(rule) })),
    })),
  };
}
