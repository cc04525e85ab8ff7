// @chainsight/conformance: the simulator proved against the real kernel. Scenario flows (fixtures/conformance)
// and random rulesets are run in the kernel lab and in the simulator, and every traced packet is compared step
// by step. This entry point is the pure part (comparison, conversions, generator, shrinker, summary); the parts
// that drive the kernel (src/kernel/) need the kernel lab and are used by the tests directly.
export { fromSimulator, sameStep, formatStep, type Step, type StepFamily, type StepType } from './steps.js';
export { compareSteps, matchCandidates, alignSteps, renderDiff, type Candidate, type CandidateMatch, type StepComparison } from './compare.js';
export type { LabFlow, LabFlowResult, LabPacket, LabPacketInfo, FlowProto } from './kernel-types.js';
export {
  toLabFlow,
  firstPacketSpec,
  questionFor,
  directionOf,
  mendPackets,
  flagsFromLetters,
  flagsFromKernel,
  type Flow,
  type PacketRole,
  type PacketQuestion,
  type Endpoints,
  type MendOptions,
} from './flows.js';
export {
  createSimulator,
  candidatesFor,
  standaloneAnswer,
  compareFlow,
  describePacket,
  describeFlow,
  type Backend,
  type Simulator,
  type SimulatorInput,
  type PacketComparison,
  type FlowComparison,
} from './simulate.js';
export { parseScenarioDefinition, withoutBroute, rulesFor, type Scenario, type ScenarioDefinition, type ScenarioSources } from './scenario.js';
export { loadScenario, scenarioNames, type LoadedScenario, type ScenarioRoots } from './load.js';
export { recordingOf, parseRecording, formatRecording, type Recording } from './recording.js';
export { emptyTally, formatFigure, type Tally } from './summary.js';
export { KNOWN_DIVERGENCES, isKnownDivergence, type DivergenceInfo, type KnownDivergence } from './divergences.js';
export { Rng } from './random/prng.js';
export { printRuleset, printRule, ruleCount, BUILTIN, type RulesetModel, type TableModel, type ChainModel, type RuleModel, type TargetModel, type ModuleModel, type ProtocolModel, type OptionGroup, type TableName } from './random/model.js';
export { generateRuleset, generatePackets, type RandomPacket } from './random/generate.js';
export { smallerRulesets, shrinkRuleset, type ShrinkResult } from './random/shrink.js';
export {
  runDifferential,
  generateCase,
  caseSeed,
  randomPacketFlow,
  sendArgs,
  describeMismatch,
  summariseDifferential,
  type KernelSide,
  type LoadResult,
  type DifferentialOptions,
  type DifferentialReport,
  type Mismatch,
  type RandomCase,
} from './random/differential.js';
export { RANDOM_HOST_CONTEXT, RANDOM_HOST_JSON, EXTERNAL, HOST_ADDRESSES, SOURCES, DESTINATIONS, sourceAddress, segmentOf, type Source } from './random/topology.js';
