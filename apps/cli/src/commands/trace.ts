// `chainsight trace FILE... [packet options]`: follow one packet (or a --batch of them) through netfilter.
import { looksLikeCapture, looksLikeIpsetSave, type IpSet, type Snapshot } from '@chainsight/grammar';
import {
  HostModel, PACKET_FIELDS, PacketError, defaultHostContext, parseCidr, resolvePacket, checkExpectation, packetField, compileRuleset, looksLikeHostInput, parseExpectation, parseBatchLine, readHostInputs, renderKernelLog, renderText, toTraceJson,
  trace, traceConversation, type CompiledRuleset, type ConversationResult, type ConversationStep, type Expectation, type HostContext, type PacketSpec, type TraceOptions,
  type TraceResult,
} from '@chainsight/trace';
import { choice, optionValue, parseArgs, UsageError, type ParsedArgs } from '../args';
import { EXIT, type Command } from '../command';
import type { Colors } from '../color';
import type { CliIo } from '../io';
import { toJson } from '../json';
import { displayName, emptyInput, formatDiagnostic, InputError, loadIpsets, parseLoaded, readInput, renderDiagnostics } from '../load';
import { loadCapture } from '../capture-input';
import { TRACE_HELP, TRACE_NO_RULES } from '../messages/trace';
import { nativeTablesNote } from '../mixed-host';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';

const V = { value: true } as const;
const OPTIONS = {
  ...INPUT_OPTION_DEFS,
  src: V, dst: V, proto: V, sport: V, dport: V, 'icmp-type': V, 'icmp-code': V, 'tcp-flags': V, state: V, reply: {}, mark: V,
  in: V, 'phys-in': V, local: {}, 'bound-src': {}, from: V, to: V, out: V, 'phys-out': V, 'src-mac': V, 'dst-mac': V, length: V, ttl: V,
  tos: V, uid: V, gid: V,
  then: { value: true, repeat: true },
  'local-addr': { value: true, repeat: true },
  format: V, 'trace-all': {}, expect: V, assume: { value: true, repeat: true }, 'max-outcomes': V, backend: V, batch: V,
};

function intOption(args: ParsedArgs, name: string): number | undefined {
  const v = optionValue(args, name);
  if (v === undefined) return undefined;
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(v) || !Number.isSafeInteger(Number(v))) throw new UsageError(`--${name} needs a whole number below 2^53 (got '${v}')`);
  return Number(v);
}

/** The packet options, each checked by the table --batch lines are checked by (packet-fields.ts in the trace package). */
function packetFromArgs(args: ParsedArgs): PacketSpec {
  const spec: Partial<Record<keyof PacketSpec, unknown>> = {};
  for (const f of PACKET_FIELDS) {
    if (!Object.hasOwn(OPTIONS, f.option)) continue;
    const given = f.flag ? (args.flags.has(f.option) ? true : undefined) : optionValue(args, f.option);
    if (given === undefined) continue;
    const r = f.check(given);
    if (!r.ok) throw new UsageError(`--${f.option} ${r.message}`);
    spec[f.key] = r.value;
  }
  return spec as PacketSpec;
}

/**
 * `--local-addr IP` (repeatable): the host's addresses for a trace without host facts; the host context holds
 * them when there is one, so both together would disagree about where the truth is.
 */
function localAddressesOf(args: ParsedArgs, hasHost: boolean): string[] {
  const given = args.options.get('local-addr') ?? [];
  if (given.length && hasHost) throw new UsageError('--local-addr is for traces without host facts: the host context already lists the addresses');
  for (const a of given) if (a.includes('/') || parseCidr(a) === null) throw new UsageError(`--local-addr needs an IP address (got '${a}')`);
  return given;
}

/** `--then request[:FLAGS]`, `reply[:FLAGS]`, `error[:TYPE]`: the packets after the first of a conversation. */
function parseThen(args: ParsedArgs): ConversationStep[] {
  return (args.options.get('then') ?? []).map((t) => {
    const m = /^(request|reply|error)(?::(.+))?$/i.exec(t.trim());
    if (!m) throw new UsageError(`--then takes request[:FLAGS] | reply[:FLAGS] | error[:TYPE] (got '${t}')`);
    const kind = m[1]!.toLowerCase();
    const arg = m[2];
    // The same checks as --tcp-flags and --icmp-type: `reply:BOGUS` is an error, not a reply without flags.
    const field = packetField(kind === 'error' ? 'icmp-type' : 'tcp-flags')!;
    const checked = arg === undefined ? null : field.check(arg);
    if (checked && !checked.ok) throw new UsageError(`--then ${t}: ${kind === 'error' ? 'the ICMP type' : 'the TCP flags'} ${checked.message}`);
    if (kind === 'error') return { direction: 'reply', error: true, ...(arg !== undefined ? { icmpType: arg } : {}) };
    return { direction: kind as 'request' | 'reply', ...(arg !== undefined ? { tcpFlags: arg.toUpperCase() } : {}) };
  });
}

/** `--format json` of a conversation (docs/trace-json.md); `--format html` draws the same document. */
function conversationJson(conv: ConversationResult, then: readonly ConversationStep[]) {
  const steps = [null, ...then];
  return { schema: 'chainsight.trace-conversation/1' as const, conversation: conv.packets.map((r, i) => ({ index: i + 1, is: describeStep(steps[i]!), ...toTraceJson(r) })) };
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
  /** The text each snapshot was read from, by its file name (a capture's sections share the capture's text). */
  texts: Map<string, string>;
}

/**
 * Reads every input, then the host facts, then calls `check` with them before any rules file is parsed: a packet
 * the host facts cannot place is refused before seconds are spent parsing a large snapshot.
 */
async function loadInputs(io: CliIo, c: Colors, args: ParsedArgs, check: (host: HostContext | null) => void): Promise<Inputs | null> {
  const snapshots: Snapshot[] = [];
  const hostFiles: { text: string; fileName: string }[] = [];
  const ipsets: IpSet[] = [];
  const captured: { fileName: string; host: HostContext }[] = [];
  const later: { p: string; text: string }[] = [];
  const texts = new Map<string, string>();
  let failed = false;
  for (const p of args.positionals) {
    const text = await readInput(io, p);
    // A host capture (chainsight capture --script): its rules, ipsets and host facts in one file.
    if (looksLikeCapture(text)) {
      const r = await loadCapture(io, p, text, c, loadOptions(args).family);
      if (r.errors) failed = true;
      snapshots.push(...r.snapshots);
      for (const s of r.snapshots) texts.set(s.fileName, text);
      ipsets.push(...r.ipsets);
      if (r.host) captured.push({ fileName: displayName(p), host: r.host });
      continue;
    }
    // JSON is host facts: a host context object, or iproute2 captures (`ip -j addr`, `ip -j route`, …).
    if (looksLikeHostInput(text)) { hostFiles.push({ text, fileName: p }); continue; }
    later.push({ p, text });
  }
  const hosts = [...captured.map((x) => x.fileName), ...(hostFiles.length ? [hostFiles.map((h) => displayName(h.fileName)).join(' + ')] : [])];
  if (hosts.length > 1) throw new InputError(`host facts from ${hosts.join(' and ')}: one host at a time (a capture holds its own)`);
  let host: HostContext | null = captured[0]?.host ?? null;
  if (hostFiles.length) {
    const r = readHostInputs(hostFiles);
    const texts = new Map(hostFiles.map((h) => [h.fileName, h.text]));
    for (const d of r.diagnostics) io.stderr(formatDiagnostic(d, texts.get(d.file), c) + '\n');
    if (!r.context) failed = true;
    host = r.context;
  }
  if (!failed) check(host);
  for (const { p, text } of later) {
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
    texts.set(f.result.snapshot.fileName, text);
  }
  if (failed) return null;
  if (!snapshots.length) throw new InputError(TRACE_NO_RULES);
  return { snapshots, host, ipsets, texts };
}

/**
 * The packet checked against the host facts alone, as trace() will resolve it. Without a host context the rules
 * may still tell where a packet with a source enters (compile/ruleset.ts rulesOnly), so that question is left to
 * the trace; a packet with no source at all has no answer in any rules.
 */
function checkPacket(spec: PacketSpec, host: HostContext | null): void {
  try {
    resolvePacket(spec, new HostModel(host ?? defaultHostContext(), host !== null));
  } catch (e) {
    const sourced = spec.src !== undefined || spec.from !== undefined || spec.local === true;
    if (e instanceof PacketError && e.code === 'trace/packet-entry' && host === null && sourced) return;
    throw e;
  }
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
  const empty = emptyInput(displayName(path), text);
  if (empty) io.stderr(formatDiagnostic(empty, undefined, c) + '\n');
  for (const [i, raw] of lines.entries()) {
    const b = parseBatchLine(raw, i + 1);
    if (!b) continue;
    const where = `${path}:${b.line}`;
    if (b.error !== null || !b.spec) {
      errors++;
      io.stderr(`${c.red('error')}: ${where}:${b.column}: ${b.error}\n`);
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
    if (format === 'json') io.stdout(toJson({ line: b.line, id: b.id, ...(check ? { expect_ok: check.ok } : {}), ...toTraceJson(result) }, 0) + '\n');
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
  async run(argv, { io, colors: c, data }) {
    const args = parseArgs(argv, OPTIONS);
    if (args.flags.has('help')) { io.stdout(TRACE_HELP + '\n'); return EXIT.ok; }
    if (!args.positionals.length) { io.stderr(TRACE_HELP + '\n'); return EXIT.error; }
    const format = choice(args, 'format', ['text', 'json', 'kernel', 'html'] as const, 'text');
    const backend = args.options.has('backend') ? choice(args, 'backend', ['nft', 'legacy'] as const, 'nft') : undefined;
    const expect = parseExpect(optionValue(args, 'expect'));
    const opts: TraceOptions = { assume: parseAssumptions(args), traceAll: args.flags.has('trace-all') };
    const max = intOption(args, 'max-outcomes');
    if (max !== undefined) opts.maxOutcomes = max;
    const batch = optionValue(args, 'batch');
    const spec = packetFromArgs(args);
    if (batch !== undefined && format === 'html') throw new UsageError('--format html draws one trace (or one --then conversation), not a --batch');
    if (batch !== undefined && Object.keys(spec).length) throw new UsageError('--batch takes the packets from the file: give no packet options with it');
    // Everything the command line alone decides is checked before any input is read.
    const then = batch === undefined ? parseThen(args) : [];
    if (then.length && (spec.reply || (spec.state !== undefined && spec.state !== 'NEW'))) {
      throw new UsageError('--then starts from the connection\'s first packet: give no --reply or --state with it');
    }
    localAddressesOf(args, false);
    let inputs: Inputs | null;
    try {
      inputs = await loadInputs(io, c, args, (host) => { if (batch === undefined) checkPacket(spec, host); });
    } catch (e) {
      if (e instanceof PacketError) { io.stderr(`${c.red('error')}: ${e.message}\n`); return EXIT.error; }
      throw e;
    }
    if (!inputs) return EXIT.error;
    const localAddresses = localAddressesOf(args, inputs.host !== null);
    const compiled = compileRuleset(inputs.snapshots, inputs.host, { ...(backend ? { backend } : {}), ...(inputs.ipsets.length ? { ipsets: inputs.ipsets } : {}), ...(localAddresses.length ? { localAddresses } : {}) });
    for (const w of compiled.warnings) io.stderr(`${c.yellow('warning')}: ${w}\n`);
    // iptables-nft saves cannot show native nftables tables that also see the packet (mixed-host.ts).
    const unseen = nativeTablesNote(inputs.snapshots.map((snapshot) => ({ snapshot, text: inputs.texts.get(snapshot.fileName) })));
    if (unseen) io.stderr(`${c.yellow('note')}: ${unseen.message} ${c.dim(`[${unseen.code}]`)}\n`);
    // A loop of jumps or gotos a built-in chain reaches: the kernel would not load these rules, so nothing is traced.
    for (const d of compiled.refused) io.stderr(formatDiagnostic(d, inputs.texts.get(d.file), c) + '\n');
    if (compiled.refused.length) return EXIT.error;
    if (batch !== undefined && format !== 'html') return runBatch(io, c, compiled, batch, format, opts, expect);
    let result: TraceResult;
    try {
      if (then.length) {
        const conv = traceConversation(compiled, spec, then, opts);
        const steps = [null, ...then];
        if (format === 'json') io.stdout(toJson(conversationJson(conv, then)) + '\n');
        else if (format === 'html') data((await import('./trace-html')).traceHtml(conversationJson(conv, then), inputs.texts, argv));
        else {
          for (const [i, r] of conv.packets.entries()) {
            const head = `packet ${i + 1} of ${conv.packets.length}: ${describeStep(steps[i]!)}`;
            io.stdout(`${format === 'kernel' ? `# ${head}` : c.bold(head)}\n${render(r, format, c)}${i + 1 < conv.packets.length ? '\n' : ''}`);
          }
        }
        result = conv.packets[conv.packets.length - 1]!;
      } else {
        result = trace(compiled, spec, opts);
        if (format === 'html') data((await import('./trace-html')).traceHtml(toTraceJson(result), inputs.texts, argv));
        else io.stdout(render(result, format, c));
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
