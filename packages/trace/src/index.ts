// @chainsight/trace: the netfilter model (hooks, table order, bridge path, conntrack, NAT), the host context,
// packet simulation, and the renderers of a trace (text, JSON schema chainsight.trace/1, the kernel's log lines).
import type { Snapshot } from '@chainsight/grammar';
import { compileRuleset, type CompileOptions, type CompiledRuleset } from './compile/ruleset';
import type { HostContext } from './host/context';
import { HostModel } from './host/model';
import type { PacketSpec } from './packet';
import { traceSpec, type TraceOptions } from './sim/explore';
import type { TraceResult } from './types';

export type * from './types';
export { parseHostContext, defaultHostContext, parseCidr, type HostContext, type HostContextResult, type HostInterface, type HostRoute, type HostRule, type HostNeighbor } from './host/context';
export { HostModel } from './host/model';
export { hostContextFromIproute, iprouteOutputOf, looksLikeIprouteJson, type IprouteInput, type IprouteOutput, type IprouteResult } from './host/iproute';
export { readHostInputs, looksLikeHostInput } from './host/inputs';
export { parseLocatedJson, JsonSyntaxError, type LocatedValue } from './host/located-json';
export { readCapture, readSysctls, type CaptureRead, type CaptureRules } from './host/capture';
export { splitCapture, looksLikeCapture, CAPTURE_FORMAT, CAPTURE_SECTIONS, type CaptureSection, type SplitCapture } from './host/capture-sections';
export { CAPTURE_SCRIPT } from './host/capture-script';
export { compileRuleset, type CompileOptions, type CompiledRuleset } from './compile/ruleset';
export { resolvePacket, checkPacketSpec, PacketError, protocolNumber, parseTcpFlags, type PacketSpec, type Entry, type ResolvedPacket } from './packet';
export { traceSpec as trace, type TraceOptions } from './sim/explore';
export { canCreate } from './sim/conntrack';
export { traceConversation, type ConversationStep, type ConversationResult } from './sim/conversation';
export { renderKernelLog } from './render/kernel-log';
export { renderText, describePacket as describePacketView, protocolLabel, type TextOptions } from './render/text';
export { toTraceJson, TRACE_JSON_SCHEMA, type TraceJson } from './render/json';
export { checkExpectation, parseExpectation, type Expectation, type ExpectationResult } from './render/expect';
export { parseBatchLine, type BatchLine } from './batch';
export { PACKET_FIELDS, packetField, checkIcmpType, type PacketField, type Checked } from './packet-fields';

/**
 * Trace one packet. `ruleset` is the parsed snapshots (any mix of iptables v4/v6 and ebtables) or an already
 * compiled ruleset (compileRuleset), which is much faster when tracing many packets.
 */
export function tracePacket(
  ruleset: readonly Snapshot[] | CompiledRuleset,
  host: HostContext | null,
  packet: PacketSpec,
  options: TraceOptions & CompileOptions = {},
): TraceResult {
  const compiled = Array.isArray(ruleset)
    ? compileRuleset(ruleset as readonly Snapshot[], host ? new HostModel(host) : null, options)
    : (ruleset as CompiledRuleset);
  return traceSpec(compiled, packet, options);
}
export * from './explain/index';
