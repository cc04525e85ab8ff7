// canonicalRuleKey: one string per rule such that two rules get the same key exactly when the kernel would
// hold the same entry (spelling, implicit modules, `/32`, option order inside a module and the order of
// independent matches normalised). Counters and the chain name are not part of the key.
// The grammar's printer already canonicalises spelling (printRuleArgs); this adds order normalisation where
// the kernel does not care: options inside one module fill one struct (their order is lost), and pure matches
// may be swapped. Stateful matches (statistic, recent, limit…) stay where they are, and pure matches never
// cross them: `-m tcp --dport 80 -m limit` and `-m limit -m tcp --dport 80` spend tokens on different packets.
import { printRuleArgs, type Match, type OptionEntry, type Rule } from '@chainsight/grammar';
import { isPureMatch } from './conditions';
import { optionKey } from './values';

/**
 * Spelling the printer keeps as written but the kernel does not store: a host address without `/32` (older
 * iptables-save printed it so), and double quotes around a value.
 */
function normalOption(o: OptionEntry): OptionEntry {
  const v = o.value;
  const bare = v.type === 'address' && v.prefix !== null && o.words.length === 1 && !o.words[0]!.includes('/');
  if (!bare && !o.quoted) return o;
  return { ...o, quoted: false, words: bare && v.type === 'address' ? [`${o.words[0]}/${v.prefix}`] : o.words };
}

const normalOptions = (options: readonly OptionEntry[], sort: boolean) => {
  const out = options.map(normalOption);
  return sort ? out.sort(byKey) : out;
};

const byKey = (a: OptionEntry, b: OptionEntry) => {
  const ka = optionKey(a);
  const kb = optionKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function sortedOptions(m: Match): Match {
  return { ...m, options: normalOptions(m.options, m.known) };
}

/** The matches in canonical order: pure matches sorted between stateful ones, which keep their position. */
export function canonicalMatches(matches: readonly Match[]): Match[] {
  const out: Match[] = [];
  let run: { key: string; m: Match }[] = [];
  const flush = () => {
    run.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const x of run) out.push(x.m);
    run = [];
  };
  for (const m of matches) {
    const s = sortedOptions(m);
    if (isPureMatch(m)) run.push({ key: `${m.module}{${s.options.map(optionKey).join(' ')}}`, m: s });
    else { flush(); out.push(s); }
  }
  flush();
  return out;
}

const keys = new WeakMap<Rule, string>();

/** The rule's canonical text (iptables-save syntax, `-A CHAIN` and counters left out). Cached per rule. */
export function canonicalRuleKey(rule: Rule): string {
  let k = keys.get(rule);
  if (k !== undefined) return k;
  const target = rule.target && rule.target.type !== 'unknown'
    ? { ...rule.target, options: normalOptions(rule.target.options, true) }
    : rule.target;
  k = printRuleArgs({ ...rule, base: normalOptions(rule.base, false), matches: canonicalMatches(rule.matches), target });
  keys.set(rule, k);
  return k;
}
