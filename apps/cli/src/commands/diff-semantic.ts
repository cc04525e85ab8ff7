// `chainsight diff --semantic OLD NEW`: the packets whose outcome differs between two snapshots, per table and
// built-in chain (packet-set's compareSnapshots), as regions with a witness each; `--explain N` traces region N's
// witness through both snapshots (chainsight trace's simulator). Exit codes: 0 no packet changes fate (whatever
// the rule-level changes), 1 some packet does, 2 errors.
import { formatIp, visibleText, type Snapshot } from '@chainsight/grammar';
import type { DiffResult } from '@chainsight/diff';
import { CompareError, compareSnapshots, type Comparison, type OutcomeRegion, type SideOutcome } from '@chainsight/packet-set';
import { PacketError, compileRuleset, renderText as renderTrace, toTraceJson, trace, type TraceResult } from '@chainsight/trace';
import { UsageError } from '../args';
import { EXIT } from '../command';
import type { Colors } from '../color';
import type { CliIo } from '../io';
import { toJson } from '../json';
import type { SemanticJson } from '@chainsight/report';
import { describeWitness } from './query';
import { preferredWitness, specOf } from './query-witness';

export interface SemanticInput {
  io: CliIo;
  colors: Colors;
  before: Snapshot;
  after: Snapshot;
  /** The rule-level diff of the same pair (its change count is quoted when no packet changes). */
  rules: DiffResult;
  format: string;
  /** `--explain N` as given, or undefined. */
  explain: string | undefined;
  /** --semantic was given (--explain alone is refused). */
  semantic: boolean;
  /** For --format html: the page writer, the command line, the inputs' text by file name. */
  data?: (text: string) => void;
  argv?: readonly string[];
  sources?: Map<string, string>;
}

/** Regions whose witness the HTML page traces through both sides (each is two traces). */
const HTML_TRACED = 20;

/** Regions numbered across every table and hook, in output order (what --explain N counts). */
function numbered(c: Comparison): { table: string; hook: string; region: OutcomeRegion }[] {
  return c.changes.flatMap((h) => h.regions.map((region) => ({ table: h.table, hook: h.hook, region })));
}

export async function runSemanticDiff(input: SemanticInput): Promise<number> {
  const { io, colors: c, before, after, format } = input;
  if (!input.semantic) throw new UsageError('--explain N explains a region of --semantic: give both');
  if (format !== 'text' && format !== 'json' && format !== 'html') throw new UsageError(`--semantic writes text, json or html (got --format ${format})`);
  let explain: number | null = null;
  if (input.explain !== undefined) {
    if (!/^[1-9]\d{0,5}$/.test(input.explain)) throw new UsageError(`--explain takes a region number, 1 or more (got '${input.explain}')`);
    explain = Number(input.explain);
  }
  let cmp: Comparison;
  try {
    cmp = compareSnapshots(before, after, { prefer: preferredWitness });
  } catch (e) {
    if (e instanceof CompareError) { io.stderr(`${c.red('error')}: ${e.message}\n`); return EXIT.error; }
    throw e;
  }
  const list = numbered(cmp);
  if (explain !== null && explain > list.length) throw new UsageError(`--explain ${explain}: there ${list.length === 1 ? 'is 1 region' : `are ${list.length} regions`}`);
  const ruleChanges = input.rules.changes.length;
  const traces = explain !== null ? explainRegion(before, after, list[explain - 1]!.region) : null;
  if (format === 'html') {
    // The page shows every region's witness traced through both sides (the first HTML_TRACED of them).
    const traced = new Map(list.slice(0, HTML_TRACED).map((x, i) => {
      const t = explainRegion(before, after, x.region);
      const doc = (r: TraceResult | string) => (typeof r === 'string' ? r : toTraceJson(r));
      return [i + 1, { before: doc(t.before), after: doc(t.after) }] as const;
    }));
    const sem = JSON.parse(toJson(semanticJson(cmp, before, after, ruleChanges, null, null))) as SemanticJson;
    input.data!((await import('./diff-html')).diffHtml(toJson(input.rules), input.argv ?? [], { doc: sem, traces: traced, ...(input.sources ? { sources: input.sources } : {}) }));
  } else if (format === 'json') io.stdout(toJson(semanticJson(cmp, before, after, ruleChanges, explain, traces)) + '\n');
  else io.stdout(renderSemantic(cmp, before, after, ruleChanges, c) + (traces && explain !== null ? renderExplain(explain, list[explain - 1]!, traces, before, after, c) : ''));
  if (cmp.changes.length) return EXIT.findings;
  // A chain whose walk stopped at the engine's memory bound was not compared: "no change" cannot be claimed.
  if (cmp.stopped.length) {
    io.stderr(`${c.red('error')}: not compared (the engine's memory bound): ${cmp.stopped.join('; ')}\n`);
    return EXIT.error;
  }
  return EXIT.ok;
}

/** Unknowns listed per region in text (kube-proxy's session affinity makes a region depend on a dozen). */
const UNKNOWNS_SHOWN = 3;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function who(s: SideOutcome): string {
  // No packet ends the chain in the region's state on this side: rules on the way rewrite marks (or TOS, TTL,
  // conntrack state), and the sets describe packets as they end the chain.
  if (s.outcome === 'none') return 'no packet ends the chain in this state here: rules on the way rewrite it';
  if (!s.by.length) return 'rule not identified';
  return s.by.map((d) => (d.rule === null ? (d.text === 'no table' ? `no table ${d.table}` : `${d.table} ${d.chain} policy`) : `${d.table} ${d.chain} rule ${d.rule}, ${d.file}:${d.line}${d.comment ? `, "${visibleText(d.comment)}"` : ''}`)).join('; ');
}

function fieldsText(r: OutcomeRegion): string {
  return r.fields.length ? r.fields.map((f) => `${f.field}=${f.text}`).join(' ') : 'every packet';
}

export function renderSemantic(cmp: Comparison, before: Snapshot, after: Snapshot, ruleChanges: number, c: Colors): string {
  const out: string[] = [];
  if (!cmp.changes.length) {
    const where = cmp.stopped.length ? 'in the chains compared (some were not: see Assumed)' : 'in any chain';
    out.push(`${ruleChanges ? plural(ruleChanges, 'rule change') : 'no rule changes'}; ${c.bold(`no packet's outcome changes ${where}`)}`);
  } else {
    out.push(c.bold(`${before.fileName} → ${after.fileName}: packets whose outcome changes (${plural(ruleChanges, 'rule change')})`));
    let n = 0;
    for (const h of cmp.changes) {
      out.push('');
      out.push(c.bold(`${h.table} ${h.hook}: ${h.total} packets${h.truncated ? `; ${plural(h.regions.length, 'region')} shown, more exist` : ''}`));
      for (const r of h.regions) {
        n++;
        out.push(`  ${n}. ${fieldsText(r)}  (${r.count} packets)`);
        out.push(`     was ${c.red(r.before.outcome)} (${who(r.before)})`);
        out.push(`     now ${c.green(r.after.outcome)} (${who(r.after)})`);
        out.push(`     witness: ${describeWitness(r.witness, cmp.family)}`);
        // Random draws (kube-proxy's endpoint choice): every outcome of the witness with its share, on each side.
        const shares = (s: SideOutcome) => s.chances!.map((x) => `${x.outcome} ${Math.round(x.chance * 1000) / 1000}`).join(', ');
        if (r.before.chances && r.after.chances) out.push(`     shares: was ${shares(r.before)}; now ${shares(r.after)}`);
        if (r.unknowns.length) {
          const events = r.unknowns.every((u) => u.event);
          const chance = r.chance !== null ? ` (chance ${Math.round(r.chance * 1000) / 1000})` : '';
          const shown = r.unknowns.slice(0, UNKNOWNS_SHOWN).map((u) => `${u.text} (${u.where}) ${u.holds ? 'matches' : 'does not match'}`);
          if (r.unknowns.length > UNKNOWNS_SHOWN) shown.push(`${r.unknowns.length - UNKNOWNS_SHOWN} more (--format json lists them)`);
          out.push(`     ${c.yellow(events ? 'depends on random draws/rate limits' : 'depends on unknown matches')}: when ${shown.join(' and ')}${chance}`);
        }
      }
    }
  }
  const byTable = new Map<string, string[]>();
  for (const x of cmp.compared) byTable.set(x.table, [...(byTable.get(x.table) ?? []), x.hook]);
  out.push('');
  out.push(`Compared: ${[...byTable].map(([t, hs]) => `${t} ${hs.join(', ')}`).join('; ') || 'nothing (no table in either snapshot)'}`);
  out.push(`Not covered: ${cmp.scope[0]}`);
  for (const s of cmp.scope.slice(1)) out.push(`Assumed: ${s}`);
  for (const note of cmp.notes) out.push(`Inferred: ${note}`);
  return out.join('\n') + '\n';
}

interface Traced {
  before: TraceResult | string;
  after: TraceResult | string;
}

/** The witness traced through each snapshot alone (rules only: no host facts). */
function explainRegion(before: Snapshot, after: Snapshot, r: OutcomeRegion): Traced {
  const spec = specOf(r.witness, before.family);
  const run = (s: Snapshot): TraceResult | string => {
    if (!spec) return 'not traced: the witness is a reply, which trace starts from its connection';
    try {
      return trace(compileRuleset([s], null), spec, {});
    } catch (e) {
      if (e instanceof PacketError) return `not traced: ${e.message}`;
      throw e;
    }
  };
  return { before: run(before), after: run(after) };
}

function renderExplain(n: number, x: { table: string; hook: string; region: OutcomeRegion }, t: Traced, before: Snapshot, after: Snapshot, c: Colors): string {
  const out = ['', c.bold(`Region ${n} (${x.table} ${x.hook}): the witness traced through each snapshot (the whole path, rules only; the region is about ${x.table} ${x.hook})`)];
  for (const [label, s, r] of [['OLD', before, t.before], ['NEW', after, t.after]] as const) {
    out.push('', c.bold(`${label} ${s.fileName}:`));
    out.push(typeof r === 'string' ? r : renderTrace(r, { style: c }).trimEnd());
  }
  return out.join('\n') + '\n';
}

/** `--format json`: schema chainsight.diff-semantic/1 (docs/semantic-diff.md). */
export function semanticJson(cmp: Comparison, before: Snapshot, after: Snapshot, ruleChanges: number, explain: number | null, traces: Traced | null) {
  const v = cmp.family === 'ipv6' ? 6 : 4;
  let n = 0;
  return {
    schema: 'chainsight.diff-semantic/1' as const,
    before: { file: before.fileName },
    after: { file: after.fileName },
    family: cmp.family,
    rule_changes: ruleChanges,
    identical: cmp.changes.length === 0 && cmp.stopped.length === 0,
    stopped: cmp.stopped,
    compared: cmp.compared,
    changes: cmp.changes.map((h) => ({
      table: h.table, hook: h.hook, total: h.total, truncated: h.truncated, rewrites: h.rewrites,
      regions: h.regions.map((r) => ({
        index: ++n,
        fields: r.fields,
        count: r.count,
        before: r.before,
        after: r.after,
        witness: { ...r.witness, src: formatIp(v, r.witness.src), dst: formatIp(v, r.witness.dst), oracles: undefined },
        unknowns: r.unknowns,
        chance: r.chance,
      })),
    })),
    scope: cmp.scope,
    notes: cmp.notes,
    ...(explain !== null && traces ? {
      explain: {
        region: explain,
        before: typeof traces.before === 'string' ? { error: traces.before } : toTraceJson(traces.before),
        after: typeof traces.after === 'string' ? { error: traces.after } : toTraceJson(traces.after),
      },
    } : {}),
  };
}
