// nftables rulesets given to the commands that read iptables-save: `nft list ruleset` text, `nft -j list ruleset`
// JSON, and `nft -f` scripts are recognised and read with @chainsight/nft instead of being refused by the
// iptables-save parser (grammar's parse/nftables-ruleset error). The commands branch here once they know.
import { detectNftRuleset } from '@chainsight/grammar';
import { parseNft, type ParseResult as NftParseResult } from '@chainsight/nft';
import type { Colors } from './color';
import type { CliIo } from './io';
import { displayName, emptyInput, formatDiagnostic, readInput } from './load';

export interface NftFile {
  kind: 'nft';
  path: string;
  text: string;
  result: NftParseResult;
}

// An `nft -f` script rather than a listing: its first command (nft(8) "COMMANDS"; `flush ruleset` usually leads).
const NFT_SCRIPT = /^\s*(?:(?:add|create|insert|flush|delete|destroy)\s+(?:table|chain|rule|set|map|element|ruleset)\b|define\s+[A-Za-z_]\w*\s*=)/;

/** Whether a text is an nftables ruleset (a listing, JSON, or an `nft -f` script): decided by its first meaningful line. */
export function isNftText(text: string): boolean {
  if (detectNftRuleset(text)) return true;
  for (const line of text.slice(0, 65536).split('\n')) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    return NFT_SCRIPT.test(t);
  }
  return false;
}

export function parseNftFile(path: string, text: string): NftFile {
  const file = displayName(path);
  const result = parseNft(text, file);
  const empty = emptyInput(file, text);
  if (empty) result.diagnostics.unshift(empty);
  return { kind: 'nft', path: file, text, result };
}

/** A file read once: an nft ruleset, parsed, or the text for the iptables-save reader. */
export async function readMaybeNft(io: CliIo, path: string): Promise<{ nft: NftFile } | { text: string }> {
  const text = await readInput(io, path);
  return isNftText(text) ? { nft: parseNftFile(path, text) } : { text };
}

export function renderNftDiagnostics(io: CliIo, f: NftFile, c: Colors, minimum: 'error' | 'warning' = 'warning', limit = 50): void {
  const shown = f.result.diagnostics.filter((d) => d.severity === 'error' || (minimum === 'warning' && d.severity === 'warning') || d.code === 'input/empty');
  for (const d of shown.slice(0, limit)) io.stderr(formatDiagnostic(d, f.text, c) + '\n');
  if (shown.length > limit) io.stderr(c.dim(`… and ${shown.length - limit} more diagnostics in ${f.path} (--format json lists all)\n`));
}

export const nftErrors = (f: NftFile) => f.result.diagnostics.some((d) => d.severity === 'error');
