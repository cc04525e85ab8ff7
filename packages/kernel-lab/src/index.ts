// @chainsight/kernel-lab: the real kernel's netfilter, run in network namespaces, as the referee for the
// simulator (rules in this package's README.md; what this kernel lets it observe: docs/netfilter.md §lab-limits). Linux + root only; see labAvailability().
export { labAvailability, missingTraceTools, scapyAvailable, findTool, requireTool, pythonPath, scriptPath, type Availability } from './env.js';
export { runCommand, assertOk, type ExecOptions, type ExecResult } from './exec.js';
export { Lab, createLab, withLab, liveLabCount, listLabNamespaces, NAMESPACE_PREFIX, type LabProcess, type LabExecOptions } from './netns.js';
export { setSysctl, getSysctl, sysctlPath } from './sysctl.js';
export { restoreAndSave, restoreAndSaveIn, restoreTest, restoreTools, type RestoreResult, type RulesetFamily } from './restore.js';
export {
  parseCidr,
  cidrContains,
  type HostContext,
  type HostInterface,
  type HostNeighbor,
  type HostRoute,
  type Cidr,
} from './host-context.js';
export { buildTopology, ownerOf, type Topology, type TopologyNeighbour, type TopologyExternal, type TopologyOptions } from './topology.js';
export {
  parseSave,
  normaliseSave,
  ruleVerdict,
  splitWords,
  tableNames,
  HOOK_CHAINS,
  type SaveModel,
  type SaveTable,
  type SaveChain,
  type SaveRule,
} from './save-model.js';
export { createResolver, type ResolverOptions } from './resolver.js';
export { parseNftHandles, handlesFromSave, locateByRuleText, type RulePosition } from './rule-locator.js';
export {
  parseLegacyTrace,
  parseXtablesMonitorTrace,
  parseNftMonitorTrace,
  parseNftPacket,
  canonicalTcpFlags,
  parseFields,
  packetInfoFromFields,
  normaliseNftVerdict,
  normaliseXtablesVerdict,
  type TraceEvent,
  type LegacyTraceEvent,
  type LegacyTraceType,
  type XtablesTraceEvent,
  type XtablesPacketEvent,
  type NftTraceEvent,
  type PacketInfo,
} from './trace-parse.js';
export {
  normaliseTrace,
  formatSteps,
  type TraceStep,
  type PacketTrace,
  type RuleResolver,
  type NormaliseOptions,
  type StepFamily,
} from './normalize.js';
export { sendPing, sendTcp, sendUdp, sendCrafted, type SendOutcome, type CraftedPacket } from './senders.js';
export {
  loadTraceHarness,
  captureTrace,
  parseCapture,
  flushConntrack,
  HARNESS_BRIDGE_TABLE,
  type Backend,
  type CaptureTool,
  type TraceProto,
  type HarnessOptions,
  type TraceHarness,
  type Capture,
} from './trace-capture.js';
export {
  runScenario,
  describeResult,
  type Scenario,
  type FlowSpec,
  type FlowResult,
  type ScenarioResult,
  type RunScenarioOptions,
} from './scenario.js';
