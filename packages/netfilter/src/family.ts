// The nftables address families (nft(8) ADDRESS FAMILIES) and the x_tables tool that covers each one.
// Family names come from input (`table inet x {`): looked up in Sets and Maps, never as object keys.

export const FAMILIES = ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'] as const;
export type NfFamily = (typeof FAMILIES)[number];

const FAMILY_SET: ReadonlySet<string> = new Set(FAMILIES);

export function isFamily(name: string): name is NfFamily {
  return FAMILY_SET.has(name);
}

/**
 * The kernel's number for each family (`enum { NFPROTO_… }`, include/uapi/linux/netfilter.h): nft trace and
 * netlink messages name a family by it.
 */
export const NFPROTO: ReadonlyMap<NfFamily, number> = new Map([['inet', 1], ['ip', 2], ['arp', 3], ['netdev', 5], ['bridge', 7], ['ip6', 10]]);

const BY_NFPROTO: ReadonlyMap<number, NfFamily> = new Map([...NFPROTO].map(([f, n]) => [n, f]));

export function familyOfNfproto(n: number): NfFamily | undefined {
  return BY_NFPROTO.get(n);
}

export type XtablesTool = 'iptables' | 'ip6tables' | 'arptables' | 'ebtables';

/**
 * The x_tables tool of a family (its `-legacy` and `-nft` variants alike). inet and netdev have none: their tables
 * exist only as native nftables, which no `*-save` tool prints.
 */
export const XTABLES_TOOL: ReadonlyMap<NfFamily, XtablesTool> = new Map([['ip', 'iptables'], ['ip6', 'ip6tables'], ['arp', 'arptables'], ['bridge', 'ebtables']]);

const BY_TOOL: ReadonlyMap<string, NfFamily> = new Map([...XTABLES_TOOL].map(([f, t]) => [t, f]));

/** `iptables`, `ip6tables-nft-save`, `ebtables-legacy` … → the family; undefined for anything else. */
export function familyOfTool(command: string): NfFamily | undefined {
  const m = /^(iptables|ip6tables|arptables|ebtables)(?:-nft|-legacy)?(?:-save|-restore)?$/.exec(command);
  return m ? BY_TOOL.get(m[1]!) : undefined;
}
