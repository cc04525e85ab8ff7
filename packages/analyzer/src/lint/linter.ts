// The linter: resolves the configuration, builds the chain graph once, walks the snapshot once calling every
// enabled rule's visitor, drops findings suppressed by rule comments, and turns findings into diagnostics
// (code `lint/<rule-id>`), sorted by position.
import type { Chain, Diagnostic, RelatedLocation, Rule, Severity, Snapshot, Span, Table } from '@chainsight/grammar';
import { buildChainGraph } from '../graph/build';
import type { ChainGraph } from '../graph/types';
import { RULES } from '../rules/index';
import { resolveConfig, type LintConfig, type ResolvedRule } from './config';
import { interpolate, type AnyRule, type Location, type RuleVisitor, type UntypedReport } from './define';
import { isSuppressed } from './suppress';

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

export function findingToDiagnostic(f: Finding, file: string): Diagnostic {
  const d: Diagnostic = { code: `lint/${f.ruleId}`, severity: f.severity, message: f.message, file, span: f.span };
  if (f.hint) d.hint = f.hint;
  if (f.related.length) d.related = f.related.map((r): RelatedLocation => ({ file, span: r.span, message: r.message }));
  return d;
}

/** Lints a snapshot: diagnostics with code `lint/<rule-id>`, sorted by position then code. */
export function lint(snapshot: Snapshot, config: LintConfig = {}, options: LintOptions = {}): Diagnostic[] {
  return collectFindings(snapshot, config, options)
    .map((f) => findingToDiagnostic(f, snapshot.fileName))
    .sort((a, b) => a.span.start.offset - b.span.start.offset || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
}
