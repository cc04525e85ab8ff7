// @chainsight/grammar: parsers for iptables-save, ip6tables-save, ebtables-save, `iptables -S`, `iptables -L`,
// `ebtables -L` and command scripts into one typed IR, and the canonical printer.
export type * from './ir/nodes';
export type * from './ir/values';
export type { Diagnostic, Severity, RelatedLocation } from './ir/diagnostic';
export type { Position, Span } from './ir/span';
export { spanOf, joinSpans, plainSpan, SourceSpan } from './ir/span';
export { chainMap, findChain, findTable, findOption, optionNumber, interfaceMatcher, baseOption, matchesOf, allRules, ruleCount } from './ir/lookup';
export { parseSnapshot, inferListingTable, type ParseOptions, type ParseResult } from './parse/index';
export type { TextOrigin } from './parse/diagnostics';
export { detectFormat, detectNftRuleset, looksLikeCapture, type Detected, type NftRulesetStart } from './parse/detect';
export { printSnapshot, type PrintOptions } from './print/snapshot';
export { printRule, printRuleArgs, printMatch, printTarget } from './print/rule';
export { codeFrame } from './codeframe';
export { visibleText, escapeInvisible, INVISIBLE_CHARS } from './visible';
export { LISTING_MODULE, LISTING_TEXT_OPTION } from './parse/listing/rule';
export {
  MATCHES, TARGETS, EB_MATCHES, EB_TARGETS, EB_BASE, VERDICTS, EB_VERDICTS, BUILTIN_CHAINS, builtinChains,
  findMatchModule, findTargetSpec, findOptionSpec, canonicalOption,
  type ModuleSpec, type OptionSpec, type TargetSpec,
} from './registry/index';
export {
  parseIpv4, parseIpv6, formatIpv4, formatIpv6, formatIp, parseIp, prefixMask, parseMac, formatMac,
  parseAddressMask, formatAddressMask,
} from './registry/address';
export { TOS_NAMES, DSCP_CLASSES } from './registry/tos';
export { parseTos } from './registry/value-types';
export { PROTOCOLS, SERVICES, ETHERTYPES, ICMP_TYPES, ICMPV6_TYPES, TCP_FLAGS, CT_STATES } from './registry/names';
export { parseIpsetSave, looksLikeIpsetSave, type IpsetParseResult } from './ipset/parse';
export type { IpSet, IpSetDimension, IpSetMember, IpSetValue } from './ipset/types';
