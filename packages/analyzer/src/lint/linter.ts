// The linter: resolves the configuration, builds the chain graph once, walks the snapshot once calling every
// enabled rule's visitor, drops findings suppressed by rule comments, and turns findings into diagnostics
// (code `lint/<rule-id>`), sorted by position. Suppression comments naming no rule are reported
// (`suppress/unknown-rule`), since a misspelt id would otherwise leave the finding it meant to silence.
import { spanOf, type Chain, type Diagnostic, type RelatedLocation, type Rule, type Severity, type Snapshot, type Span, type Table } from '@chainsight/grammar';
import { buildChainGraph } from '../graph/build';
import type { ChainGraph } from '../graph/types';
import { RULES } from '../rules/index';
import { resolveConfig, type LintConfig, type ResolvedRule } from './config';
import { interpolate, type AnyRule, type Location, type RuleVisitor, type UntypedReport } from './define';
import { nearestName } from './names';
import type { MergedRuleset } from './ruleset';
import { isSuppressed, suppressionDirectives } from './suppress';

/** One finding before rendering: which rule, which message, where. */
export interface Finding {
  ruleId: string;
  messageId: string;
  data: Record<string, string | number>;
  severity: Severity;
  message: string;
  hint: string | undefined;
  node: Rule | Chain;
  span: Span;
  related: { messageId: string; data: Record<string, string | number>; message: string; node: Rule | Chain; span: Span }[];
}

export interface LintOptions {
  /** The rules to run (default: every built-in rule). */
  rules?: readonly AnyRule[];
  /** A graph already built for this snapshot. */
  graph?: ChainGraph;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Runs the rules and returns the findings (unsuppressed), in report order. */
export function collectFindings(snapshot: Snapshot, config: LintConfig = {}, options: LintOptions = {}): Finding[] {
  const resolved = resolveConfig(config, options.rules ?? RULES);
  const graph = options.graph ?? buildChainGraph(snapshot);
  const tableOf = new Map<Chain, Table>();
  for (const t of snapshot.tables) for (const c of t.chains) tableOf.set(c, t);
  const spanOfNode = (node: Rule | Chain): Span =>
    node.kind === 'rule' ? node.span : node.span ?? node.rules[0]?.span ?? tableOf.get(node)!.span;

  const findings: Finding[] = [];
  const visitors: RuleVisitor[] = [];
  for (const r of resolved.rules) {
    if (r.rule.families && !r.rule.families.includes(snapshot.family)) continue;
    const context = {
      id: r.rule.id,
      snapshot,
      graph,
      options: r.options,
      settings: resolved.settings,
      report: (d: UntypedReport) => {
        const f = toFinding(r, d, spanOfNode);
        if (!(f.node.kind === 'rule' && isSuppressed(f.node, f.ruleId))) findings.push(f);
      },
    };
    // The rule's typed report() is this untyped one at run time (the types only check the rule's own calls).
    visitors.push(r.rule.create(context as never));
  }
  const withTable = visitors.filter((v) => v.table);
  const withChain = visitors.filter((v) => v.chain);
  const withRule = visitors.filter((v) => v.rule);
  graph.tables.forEach((tg) => {
    for (const v of withTable) v.table!(tg.table, tg);
    for (const chain of tg.table.chains) {
      for (const v of withChain) v.chain!(chain, tg);
      if (withRule.length) for (const rule of chain.rules) for (const v of withRule) v.rule!(rule, chain, tg);
    }
  });
  return findings;
}

function toFinding(r: ResolvedRule, d: UntypedReport, spanOfNode: (n: Rule | Chain) => Span): Finding {
  const rule = r.rule;
  const data = (d.data ?? {}) as Record<string, string | number>;
  const template = rule.messages[d.messageId];
  if (template === undefined) throw new Error(`rule ${rule.id} reported unknown message '${d.messageId}'`);
  const hint = rule.hints?.[d.messageId] as string | undefined;
  const severity = d.maxSeverity && RANK[d.maxSeverity] > RANK[r.severity] ? d.maxSeverity : r.severity;
  const where = (l: Location) => l.span ?? spanOfNode(l.node);
  return {
    ruleId: rule.id,
    messageId: d.messageId,
    data,
    severity,
    message: interpolate(template, data),
    hint: hint === undefined ? undefined : interpolate(hint, data),
    node: d.node,
    span: where(d),
    related: (d.related ?? []).map((x) => {
      const xd = (x.data ?? {}) as Record<string, string | number>;
      const related = rule.messages[x.messageId];
      if (related === undefined) throw new Error(`rule ${rule.id} reported unknown message '${x.messageId}'`);
      return { messageId: x.messageId, data: xd, message: interpolate(related, xd), node: x.node, span: where(x) };
    }),
  };
}

/** The file of a finding's nodes: one name, or the file each node was read from (a merged ruleset). */
export type FileOf = string | ((node: Rule | Chain) => string);

export function findingToDiagnostic(f: Finding, file: FileOf): Diagnostic {
  const at = typeof file === 'string' ? () => file : file;
  const d: Diagnostic = { code: `lint/${f.ruleId}`, severity: f.severity, message: f.message, file: at(f.node), span: f.span };
  if (f.hint) d.hint = f.hint;
  if (f.related.length) d.related = f.related.map((r): RelatedLocation => ({ file: at(r.node), span: r.span, message: r.message }));
  return d;
}

const byPosition = (a: Diagnostic, b: Diagnostic) =>
  (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) || a.span.start.offset - b.span.start.offset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/**
 * Lints a snapshot: diagnostics with code `lint/<rule-id>` and `suppress/unknown-rule`, sorted by file, position
 * then code.
 */
export function lint(snapshot: Snapshot, config: LintConfig = {}, options: LintOptions = {}): Diagnostic[] {
  return lintWith(snapshot, snapshot.fileName, config, options);
}

/** Lints files combined into one ruleset (ruleset.ts): each diagnostic names the file its rule came from. */
export function lintRuleset(ruleset: MergedRuleset, config: LintConfig = {}, options: LintOptions = {}): Diagnostic[] {
  return [...ruleset.diagnostics, ...lintWith(ruleset.snapshot, ruleset.fileOf, config, options)].sort(byPosition);
}

function lintWith(snapshot: Snapshot, file: FileOf, config: LintConfig, options: LintOptions): Diagnostic[] {
  const known = new Set([...RULES, ...(options.rules ?? [])].map((r) => r.id));
  return [
    ...collectFindings(snapshot, config, options).map((f) => findingToDiagnostic(f, file)),
    ...unknownSuppressions(snapshot, known, file),
  ].sort(byPosition);
}

/** `chainsight-disable` comments that name no lint rule: a warning at the misspelt id, with the nearest id. */
export function unknownSuppressions(snapshot: Snapshot, known: ReadonlySet<string>, file: FileOf): Diagnostic[] {
  const at = typeof file === 'string' ? () => file : file;
  const out: Diagnostic[] = [];
  for (const t of snapshot.tables) {
    for (const c of t.chains) {
      for (const r of c.rules) {
        if (!r.comment?.includes('chainsight-disable')) continue;
        for (const d of suppressionDirectives(r.comment)) {
          for (const x of d.ids) {
            if (known.has(x.id)) continue;
            const near = nearestName(x.id, known);
            out.push({
              code: 'suppress/unknown-rule', severity: 'warning', file: at(r), span: wordSpan(r, x.written),
              message: `chainsight-disable names no lint rule '${x.written}'${near ? ` (did you mean '${near}'?)` : ''}: it suppresses nothing`,
              hint: "the rule ids are listed by 'chainsight lint --list-rules'; a reason goes after ' -- '",
            });
          }
        }
      }
    }
  }
  return out;
}

/**
 * Where `word` is written in the rule's comment: its own span when the comment option is on one line and
 * holds the word as written, else the comment option, else the rule.
 */
function wordSpan(rule: Rule, word: string): Span {
  for (const m of rule.matches) {
    for (const o of m.options) {
      if (o.key !== 'comment' || !o.words.some((w) => w.includes(word))) continue;
      const base = rule.span.start.offset;
      const s = o.span.start;
      const source = rule.raw.slice(s.offset - base, o.span.end.offset - base);
      const k = source.indexOf(word, source.indexOf('chainsight-disable'));
      if (k < 0 || o.span.end.line !== s.line || source.length !== o.span.end.offset - s.offset) return o.span;
      return spanOf(s.line, s.column + k, s.offset + k, word.length);
    }
  }
  return rule.span;
}
