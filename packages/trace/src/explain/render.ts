// Text and JSON renderings of an Explanation (pure: strings and plain data out; the CLI supplies colours). Text:
// per packet, each trace line with what it refers to (rule text and file:line, or why it could not be tied to a
// rule), then the path grouped by hook, the verdict and the NAT the packet met.
import type { PacketComparison } from './compare';
import type { ExplainedLine, ExplainedPacket, Explanation, Mapping, PacketFields, PathStep, TraceLine } from './types';

export interface ExplainStyle {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  cyan(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export interface ExplainTextOptions {
  style?: ExplainStyle;
  /** Print every trace line in full (default: the kernel's label and the interfaces). */
  verbose?: boolean;
  /** Results of compareWithSimulation(), one per packet. */
  comparisons?: readonly PacketComparison[];
}

const plain = (s: string) => s;
const PLAIN: ExplainStyle = { red: plain, green: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };

const FORMAT_NAME = { legacy: 'legacy TRACE (kernel log)', 'xtables-monitor': 'xtables-monitor --trace', 'nft-monitor': 'nft monitor trace' } as const;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
// Maps: the protocol comes from the log (`PROTO=constructor` must print as itself).
const PROTO_NAME: ReadonlyMap<string, string> = new Map([['tcp', 'TCP'], ['udp', 'UDP'], ['icmp', 'ICMP'], ['icmpv6', 'ICMPv6'], ['sctp', 'SCTP']]);
const ICMP_NAME: ReadonlyMap<number, string> = new Map([[0, 'echo-reply'], [3, 'destination-unreachable'], [8, 'echo-request'], [11, 'time-exceeded']]);

/** `TCP 203.0.113.7:40000 → 198.51.100.10:8080 [SYN] · IPv4 ID 1 · in eth0` */
export function describePacket(p: PacketFields): string {
  const parts: string[] = [];
  const proto = p.proto ? PROTO_NAME.get(p.proto) ?? `proto ${p.proto}` : p.sport !== undefined ? 'TCP/UDP' : 'IP';
  const end = (addr: string | undefined, port: number | undefined) => `${addr ?? '?'}${port !== undefined ? `:${port}` : ''}`;
  let head = `${proto} ${end(p.src, p.sport)} → ${end(p.dst, p.dport)}`;
  if (p.icmpType !== undefined) head += ` ${p.proto === 'icmp' ? ICMP_NAME.get(p.icmpType) ?? `type ${p.icmpType}` : `type ${p.icmpType}`}`;
  if (p.tcpFlags?.length) head += ` [${p.tcpFlags.join(',')}]`;
  parts.push(head);
  if (p.ipId !== undefined) parts.push(`IPv4 ID ${p.ipId}`);
  const io: string[] = [];
  if (p.in) io.push(`in ${p.in}${p.physIn ? ` (port ${p.physIn})` : ''}`);
  if (p.out) io.push(`out ${p.out}${p.physOut ? ` (port ${p.physOut})` : ''}`);
  if (io.length) parts.push(io.join(' '));
  if (p.mark) parts.push(`mark 0x${p.mark.toString(16)}`);
  if (p.ctState) parts.push(`ct ${p.ctState}`);
  return parts.join(' · ');
}

/** The rule as written, without a leading `[packets:bytes]`. */
function ruleText(text: string): string {
  return text.replace(/^\[\d+:\d+\]\s+/, '');
}

/** The trace line as shown: the kernel's label and the interfaces, or everything with `verbose`. */
function shownText(l: TraceLine, verbose: boolean, width = 160): string {
  if (verbose) return l.text;
  switch (l.kind) {
    case 'legacy': {
      const io = ['IN', 'OUT', 'PHYSIN', 'PHYSOUT', 'MARK'].filter((k) => l.fields[k] !== undefined).map((k) => `${k}=${l.fields[k]}`);
      return `TRACE: ${l.table}:${l.chain}:${l.label}:${l.num}${io.length ? `  ${io.join(' ')}` : ''}`;
    }
    case 'xtables':
      return l.ruleText === null ? l.text : l.text.slice(0, l.text.indexOf(l.ruleText)).trimEnd();
    default:
      return l.text.length > width ? `${l.text.slice(0, width - 1)}…` : l.text;
  }
}

function annotation(m: Mapping | null, line: TraceLine, s: ExplainStyle): string[] {
  if (!m) {
    const p = line.kind === 'xtables-packet' || line.kind === 'nft-packet' ? line.packet : {};
    return [s.dim(`the packet here: ${describePacket(p)}`)];
  }
  switch (m.kind) {
    case 'rule': {
      const out = [`→ ${m.rule.table} ${m.rule.chain} rule ${m.rule.index}  ${s.cyan(`${m.rule.file}:${m.rule.line}`)}  ${s.bold(ruleText(m.rule.text))}`];
      if (m.legacyCase === 'unconditional-verdict' || m.alternatives.length > 0 || m.method === 'handle') out.push(s.dim(`  ${m.reason}`));
      return out;
    }
    case 'policy': {
      const loc = m.chain.line !== null ? `  ${s.cyan(`${m.chain.file}:${m.chain.line}`)}` : '';
      const out = [`→ ${m.chain.table} ${m.chain.chain} policy ${m.chain.policy ?? '?'}${loc}`];
      if (m.legacyCase) out.push(s.dim(`  ${m.reason}`));
      return out;
    }
    case 'return': {
      const loc = m.chain.line !== null ? `  ${s.cyan(`${m.chain.file}:${m.chain.line}`)}` : '';
      return [`→ end of ${m.chain.table} ${m.chain.chain} (implicit RETURN)${loc}`, ...(m.legacyCase ? [s.dim(`  ${m.reason}`)] : [])];
    }
    case 'unmapped':
      return [s.yellow(`? ${m.reason} [${m.code}]`)];
  }
}

function stepToken(step: PathStep): string {
  const what = step.type === 'rule' ? (step.rule !== null ? `#${step.rule}` : '#?') : step.type === 'policy' ? ' policy' : ' end';
  const v = step.verdict;
  const shown = v && v !== 'CONTINUE' && !v.startsWith('JUMP:') ? ` ${v}` : '';
  return `${step.chain}${what}${shown}${step.inferred ? ' (not printed)' : ''}`;
}

/** One line per hook: `FORWARD  filter: FORWARD#1 → DOCKER-USER#3 RETURN → … · nat: …`. */
function pathLines(steps: readonly PathStep[]): string[] {
  const out: { hook: string; parts: string[] }[] = [];
  let table = '';
  for (const step of steps) {
    const hook = step.hook ?? '?';
    let cur = out[out.length - 1];
    if (!cur || cur.hook !== hook) {
      cur = { hook, parts: [] };
      out.push(cur);
      table = '';
    }
    const fam = step.family === 'ip' || step.family === 'ip6' ? '' : `${step.family} `;
    if (`${fam}${step.table}` !== table) {
      table = `${fam}${step.table}`;
      cur.parts.push(`${table}: ${stepToken(step)}`);
    } else {
      cur.parts[cur.parts.length - 1] += ` → ${stepToken(step)}`;
    }
  }
  const width = Math.max(0, ...out.map((o) => o.hook.length));
  return out.map((o) => `${o.hook.padEnd(width)}  ${o.parts.join(' · ')}`);
}

function describeSimStep(step: PathStep | null, kernel: boolean): string {
  if (!step) return kernel ? 'the kernel printed nothing more' : 'the simulation ends here';
  const what = step.type === 'rule' ? `rule ${step.rule ?? '?'}` : step.type;
  const where = kernel ? (step.logLine !== null ? ` (line ${step.logLine})` : ' (not printed)') : step.line !== null ? ` (${step.file}:${step.line})` : '';
  return `${step.hook ?? '?'} ${step.table} ${step.chain} ${what}${step.verdict ? ` ${step.verdict}` : ''}${where}`;
}

function compareLines(c: PacketComparison, s: ExplainStyle, verbose: boolean): string[] {
  const out: string[] = [];
  if (c.error) out.push(s.yellow(`not simulated: ${c.error}`));
  else if (!c.diverge) out.push(s.green(`the simulation takes the same ${plural(c.agreeing, 'step')}`) + s.dim(` (outcome ${c.outcome!.index} of ${c.outcome!.of}: ${c.outcome!.summary})`));
  else {
    out.push(s.red(`kernel and simulation part at step ${c.diverge.step}`) + ` after ${plural(c.agreeing, 'common step')}:`);
    out.push(`  kernel:    ${describeSimStep(c.diverge.real, true)}`);
    out.push(`  simulated: ${describeSimStep(c.diverge.simulated, false)}` + s.dim(` (outcome ${c.outcome!.index} of ${c.outcome!.of}: ${c.outcome!.summary})`));
  }
  if (c.verdictDiffers && c.outcome) out.push(s.red(`verdicts differ: the simulation ends ${c.outcome.verdict}`));
  if (verbose || c.diverge || c.error) for (const a of c.assumed) out.push(s.dim(`  assumed: ${a}`));
  return out;
}

function renderPacket(p: ExplainedPacket, o: Required<Pick<ExplainTextOptions, 'verbose'>> & { style: ExplainStyle; comparison: PacketComparison | null }): string {
  const s = o.style;
  const ids = p.traceIds.length ? s.dim(`  trace id ${p.traceIds.join(' → ')}`) : '';
  const out = [`${s.bold(`packet ${p.index}`)}  ${describePacket(p.packet)}${ids}`];
  if (p.stitched) out.push(s.dim(`  ${p.stitched}`));
  const numWidth = Math.max(...p.lines.map((l) => String(l.line.line).length));
  for (const l of p.lines as ExplainedLine[]) {
    const num = String(l.line.line).padStart(numWidth);
    const packetLine = l.line.kind === 'xtables-packet' || l.line.kind === 'nft-packet';
    if (packetLine && !o.verbose) continue;
    out.push(`  ${s.dim(`line ${num}`)}  ${shownText(l.line, o.verbose)}`);
    const pad = ' '.repeat(numWidth + 9);
    for (const a of annotation(l.mapping, l.line, s)) out.push(`${pad}${a}`);
  }
  const path = pathLines(p.path);
  out.push(`  ${s.bold('path')}     ${path[0] ?? ''}`);
  for (const l of path.slice(1)) out.push(`           ${l}`);
  const color = p.verdict.verdict === 'ACCEPT' ? s.green : p.verdict.verdict === 'left' ? s.yellow : s.red;
  out.push(`  ${s.bold('verdict')}  ${color(p.verdict.text)}`);
  if (p.nat.length) {
    for (const n of p.nat) {
      const where = n.rule ? ` ${s.cyan(`${n.rule.file}:${n.rule.line}`)}` : '';
      out.push(`  ${s.bold('NAT')}      ${n.type}${n.to ? ` to ${n.to}` : ''} by ${n.table} ${n.chain}${n.rule ? ` rule ${n.rule.index}` : ''} at ${n.hook ?? '?'}${where}`);
    }
  } else {
    out.push(`  ${s.bold('NAT')}      none`);
  }
  if (o.comparison) {
    const lines = compareLines(o.comparison, s, o.verbose);
    out.push(`  ${s.bold('compare')}  ${lines[0]}`);
    for (const l of lines.slice(1)) out.push(`           ${l}`);
  }
  return out.join('\n');
}

export function renderExplanation(e: Explanation, options: ExplainTextOptions = {}): string {
  const s = options.style ?? PLAIN;
  const verbose = options.verbose ?? false;
  const st = e.stats;
  const formats = e.formats.map((f) => FORMAT_NAME[f]).join(' + ') || 'no trace format recognised';
  const extra: string[] = [];
  if (st.skippedLines) extra.push(`${plural(st.skippedLines, 'other line')} skipped`);
  if (st.joinedLines) extra.push(`${plural(st.joinedLines, 'wrapped line')} joined`);
  const out = [
    `${s.bold(e.file)}: ${formats}, ${plural(st.traceLines, 'trace line')}${extra.length ? ` (${extra.join(', ')})` : ''}, ${plural(e.packets.length, 'packet')}`,
    `rules: ${e.snapshots.map((x) => `${x.file} (${x.family}: ${x.tables.join(', ')})`).join('; ') || 'none'}`,
    '',
  ];
  e.packets.forEach((p, i) => out.push(renderPacket(p, { style: s, verbose, comparison: options.comparisons?.[i] ?? null }), ''));
  const shownNotes = e.notes.filter((n) => n.severity === 'warning' || verbose);
  for (const n of shownNotes) {
    const tag = n.severity === 'warning' ? s.yellow('warning') : s.cyan('note');
    out.push(`${tag}: ${e.file}${n.line !== null ? `:${n.line}` : ''}: ${n.message} ${s.dim(`[${n.code}]`)}`);
  }
  if (shownNotes.length) out.push('');
  const summary = `${plural(st.mapped, 'line')} tied to a rule or chain end, ${st.unmapped} not, ${st.ambiguous} told apart from identical rules by order only`;
  out.push(st.unmapped ? s.yellow(summary) : summary);
  if (options.comparisons) {
    const parted = options.comparisons.filter((c) => c.diverge || c.verdictDiffers).length;
    const failed = options.comparisons.filter((c) => c.error).length;
    out.push(`compare: ${plural(options.comparisons.length - parted - failed, 'packet')} simulated exactly as traced, ${parted} parting${failed ? `, ${failed} not simulated` : ''}`);
  }
  return `${out.join('\n')}\n`;
}

/** The JSON model (schema chainsight.explain/1, docs/explain.md); with comparisons, each packet gets a `compare` member. */
export function explanationJson(e: Explanation, comparisons?: readonly PacketComparison[]): { schema: 'chainsight.explain/1' } & Explanation {
  if (!comparisons) return { schema: 'chainsight.explain/1', ...e };
  return { schema: 'chainsight.explain/1', ...e, packets: e.packets.map((p, i) => ({ ...p, compare: comparisons[i] ?? null })) };
}
