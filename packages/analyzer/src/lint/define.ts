// The rule framework's types and `defineRule` (typescript-eslint's createRule, ESLint's meta + create):
// a rule is a self-contained module with an id, a description, a default severity, its messages and the
// visitor it creates per lint run. `report()` is type-checked against the message ids, and each message's
// `{{placeholders}}` must be given in `data`. Rules detect; rendering (text, JSON, SARIF) happens elsewhere.
import type { Chain, Family, Rule, Severity, Snapshot, Span, Table } from '@chainsight/grammar';
import type { ChainGraph, TableGraph } from '../graph/types';

export type Messages = Record<string, string>;

/** The `{{name}}` placeholders of a message template, as a union of names. */
export type Placeholders<S extends string> = S extends `${string}{{${infer K}}}${infer Rest}` ? K | Placeholders<Rest> : never;

type DataFor<S extends string> = [Placeholders<S>] extends [never]
  ? { data?: Record<string, never> }
  : { data: { [K in Placeholders<S>]: string | number } };

/** Where a finding points: a rule or a chain, optionally narrowed to a span inside it (an option, the target). */
export interface Location {
  node: Rule | Chain;
  span?: Span;
}

export type RelatedDescriptor<M extends Messages> = {
  [K in keyof M & string]: Location & { messageId: K } & DataFor<M[K]>;
}[keyof M & string];

export type ReportDescriptor<M extends Messages> = {
  [K in keyof M & string]: Location & {
    messageId: K;
    /** Other places that explain the finding ("blocked by rule 4 here"). */
    related?: RelatedDescriptor<M>[];
    /** The most this finding can be: a configured `error` still reports it at this severity. */
    maxSeverity?: Severity;
  } & DataFor<M[K]>;
}[keyof M & string];

/** A report with its message data unchecked: what the linter receives from any rule. */
export interface UntypedReport extends Location {
  messageId: string;
  data?: Readonly<Record<string, string | number>>;
  related?: readonly (Location & { messageId: string; data?: Readonly<Record<string, string | number>> })[];
  maxSeverity?: Severity;
}

export interface LintSettings {
  /** Chain names (globs) other software creates or references by name (config `allowChains`). */
  isAllowedChain(name: string): boolean;
}

export interface RuleContext<M extends Messages, O> {
  id: string;
  snapshot: Snapshot;
  graph: ChainGraph;
  options: Readonly<O>;
  settings: LintSettings;
  report(descriptor: ReportDescriptor<M>): void;
}

/** Called while the linter walks the snapshot once: every table, then its chains, then each chain's rules. */
export interface RuleVisitor {
  table?(table: Table, graph: TableGraph): void;
  chain?(chain: Chain, graph: TableGraph): void;
  rule?(rule: Rule, chain: Chain, graph: TableGraph): void;
}

export interface RuleModule<M extends Messages = Messages, O extends object = object> {
  /** kebab-case; the diagnostic code is `lint/<id>`. */
  id: string;
  /** One sentence: what the rule finds. */
  description: string;
  /** Why it matters and what to do, for SARIF help and `--help`. */
  help: string;
  defaultSeverity: Severity;
  /** Message templates with `{{placeholders}}`. */
  messages: M;
  /** What to do about each message; same placeholders as the message. */
  hints?: Partial<Record<keyof M & string, string>>;
  defaultOptions: O;
  /** Families the rule applies to (default: all). */
  families?: readonly Family[];
  create(context: RuleContext<M, O>): RuleVisitor;
}

/** Any rule, whatever its messages and options (the registry's element type). */
export interface AnyRule {
  id: string;
  description: string;
  help: string;
  defaultSeverity: Severity;
  messages: Readonly<Record<string, string>>;
  hints?: Readonly<Partial<Record<string, string>>>;
  defaultOptions: object;
  families?: readonly Family[];
  /** Called by the linter with a context for this rule's own messages and options. */
  create(context: never): RuleVisitor;
}

const ID = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const placeholderNames = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]!);

export function defineRule<const M extends Messages, O extends object = Record<string, never>>(rule: RuleModule<M, O>): RuleModule<M, O> {
  if (!ID.test(rule.id)) throw new Error(`rule id '${rule.id}' is not kebab-case`);
  for (const [id, hint] of Object.entries(rule.hints ?? {}) as [string, string][]) {
    const message = rule.messages[id];
    if (message === undefined) throw new Error(`${rule.id}: hint for unknown message '${id}'`);
    const missing = placeholderNames(hint).filter((p) => !placeholderNames(message).includes(p));
    if (missing.length) throw new Error(`${rule.id}: hint '${id}' uses {{${missing.join('}}, {{')}}} which its message does not`);
  }
  return rule;
}

/** Fills `{{name}}` placeholders. */
export function interpolate(template: string, data: Readonly<Record<string, string | number>> | undefined): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => {
    const v = data?.[name];
    return v === undefined ? whole : String(v);
  });
}
