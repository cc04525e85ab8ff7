// Traces of the repository's fixtures through the trace package's API, as `trace --format json` documents: the
// input every report test starts from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSnapshot } from '@chainsight/grammar';
import { compileRuleset, parseHostContext, toTraceJson, trace, traceConversation, type CompileOptions, type ConversationStep, type PacketSpec, type TraceJson } from '@chainsight/trace';
import type { TraceConversationJson } from '../src/index';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export interface Traced {
  json: TraceJson;
  sources: Map<string, string>;
}

/** Rules (file name as the CLI would show it) and optional host facts; the sources map is what the CLI passes. */
export function compile(rules: { file: string; text: string }, host: string | null, options: CompileOptions = {}) {
  const snapshot = parseSnapshot(rules.text, { fileName: rules.file }).snapshot;
  const context = host === null ? null : parseHostContext(host, 'host.json').context;
  return { compiled: compileRuleset([snapshot], context, options), sources: new Map([[rules.file, rules.text]]) };
}

export function fixture(dir: string): { rules: { file: string; text: string }; host: string } {
  const file = `fixtures/${dir}/iptables-save`;
  return { rules: { file, text: readFileSync(path.join(repoRoot, file), 'utf8') }, host: readFileSync(path.join(repoRoot, 'fixtures', dir, 'host.json'), 'utf8') };
}

export function traceFixture(dir: string, spec: PacketSpec): Traced {
  const f = fixture(dir);
  const { compiled, sources } = compile(f.rules, f.host);
  return { json: toTraceJson(trace(compiled, spec)), sources };
}

export function conversationFixture(dir: string, spec: PacketSpec, then: ConversationStep[]): { json: TraceConversationJson; sources: Map<string, string> } {
  const f = fixture(dir);
  const { compiled, sources } = compile(f.rules, f.host);
  const conv = traceConversation(compiled, spec, then);
  const is = ['the first packet', ...then.map((t) => t.direction)];
  return { json: { schema: 'chainsight.trace-conversation/1', conversation: conv.packets.map((r, i) => ({ index: i + 1, is: is[i]!, ...toTraceJson(r) })) }, sources };
}

/** The attributes of every `<li class="step">` of one outcome's list, in document order. */
export function domSteps(html: string, packet: number, outcome: number): Record<string, string>[] {
  const re = new RegExp(`<li class="step[^"]*" id="p-${packet}-o-${outcome}-s-\\d+"([^>]*)>`, 'g');
  return [...html.matchAll(re)].map((m) => Object.fromEntries([...m[1]!.matchAll(/data-([a-z]+)="([^"]*)"/g)].map((a) => [a[1]!, a[2]!])));
}
