// @chainsight/packet-set: sets of packets as BDDs, the symbolic meaning of every match, reach sets of rules.
export { NameAlphabet, type NameClass } from './alphabet';
export { PacketSpace, CT_STATES, PKT_TYPES, PORT_PROTOCOLS, type IpFamily, type FieldNames } from './space';
export { Oracles, type Unknown } from './oracles';
export { matchSet, ruleMatchSet, isModelled, type SymCtx, type SymMatch } from './matches/index';
export { assignmentOf, contains, packetOfCube, witness, type ConcretePacket } from './packet';
export { randomMember, randomAssignment, type Random } from './sample';
export { analyzeSnapshot, deviceAlphabet, oracleCapacity, type SnapshotReach, type AnalyzeOptions } from './analyze';
export { walkTable, type TableReach, type RuleReach, type WalkInput } from './walk';
export { hookEntry } from './entry';
export { targetTransform, xset, havoc, type Transform } from './transforms';
export { findHiddenRules, type HiddenRule, type HiddenRules, type Blocker } from './hidden';
export { WalkBudgetError } from './walk';
export { querySnapshot, QueryError, type QueryGoal, type QueryInput, type QueryAnswer } from './query';
export { regionsOf, type Region, type RegionField, type Regions } from './regions';
export { compareSnapshots, CompareError, type Comparison, type CompareOptions, type HookComparison, type OutcomeRegion, type SideOutcome, type Decider, type UnknownUse } from './compare';
export { detailedVerdict } from './outcome';
