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

/**
 * Parsed values are immutable and repeat a lot (`tcp`, `0x4000/0x4000`, `RELATED,ESTABLISHED`): within one
 * parse, identical words of the same value type share one value object and one words array, which keeps a
 * 130k-rule snapshot's model smaller (the garbage collector's copying is the parse's main cost). Looking a value
 * up costs hashing its text, so a value type whose values seldom repeat (comments, DNAT targets) stops being
 * cached once its first lookups show that: sharing would save less than the lookups and the cache's own entries
 * cost.
 */
interface TypeCache {
  values: Map<string, { value: OptionValue; texts: string[] }>;
  lookups: number;
  hits: number;
  off: boolean;
}
const valueCache = new Map<ValueTypeRef, TypeCache>();
type ValueTypeRef = OptionSpec['value'];
/** Lookups after which a value type's hit rate decides whether it stays cached, and the rate it needs. */
const TRIAL = 1000;
const MIN_HIT_RATE = 0.6;
export function resetValueCache(): void {
  valueCache.clear();
}

// Plain loops below: an arrow function per call was a measurable share of reading 130k rules. A value is the
// `count` words from `from` of the rule's words; no array is made for them until the model keeps one.
function texts(words: readonly ArgWord[], from = 0, count = words.length - from): string[] {
  const out = new Array<string>(count);
  for (let k = 0; k < count; k++) out[k] = words[from + k]!.text;
  return out;
}

function anyQuoted(words: readonly ArgWord[], from: number, count: number): boolean {
  for (let k = from; k < from + count; k++) if (words[k]!.quoted) return true;
  return false;
}

/** The registry's spelling when `text` is one of its names (one string shared by every rule), else `text`. */
function registryName(names: readonly string[], text: string): string {
  for (let k = 0; k < names.length; k++) if (names[k] === text) return names[k]!;
  return text;
}

/** Where a value's diagnostics point: its words, or the option when it has none. */
function valueSpan(words: readonly ArgWord[], from: number, count: number, optWord: ArgWord): Span {
  return count ? wordsSpan(words[from]!, words[from + count - 1]!) : optWord.span;
}

/** A parsed value with the words it was read from (the model keeps both; cached ones are shared). */
interface Parsed {
  value: OptionValue;
  texts: string[];
}

/** Parses one option's value words with its value type, reporting bad values at their location. */
function parseValue(spec: OptionSpec, words: readonly ArgWord[], from: number, count: number, family: Family, sink: DiagnosticSink, optWord: ArgWord): Parsed {
  let cache = valueCache.get(spec.value);
  if (!cache) valueCache.set(spec.value, (cache = { values: new Map(), lookups: 0, hits: 0, off: false }));
  let key: string | null = null;
  if (!cache.off) {
    key = count === 1 ? words[from]!.text : texts(words, from, count).join('\u0000');
    const hit = cache.values.get(key);
    cache.lookups++;
    if (hit) { cache.hits++; return hit; }
    if (cache.lookups === TRIAL && cache.hits < TRIAL * MIN_HIT_RATE) { cache.off = true; cache.values.clear(); key = null; }
  }
  const wordTexts = texts(words, from, count);
  try {
    const value = spec.value.parse(wordTexts, { family });
    const notes = values.takeWarnings();
    for (const w of notes) sink.warning('parse/value-note', `${spec.names[0]}: ${w}`, valueSpan(words, from, count, optWord));
    const entry = { value, texts: wordTexts };
    // Values that warned are not shared, so every occurrence gets its own warning.
    if (!notes.length && key !== null) cache.values.set(key, entry);
    return entry;
  } catch (e) {
    values.takeWarnings();
    if (!(e instanceof ValueError)) throw e;
    const span = valueSpan(words, from, count, optWord);
    const text = wordTexts.join(' ');
    if (spec.value.addressLike && values.HOSTNAME_RE.test(text)) {
      sink.warning('parse/hostname', `${spec.names[0]} ${text}: a host name, which iptables resolves when the rule is loaded; chainsight cannot know the address and keeps it verbatim`, span,
        'write the address iptables-save would show instead of the name');
    } else if (values.PLACEHOLDER_RE.test(text)) {
      sink.warning('parse/placeholder', `${spec.names[0]} ${text}: an anonymised placeholder, not a real value; kept verbatim`, span);
    } else {
      sink.error('parse/bad-value', `${spec.names[0]}: ${e.message}`, span);
    }
    return { value: { type: 'raw', words: wordTexts }, texts: wordTexts };
  }
}

export function parseRuleArgs(words: ArgWord[], family: Family, sink: DiagnosticSink): RuleParts {
  return new RuleArgsReader(words, family, sink).read();
}

/** The state of reading one rule's words; one object per rule (a 130k-rule file reads 130k of them). */
class RuleArgsReader {
  private readonly parts: RuleParts = { base: [], matches: [], target: null, counters: null };
  private readonly bridge: boolean;
  private readonly baseSpecs: readonly OptionSpec[];
  private negation: ArgWord | null = null;
  /** The `!` that negated the option being read, so its span starts there. */
  private negationWord: ArgWord | null = null;
  private current: Match | null = null;
  private targetSpec: TargetSpec | null = null;
  private i = 0;

  constructor(
    private readonly words: ArgWord[],
    private readonly family: Family,
    private readonly sink: DiagnosticSink,
  ) {
    this.bridge = family === 'bridge';
    this.baseSpecs = this.bridge ? EB_BASE : IP_BASE;
  }

  private takeNegation(spec: { negatable: boolean; names: readonly string[] } | null): boolean {
    const negation = this.negation;
    if (!negation) return false;
    if (spec && !spec.negatable) this.sink.error('parse/not-negatable', `${spec.names[0]} cannot be negated with '!'`, negation.span);
    this.negationWord = negation;
    this.negation = null;
    return true;
  }

  /** Set by readValues: the value was negated the old way (`--opt ! value`). */
  private lateNegation = false;
  /** Set by readValues: the index of the first value word. */
  private valuesFrom = 0;

  /**
   * Reads `arity` value words after position i (the option), handling the old `--opt ! value` negation; returns
   * how many there were (fewer when the rule ends or the next option comes first).
   */
  private readValues(spec: OptionSpec, optWord: ArgWord): number {
    const words = this.words;
    const arity = spec.value.arity;
    this.lateNegation = false;
    if (arity > 0 && words[this.i + 1] && isBang(words[this.i + 1]!)) {
      this.lateNegation = true;
      this.sink.warning('parse/old-negation', `'${optWord.text} ! value' is the old negation syntax; write '! ${optWord.text} value'`, words[this.i + 1]!.span);
      this.i++;
    }
    this.valuesFrom = this.i + 1;
    let count = 0;
    for (; count < arity; count++) {
      const w = words[this.i + 1];
      // A missing first value: the next word is another option (isOptionWord already excludes `-1`).
      if (!w || (count === 0 && isOptionWord(w))) {
        this.sink.error('parse/missing-value', `${optWord.text} needs ${arity === 1 ? 'a value' : `${arity} values`}`, optWord.span);
        break;
      }
      this.i++;
    }
    return count;
  }

  private makeEntry(spec: OptionSpec, optWord: ArgWord, negated: boolean): OptionEntry {
    const words = this.words;
    const count = this.readValues(spec, optWord);
    const from = this.valuesFrom;
    const span = wordsSpan(negated && this.negationWord ? this.negationWord : optWord, count ? words[from + count - 1]! : optWord);
    this.negationWord = null;
    let value: OptionValue;
    let wordTexts: string[];
    if (count === spec.value.arity) {
      const parsed = parseValue(spec, words, from, count, this.family, this.sink, optWord);
      value = parsed.value;
      wordTexts = parsed.texts;
    } else {
      wordTexts = texts(words, from, count);
      value = { type: 'raw', words: wordTexts };
    }
    // One literal with every field, `quoted` included: a field added later changes the object's shape and
    // costs a property store of its own for each of a model's half-million options.
    return {
      kind: 'option',
      key: spec.key,
      // The registry's own string when it is the same spelling: short strings are copies otherwise.
      spelling: registryName(spec.names, optWord.text),
      negated: negated || this.lateNegation,
      known: true,
      value,
      words: wordTexts,
      quoted: anyQuoted(words, from, count) ? true : undefined,
      span,
    };
  }

  /** An option nobody knows: keep it verbatim with the words up to the next option. */
  private makeUnknown(optWord: ArgWord, negated: boolean): OptionEntry {
    const words = this.words;
    const from = this.i + 1;
    while (words[this.i + 1] && !isOptionWord(words[this.i + 1]!) && !isBang(words[this.i + 1]!)) this.i++;
    const count = this.i + 1 - from;
    const span = wordsSpan(optWord, count ? words[from + count - 1]! : optWord);
    const wordTexts = texts(words, from, count);
    return {
      kind: 'option', key: optWord.text, spelling: optWord.text, negated, known: false,
      value: { type: 'raw', words: wordTexts }, words: wordTexts,
      quoted: anyQuoted(words, from, count) ? true : undefined, span,
    };
  }

  private addToMatch(m: Match, entry: OptionEntry): void {
    if (entry.known && m.options.some((o) => o.key === entry.key)) {
      this.sink.warning('parse/repeated-option', `${entry.spelling} is given twice in -m ${m.module}; the kernel keeps only one (iptables refuses this)`, entry.span);
    }
    m.options.push(entry);
  }

  private newMatch(module: string, spelling: string, spec: ModuleSpec | undefined, explicit: boolean, span: Span): Match {
    const m: Match = { kind: 'match', module: spec?.name ?? module, spelling: spec?.name === spelling ? spec.name : spelling, known: !!spec, explicit, options: [], span };
    this.parts.matches.push(m);
    return m;
  }

  /** Places option word `w` (at index i) with its owner; false when nobody knows it. */
  private resolveOption(w: ArgWord, prefix: boolean): boolean {
    const { parts, family, targetSpec } = this;
    const text = w.text;
    const baseSpec = findOptionSpec(this.baseSpecs, text, prefix);
    if (baseSpec && !(targetSpec && findOptionSpec(targetSpec.options, text, false))) {
      const negated = this.takeNegation(baseSpec);
      const entry = this.makeEntry(baseSpec, w, negated);
      if (parts.base.some((b) => b.key === entry.key)) {
        this.sink.error('parse/repeated-option', `multiple ${baseSpec.names[0]} flags are not allowed`, entry.span);
      }
      parts.base.push(entry);
      return true;
    }
    // The target's own options come first (iptables asks the target before the matches).
    if (targetSpec) {
      const spec = findOptionSpec(targetSpec.options, text, prefix);
      if (spec) {
        const entry = this.makeEntry(spec, w, this.takeNegation(spec));
        parts.target!.options.push(entry);
        return true;
      }
    }
    // Matches, most recent first.
    for (let k = parts.matches.length - 1; k >= 0; k--) {
      const m = parts.matches[k]!;
      if (!m.known) continue;
      const specs = this.bridge ? ebModuleOptions(m.module) : findMatchModule(family, m.module)?.options ?? [];
      const spec = findOptionSpec(specs, text, prefix);
      if (spec) {
        this.addToMatch(m, this.makeEntry(spec, w, this.takeNegation(spec)));
        return true;
      }
    }
    if (this.bridge) {
      const mod = findEbModuleForOption(text, prefix);
      if (mod) {
        const spec = findOptionSpec(mod.options, text, prefix)!;
        const m = this.newMatch(mod.name, mod.name, mod, false, w.span);
        this.addToMatch(m, this.makeEntry(spec, w, this.takeNegation(spec)));
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
      const m = this.newMatch(implicit.name, implicit.name, implicit, false, w.span);
      this.addToMatch(m, this.makeEntry(spec, w, this.takeNegation(spec)));
      return true;
    }
    return false;
  }

  /** `-m NAME` / `--match NAME`. */
  private readMatch(w: ArgWord): void {
    const { words, sink, family } = this;
    const text = w.text;
    if (this.negation) { sink.error('parse/misplaced-negation', `'!' cannot negate -m`, this.negation.span); this.negation = null; }
    const nameWord = words[this.i + 1];
    if (!nameWord || isOptionWord(nameWord)) {
      sink.error('parse/missing-value', `${text} needs a module name`, w.span);
      this.i++;
      return;
    }
    const spec = findMatchModule(family, nameWord.text);
    if (!spec) {
      const other = findMatchModule(family === 'ipv4' ? 'ipv6' : 'ipv4', nameWord.text);
      sink.warning('parse/unknown-match', other
        ? `match module '${nameWord.text}' exists only for ${family === 'ipv4' ? 'IPv6' : 'IPv4'}; kept verbatim`
        : `unknown match module '${nameWord.text}'; kept verbatim, its options are not interpreted`, nameWord.span);
    }
    this.current = this.newMatch(nameWord.text, nameWord.text, spec, true, wordsSpan(w, nameWord));
    this.i += 2;
  }

  /** `-j NAME` / `-g NAME`. */
  private readTarget(w: ArgWord): void {
    const { words, sink, parts } = this;
    const text = w.text;
    if (this.negation) { sink.error('parse/misplaced-negation', `'!' cannot negate ${text}`, this.negation.span); this.negation = null; }
    const nameWord = words[this.i + 1];
    if (!nameWord) {
      sink.error('parse/missing-value', `${text} needs a target`, w.span);
      this.i++;
      return;
    }
    if (parts.target) sink.error('parse/repeated-target', `a rule has one target; '${nameWord.text}' follows '${parts.target.name}'`, nameWord.span);
    const name = nameWord.text;
    const spec = findTargetSpec(this.family, name) ?? null;
    const verdicts = this.bridge ? EB_VERDICTS : VERDICTS;
    this.targetSpec = spec;
    parts.target = {
      kind: 'target',
      name: spec?.name ?? name,
      type: verdicts.has(name) ? 'verdict' : spec ? 'extension' : 'chain',
      goto: text === '-g' || text === '--goto',
      options: [],
      span: wordsSpan(w, nameWord),
    };
    this.i += 2;
  }

  /** `-c packets bytes` (iptables-restore and ebtables-save -c). */
  private readCounters(w: ArgWord): void {
    const p = this.words[this.i + 1];
    const b = this.words[this.i + 2];
    if (p && b && /^\d+$/.test(p.text) && /^\d+$/.test(b.text)) {
      this.parts.counters = { packets: BigInt(p.text), bytes: BigInt(b.text) };
      this.i += 3;
    } else if (p && /^\[?\d+:\d+\]?$/.test(p.text)) {
      const [pk, by] = p.text.replace(/[[\]]/g, '').split(':');
      this.parts.counters = { packets: BigInt(pk!), bytes: BigInt(by!) };
      this.i += 2;
    } else {
      this.sink.error('parse/missing-value', `${w.text} needs two numbers (packets bytes)`, w.span);
      this.i++;
    }
  }

  /** An option nobody knows: kept verbatim where it stands. */
  private keepUnknown(w: ArgWord): void {
    const { parts, current } = this;
    const entry = this.makeUnknown(w, this.takeNegation(null));
    const holder = parts.target && parts.target.type !== 'extension' && parts.target.type !== 'verdict' ? parts.target
      : current && !current.known ? current : null;
    if (holder) {
      if (holder.kind === 'target') holder.type = 'unknown';
      holder.options.push(entry);
      return;
    }
    const where = parts.target ? `target ${parts.target.name}` : current ? `-m ${current.module}` : 'this rule';
    this.sink.warning('parse/unknown-option', `unknown option '${w.text}' for ${where}; kept verbatim`, entry.span);
    // Kept in an opaque part of its own (module ''), so printing and re-reading put it back the same way.
    if (parts.target) { parts.target.options.push(entry); return; }
    const last = parts.matches[parts.matches.length - 1];
    if (last && last.module === '') last.options.push(entry);
    else this.newMatch('', '', undefined, false, entry.span).options.push(entry);
  }

  read(): RuleParts {
    const { words, sink, bridge, parts } = this;
    while (this.i < words.length) {
      const w = words[this.i]!;
      if (isBang(w)) {
        if (this.negation) sink.error('parse/double-negation', `'!' given twice`, w.span);
        this.negation = w;
        this.i++;
        continue;
      }
      if (!isOptionWord(w)) {
        sink.error('parse/unexpected-argument', `Bad argument '${w.text}': expected an option`, w.span,
          w.text.includes(' ') ? undefined : 'an unquoted value with spaces? quote it: --comment "a b c"');
        this.i++;
        continue;
      }
      const text = w.text;
      if (!bridge && (text === '-m' || text === '--match')) { this.readMatch(w); continue; }
      if (text === '-j' || text === '--jump' || (!bridge && (text === '-g' || text === '--goto'))) { this.readTarget(w); continue; }
      if (text === '-c' || text === '--set-counters') { this.readCounters(w); continue; }
      if (!bridge && (text === '-4' || text === '-6' || text === '--ipv4' || text === '--ipv6')) {
        const wants = text.includes('6') ? 'ipv6' : 'ipv4';
        if (wants !== this.family) sink.warning('parse/family-mismatch', `${text} rule in an ${this.family === 'ipv4' ? 'IPv4' : 'IPv6'} file: iptables-restore skips it`, w.span);
        this.i++;
        continue;
      }
      // Like getopt_long, an exact option name wins over an abbreviation of another (`--proto` of -m policy is
      // not `--protocol`): try every owner with exact names first, then with unambiguous prefixes.
      if (!this.resolveOption(w, false) && !this.resolveOption(w, true)) this.keepUnknown(w);
      this.i++;
    }
    if (this.negation) sink.error('parse/dangling-negation', `'!' at the end of the rule negates nothing`, this.negation.span);
    // Arrays filled with push() keep spare capacity; the model keeps exact-size copies (it is retained whole).
    // A match or target spans its options, which were added in the order written.
    parts.base = parts.base.slice();
    parts.matches = parts.matches.slice();
    for (const m of parts.matches) {
      if (m.options.length) m.span = joinSpans(m.span, m.options[m.options.length - 1]!.span);
      m.options = m.options.slice();
    }
    const target = parts.target;
    if (target) {
      if (target.options.length) target.span = joinSpans(target.span, target.options[target.options.length - 1]!.span);
      target.options = target.options.slice();
    }
    // Opaque targets with options: say once that they were kept verbatim.
    if (parts.target?.type === 'unknown') {
      sink.warning('parse/unknown-target', `unknown target '${parts.target.name}' with options; kept verbatim`, parts.target.span);
    }
    return parts;
  }
}

function ebModuleOptions(module: string): readonly OptionSpec[] {
  return findMatchModule('bridge', module)?.options ?? [];
}
