// Chain-name globs (`KUBE-*`, `f2b-?sh`) for allow-lists. Exact names are looked up in a Set; globs become one
// RegExp. Chain names are compared as written (iptables chain names are case-sensitive). And the nearest of a
// list of names, for "did you mean" (chain names, rule ids in configurations and suppression comments).

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

/** The chain name closest to `name`: same letters in another case, or at most two edits away. */
export function nearestName(name: string, names: Iterable<string>): string | null {
  let best: string | null = null;
  let bestCost = 3;
  const lower = name.toLowerCase();
  for (const n of names) {
    if (Math.abs(n.length - name.length) >= bestCost) continue;
    const cost = n.toLowerCase() === lower ? 0.5 : editDistance(name, n, bestCost);
    if (cost < bestCost) { best = n; bestCost = cost; }
  }
  return best;
}

/** Levenshtein distance, giving up (returning `limit`) once every path costs at least `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= limit) return limit;
    prev = cur;
  }
  return prev[b.length]!;
}
