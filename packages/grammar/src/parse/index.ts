// parseSnapshot: any supported format in, a typed Snapshot and located diagnostics out. Never throws on bad
// input: every problem is a diagnostic and the rest of the file still parses.
import type { Diagnostic } from '../ir/diagnostic';
import type { Family, InputFormat, Snapshot } from '../ir/nodes';
import { spanOf } from '../ir/span';
import { detectFormat, detectNftRuleset } from './detect';
import { DiagnosticSink, type TextOrigin } from './diagnostics';
import { parseLineFormat } from './save';
import { parseIptablesListing } from './listing-L';
import { parseEbtablesListing } from './ebtables-L';
import { resetValueCache } from './rule-args';

export interface ParseOptions {
  fileName?: string;
  /** Overrides detection. */
  format?: InputFormat;
  family?: Family;
  /** Table for `-S` / `-L` listings, which do not name it (else inferred from chains and targets). */
  table?: string;
  /** Where `text` starts in the file (a section of a host capture): locations are counted from there. */
  origin?: TextOrigin;
}

export interface ParseResult {
  snapshot: Snapshot;
  diagnostics: Diagnostic[];
  /** What was detected and why. */
  detected: { format: InputFormat; family: Family; reason: string };
}

export function parseSnapshot(text: string, options: ParseOptions = {}): ParseResult {
  const fileName = options.fileName ?? '<input>';
  const sink = new DiagnosticSink(fileName, options.origin);
  const detected = detectFormat(text);
  const format = options.format ?? detected.format;
  let family = options.family ?? (options.format && options.format !== detected.format ? defaultFamily(options.format, detected.family) : detected.family);
  if (format.startsWith('ebtables')) family = 'bridge';
  // A command script may be ebtables; the iptables formats never are.
  else if (family === 'bridge' && !options.family && format !== 'commands') family = 'ipv4';
  const reason = options.format ? 'given with --input-format' : detected.reason;
  const nft = detectNftRuleset(text);
  if (nft) {
    // Read line by line as iptables-save, every line of it would be an error: one error instead, at its first table.
    const origin = sink.origin;
    const command = nft.form === 'json' ? 'nft -j list ruleset' : 'nft list ruleset';
    sink.error('parse/nftables-ruleset',
      `this is an nftables ruleset (the output of '${command}'), not ${format} format: chainsight does not read nftables rulesets`,
      spanOf(origin.line + nft.line - 1, nft.column, origin.offset + nft.offset, nft.length),
      'give it the output of iptables-save, ip6tables-save or ebtables-save; on an nf_tables host they show only the tables that iptables-nft and ebtables-nft manage');
    const snapshot: Snapshot = { kind: 'snapshot', fileName, format, family, backend: 'unknown', generator: null, tables: [], lossy: false };
    return { snapshot, diagnostics: sink.items, detected: { format, family, reason: options.format ? reason : `an nftables ruleset ('${command}')` } };
  }
  let snapshot: Snapshot;
  // The value cache is per parse: one file, one family (see rule-args.ts).
  resetValueCache();
  try {
    if (format === 'iptables-L') snapshot = parseIptablesListing(text, sink, { fileName, family, table: options.table });
    else if (format === 'ebtables-L') snapshot = parseEbtablesListing(text, sink, { fileName });
    else {
      snapshot = parseLineFormat(text, sink, {
        // Only `iptables -S` text has rules without a table; the guess reads the whole text, so it is made only then.
        fileName, format, family, defaultTable: options.table ?? (format === 'iptables-S' ? inferListingTable(text, family) : 'filter'),
      });
    }
  } catch (e) {
    // A bug in chainsight, not in the input: still report it with a location rather than crash the caller.
    sink.error('parse/internal', `internal error while parsing: ${(e as Error).message}`, spanOf(1, 1, 0, 0));
    snapshot = { kind: 'snapshot', fileName, format, family, backend: 'unknown', generator: null, tables: [], lossy: false };
  }
  resetValueCache();
  return { snapshot, diagnostics: sink.items, detected: { format, family, reason } };
}

function defaultFamily(format: InputFormat, detected: Family): Family {
  return format.startsWith('ebtables') ? 'bridge' : detected === 'bridge' ? 'ipv4' : detected;
}

/**
 * `iptables -S` does not name its table. Guess from the chains: only nat has POSTROUTING without FORWARD,
 * mangle has all five, raw PREROUTING+OUTPUT; NAT targets mean nat.
 */
export function inferListingTable(text: string, family: Family): string {
  if (family === 'bridge') return 'filter';
  const builtins = new Set<string>();
  for (const m of text.matchAll(/^-[PA] (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)\b/gm)) builtins.add(m[1]!);
  if (/-j (?:DNAT|SNAT|MASQUERADE|REDIRECT|NETMAP)\b/.test(text)) return 'nat';
  if (/-j (?:TPROXY|MARK|CONNMARK|TOS|DSCP|TCPMSS|CLASSIFY|TTL|HL)\b/.test(text) && builtins.has('PREROUTING')) return 'mangle';
  if (builtins.has('PREROUTING') || builtins.has('POSTROUTING')) {
    if (builtins.has('FORWARD')) return 'mangle';
    if (builtins.has('POSTROUTING') || builtins.has('INPUT')) return 'nat';
    return /-j (?:CT|NOTRACK|TRACE)\b/.test(text) ? 'raw' : 'nat';
  }
  return 'filter';
}
