// Resolves the argument words of one rule (`-s 10.0.0.0/8 -p tcp -m tcp --dport 22 -j ACCEPT`) against the
// option registry into the typed base options, matches and target of the IR. Follows iptables' own
// command-line rules (iptables/xshared.c, command_default): options after `-m X` belong to X, the target's
// options to the target, `-p tcp --dport 22` loads the protocol's match implicitly, `!` negates the next
// option (and the old `--opt ! value` form is accepted with a warning). ebtables (ebtables(8)) loads modules by
// option name instead of `-m`.
import type { Family, Match, OptionEntry, Target } from '../ir/nodes';
import type { Span } from '../ir/span';
import { joinSpans } from '../ir/span';
import type { OptionValue } from '../ir/values';
import { wordsSpan, type ArgWord } from '../lex/words';
import {
  EB_BASE, EB_VERDICTS, VERDICTS, findEbModuleForOption, findMatchModule, findOptionSpec, findTargetSpec,
  MATCHES,
  type ModuleSpec, type OptionSpec, type TargetSpec,
} from '../registry';
import { ValueError } from '../registry/address';
import * as values from '../registry/value-types';
import type { DiagnosticSink } from './diagnostics';

export interface RuleParts {
  base: OptionEntry[];
  matches: Match[];
  target: Target | null;
  /** `-c packets bytes` inside the rule. */
  counters: { packets: bigint; bytes: bigint } | null;
}

const IP_BASE: readonly OptionSpec[] = [
  { key: 'source', names: ['-s', '--source', '--src'], value: values.address, negatable: true },
  { key: 'destination', names: ['-d', '--destination', '--dst'], value: values.address, negatable: true },
  { key: 'in-interface', names: ['-i', '--in-interface'], value: values.iface, negatable: true },
  { key: 'out-interface', names: ['-o', '--out-interface'], value: values.iface, negatable: true },
  { key: 'protocol', names: ['-p', '--protocol'], value: values.protocol, negatable: true },
  { key: 'fragment', names: ['-f', '--fragment'], value: values.flag, negatable: true },
];

export const BASE_SPECS = { ip: IP_BASE, bridge: EB_BASE };

const isOptionWord = (w: ArgWord) => !w.quoted && w.text.length > 1 && w.text.startsWith('-') && !/^-\d/.test(w.text);
const isBang = (w: ArgWord) => !w.quoted && w.text === '!';

/** Parses one option's value words with its value type, reporting bad values at their location. */
/**
 * Parsed values are immutable and repeat a lot (`tcp`, `0x4000/0x4000`, `RELATED,ESTABLISHED`): within one
 * parse, identical words of the same value type share one value object and one words array. This keeps a
 * 130k-rule snapshot's model several times smaller (the garbage collector's copying was the parse's main cost).
 */
const valueCache = new Map<ValueTypeRef, Map<string, { value: OptionValue; texts: string[] }>>();
type ValueTypeRef = OptionSpec['value'];
export function resetValueCache(): void {
  valueCache.clear();
}

function parseValue(spec: OptionSpec, words: ArgWord[], family: Family, sink: DiagnosticSink, optSpan: Span): { value: OptionValue; texts: string[] } {
  const key = words.length === 1 ? words[0]!.text : words.map((w) => w.text).join('\u0000');
  let byType = valueCache.get(spec.value);
  if (!byType) valueCache.set(spec.value, (byType = new Map()));
  const hit = byType.get(key);
  if (hit) return hit;
  const span = words.length ? wordsSpan(words[0]!, words[words.length - 1]!) : optSpan;
  const texts = words.map((w) => w.text);
  try {
    const value = spec.value.parse(texts, { family });
    const notes = values.takeWarnings();
    for (const w of notes) sink.warning('parse/value-note', `${spec.names[0]}: ${w}`, span);
    const entry = { value, texts };
    // Values that warned are not shared, so every occurrence gets its own warning.
    if (!notes.length) byType.set(key, entry);
    return entry;
  } catch (e) {
    values.takeWarnings();
    if (!(e instanceof ValueError)) throw e;
    const text = texts.join(' ');
    if (spec.value.addressLike && values.HOSTNAME_RE.test(text)) {
      sink.warning('parse/hostname', `${spec.names[0]} ${text}: a host name, which iptables resolves when the rule is loaded; chainsight cannot know the address and keeps it verbatim`, span,
        'write the address iptables-save would show instead of the name');
    } else if (values.PLACEHOLDER_RE.test(text)) {
      sink.warning('parse/placeholder', `${spec.names[0]} ${text}: an anonymised placeholder, not a real value; kept verbatim`, span);
    } else {
      sink.error('parse/bad-value', `${spec.names[0]}: ${e.message}`, span);
    }
    return { value: { type: 'raw', words: texts }, texts };
  }
}

export function parseRuleArgs(words: ArgWord[], family: Family, sink: DiagnosticSink): RuleParts {
  const parts: RuleParts = { base: [], matches: [], target: null, counters: null };
  const bridge = family === 'bridge';
  const baseSpecs = bridge ? EB_BASE : IP_BASE;
  let negation: ArgWord | null = null;
  /** The `!` that negated the option being read, so its span starts there. */
  let negationWord: ArgWord | null = null;
  let current: Match | null = null;
  let targetSpec: TargetSpec | null = null;
  let i = 0;

  const takeNegation = (spec: { negatable: boolean; names: readonly string[] } | null): boolean => {
    if (!negation) return false;
    if (spec && !spec.negatable) sink.error('parse/not-negatable', `${spec.names[0]} cannot be negated with '!'`, negation.span);
    negationWord = negation;
    negation = null;
    return true;
  };

  /** Reads `arity` value words after position i (the option), handling the old `--opt ! value` negation. */
  const readValues = (spec: OptionSpec, optWord: ArgWord): { words: ArgWord[]; lateNegation: boolean } => {
    let late = false;
    if (spec.value.arity > 0 && words[i + 1] && isBang(words[i + 1]!)) {
      late = true;
      sink.warning('parse/old-negation', `'${optWord.text} ! value' is the old negation syntax; write '! ${optWord.text} value'`, words[i + 1]!.span);
      i++;
    }
    const vals: ArgWord[] = [];
    for (let k = 0; k < spec.value.arity; k++) {
      const w = words[i + 1];
      // A missing first value: the next word is another option (isOptionWord already excludes `-1`).
      if (!w || (k === 0 && isOptionWord(w))) {
        sink.error('parse/missing-value', `${optWord.text} needs ${spec.value.arity === 1 ? 'a value' : `${spec.value.arity} values`}`, optWord.span);
        break;
      }
      vals.push(w);
      i++;
    }
    return { words: vals, lateNegation: late };
  };

  const makeEntry = (spec: OptionSpec, optWord: ArgWord, negated: boolean): OptionEntry => {
    const { words: vals, lateNegation } = readValues(spec, optWord);
    const span = wordsSpan(negated && negationWord ? negationWord : optWord, vals.length ? vals[vals.length - 1]! : optWord);
    negationWord = null;
    const parsed = vals.length === spec.value.arity
      ? parseValue(spec, vals, family, sink, optWord.span)
      : { value: { type: 'raw', words: vals.map((w) => w.text) } as OptionValue, texts: vals.map((w) => w.text) };
    return {
      kind: 'option',
      key: spec.key,
      // The registry's own string when it is the same spelling: short strings are copies otherwise.
      spelling: spec.names.find((nm) => nm === optWord.text) ?? optWord.text,
      negated: negated || lateNegation,
      known: true,
      value: parsed.value,
      words: parsed.texts,
      span,
      ...(vals.some((w) => w.quoted) ? { quoted: true } : {}),
    } as OptionEntry;
  };

  /** An option nobody knows: keep it verbatim with the words up to the next option. */
  const makeUnknown = (optWord: ArgWord, negated: boolean): OptionEntry => {
    const vals: ArgWord[] = [];
    while (words[i + 1] && !isOptionWord(words[i + 1]!) && !isBang(words[i + 1]!)) vals.push(words[++i]!);
    const span = wordsSpan(optWord, vals.length ? vals[vals.length - 1]! : optWord);
    return {
      kind: 'option', key: optWord.text, spelling: optWord.text, negated, known: false,
      value: { type: 'raw', words: vals.map((w) => w.text) }, words: vals.map((w) => w.text), span,
      ...(vals.some((w) => w.quoted) ? { quoted: true } : {}),
    } as OptionEntry;
  };

  const addToMatch = (m: Match, entry: OptionEntry) => {
    if (entry.known && m.options.some((o) => o.key === entry.key)) {
      sink.warning('parse/repeated-option', `${entry.spelling} is given twice in -m ${m.module}; the kernel keeps only one (iptables refuses this)`, entry.span);
    }
    m.options.push(entry);
    m.span = joinSpans(m.span, entry.span);
  };

  const newMatch = (module: string, spelling: string, spec: ModuleSpec | undefined, explicit: boolean, span: Span): Match => {
    const m: Match = { kind: 'match', module: spec?.name ?? module, spelling: spec?.name === spelling ? spec.name : spelling, known: !!spec, explicit, options: [], span };
    parts.matches.push(m);
    return m;
  };

  /** Places option word `w` (at index i) with its owner; false when nobody knows it. */
  const resolveOption = (w: ArgWord, prefix: boolean): boolean => {
    const text = w.text;
    const baseSpec = findOptionSpec(baseSpecs, text, prefix);
    if (baseSpec && !(targetSpec && findOptionSpec(targetSpec.options, text, false))) {
      const negated = takeNegation(baseSpec);
      const entry = makeEntry(baseSpec, w, negated);
      if (parts.base.some((b) => b.key === entry.key)) {
        sink.error('parse/repeated-option', `multiple ${baseSpec.names[0]} flags are not allowed`, entry.span);
      }
      parts.base.push(entry);
      return true;
    }
    // The target's own options come first (iptables asks the target before the matches).
    if (targetSpec) {
      const spec = findOptionSpec(targetSpec.options, text, prefix);
      if (spec) {
        const entry = makeEntry(spec, w, takeNegation(spec));
        parts.target!.options.push(entry);
        parts.target!.span = joinSpans(parts.target!.span, entry.span);
        return true;
      }
    }
    // Matches, most recent first.
    for (let k = parts.matches.length - 1; k >= 0; k--) {
      const m = parts.matches[k]!;
      if (!m.known) continue;
      const specs = bridge ? ebModuleOptions(m.module) : findMatchModule(family, m.module)?.options ?? [];
      const spec = findOptionSpec(specs, text, prefix);
      if (spec) {
        addToMatch(m, makeEntry(spec, w, takeNegation(spec)));
        return true;
      }
    }
    if (bridge) {
      const mod = findEbModuleForOption(text, prefix);
      if (mod) {
        const spec = findOptionSpec(mod.options, text, prefix)!;
        const m = newMatch(mod.name, mod.name, mod, false, w.span);
        addToMatch(m, makeEntry(spec, w, takeNegation(spec)));
        return true;
      }
      return false;
    }
    // Implicit protocol match: `-p tcp --dport 22` (iptables loads libxt_tcp for -p tcp).
    const proto = parts.base.find((b) => b.key === 'protocol');
    const protoNum = proto?.value.type === 'protocol' ? proto.value.number : -1;
    const implicit = MATCHES.find((m) => m.implicitForProtocols.includes(protoNum) && m.families.includes(family));
    const spec = implicit ? findOptionSpec(implicit.options, text, prefix) : undefined;
    if (implicit && spec) {
      const m = newMatch(implicit.name, implicit.name, implicit, false, w.span);
      addToMatch(m, makeEntry(spec, w, takeNegation(spec)));
      return true;
    }
    return false;
  };

  while (i < words.length) {
    const w = words[i]!;
    if (isBang(w)) {
      if (negation) sink.error('parse/double-negation', `'!' given twice`, w.span);
      negation = w;
      i++;
      continue;
    }
    if (!isOptionWord(w)) {
      sink.error('parse/unexpected-argument', `Bad argument '${w.text}': expected an option`, w.span,
        w.text.includes(' ') ? undefined : 'an unquoted value with spaces? quote it: --comment "a b c"');
      i++;
      continue;
    }
    const text = w.text;
    // -m / --match
    if (!bridge && (text === '-m' || text === '--match')) {
      if (negation) { sink.error('parse/misplaced-negation', `'!' cannot negate -m`, negation.span); negation = null; }
      const nameWord = words[i + 1];
      if (!nameWord || isOptionWord(nameWord)) {
        sink.error('parse/missing-value', `${text} needs a module name`, w.span);
        i++;
        continue;
      }
      const spec = findMatchModule(family, nameWord.text);
      if (!spec) {
        const other = findMatchModule(family === 'ipv4' ? 'ipv6' : 'ipv4', nameWord.text);
        sink.warning('parse/unknown-match', other
          ? `match module '${nameWord.text}' exists only for ${family === 'ipv4' ? 'IPv6' : 'IPv4'}; kept verbatim`
          : `unknown match module '${nameWord.text}'; kept verbatim, its options are not interpreted`, nameWord.span);
      }
      current = newMatch(nameWord.text, nameWord.text, spec, true, wordsSpan(w, nameWord));
      i += 2;
      continue;
    }
    // -j / -g
    if (text === '-j' || text === '--jump' || (!bridge && (text === '-g' || text === '--goto'))) {
      if (negation) { sink.error('parse/misplaced-negation', `'!' cannot negate ${text}`, negation.span); negation = null; }
      const nameWord = words[i + 1];
      if (!nameWord) {
        sink.error('parse/missing-value', `${text} needs a target`, w.span);
        i++;
        continue;
      }
      if (parts.target) sink.error('parse/repeated-target', `a rule has one target; '${nameWord.text}' follows '${parts.target.name}'`, nameWord.span);
      const name = nameWord.text;
      const spec = findTargetSpec(family, name) ?? null;
      const verdicts = bridge ? EB_VERDICTS : VERDICTS;
      targetSpec = spec;
      parts.target = {
        kind: 'target',
        name: spec?.name ?? name,
        type: verdicts.has(name) ? 'verdict' : spec ? 'extension' : 'chain',
        goto: text === '-g' || text === '--goto',
        options: [],
        span: wordsSpan(w, nameWord),
      };
      i += 2;
      continue;
    }
    // -c packets bytes (iptables-restore and ebtables-save -c)
    if (text === '-c' || text === '--set-counters') {
      const p = words[i + 1];
      const b = words[i + 2];
      if (p && b && /^\d+$/.test(p.text) && /^\d+$/.test(b.text)) {
        parts.counters = { packets: BigInt(p.text), bytes: BigInt(b.text) };
        i += 3;
      } else if (p && /^\[?\d+:\d+\]?$/.test(p.text)) {
        const [pk, by] = p.text.replace(/[[\]]/g, '').split(':');
        parts.counters = { packets: BigInt(pk!), bytes: BigInt(by!) };
        i += 2;
      } else {
        sink.error('parse/missing-value', `${text} needs two numbers (packets bytes)`, w.span);
        i++;
      }
      continue;
    }
    if (!bridge && (text === '-4' || text === '-6' || text === '--ipv4' || text === '--ipv6')) {
      const wants = text.includes('6') ? 'ipv6' : 'ipv4';
      if (wants !== family) sink.warning('parse/family-mismatch', `${text} rule in an ${family === 'ipv4' ? 'IPv4' : 'IPv6'} file: iptables-restore skips it`, w.span);
      i++;
      continue;
    }
    // Like getopt_long, an exact option name wins over an abbreviation of another (`--proto` of -m policy is
    // not `--protocol`): try every owner with exact names first, then with unambiguous prefixes.
    if (resolveOption(w, false) || resolveOption(w, true)) { i++; continue; }
    // Nobody knows the option: keep it verbatim where it stands.
    const negated = takeNegation(null);
    const entry = makeUnknown(w, negated);
    const holder = parts.target && parts.target.type !== 'extension' && parts.target.type !== 'verdict' ? parts.target
      : current && !current.known ? current : null;
    if (holder) {
      if (holder.kind === 'target') {
        holder.type = 'unknown';
        holder.options.push(entry);
        holder.span = joinSpans(holder.span, entry.span);
      } else {
        holder.options.push(entry);
        holder.span = joinSpans(holder.span, entry.span);
      }
    } else {
      const where = parts.target ? `target ${parts.target.name}` : current ? `-m ${current.module}` : 'this rule';
      sink.warning('parse/unknown-option', `unknown option '${text}' for ${where}; kept verbatim`, entry.span);
      // Kept in an opaque part of its own (module ''), so printing and re-reading put it back the same way.
      if (parts.target) { parts.target.options.push(entry); }
      else {
        const last = parts.matches[parts.matches.length - 1];
        if (last && last.module === '') { last.options.push(entry); last.span = joinSpans(last.span, entry.span); }
        else newMatch('', '', undefined, false, entry.span).options.push(entry);
      }
    }
    i++;
  }
  if (negation) sink.error('parse/dangling-negation', `'!' at the end of the rule negates nothing`, (negation as ArgWord).span);
  // Arrays filled with push() keep spare capacity; the model keeps exact-size copies (it is retained whole).
  parts.base = parts.base.slice();
  parts.matches = parts.matches.slice();
  for (const m of parts.matches) m.options = m.options.slice();
  if (parts.target) parts.target.options = parts.target.options.slice();
  // Opaque targets with options: say once that they were kept verbatim.
  if (parts.target?.type === 'unknown') {
    sink.warning('parse/unknown-target', `unknown target '${parts.target.name}' with options; kept verbatim`, parts.target.span);
  }
  return parts;
}

function ebModuleOptions(module: string): readonly OptionSpec[] {
  return findMatchModule('bridge', module)?.options ?? [];
}
