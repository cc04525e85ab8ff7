// nft traces name rules by handle; the simulator names them by (chain, 1-based index). Three ways to convert,
// all from docs/netfilter.md §nft-handles:
//   1. `nft -a list table <family> <table>` lists every chain's rules in evaluation order with `# handle N`: the
//      rule's index is its 1-based position in its chain's listing, which is also the order of that chain's `-A`
//      lines in iptables-save. Exact for any table state; the lab uses this one.
//   2. Arithmetic for a table freshly restored by iptables-nft-restore (handles come from one per-table counter,
//      chains first in `:` declaration order, then the `-A` lines in file order): handle of the k-th `-A` line of
//      the table = (number of chains) + k. Wrong as soon as rules were added or deleted one by one.
//   3. Textual: xtables-monitor re-prints the rule in iptables-save syntax (`-4 -t filter -A FORWARD -j X`), so
//      the first identical `-A` line of that chain is the rule (identical duplicates are ambiguous).
import { parseSave, splitWords, type SaveModel } from './save-model.js';

export interface RulePosition {
  chain: string;
  /** 1-based index within the chain. */
  index: number;
}

/** Method 1: parse `nft -a list table ...` output. */
export function parseNftHandles(listing: string): Map<number, RulePosition> {
  const map = new Map<number, RulePosition>();
  let chain: string | null = null;
  let index = 0;
  for (const raw of listing.split('\n')) {
    const line = raw.trim();
    const c = /^chain (\S+) \{/.exec(line);
    if (c) {
      chain = c[1]!.replace(/^"(.*)"$/, '$1');
      index = 0;
      continue;
    }
    if (line === '}') {
      chain = null;
      continue;
    }
    if (chain === null) continue;
    const h = /# handle (\d+)\s*$/.exec(line);
    // The chain header line (`type filter hook ... policy accept;`) carries no handle.
    if (h && !/^type \S+ hook /.test(line)) map.set(Number(h[1]), { chain, index: ++index });
  }
  return map;
}

/** Method 2: handle arithmetic for a freshly restored table (chains in declaration order, then -A lines). */
export function handlesFromSave(saveText: string, table: string): Map<number, RulePosition> {
  const map = new Map<number, RulePosition>();
  const t = parseSave(saveText).tables.get(table);
  if (!t) return map;
  // Rules in file order: parseSave keeps per-chain order, so walk the text again for the global order.
  let k = 0;
  const perChain = new Map<string, number>();
  let inTable = false;
  for (const raw of saveText.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) inTable = line.slice(1).trim() === table;
    if (!inTable) continue;
    const w = splitWords(line);
    if (w[0] === '-A' && w[1] !== undefined) {
      k++;
      const idx = (perChain.get(w[1]) ?? 0) + 1;
      perChain.set(w[1], idx);
      map.set(t.chains.size + k, { chain: w[1], index: idx });
    }
  }
  return map;
}

/** Method 3: match xtables-monitor's rule text against the save text of the same table. */
export function locateByRuleText(model: SaveModel, table: string, ruleText: string): RulePosition | undefined {
  const words = splitWords(ruleText);
  // Drop the family flag (-4/-6) and `-t <table>` that xtables-monitor prepends.
  const cleaned: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '-4' || words[i] === '-6') continue;
    if (words[i] === '-t') {
      i++;
      continue;
    }
    cleaned.push(words[i]!);
  }
  if (cleaned[0] !== '-A' || cleaned[1] === undefined) return undefined;
  const chain = model.tables.get(table)?.chains.get(cleaned[1]);
  if (!chain) return undefined;
  const key = cleaned.join('\u0000');
  const i = chain.rules.findIndex((r) => r.words.join('\u0000') === key);
  return i < 0 ? undefined : { chain: chain.name, index: i + 1 };
}
