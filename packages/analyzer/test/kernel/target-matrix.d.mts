// Types of target-matrix.mjs (the rule texts it restores).
export const IP_TABLES: Record<string, string[]>;
export const EB_TABLES: Record<string, string[]>;
export const V4: Record<string, string>;
export const V6: Record<string, string>;
export const EB: Record<string, string>;
