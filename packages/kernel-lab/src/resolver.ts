// Builds the RuleResolver that normalize.ts needs from plain text: the user's save output per family, optional
// `nft -a list table` listings, and what the harness added. The lab builds one from the live namespace
// (trace-capture.ts); a trace captured elsewhere (a real host's xtables-monitor output plus its iptables-save)
// can be normalised with one built from files.
import type { RuleResolver, StepFamily } from './normalize.js';
import { handlesFromSave, parseNftHandles, type RulePosition } from './rule-locator.js';
import { parseSave, type SaveModel } from './save-model.js';

export interface ResolverOptions {
  /** The user's rules as saved (iptables-save / ip6tables-save / ebtables-save text). */
  saves: Partial<Record<StepFamily, string>>;
  /** `nft -a list table <family> <table>` output keyed `<family>:<table>` (rule-locator.ts method 1). Tables
   *  without a listing fall back to handle arithmetic on the save text (method 2: right only for a table freshly
   *  restored from exactly that text). */
  listings?: Record<string, string>;
  /** Harness rules inserted at the top of a chain, keyed `<family>:<table>:<chain>`. */
  harnessTop?: Record<string, number>;
  /** Tables that only the harness created, keyed `<family>:<table>`. */
  harnessTables?: string[];
}

export function createResolver(options: ResolverOptions): RuleResolver {
  const models = new Map<StepFamily, SaveModel>();
  for (const [family, text] of Object.entries(options.saves) as [StepFamily, string | undefined][]) {
    if (text !== undefined) models.set(family, parseSave(text));
  }
  const handleMaps = new Map<string, Map<number, RulePosition>>();
  const handlesFor = (family: StepFamily, table: string): Map<number, RulePosition> => {
    const key = `${family}:${table}`;
    let map = handleMaps.get(key);
    if (!map) {
      const listing = options.listings?.[key];
      const save = options.saves[family];
      map = listing !== undefined ? parseNftHandles(listing) : save !== undefined ? handlesFromSave(save, table) : new Map();
      handleMaps.set(key, map);
    }
    return map;
  };
  const offset = (family: StepFamily, table: string, chain: string): number =>
    options.harnessTop?.[`${family}:${table}:${chain}`] ?? 0;
  const harnessTables = new Set(options.harnessTables ?? []);
  return {
    model: (family) => models.get(family),
    harnessOffset: offset,
    nftHandle: (family, table, handle) => {
      const pos = handlesFor(family, table).get(handle);
      if (pos === undefined) return undefined;
      // Listings include the harness rules (inserted at the top); user numbering starts after them.
      const listed = options.listings?.[`${family}:${table}`] !== undefined;
      const off = listed ? offset(family, table, pos.chain) : 0;
      if (pos.index <= off) return 'harness';
      return { chain: pos.chain, index: pos.index - off };
    },
    isHarnessTable: (family, table) => harnessTables.has(`${family}:${table}`),
  };
}
