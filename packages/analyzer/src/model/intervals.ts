// Sets of integers as sorted, disjoint, inclusive [lo, hi] intervals (bigint: IPv6 addresses need 128 bits).
export type IntervalSet = readonly (readonly [bigint, bigint])[];

export function normalise(list: (readonly [bigint, bigint])[]): IntervalSet {
  const sorted = [...list].filter(([a, b]) => a <= b).sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [a, b] of sorted) {
    const last = out[out.length - 1];
    if (last && a <= last[1] + 1n) { if (b > last[1]) last[1] = b; } else out.push([a, b]);
  }
  return out;
}

export function intersect(x: IntervalSet, y: IntervalSet): IntervalSet {
  const out: [bigint, bigint][] = [];
  let i = 0;
  let j = 0;
  while (i < x.length && j < y.length) {
    const lo = x[i]![0] > y[j]![0] ? x[i]![0] : y[j]![0];
    const hi = x[i]![1] < y[j]![1] ? x[i]![1] : y[j]![1];
    if (lo <= hi) out.push([lo, hi]);
    if (x[i]![1] < y[j]![1]) i++;
    else j++;
  }
  return out;
}

export function subtract(x: IntervalSet, y: IntervalSet): IntervalSet {
  let cur: [bigint, bigint][] = x.map(([a, b]) => [a, b]);
  for (const [c, d] of y) {
    const next: [bigint, bigint][] = [];
    for (const [a, b] of cur) {
      if (d < a || c > b) { next.push([a, b]); continue; }
      if (c > a) next.push([a, c - 1n]);
      if (d < b) next.push([d + 1n, b]);
    }
    cur = next;
  }
  return cur;
}
