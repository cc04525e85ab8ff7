// Chain-name globs (`KUBE-*`, `f2b-?sh`) for allow-lists. Exact names are looked up in a Set; globs become one
// RegExp. Chain names are compared as written (iptables chain names are case-sensitive).

export function chainMatcher(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const p of patterns) {
    if (/[*?]/.test(p)) globs.push(p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.'));
    else exact.add(p);
  }
  const re = globs.length ? new RegExp(`^(?:${globs.join('|')})$`) : null;
  return (name) => exact.has(name) || (re !== null && re.test(name));
}
