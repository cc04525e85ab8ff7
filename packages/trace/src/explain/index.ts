// Public surface of `explain`: read real kernel traces (legacy TRACE from dmesg/syslog/journalctl,
// xtables-monitor --trace, nft monitor trace), tie every line to the rule it refers to in the user's snapshots,
// group the lines per packet and summarise each packet's path, verdict and NAT.
export type * from './types';
export { readTraceLog } from './read';
export { parseTraceLine, normaliseNftVerdict, normaliseXtablesVerdict, cleanNftRule } from './parse-line';
export { parsePrefix } from './prefix';
export { parseKeyValues, packetFromKeyValues, packetFromNft, orderTcpFlags } from './fields';
export { explainTrace, type ExplainOptions } from './explain';
export { renderExplanation, explanationJson, describePacket, type ExplainStyle, type ExplainTextOptions } from './render';
export { kernelUnconditional, ruleVerdict } from './snapshot-index';
export { nftFacts, ruleFacts, compareFacts, type Facts } from './nft-facts';
export { parsePrintedRule } from './printed-rule';
export { compareWithSimulation, comparePacket, type PacketComparison, type CompareOptions } from './compare';
