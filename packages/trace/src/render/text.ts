// The default text output: the packet, what was inferred, then per outcome the path grouped by hook and table
// (each step with the rule as written and its file:line), the routing/NAT/bridge decisions in between, and a
// verdict summary ending with the one-line MASQUERADE answer.
import type { Outcome, PacketView, TraceEvent, TraceResult, TraceStep } from '../types';

export interface TextOptions {
  /** Styling hooks (the CLI passes its colours); identity by default. */
  style?: Partial<Record<'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'cyan', (s: string) => string>>;
  /** Print at most this many outcomes in full (the rest as one-line summaries). Default 8. */
  fullOutcomes?: number;
}

const PROTO_NAMES: Record<number, string> = { 1: 'icmp', 6: 'tcp', 17: 'udp', 58: 'icmpv6', 132: 'sctp', 33: 'dccp', 136: 'udplite' };

/** A protocol as the text outputs name it (`tcp`, `icmpv6`), or `proto N`. */
export function protocolLabel(n: number): string {
  return PROTO_NAMES[n] ?? `proto ${n}`;
}
const TCP_FLAGS: [number, string][] = [[0x02, 'SYN'], [0x10, 'ACK'], [0x01, 'FIN'], [0x04, 'RST'], [0x08, 'PSH'], [0x20, 'URG'], [0x40, 'ECE'], [0x80, 'CWR']];

export function describePacket(p: PacketView): string {
  const proto = protocolLabel(p.proto);
  const host = (a: string, port: number | null) => (port === null ? a : p.family === 'ipv6' ? `[${a}]:${port}` : `${a}:${port}`);
  let s = `${proto} ${host(p.src, p.sport)} → ${host(p.dst, p.dport)}`;
  if (p.proto === 6) s += ` [${TCP_FLAGS.filter(([b]) => p.tcpFlags & b).map(([, n]) => n).join(',') || 'no flags'}]`;
  if (p.icmpType !== null) s += ` type ${p.icmpType}${p.icmpCode ? `/${p.icmpCode}` : ''}`;
  if (p.mark) s += ` mark 0x${p.mark.toString(16)}`;
  return s;
}

function pct(p: number): string {
  const r = Math.round(p * 1000) / 1000;
  return r === 1 ? '1' : String(r);
}

function stepText(s: TraceStep): string {
  if (s.type === 'policy') return `policy ${s.verdict}`;
  if (s.type === 'return') return 'end of chain → RETURN';
  const raw = s.ruleRef?.raw.trim() ?? '';
  return `rule ${s.rule}: ${raw}`;
}

function verdictArrow(s: TraceStep): string {
  if (s.type !== 'rule') return '';
  const v = s.verdict;
  if (v === 'CONTINUE') return '';
  return `  → ${v.replace(':', ' ')}`;
}

function eventText(e: TraceEvent): string {
  if (e.kind === 'log') {
    const what = e.source === 'LOG' ? 'LOG' : e.source === 'NFLOG' ? 'NFLOG' : e.source === 'ebt-log' ? 'ebtables log' : e.source;
    return `${what} "${e.prefix}"`;
  }
  return e.text;
}

export function renderOutcome(o: Outcome, index: number, total: number, st: Required<NonNullable<TextOptions['style']>>): string[] {
  const lines: string[] = [];
  const head = total > 1 ? `Outcome ${index + 1} of ${total} (p=${pct(o.probability)})` : 'Outcome';
  lines.push(st.bold(`${head}: ${o.summary}`));
  // `via` is "first packet: …" for a --state/--reply question, "packet 1: … → packet 2: …" for a conversation.
  if (o.via) lines.push(`  ${st.dim(`after ${/^packet \d/.test(o.via) ? '' : 'the '}${o.via}`)}`);
  for (const a of o.assumptions) lines.push(`  ${st.yellow('assumes')} ${a}`);
  for (const d of o.draws) lines.push(`  ${st.cyan('draw')} ${d}`);
  let hook = '';
  const eventsAt = new Map<number, TraceEvent[]>();
  for (const e of o.events) {
    const list = eventsAt.get(e.at) ?? [];
    list.push(e);
    eventsAt.set(e.at, list);
  }
  const emitEvents = (at: number) => {
    for (const e of eventsAt.get(at) ?? []) lines.push(`      ${st.dim('· ' + eventText(e))}`);
  };
  o.steps.forEach((s, i) => {
    const h = `${s.family === 'bridge' ? 'bridge ' : ''}${s.hook}`;
    if (h !== hook) {
      hook = h;
      lines.push(`  ${st.bold(h)}`);
    }
    // What happened before this step (conntrack, routing, NAT, bridge decisions) prints under its hook.
    emitEvents(i);
    const table = `${s.family === 'bridge' ? 'eb:' : ''}${s.table}`.padEnd(9);
    const where = s.line !== null ? st.dim(`  (${s.file}:${s.line})`) : '';
    const text = `${table} ${s.chain.padEnd(12)} ${stepText(s)}${verdictArrow(s)}`;
    const colored = s.verdict === 'DROP' || s.verdict === 'REJECT' ? st.red(text) : text;
    lines.push(`    ${colored}${where}`);
  });
  emitEvents(o.steps.length);
  if (o.generated) {
    const g = o.generated;
    lines.push(`  ${st.bold('REJECT answers')} with ${g.description}: ${describePacket(g.packet)}`);
    for (const s of g.steps) {
      const where = s.line !== null ? st.dim(`  (${s.file}:${s.line})`) : '';
      lines.push(`    ${s.hook.padEnd(11)} ${s.table.padEnd(8)} ${s.chain.padEnd(12)} ${stepText(s)}${verdictArrow(s)}${where}`);
    }
    lines.push(`    ${st.dim('→ ' + g.summary)}`);
  }
  lines.push(`  ${st.bold('Verdict:')} ${o.verdict === 'DROP' || o.verdict === 'REJECT' || o.verdict === 'no-route' ? st.red(o.summary) : st.green(o.summary)}`);
  if (o.nat.length) {
    for (const n of o.nat) {
      lines.push(`  ${st.bold('NAT:')} ${n.type} to ${n.to} (${n.table} ${n.chain} rule ${n.rule}, ${n.file}:${n.line})${n.bySelf ? '' : st.dim(' — set up by the connection\'s first packet')}`);
    }
  } else lines.push(`  ${st.bold('NAT:')} none`);
  lines.push(`  ${st.bold('Packet:')} ${describePacket(o.packet)}`);
  if (o.mark) lines.push(`  ${st.bold('Mark:')} 0x${o.mark.toString(16)}`);
  const m = o.masqueradeBy;
  lines.push(`  ${st.bold('MASQUERADE:')} ${o.masquerade && m ? `yes (${m.table} ${m.chain} rule ${m.rule}, ${m.file}:${m.line}) → source ${m.to}` : 'no'}`);
  return lines;
}

export function renderText(result: TraceResult, options: TextOptions = {}): string {
  const id = (s: string) => s;
  const st = { bold: id, dim: id, red: id, green: id, yellow: id, cyan: id, ...options.style };
  const out: string[] = [];
  out.push(`${st.bold('Packet:')} ${describePacket(result.packet)}, ${result.packet.ctState}${result.packet.ctDir === 'REPLY' ? ' (reply)' : ''}`);
  if (result.inferred.length) {
    out.push(st.bold('Inferred:'));
    for (const i of result.inferred) out.push(`  - ${i}`);
  }
  const full = options.fullOutcomes ?? 8;
  result.outcomes.forEach((o, i) => {
    out.push('');
    if (i < full) out.push(...renderOutcome(o, i, result.outcomes.length, st));
    else out.push(`Outcome ${i + 1} of ${result.outcomes.length} (p=${pct(o.probability)}): ${o.summary}${o.nat.length ? `; ${o.nat.map((n) => `${n.type} to ${n.to}`).join(', ')}` : ''}`);
  });
  if (result.outcomes.length > 1) {
    out.push('');
    out.push(st.bold('Summary:'));
    for (const [i, o] of result.outcomes.entries()) {
      const nat = o.nat.filter((n) => n.type !== 'MASQUERADE').map((n) => `${n.type} to ${n.to}`).join(', ');
      out.push(`  ${String(i + 1).padStart(2)}. p=${pct(o.probability).padEnd(6)} ${o.summary}${nat ? `; ${nat}` : ''}; MASQUERADE: ${o.masquerade ? 'yes' : 'no'}${o.assumptions.length ? st.dim(` [assumes ${shortList(o.assumptions)}]`) : ''}`);
    }
  }
  if (result.truncated) out.push(st.yellow(truncatedText(result)));
  return out.join('\n') + '\n';
}

/** The summary line of an outcome lists its last assumptions (where the paths part); the full list is above. */
const SUMMARY_ASSUMPTIONS = 6;

function shortList(xs: readonly string[]): string {
  if (xs.length <= SUMMARY_ASSUMPTIONS) return xs.join('; ');
  return `${xs.length - SUMMARY_ASSUMPTIONS + 1} more …; ${xs.slice(-(SUMMARY_ASSUMPTIONS - 1)).join('; ')}`;
}

/** What the outcome limit left out, and how to ask a narrower question. */
export function truncatedText(result: TraceResult): string {
  const head = `stopped after ${result.outcomes.length} outcomes`;
  const l = result.leftOut;
  if (!l) return `(${head}; --max-outcomes raises the limit)`;
  const lines = [`(${head}: at least ${l.atLeast.toLocaleString('en-US')} more path${l.atLeast === 1 ? ' was' : 's were'} not explored`];
  if (l.splitBy.length) {
    lines.push('  they split on:');
    for (const s of l.splitBy) {
      const which = s.matches > 1 ? `${s.matches.toLocaleString('en-US')} matches such as ${s.what}` : s.what;
      lines.push(`    ${s.assume !== null ? `${s.assume}: ` : ''}${which} (${s.paths.toLocaleString('en-US')} pending)`);
    }
  }
  const key = l.splitBy.find((s) => s.assume !== null)?.assume;
  lines.push(key
    ? `  pin a fork with --assume KEY=true|false (e.g. --assume ${key}=false) to follow fewer paths, or raise --max-outcomes)`
    : '  --max-outcomes raises the limit)');
  return lines.join('\n');
}
