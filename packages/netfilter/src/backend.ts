// Which kernel machinery holds the x_tables rules of a host: the legacy x_tables tables (iptables-legacy,
// ebtables-legacy) or nf_tables tables that iptables-nft / ebtables-nft create and translate to. The two put some
// base chains at different priorities (xtables.ts), so the order of chains at a hook depends on it.

export type Backend = 'legacy' | 'nft';

export const BACKENDS: readonly Backend[] = ['legacy', 'nft'];
