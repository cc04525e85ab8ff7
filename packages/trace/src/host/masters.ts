// Interfaces whose master chain comes back to them: a bridge that is its own port, or two bridges each the
// other's port. The kernel refuses both (br_add_if(), net/bridge/br_if.c: a bridge cannot be enslaved to a
// bridge, -ELOOP; netdev_master_upper_dev_link() refuses an upper device that is already below, -EBUSY), so
// such a host context cannot describe a real host; its readers warn and drop those master links, so that
// nothing walking ports and masters can go round forever.

/** The loops among `name → master` links, each as its interfaces in link order, first by first appearance. */
export function masterLoops(masters: ReadonlyMap<string, string>): string[][] {
  const loops: string[][] = [];
  const done = new Set<string>();
  for (const startName of masters.keys()) {
    const path: string[] = [];
    const onPath = new Map<string, number>();
    let at: string | undefined = startName;
    while (at !== undefined && !done.has(at) && !onPath.has(at)) {
      onPath.set(at, path.length);
      path.push(at);
      at = masters.get(at);
    }
    if (at !== undefined && onPath.has(at)) loops.push(path.slice(onPath.get(at)!));
    for (const n of path) done.add(n);
  }
  return loops;
}

/** The warning text for one loop (`br0 → br0`, `br0 → br1 → br0`). */
export function masterLoopMessage(loop: readonly string[]): string {
  const ring = [...loop, loop[0]!].map((n) => `'${n}'`).join(' → ');
  const what = loop.length === 1 ? `interface '${loop[0]}' is its own master` : `interfaces ${ring} are masters of each other`;
  return `${what}: the kernel refuses this (br_add_if(): a bridge cannot be a port of a bridge); ${loop.length === 1 ? 'its master is' : 'their masters are'} ignored`;
}
