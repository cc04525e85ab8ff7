// `chainsight query FILE QUESTION [constraints]`: a question about every packet at once (packet-set engine),
// answered as regions with witnesses, each witness traced concretely as a check.
import { formatIp, parseIp, parseSnapshot, type Rule, type Snapshot } from '@chainsight/grammar';
import { protocolLabel } from '@chainsight/trace';
import { QueryError, WalkBudgetError, querySnapshot, regionsOf, type ConcretePacket, type QueryAnswer, type QueryGoal, type Regions } from '@chainsight/packet-set';
import { UsageError, choice, optionValue, parseArgs, type ParsedArgs } from '../args';
import { EXIT, type Command } from '../command';
import type { Colors } from '../color';
import { toJson } from '../json';
import { counts, InputError, loadRulesets, oneRuleset, renderDiagnostics } from '../load';
import { QUERY_HELP } from '../messages/query';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';
import { preferredWitness, witnessTrace, type WitnessCheck } from './query-witness';

const V = { value: true } as const;
const OPTIONS = {
  ...INPUT_OPTION_DEFS,
  hits: V, reaches: V, verdict: V, masquerade: {}, 'dnat-to': V,
  hook: { value: true, repeat: true },
  in: V, out: V, proto: V, src: V, dst: V, sport: V, dport: V, state: V, mark: V,
  format: V, regions: V, 'no-trace': {},
};

const QUESTIONS = ['hits', 'reaches', 'verdict', 'masquerade', 'dnat-to'] as const;

interface Question {
  goal: QueryGoal;
  /** The table the question names or implies, or null when the chain decides it. */
  table: string | null;
  chain: string | null;
  text: string;
}

function questionOf(args: ParsedArgs, family: Snapshot['family']): Question {
  const given = QUESTIONS.filter((q) => (q === 'masquerade' ? args.flags.has(q) : args.options.has(q)));
  if (given.length !== 1) throw new UsageError(given.length ? `one question at a time (got ${given.map((q) => `--${q}`).join(', ')})` : 'no question: give --hits, --reaches, --verdict, --masquerade or --dnat-to');
  const q = given[0]!;
  if (q === 'masquerade') return { goal: { kind: 'masquerade' }, table: 'nat', chain: null, text: 'the packets a MASQUERADE rule takes' };
  const v = optionValue(args, q)!;
  if (q === 'verdict') return { goal: { kind: 'verdict', verdict: v }, table: 'filter', chain: null, text: `the packets the built-in chains end with ${v}` };
  if (q === 'dnat-to') {
    const ip = parseIp(v, family === 'ipv6' ? 6 : 4);
    if (ip === null) throw new UsageError(`--dnat-to needs an ${family === 'ipv6' ? 'IPv6' : 'IPv4'} address (got '${v}')`);
    return { goal: { kind: 'dnat', to: ip }, table: 'nat', chain: null, text: `the packets a DNAT rule sends to ${v}` };
  }
  const m = /^(.+):([1-9]\d*)$/.exec(v);
  if (!m) throw new UsageError(`--${q} takes CHAIN:N, the rule's chain and its 1-based position (got '${v}')`);
  const index = Number(m[2]);
  return {
    goal: { kind: 'rule', chain: m[1]!, index, reach: q === 'reaches' }, table: null, chain: m[1]!,
    text: q === 'reaches' ? `the packets that reach rule ${index} of ${m[1]}` : `the packets rule ${index} of ${m[1]} matches`,
  };
}

/**
 * The constraint options as an iptables rule, parsed by the grammar and given its meaning by the same match
 * semantics as every rule (so `--in eth+` is a prefix and `--dport` needs a protocol, as in iptables).
 */
function constraintOf(args: ParsedArgs, family: Snapshot['family']): { rule: Rule | null; text: string; devices: string[] } {
  const words: string[] = [];
  const devices: string[] = [];
  const opt = (name: string) => optionValue(args, name);
  const dev = (name: string, flag: string) => {
    const v = opt(name);
    if (v === undefined) return;
    words.push(flag, v);
    if (!v.endsWith('+')) devices.push(v);
  };
  dev('in', '-i');
  dev('out', '-o');
  const proto = opt('proto');
  if (proto !== undefined) words.push('-p', proto);
  if (opt('src') !== undefined) words.push('-s', opt('src')!);
  if (opt('dst') !== undefined) words.push('-d', opt('dst')!);
  if (opt('sport') !== undefined || opt('dport') !== undefined) {
    if (proto === undefined) throw new UsageError('--sport and --dport need --proto (tcp, udp, sctp, dccp or udplite)');
    words.push('-m', proto);
    if (opt('sport') !== undefined) words.push('--sport', opt('sport')!);
    if (opt('dport') !== undefined) words.push('--dport', opt('dport')!);
  }
  if (opt('state') !== undefined) words.push('-m', 'conntrack', '--ctstate', opt('state')!);
  if (opt('mark') !== undefined) words.push('-m', 'mark', '--mark', opt('mark')!);
  if (!words.length) return { rule: null, text: '', devices };
  const text = words.map((w) => (/^[\w.:/+,!-]+$/.test(w) ? w : JSON.stringify(w))).join(' ');
  const chain = family === 'bridge' ? 'FORWARD' : 'INPUT';
  const parsed = parseSnapshot(`*filter\n:${chain} ACCEPT [0:0]\n-A ${chain} ${text}\nCOMMIT\n`, { fileName: 'constraint', family });
  const errors = parsed.diagnostics.filter((d) => d.severity === 'error');
  if (errors.length) throw new UsageError(`the packet constraints (${text}): ${errors.map((d) => d.message).join('; ')}`);
  return { rule: parsed.snapshot.tables[0]!.chains[0]!.rules[0]!, text, devices };
}

function tableFor(q: Question, snapshot: Snapshot, given: string | undefined): string {
  if (given !== undefined) return given;
  if (q.table !== null) return q.table;
  const holders = snapshot.tables.filter((t) => t.chains.some((c) => c.name === q.chain));
  if (holders.length === 1) return holders[0]!.name;
  if (!holders.length) throw new UsageError(`${snapshot.fileName} has no chain ${q.chain} in any table`);
  throw new UsageError(`chain ${q.chain} is in tables ${holders.map((t) => t.name).join(' and ')}: pick one with --table`);
}

interface Shown {
  regions: Regions;
  checks: (WitnessCheck | null)[];
}

function renderText(a: QueryAnswer, q: Question, table: string, constraint: string, shown: Shown, c: Colors, fileName: string): string {
  const out: string[] = [];
  const rule = q.goal.kind === 'rule' ? a.rules[0] : undefined;
  out.push(`${c.bold(`${q.text} in table ${table}`)}${rule ? ` (${fileName}:${rule.span.start.line})` : ''}`);
  out.push(`  entering: ${a.hooks.join(', ')}${constraint ? `; packets known to be: ${constraint}` : ''}`);
  const { regions, total, truncated } = shown.regions;
  if (!regions.length) {
    out.push(`  ${c.bold('no packet')}${a.unknowns.length ? ', for any outcome of the unknown matches' : ''}`);
  } else {
    out.push(`  ${approx(total)} packets${truncated ? `; the ${regions.length} largest regions` : `, in ${regions.length} region${regions.length === 1 ? '' : 's'}`}:`);
    for (const [i, r] of regions.entries()) {
      const fields = r.fields.length ? r.fields.map((f) => `${f.field}=${f.text}`).join(' ') : 'any packet';
      out.push(`  ${i + 1}. ${fields}  (${approx(r.count)} packets)`);
      out.push(`     witness: ${describeWitness(r.witness, a.space.family)}`);
      const check = shown.checks[i];
      if (check) out.push(`     trace:   ${check.summary}${check.confirms === null ? '' : check.confirms ? `  ${c.green('✓')} ${check.what}` : `  ${c.yellow('✗')} ${check.what}`}`);
    }
  }
  const used = a.unknowns;
  if (used.length) {
    out.push('  Unknowns (a packet is in the answer when some outcome of them puts it there):');
    for (const u of used.slice(0, 10)) out.push(`    ${u.text} at ${u.where}: ${u.reason}`);
    if (used.length > 10) out.push(`    and ${used.length - 10} more`);
  }
  out.push(`  Scope: ${a.scope.join('; ')}`);
  return out.join('\n') + '\n';
}

/** A count as a reader takes it in: exact up to a trillion, then a power of two. */
function approx(count: string): string {
  const n = BigInt(count);
  if (n < 1_000_000_000_000n) return count;
  return `about 2^${n.toString(2).length - 1}`;
}

export function describeWitness(w: ConcretePacket, family: Snapshot['family']): string {
  const v = family === 'ipv6' ? 6 : 4;
  // An IPv6 address with a port is bracketed ([2001:db8::1]:40000), as in URLs (RFC 3986), or the port reads as
  // part of the address.
  const at = (a: bigint, port: number | null) => (port === null ? formatIp(v, a) : v === 6 ? `[${formatIp(v, a)}]:${port}` : `${formatIp(v, a)}:${port}`);
  const ports = `${at(w.src, w.sport)} -> ${at(w.dst, w.dport)}`;
  const proto = protocolLabel(w.proto);
  const bits = [
    `${proto} ${ports}`,
    w.icmpType !== null ? `type ${w.icmpType}/${w.icmpCode}` : '',
    w.in ? `in ${w.in}` : '',
    w.out ? `out ${w.out}` : '',
    w.ctState + (w.ctDir === 'REPLY' ? ' reply' : ''),
    w.mark ? `mark 0x${w.mark.toString(16)}` : '',
    w.fragment ? 'later fragment' : '',
  ];
  return bits.filter(Boolean).join(' ');
}

function toJsonDoc(a: QueryAnswer, q: Question, table: string, constraint: string, shown: Shown, fileName: string) {
  const v = a.space.family === 'ipv6' ? 6 : 4;
  return {
    schema: 'chainsight.query/1' as const,
    question: q.text,
    table,
    hooks: a.hooks,
    constraint: constraint || null,
    rules: a.rules.map((r) => ({ table: r.table, chain: r.chain, index: r.index, file: fileName, line: r.span.start.line })),
    empty: shown.regions.regions.length === 0,
    total: shown.regions.total,
    truncated: shown.regions.truncated,
    regions: shown.regions.regions.map((r, i) => ({
      fields: r.fields,
      count: r.count,
      witness: {
        ...r.witness, src: formatIp(v, r.witness.src), dst: formatIp(v, r.witness.dst),
        oracles: r.witness.oracles ? [...r.witness.oracles].map(([index, holds]) => ({ unknown: a.unknowns[index]?.text ?? null, where: a.unknowns[index]?.where ?? null, holds })) : [],
      },
      trace: shown.checks[i] ?? null,
    })),
    unknowns: a.unknowns.map((u) => ({ text: u.text, where: u.where, reason: u.reason })),
    scope: a.scope,
  };
}

export const command: Command = {
  name: 'query',
  async run(argv, { io, colors: c }) {
    const args = parseArgs(argv, OPTIONS);
    if (args.flags.has('help')) { io.stdout(QUERY_HELP + '\n'); return EXIT.ok; }
    if (args.positionals.length !== 1) {
      if (args.positionals.length > 1) throw new UsageError('query reads one ruleset at a time');
      io.stderr(QUERY_HELP + '\n');
      return EXIT.error;
    }
    const format = choice(args, 'format', ['text', 'json'] as const, 'text');
    const limitText = optionValue(args, 'regions') ?? '8';
    if (!/^[1-9]\d{0,3}$/.test(limitText)) throw new UsageError(`--regions takes a number from 1 to 9999 (got '${limitText}')`);
    const file = oneRuleset(await loadRulesets(io, args.positionals[0]!, loadOptions(args)));
    renderDiagnostics(io, file, c, 'error');
    if (counts(file.result.diagnostics).errors) return EXIT.error;
    const snapshot = file.result.snapshot;
    if (snapshot.family === 'bridge') throw new UsageError('query answers for IPv4 and IPv6 rulesets; ebtables rulesets are not yet analysed as packet sets');
    const q = questionOf(args, snapshot.family);
    const constraint = constraintOf(args, snapshot.family);
    const table = tableFor(q, snapshot, optionValue(args, 'table'));
    const hooks = args.options.get('hook');
    let answer: QueryAnswer;
    try {
      answer = querySnapshot({ snapshot, table, goal: q.goal, constraint: constraint.rule, devices: constraint.devices, ...(hooks ? { hooks } : {}) });
    } catch (e) {
      if (e instanceof QueryError) throw new UsageError(e.message);
      if (e instanceof WalkBudgetError) throw new InputError(`${file.path}: ${e.message}; the question cannot be answered within the engine's memory bound`);
      throw e;
    }
    const regions = regionsOf(answer.space, answer.set, Number(limitText), { care: answer.care, prefer: preferredWitness(answer.space) });
    const checks = args.flags.has('no-trace') ? [] : regions.regions.map((r) => witnessTrace(snapshot, table, q.goal, answer, r.witness));
    const shown = { regions, checks };
    if (format === 'json') io.stdout(toJson(toJsonDoc(answer, q, table, constraint.text, shown, file.path)) + '\n');
    else io.stdout(renderText(answer, q, table, constraint.text, shown, c, file.path));
    return regions.regions.length ? EXIT.ok : EXIT.findings;
  },
};
