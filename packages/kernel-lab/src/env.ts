// Can the kernel lab run here, and where are its tools? README.md: Linux, root, iproute2 and the iptables-nft
// tools (Debian packages iptables, ebtables, nftables, iproute2, iputils-ping, netcat-openbsd, conntrack,
// tcpdump, python3-scapy).
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export type Availability = { ok: true } | { ok: false; reason: string };

// /usr/sbin and /sbin are searched even when PATH lacks them (non-login root shells and CI runners often do);
// tools are then run by absolute path, so `ip netns exec` does not depend on PATH either.
const EXTRA_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const toolCache = new Map<string, string | null>();

/** Absolute path of an executable, or null. Names containing '/' are checked as given. */
export function findTool(name: string): string | null {
  const cached = toolCache.get(name);
  if (cached !== undefined) return cached;
  let found: string | null = null;
  const candidates = name.includes('/')
    ? [name]
    : [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_DIRS].map((d) => path.join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      found = c;
      break;
    } catch {
      // keep looking
    }
  }
  toolCache.set(name, found);
  return found;
}

/** Like findTool, but throws a message naming the Debian package to install. */
export function requireTool(name: string): string {
  const p = findTool(name);
  if (p === null) throw new Error(`kernel-lab: '${name}' not found (install: ${packageFor(name)})`);
  return p;
}

function packageFor(tool: string): string {
  if (/^(ip|bridge)$/.test(tool)) return 'iproute2';
  if (/^(iptables|ip6tables|xtables)/.test(tool)) return 'iptables';
  if (tool.startsWith('ebtables')) return 'iptables (ebtables-nft) / ebtables';
  if (tool === 'nft') return 'nftables';
  if (tool === 'ping') return 'iputils-ping';
  if (tool === 'nc') return 'netcat-openbsd';
  if (tool === 'conntrack') return 'conntrack';
  if (tool.startsWith('python')) return 'python3, python3-scapy';
  return 'coreutils';
}

/** Linux, root, `ip` and `iptables-nft-restore` present. CHAINSIGHT_KERNEL_LAB=off turns the lab off on purpose. */
export function labAvailability(): Availability {
  if (process.env.CHAINSIGHT_KERNEL_LAB === 'off') return { ok: false, reason: 'disabled by CHAINSIGHT_KERNEL_LAB=off' };
  if (process.platform !== 'linux') return { ok: false, reason: `kernel lab needs Linux (this is ${process.platform})` };
  const uid = typeof process.getuid === 'function' ? process.getuid() : -1;
  if (uid !== 0) return { ok: false, reason: `kernel lab needs root to create network namespaces (uid ${uid})` };
  for (const tool of ['ip', 'iptables-nft-restore']) {
    if (findTool(tool) === null) return { ok: false, reason: `'${tool}' not found (install: ${packageFor(tool)})` };
  }
  return { ok: true };
}

/**
 * What the trace tests need beyond labAvailability(): each missing tool with its package. Empty when all present.
 */
export function missingTraceTools(backend: 'nft' | 'legacy', options: { scapy?: boolean } = {}): string[] {
  const tools = ['ip', 'ping', 'nc', 'timeout', 'tee', 'conntrack'];
  if (backend === 'nft') tools.push('iptables-nft-restore', 'iptables-nft-save', 'xtables-monitor', 'nft');
  else tools.push('iptables-legacy-restore', 'iptables-legacy', 'iptables-legacy-save');
  const missing = tools.filter((t) => findTool(t) === null).map((t) => `${t} (${packageFor(t)})`);
  if (backend === 'legacy' && pythonPath() === null) missing.push('python3 (python3)');
  if (options.scapy && !scapyAvailable()) missing.push('scapy for python3 (python3-scapy)');
  return missing;
}

let scapyCache: boolean | undefined;
/** Can pythonPath() import scapy (needed only for crafted packets)? */
export function scapyAvailable(): boolean {
  if (scapyCache === undefined) {
    const py = pythonPath();
    scapyCache = py !== null && spawnSync(py, ['-c', 'import scapy.all'], { timeout: 20_000 }).status === 0;
  }
  return scapyCache;
}

/**
 * The Python interpreter for the helper scripts. CHAINSIGHT_PYTHON wins; then the distribution's /usr/bin/python3
 * (python3-scapy is installed for that one, not for a pyenv/venv python that may come first on PATH).
 */
export function pythonPath(): string | null {
  const fromEnv = process.env.CHAINSIGHT_PYTHON;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  if (existsSync('/usr/bin/python3')) return '/usr/bin/python3';
  return findTool('python3');
}

/** Absolute path of a helper script shipped in packages/kernel-lab/scripts (same from src/ and from dist/). */
export function scriptPath(name: string): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', 'scripts', name);
}
