// What `diffNftRulesets` reports: changes between two nft rulesets, each located on the side(s) it comes from.

/** Where a rule, chain, set or table is on one side: its line (absent for input without positions) and, for
 *  rules, its 1-based position in the chain. */
export interface NftAt {
  line?: number;
  position?: number;
}

/** kube-proxy's nftables mode: the service port a chain (or an element naming one) belongs to. */
export interface KubeRef {
  /** `ns1/svc1/tcp/p80`. */
  service: string;
  /** `10.0.1.1/80` for an endpoint chain. */
  endpoint?: string;
}

interface Base {
  /** `family name` of the table. */
  table: string;
  kube?: KubeRef;
}

export type NftChange =
  | (Base & { kind: 'table-added' | 'table-removed'; at: NftAt; chains: number; rules: number })
  | (Base & { kind: 'chain-added' | 'chain-removed'; chain: string; at: NftAt; rules: number; base: boolean })
  /** A base chain's property: `type`, `hook`, `priority`, `policy`, `device`; or `base` (regular ↔ base chain). */
  | (Base & { kind: 'chain-changed'; chain: string; property: string; from: string | null; to: string | null; before: NftAt; after: NftAt })
  | (Base & { kind: 'rule-added'; chain: string; rule: string; after: NftAt })
  | (Base & { kind: 'rule-removed'; chain: string; rule: string; before: NftAt })
  | (Base & { kind: 'rule-moved'; chain: string; rule: string; before: NftAt; after: NftAt })
  | (Base & { kind: 'set-added' | 'set-removed'; set: string; map: boolean; at: NftAt; elements: number })
  /** A set's declaration: `type`, `flags`, `timeout`, `size`, `policy`, `comment` …. */
  | (Base & { kind: 'set-changed'; set: string; property: string; from: string | null; to: string | null; before: NftAt; after: NftAt })
  | (Base & { kind: 'element-added'; set: string; element: string; after: NftAt })
  | (Base & { kind: 'element-removed'; set: string; element: string; before: NftAt });

export interface NftDiffResult {
  identical: boolean;
  changes: NftChange[];
  /**
   * Per kube-proxy service (nftables mode) that a change touches: how many changes, and the endpoints its service
   * chains reach now and did not before (added) or no longer reach (removed).
   */
  services: Array<{ service: string; changes: number; endpointsAdded: string[]; endpointsRemoved: string[] }>;
}
