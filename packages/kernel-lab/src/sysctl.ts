// Per-namespace sysctls. /proc/sys/net/* shows the network namespace of the process that opens it, so writing
// the file from a process started with `ip netns exec` changes only that namespace (docs/netfilter.md §brnf-off:
// net.bridge.bridge-nf-call-iptables is per netns on this kernel, default 1).
import type { ExecResult } from './exec.js';
import type { Lab } from './netns.js';

const KEY_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_@:-]+)+$/;

/** `net.ipv4.ip_forward` → `/proc/sys/net/ipv4/ip_forward`. Dots inside interface names are not supported. */
export function sysctlPath(key: string): string {
  if (!KEY_RE.test(key)) throw new Error(`unsupported sysctl key '${key}'`);
  return `/proc/sys/${key.split('.').join('/')}`;
}

export async function setSysctl(lab: Lab, ns: string, key: string, value: string | number): Promise<ExecResult> {
  // tee with the value on stdin: no shell, the value never becomes part of a command line.
  return lab.exec(ns, ['tee', sysctlPath(key)], { input: `${value}\n`, timeoutMs: 5000 });
}

export async function getSysctl(lab: Lab, ns: string, key: string): Promise<string | null> {
  const r = await lab.exec(ns, ['cat', sysctlPath(key)], { timeoutMs: 5000 });
  return r.code === 0 ? r.stdout.trim() : null;
}
