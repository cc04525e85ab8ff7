// Chain-name globs for --chain / --ignore-chains / hash-chain patterns: `*` any run, `?` one character,
// everything else literal (chain names may contain regex metacharacters such as `+` or `.`).

export interface Glob {
  pattern: string;
  test(name: string): boolean;
}

export function compileGlob(pattern: string): Glob {
  if (!/[*?]/.test(pattern)) return { pattern, test: (name) => name === pattern };
  // `PREFIX*`, the common case (KUBE-SEP-*), without a regex.
  const prefix = pattern.slice(0, -1);
  if (pattern.endsWith('*') && !/[*?]/.test(prefix)) return { pattern, test: (name) => name.startsWith(prefix) };
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  const re = new RegExp(`^${source}$`, 's');
  return { pattern, test: (name) => re.test(name) };
}

/** The first glob that matches, or undefined. */
export function firstMatch(globs: readonly Glob[], name: string): Glob | undefined {
  for (const g of globs) if (g.test(name)) return g;
  return undefined;
}
