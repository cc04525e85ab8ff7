// Text renderings of a DiffResult (pure: strings out; the CLI supplies colours). The default view reads like a
// unified diff grouped by table and chain, with file:line on both sides; `renderStat` is the one-screen summary.
// Changes explained by a service summary, and moves that cannot change behaviour, are folded unless `verbose`.
import type {
  Change, ChainAdded, ChainRef, ChainRemoved, ChainRenamed, ChangeKind, DiffResult, Reach, RuleMoved, RuleRef,
} from './types';

export interface TextStyle {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export interface TextOptions {
  style?: TextStyle;
  /** List explained changes, every move, every rule of added/removed chains. */
  verbose?: boolean;
}

const plain = (s: string) => s;
const PLAIN: TextStyle = { red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };

/** Moves per chain shown before the harmless ones are folded. */
const MOVES_SHOWN = 10;
/** Chains listed per table in "only in" sections before the rest are counted. */
const CHAINS_SHOWN = 40;

const plural = (n: number, one: string, many = one + 's') => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

function loc(file: string, span: { start: { line: number } } | null): string {
  return span ? `${file}:${span.start.line}` : file;
}

/** The rule as written, without a leading `[packets:bytes]`. */
export function ruleText(r: RuleRef): string {
  return r.text.replace(/^\[\d+:\d+\]\s+/, '');
}

function hooks(list: readonly string[] | null): string {
  if (list === null) return '—';
  return list.length ? list.join(', ') : 'no built-in chain';
}

export function reachText(r: Reach): string {
  if (r.before === null && r.after === null) return '';
  const same = r.before !== null && r.after !== null && r.before.join() === r.after.join();
  if (same || r.before === null || r.after === null) {
    const list = (r.after ?? r.before)!;
    return list.length ? `reached from ${list.join(', ')}` : 'not reached from any built-in chain';
  }
  return `reached from ${hooks(r.before)} → ${hooks(r.after)}`;
}

function endpointsText(list: readonly { address: string }[]): string {
  return list.length ? list.map((e) => e.address).join(', ') : '(none)';
}

/** Groups hash-named chains by family (`KUBE-SEP-*`) when a family has many members. */
function chainLines(refs: readonly ChainRef[], reach: ReadonlyMap<string, Reach>, st: TextStyle, verbose: boolean): string[] {
  const families = new Map<string, ChainRef[]>();
  for (const r of refs) {
    const m = /^(KUBE-(?:SVC|SVL|SEP|EXT|FW|XLB)-|cali-[a-z]+-)/.exec(r.chain);
    const key = m ? m[1]! + '*' : r.chain;
    const list = families.get(key);
    if (list) list.push(r); else families.set(key, [r]);
  }
  const out: string[] = [];
  for (const [family, list] of families) {
    if (!verbose && list.length > 5) {
      const rules = list.reduce((n, r) => n + r.rules, 0);
      out.push(`    ${st.bold(family)} ${st.dim(`×${list.length.toLocaleString('en-US')} (${plural(rules, 'rule')}; --verbose lists them)`)}`);
      continue;
    }
    for (const r of list) {
      const where = reach.get(`${r.file}\u0000${r.chain}`);
      const extra = [plural(r.rules, 'rule'), where ? reachText(where) : ''].filter(Boolean).join(', ');
      out.push(`    ${st.bold(r.chain)}  ${st.dim(`${loc(r.file, r.span)} · ${extra}`)}`);
    }
  }
  if (!verbose && out.length > CHAINS_SHOWN) return [...out.slice(0, CHAINS_SHOWN), st.dim(`    … ${out.length - CHAINS_SHOWN} more lines (--verbose)`)];
  return out;
}

function moveNote(c: RuleMoved): string {
  const past = `past ${plural(c.crossedCount, 'rule')}`;
  if (c.behaviour === 'unchanged') {
    return c.crossedCount ? `moved ${past}: cannot change behaviour (every crossed rule is disjoint from it or has the same effect)` : 'moved';
  }
  const first = c.crossed.find((x) => !x.sameEffect);
  const why = first ? `${first.overlap.verdict === 'overlap' ? 'overlaps' : 'may overlap'} ${loc(first.rule.file, first.rule.span)} ${ruleText(first.rule)} (${first.overlap.reason})` : c.note ?? '';
  return `moved ${past}: ${c.behaviour === 'may-change' ? 'can change behaviour' : 'cannot tell whether behaviour changes'} — ${why}`;
}

function ruleChangeLines(c: Change, st: TextStyle): string[] {
  const width = (r: RuleRef) => loc(r.file, r.span);
  const minus = (r: RuleRef) => st.red(`-${width(r)}  ${ruleText(r)}`);
  const plusL = (r: RuleRef) => st.green(`+${width(r)}  ${ruleText(r)}`);
  switch (c.kind) {
    case 'rule-removed': return [minus(c.before)];
    case 'rule-added': return [plusL(c.after)];
    case 'rule-modified':
      return [minus(c.before), plusL(c.after), ...c.options.map((o) => st.cyan(`    ${o.option}: ${o.before ?? '(absent)'} → ${o.after ?? '(absent)'}`))];
    case 'rule-moved': {
      const note = moveNote(c);
      const colour = c.behaviour === 'may-change' ? st.yellow : c.behaviour === 'unknown' ? st.yellow : st.dim;
      return [st.cyan(`↕${width(c.before)} → ${width(c.after)}  ${ruleText(c.after)}`), colour(`    ${note}`)];
    }
    case 'counters-changed': {
      const f = (x: { packets: bigint; bytes: bigint } | null) => (x ? `[${x.packets}:${x.bytes}]` : '[-]');
      const what = 'index' in c.after ? ruleText(c.after) : `chain ${c.after.chain}`;
      return [st.dim(`#${loc(c.before.file, c.before.span)} → ${loc(c.after.file, c.after.span)}  ${f(c.from)} → ${f(c.to)}  ${what}`)];
    }
    default: return [];
  }
}

export function renderText(result: DiffResult, options: TextOptions = {}): string {
  const st = options.style ?? PLAIN;
  const verbose = !!options.verbose;
  const lines: string[] = [st.bold(`--- ${result.before.file}`), st.bold(`+++ ${result.after.file}`)];
  if (result.identical) return [...lines, st.dim('no differences')].join('\n') + '\n';
  const byExplainer = new Map<number, Change[]>();
  for (const c of result.changes) if (c.explainedBy !== undefined) {
    const list = byExplainer.get(c.explainedBy);
    if (list) list.push(c); else byExplainer.set(c.explainedBy, [c]);
  }
  const shown = result.changes.filter((c) => verbose || c.explainedBy === undefined);
  const tables = [...new Set(result.changes.map((c) => c.table))];
  for (const table of tables) {
    const inTable = shown.filter((c) => c.table === table);
    const folded = result.changes.filter((c) => c.table === table).length - inTable.length;
    lines.push(st.bold(`*${table}`));
    const chainReach = new Map<string, Reach>();
    for (const c of inTable) {
      if (c.kind === 'chain-added') chainReach.set(`${c.after.file}\u0000${c.after.chain}`, c.reach);
      if (c.kind === 'chain-removed') chainReach.set(`${c.before.file}\u0000${c.before.chain}`, c.reach);
    }
    for (const c of inTable) {
      if (c.kind === 'table-added' || c.kind === 'table-removed') {
        const ref = c.kind === 'table-added' ? c.after : c.before;
        const where = c.kind === 'table-added' ? `only in ${result.after.file}` : `only in ${result.before.file}`;
        lines.push(`  table ${table} ${where} (${loc(ref.file, ref.span)}: ${plural(ref.chains, 'chain')}, ${plural(ref.rules, 'rule')})`);
        if (verbose) lines.push(...chainLines(c.chains, chainReach, st, verbose));
      }
      if (c.kind === 'service-endpoints' || c.kind === 'service-added' || c.kind === 'service-removed') {
        if (c.kind === 'service-endpoints') {
          lines.push(`  ${st.bold('service ' + c.service)}: endpoints ${endpointsText(c.before)} → ${endpointsText(c.after)}`);
          const delta = [...c.removed.map((e) => st.red('-' + e)), ...c.added.map((e) => st.green('+' + e))].join(' ');
          lines.push(`      ${delta}`);
          if (c.local && c.local.before.join() !== c.local.after.join()) {
            lines.push(`      local endpoints (externalTrafficPolicy: Local): ${c.local.before.join(', ') || '(none)'} → ${c.local.after.join(', ') || '(none)'}`);
          }
        } else if (c.kind === 'service-added') {
          lines.push(`  ${st.green(st.bold('service ' + c.service))} ${st.green(`only in ${result.after.file}`)}: endpoints ${endpointsText(c.after)}`);
        } else {
          lines.push(`  ${st.red(st.bold('service ' + c.service))} ${st.red(`only in ${result.before.file}`)}: endpoints ${endpointsText(c.before)}`);
        }
        const chains = [...new Set([...c.chains.before, ...c.chains.after])];
        const n = byExplainer.get(c.id)?.length ?? 0;
        const detail = [chains.join(', '), reachText(c.reach), n && !verbose ? `${plural(n, 'raw change')} folded (--verbose lists them)` : ''].filter(Boolean).join(' · ');
        if (detail) lines.push(st.dim(`      ${detail}`));
      }
    }
    const removed = inTable.filter((c): c is ChainRemoved => c.kind === 'chain-removed');
    const added = inTable.filter((c): c is ChainAdded => c.kind === 'chain-added');
    if (removed.length) {
      lines.push(`  ${st.red(`chains only in ${result.before.file}`)} (${removed.length.toLocaleString('en-US')}):`);
      lines.push(...chainLines(removed.map((c) => c.before), chainReach, st, verbose));
    }
    if (added.length) {
      lines.push(`  ${st.green(`chains only in ${result.after.file}`)} (${added.length.toLocaleString('en-US')}):`);
      lines.push(...chainLines(added.map((c) => c.after), chainReach, st, verbose));
    }
    const renamed = inTable.filter((c): c is ChainRenamed => c.kind === 'chain-renamed');
    if (renamed.length) {
      lines.push(`  renamed hash chains (${renamed.length.toLocaleString('en-US')}), paired by what they serve:`);
      const list = verbose ? renamed : renamed.slice(0, MOVES_SHOWN);
      for (const c of list) lines.push(`    ${c.before.chain} → ${c.after.chain}  ${st.dim(c.identity)}`);
      if (list.length < renamed.length) lines.push(st.dim(`    … ${renamed.length - list.length} more (--verbose)`));
    }
    if (verbose) {
      for (const c of [...removed, ...added]) {
        const rules = c.rules;
        if (!rules.length) continue;
        lines.push(st.dim(`  rules of ${c.chain}:`));
        for (const r of rules) lines.push(c.kind === 'chain-added' ? st.green(`+${loc(r.file, r.span)}  ${ruleText(r)}`) : st.red(`-${loc(r.file, r.span)}  ${ruleText(r)}`));
      }
    }
    // Chain sections: policy changes and rule changes of chains present on both sides, in order.
    const sections = new Map<string, Change[]>();
    for (const c of inTable) {
      if (c.chain === null || !(c.kind === 'policy-changed' || c.kind.startsWith('rule-') || c.kind === 'counters-changed')) continue;
      const list = sections.get(c.chain);
      if (list) list.push(c); else sections.set(c.chain, [c]);
    }
    for (const [chain, list] of sections) {
      const reach = reachText(list[0]!.reach);
      lines.push(st.cyan(`@@ ${chain}${reach ? ' · ' + reach : ''} @@`));
      let harmless = 0;
      let movesShown = 0;
      for (const c of list) {
        if (c.kind === 'policy-changed') {
          lines.push(st.yellow(`~${loc(c.before.file, c.before.span)} → ${loc(c.after.file, c.after.span)}  policy ${c.from ?? '-'} → ${c.to ?? '-'}`));
          continue;
        }
        if (c.kind === 'rule-moved' && !verbose && c.behaviour === 'unchanged' && movesShown >= MOVES_SHOWN) { harmless++; continue; }
        if (c.kind === 'rule-moved') movesShown++;
        lines.push(...ruleChangeLines(c, st));
      }
      if (harmless) lines.push(st.dim(`  … ${plural(harmless, 'more move')} that cannot change behaviour (--verbose lists them)`));
    }
    if (folded && !verbose) lines.push(st.dim(`  (${plural(folded, 'change')} in ${table} folded into the service changes; --verbose lists them)`));
  }
  return lines.join('\n') + '\n';
}

const KIND_LABEL: Record<ChangeKind, [string, string]> = {
  'table-added': ['table added', 'tables added'],
  'table-removed': ['table removed', 'tables removed'],
  'service-endpoints': ['service with new endpoints', 'services with new endpoints'],
  'service-added': ['service added', 'services added'],
  'service-removed': ['service removed', 'services removed'],
  'chain-added': ['chain added', 'chains added'],
  'chain-removed': ['chain removed', 'chains removed'],
  'chain-renamed': ['chain renamed', 'chains renamed'],
  'policy-changed': ['policy changed', 'policies changed'],
  'rule-added': ['rule added', 'rules added'],
  'rule-removed': ['rule removed', 'rules removed'],
  'rule-modified': ['rule modified', 'rules modified'],
  'rule-moved': ['rule moved', 'rules moved'],
  'counters-changed': ['counter change', 'counter changes'],
};

export function renderStat(result: DiffResult, options: TextOptions = {}): string {
  const st = options.style ?? PLAIN;
  const lines = [st.bold(`${result.before.file} → ${result.after.file}`)];
  if (result.identical) return [...lines, st.dim('  no differences')].join('\n') + '\n';
  const width = Math.max(...result.stats.map((s) => s.table.length));
  for (const s of result.stats) {
    const parts = (Object.keys(KIND_LABEL) as ChangeKind[])
      .filter((k) => s.counts[k])
      .map((k) => `${s.counts[k]!.toLocaleString('en-US')} ${KIND_LABEL[k][s.counts[k] === 1 ? 0 : 1]}`);
    const explained = s.explained ? st.dim(` (${s.explained.toLocaleString('en-US')} of them explained by service changes)`) : '';
    lines.push(`  ${st.bold(s.table.padEnd(width))}  ${parts.join(', ')}${explained}`);
  }
  const moves = result.changes.filter((c): c is RuleMoved => c.kind === 'rule-moved');
  const risky = moves.filter((m) => m.behaviour !== 'unchanged').length;
  if (moves.length) lines.push(`  moves: ${plural(risky, 'move')} can or may change behaviour, ${moves.length - risky} cannot`);
  lines.push(`  ${plural(result.changes.length, 'change')} in ${plural(result.stats.length, 'table')}`);
  return lines.join('\n') + '\n';
}
