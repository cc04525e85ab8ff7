// `chainsight trace FILE... [packet options]`: follow one packet (or a --batch of them) through netfilter.
import { looksLikeIpsetSave, type IpSet, type Snapshot } from '@chainsight/grammar';
import {
  PacketError, checkExpectation, compileRuleset, looksLikeHostInput, parseExpectation, parseBatchLine, readHostInputs, renderKernelLog, renderText, toTraceJson,
  trace, traceConversation, type CompiledRuleset, type ConversationStep, type Expectation, type HostContext, type PacketSpec, type TraceOptions,
  type TraceResult,
} from '@chainsight/trace';
import { choice, optionValue, parseArgs, UsageError, type ParsedArgs } from '../args';
import { EXIT, type Command } from '../command';
import type { Colors } from '../color';
import type { CliIo } from '../io';
import { toJson } from '../json';
import { formatDiagnostic, InputError, loadIpsets, parseLoaded, readInput, renderDiagnostics } from '../load';
import { TRACE_HELP, TRACE_NO_RULES } from '../messages/trace';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

const V = { value: true } as const;
const OPTIONS = {
  ...INPUT_OPTION_DEFS,
  src: V, dst: V, proto: V, sport: V, dport: V, 'icmp-type': V, 'tcp-flags': V, state: V, reply: {}, mark: V,
  in: V, 'phys-in': V, local: {}, from: V, to: V, out: V, 'phys-out': V, 'src-mac': V, 'dst-mac': V, length: V, ttl: V,
  tos: V, uid: V, gid: V,
  then: { value: true, repeat: true },
  format: V, 'trace-all': {}, expect: V, assume: { value: true, repeat: true }, 'max-outcomes': V, backend: V, batch: V,
};

const STATES = ['NEW', 'ESTABLISHED', 'RELATED', 'INVALID', 'UNTRACKED'] as const;

function intOption(args: ParsedArgs, name: string): number | undefined {
  const v = optionValue(args, name);
  if (v === undefined) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(v)) throw new UsageError(`--${name} needs a number (got '${v}')`);
  return Number(v);
}

function packetFromArgs(args: ParsedArgs): PacketSpec {
  const spec: PacketSpec = {};
  const str = (name: string, key: keyof PacketSpec) => {
    const v = optionValue(args, name);
    if (v !== undefined) (spec as Record<string, unknown>)[key] = v;
  };
  const num = (name: string, key: keyof PacketSpec) => {
    const v = intOption(args, name);
    if (v !== undefined) (spec as Record<string, unknown>)[key] = v;
  };
  str('src', 'src'); str('dst', 'dst'); str('proto', 'proto'); str('icmp-type', 'icmpType'); str('tcp-flags', 'tcpFlags');
  str('in', 'in'); str('phys-in', 'physIn'); str('from', 'from'); str('to', 'to'); str('out', 'out'); str('phys-out', 'physOut');
  str('src-mac', 'srcMac'); str('dst-mac', 'dstMac');
  num('sport', 'sport'); num('dport', 'dport'); num('mark', 'mark'); num('length', 'length'); num('ttl', 'ttl'); num('tos', 'tos');
  num('uid', 'uid'); num('gid', 'gid');
  if (args.options.has('state')) spec.state = choice(args, 'state', STATES, 'NEW');
  if (args.flags.has('reply')) spec.reply = true;
  if (args.flags.has('local')) spec.local = true;
  return spec;
}

/** `--then request[:FLAGS]`, `reply[:FLAGS]`, `error[:TYPE]`: the packets after the first of a conversation. */
function parseThen(args: ParsedArgs): ConversationStep[] {
  return (args.options.get('then') ?? []).map((t) => {
    const m = /^(request|reply|error)(?::(.+))?$/i.exec(t.trim());
    if (!m) throw new UsageError(`--then takes request[:FLAGS] | reply[:FLAGS] | error[:TYPE] (got '${t}')`);
    const kind = m[1]!.toLowerCase();
    const arg = m[2];
    if (kind === 'error') return { direction: 'reply', error: true, ...(arg !== undefined ? { icmpType: arg } : {}) };
    return { direction: kind as 'request' | 'reply', ...(arg !== undefined ? { tcpFlags: arg.toUpperCase() } : {}) };
  });
}

function describeStep(s: ConversationStep | null): string {
  if (s === null) return 'the first packet';
  if (s.error) return `an ICMP error about it${s.icmpType !== undefined ? ` (${String(s.icmpType)})` : ''}`;
  return `${s.direction === 'request' ? 'the client again' : 'a reply'}${s.tcpFlags ? ` (${s.tcpFlags})` : ''}`;
}

function parseAssumptions(args: ParsedArgs): Map<string, boolean> {
  const out = new Map<string, boolean>();
  for (const a of args.options.get('assume') ?? []) {
    const m = /^(.+)=(true|false|yes|no|1|0)$/i.exec(a);
    if (!m) throw new UsageError(`--assume takes KEY=true|false (got '${a}')`);
    out.set(m[1]!, /^(true|yes|1)$/i.test(m[2]!));
  }
  return out;
}

function parseExpect(text: string | undefined): Expectation | null {
  if (text === undefined) return null;
  const e = parseExpectation(text);
  if (!e) throw new UsageError(`--expect takes ACCEPT | DROP | REJECT | delivered | forwarded | QUEUE | no-route | masquerade | no-masquerade (got '${text}')`);
  return e;
}

interface Inputs {
  snapshots: Snapshot[];
  host: HostContext | null;
  ipsets: IpSet[];
}

async function loadInputs(io: CliIo, c: Colors, args: ParsedArgs): Promise<Inputs | null> {
  const snapshots: Snapshot[] = [];
  const hostFiles: { text: string; fileName: string }[] = [];
  const ipsets: IpSet[] = [];
  let failed = false;
  for (const p of args.positionals) {
    const text = await readInput(io, p);
    // JSON is host facts: a host context object, or iproute2 captures (`ip -j addr`, `ip -j route`, …).
    if (looksLikeHostInput(text)) { hostFiles.push({ text, fileName: p }); continue; }
    // `ipset save`: the sets `-m set` rules test are then decided, not assumed.
    if (looksLikeIpsetSave(text)) {
      const r = loadIpsets(io, p, text, c);
      if (r.errors) failed = true;
      ipsets.push(...r.sets);
      continue;
    }
    const f = parseLoaded(p, text, loadOptions(args));
    renderDiagnostics(io, f, c, 'error');
    if (f.result.diagnostics.some((d) => d.severity === 'error')) failed = true;
    snapshots.push(f.result.snapshot);
  }
  let host: HostContext | null = null;
  if (hostFiles.length) {
    const r = readHostInputs(hostFiles);
    const texts = new Map(hostFiles.map((h) => [h.fileName, h.text]));
    for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, texts.get(d.file), c) + '\n');
    if (!r.context) failed = true;
    host = r.context;
  }
  if (failed) return null;
  if (!snapshots.length) throw new InputError(TRACE_NO_RULES);
  return { snapshots, host, ipsets };
}

function render(result: TraceResult, format: 'text' | 'json' | 'kernel', c: Colors): string {
  if (format === 'json') return toJson(toTraceJson(result)) + '\n';
  if (format === 'kernel') return renderKernelLog(result);
  return renderText(result, { style: c });
}

function expectationReport(result: TraceResult, e: Expectation, c: Colors): { ok: boolean; text: string } {
  const r = checkExpectation(result, e);
  if (r.ok) return { ok: true, text: '' };
  const what = e.kind === 'masquerade' ? (e.value ? 'masquerade' : 'no-masquerade') : e.verdict;
  const lines = [`${c.red('expectation failed')}: --expect ${what}`];
  if (!result.outcomes.length) lines.push('  no outcome');
  for (const f of r.failures) lines.push(`  outcome ${f.outcome}: ${f.reason}`);
  return { ok: false, text: lines.join('\n') + '\n' };
}

async function runBatch(io: CliIo, c: Colors, compiled: CompiledRuleset, path: string, format: 'text' | 'json' | 'kernel', opts: TraceOptions, expect: Expectation | null): Promise<number> {
  const text = await readInput(io, path);
  let failures = 0;
  let errors = 0;
  const lines = text.split('\n');
  for (const [i, raw] of lines.entries()) {
    const b = parseBatchLine(raw, i + 1);
    if (!b) continue;
    const where = `${path}:${b.line}`;
    if (b.error !== null || !b.spec) {
      errors++;
      io.stderr(`${c.red('error')}: ${where}: ${b.error}\n`);
      continue;
    }
    let result: TraceResult;
    try {
      result = trace(compiled, b.spec, opts);
    } catch (e) {
      if (!(e instanceof PacketError)) throw e;
      errors++;
      io.stderr(`${c.red('error')}: ${where}: ${e.message}\n`);
      continue;
    }
    const check = expect ? checkExpectation(result, expect) : null;
    if (check && !check.ok) failures++;
    if (format === 'json') io.stdout(JSON.stringify({ line: b.line, id: b.id, ...(check ? { expect_ok: check.ok } : {}), ...toTraceJson(result) }) + '\n');
    else if (format === 'kernel') io.stdout(`# ${where}\n${renderKernelLog(result)}`);
    else {
      const os = result.outcomes;
      const summary = os.map((o) => `${os.length > 1 ? `p=${Math.round(o.probability * 1000) / 1000} ` : ''}${o.summary}${o.nat.length ? ` [${o.nat.map((n) => `${n.type} ${n.to}`).join(', ')}]` : ''}`).join(' | ');
      io.stdout(`${where}${b.id !== null ? ` (${String(b.id)})` : ''}: ${summary}${check && !check.ok ? ` ${c.red('✗ expectation failed')}` : ''}\n`);
    }
  }
  if (errors) return EXIT.error;
  return failures ? EXIT.findings : EXIT.ok;
}

export const command: Command = {
  name: 'trace',
  async run(argv, { io, colors: c }) {
    const args = parseArgs(argv, OPTIONS);
    if (args.flags.has('help')) { io.stdout(TRACE_HELP + '\n'); return EXIT.ok; }
    if (!args.positionals.length) { io.stderr(TRACE_HELP + '\n'); return EXIT.error; }
    const format = choice(args, 'format', ['text', 'json', 'kernel'] as const, 'text');
    const backend = args.options.has('backend') ? choice(args, 'backend', ['nft', 'legacy'] as const, 'nft') : undefined;
    const expect = parseExpect(optionValue(args, 'expect'));
    const opts: TraceOptions = { assume: parseAssumptions(args), traceAll: args.flags.has('trace-all') };
    const max = intOption(args, 'max-outcomes');
    if (max !== undefined) opts.maxOutcomes = max;
    const batch = optionValue(args, 'batch');
    const spec = packetFromArgs(args);
    if (batch !== undefined && Object.keys(spec).length) throw new UsageError('--batch takes the packets from the file: give no packet options with it');
    const inputs = await loadInputs(io, c, args);
    if (!inputs) return EXIT.error;
    const compiled = compileRuleset(inputs.snapshots, inputs.host, { ...(backend ? { backend } : {}), ...(inputs.ipsets.length ? { ipsets: inputs.ipsets } : {}) });
    for (const w of compiled.warnings) io.stderr(`${c.yellow('warning')}: ${w}\n`);
    if (batch !== undefined) return runBatch(io, c, compiled, batch, format, opts, expect);
    const then = parseThen(args);
    if (then.length && (spec.reply || (spec.state !== undefined && spec.state !== 'NEW'))) {
      throw new UsageError('--then starts from the connection\'s first packet: give no --reply or --state with it');
    }
    let result: TraceResult;
    try {
      if (then.length) {
        const conv = traceConversation(compiled, spec, then, opts);
        const steps = [null, ...then];
        if (format === 'json') io.stdout(toJson({ schema: 1, conversation: conv.packets.map((r, i) => ({ index: i + 1, is: describeStep(steps[i]!), ...toTraceJson(r) })) }) + '\n');
        else {
          for (const [i, r] of conv.packets.entries()) {
            const head = `packet ${i + 1} of ${conv.packets.length}: ${describeStep(steps[i]!)}`;
            io.stdout(`${format === 'kernel' ? `# ${head}` : c.bold(head)}\n${render(r, format, c)}${i + 1 < conv.packets.length ? '\n' : ''}`);
          }
        }
        result = conv.packets[conv.packets.length - 1]!;
      } else {
        result = trace(compiled, spec, opts);
        io.stdout(render(result, format, c));
      }
    } catch (e) {
      if (e instanceof PacketError) { io.stderr(`${c.red('error')}: ${e.message}\n`); return EXIT.error; }
      throw e;
    }
    if (expect) {
      const r = expectationReport(result, expect, c);
      if (!r.ok) { io.stderr(r.text); return EXIT.findings; }
    }
    return EXIT.ok;
  },
};
