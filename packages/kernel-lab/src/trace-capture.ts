// Load a ruleset into the host namespace, add the harness's trace rules, and capture the kernel's own trace of
// the packets a sender produces. Three captures (docs/netfilter.md §lab-limits):
//   (a) nft backend, `xtables-monitor --trace`: iptables-nft rules + `-t raw -I PREROUTING/OUTPUT 1 -p <proto>
//       -j TRACE` (docs/netfilter.md §nft-trace, E7);
//   (b) legacy backend, NFLOG: iptables-legacy rules in a namespace that never sees iptables-nft, the same TRACE
//       rules, the namespace's IPv4 nf_log bound to nfnetlink_log, group 0 read by scripts/nflog-trace.py
//       (docs/netfilter.md §legacy-trace, E4);
//   (c) nft backend with ebtables rules, `nft -a monitor trace`: additionally a bridge-family table of the harness
//       sets `meta nftrace set 1` at priority -500 in prerouting and output, before ebtables' chains
//       (docs/netfilter.md §bridge-paths, E3); one ordered stream holds both the bridge and the ip family events.
// Not possible on this kernel (docs/netfilter.md §lab-limits): legacy ebtables (no legacy ebtables tables in the kernel) and the
// ebtables broute table with ebtables-nft (ebtables-nft 1.8.9 and nftables 1.0.6 cannot express it).
import { readFile } from 'node:fs/promises';
import type { Backend } from '@chainsight/netfilter';
import { pythonPath, requireTool, scriptPath } from './env.js';
import { assertOk } from './exec.js';
import type { Lab, LabProcess } from './netns.js';
import type { RuleResolver } from './normalize.js';
import { createResolver } from './resolver.js';
import { normaliseSave, parseSave } from './save-model.js';
import { setSysctl } from './sysctl.js';
import { parseLegacyTrace, parseNftMonitorTrace, parseXtablesMonitorTrace, type TraceEvent } from './trace-parse.js';

export type { Backend };
export type CaptureTool = 'xtables-monitor' | 'nft-monitor' | 'nflog';
export type TraceProto = 'icmp' | 'tcp' | 'udp';

/** Name of the harness's own bridge-family nft table (dropped from normalised traces). */
export const HARNESS_BRIDGE_TABLE = 'cs_trace';

export interface HarnessOptions {
  backend: Backend;
  iptablesSave: string;
  ebtablesSave?: string;
  /** Protocols to trace; one TRACE rule per protocol at the top of raw PREROUTING and raw OUTPUT. */
  protocols: TraceProto[];
  /** Force a capture tool for the nft backend (default: nft-monitor when ebtables rules are given, else
   *  xtables-monitor). */
  tool?: 'xtables-monitor' | 'nft-monitor';
  /** Legacy backend and ebtables rules: 'error' (default) or 'skip' them with a warning. */
  legacyEbtables?: 'error' | 'skip';
}

export interface TraceHarness {
  lab: Lab;
  ns: string;
  backend: Backend;
  tool: CaptureTool;
  resolver: RuleResolver;
  /** The user's rules as the kernel holds them, read back before the harness rules were added (normalised). */
  userSave: { ip: string; bridge?: string };
  warnings: string[];
}

/** The harness TRACE rules, inserted at position 1 so tracing starts before any user rule. */
function traceRulesText(protocols: TraceProto[]): string {
  const lines = ['*raw'];
  for (const p of protocols) {
    lines.push(`-I PREROUTING 1 -p ${p} -j TRACE`, `-I OUTPUT 1 -p ${p} -j TRACE`);
  }
  lines.push('COMMIT', '');
  return lines.join('\n');
}

function bridgeTraceTable(protocols: TraceProto[]): string {
  const set = `{ ${protocols.join(', ')} }`;
  return [
    `table bridge ${HARNESS_BRIDGE_TABLE} {`,
    `  chain PREROUTING { type filter hook prerouting priority -500; ether type ip ip protocol ${set} meta nftrace set 1; }`,
    `  chain OUTPUT { type filter hook output priority -500; ether type ip ip protocol ${set} meta nftrace set 1; }`,
    '}',
    '',
  ].join('\n');
}

export async function loadTraceHarness(lab: Lab, ns: string, options: HarnessOptions): Promise<TraceHarness> {
  const warnings: string[] = [];
  const protocols = [...new Set(options.protocols)];
  if (protocols.length === 0) throw new Error('loadTraceHarness: no protocol to trace');
  const k = protocols.length;
  const listings: Record<string, string> = {};
  const userSave: { ip: string; bridge?: string } = { ip: '' };
  let tool: CaptureTool;

  if (options.backend === 'legacy') {
    tool = 'nflog';
    if (options.ebtablesSave !== undefined) {
      if ((options.legacyEbtables ?? 'error') === 'error') {
        throw new Error(
          'legacy backend: ebtables rules cannot be loaded (this kernel has no legacy ebtables tables, and ' +
            'ebtables-nft would bring nf_tables into the legacy namespace); use the nft backend',
        );
      }
      warnings.push('legacy backend: ebtables rules not loaded (no legacy ebtables in this kernel)');
    }
    const restore = requireTool('iptables-legacy-restore');
    assertOk(await lab.exec(ns, [restore], { input: options.iptablesSave, timeoutMs: 20_000 }), 'iptables-legacy-restore');
    userSave.ip = normaliseSave(assertOk(await lab.exec(ns, [requireTool('iptables-legacy-save')]), 'iptables-legacy-save').stdout);
    assertOk(await lab.exec(ns, [restore, '--noflush'], { input: traceRulesText(protocols) }), 'legacy TRACE rules');
    // The syslog logger drops messages from non-initial namespaces: route this namespace's IPv4 nf_log output to
    // nfnetlink_log (group 0) instead (docs/netfilter.md §legacy-trace).
    assertOk(await setSysctl(lab, ns, 'net.netfilter.nf_log.2', 'nfnetlink_log'), 'nf_log/2 = nfnetlink_log');
  } else {
    assertOk(
      await lab.exec(ns, [requireTool('iptables-nft-restore')], { input: options.iptablesSave, timeoutMs: 20_000 }),
      'iptables-nft-restore',
    );
    userSave.ip = normaliseSave(assertOk(await lab.exec(ns, [requireTool('iptables-nft-save')]), 'iptables-nft-save').stdout);
    if (options.ebtablesSave !== undefined) {
      assertOk(
        await lab.exec(ns, [requireTool('ebtables-nft-restore')], { input: options.ebtablesSave, timeoutMs: 20_000 }),
        'ebtables-nft-restore',
      );
      userSave.bridge = normaliseSave(assertOk(await lab.exec(ns, [requireTool('ebtables-nft-save')]), 'ebtables-nft-save').stdout);
    }
    assertOk(await lab.exec(ns, [requireTool('iptables-nft-restore'), '--noflush'], { input: traceRulesText(protocols) }), 'TRACE rules');
    tool = options.tool ?? (options.ebtablesSave !== undefined ? 'nft-monitor' : 'xtables-monitor');
    if (tool === 'nft-monitor') {
      assertOk(await lab.exec(ns, [requireTool('nft'), '-f', '-'], { input: bridgeTraceTable(protocols) }), 'bridge trace table');
    }
    // Handle → position from the live listings (rule-locator.ts method 1).
    const ipTables = new Set([...parseSave(userSave.ip).tables.keys(), 'raw']);
    for (const t of ipTables) {
      const r = await lab.exec(ns, [requireTool('nft'), '-a', 'list', 'table', 'ip', t]);
      if (r.code === 0) listings[`ip:${t}`] = r.stdout;
    }
    for (const t of userSave.bridge !== undefined ? parseSave(userSave.bridge).tables.keys() : []) {
      const r = await lab.exec(ns, [requireTool('nft'), '-a', 'list', 'table', 'bridge', t]);
      if (r.code === 0) listings[`bridge:${t}`] = r.stdout;
    }
  }
  const resolver = createResolver({
    saves: { ip: userSave.ip, ...(userSave.bridge !== undefined ? { bridge: userSave.bridge } : {}) },
    listings,
    harnessTop: { 'ip:raw:PREROUTING': k, 'ip:raw:OUTPUT': k },
    harnessTables: [`bridge:${HARNESS_BRIDGE_TABLE}`],
  });
  return { lab, ns, backend: options.backend, tool, resolver, userSave, warnings };
}

export async function flushConntrack(lab: Lab, ns: string): Promise<void> {
  // Exit status 1 with "0 flow entries" when the table is empty or conntrack is not active yet: not an error.
  await lab.exec(ns, [requireTool('conntrack'), '-F'], { timeoutMs: 5000 });
}

/** Does the namespace of `pid` have a NETLINK_NETFILTER socket subscribed to NFNLGRP_NFTRACE? */
async function traceSubscriberPresent(pid: number): Promise<boolean> {
  // /proc/<pid>/net/netlink columns: sk Eth Pid Groups ...; Eth 12 = NETLINK_NETFILTER, Groups shows the first 32
  // multicast groups as a bitmask; NFNLGRP_NFTRACE = 9 (include/uapi/linux/netfilter/nfnetlink.h) → bit 0x100.
  try {
    const text = await readFile(`/proc/${pid}/net/netlink`, 'utf8');
    return text.split('\n').some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1] === '12' && (parseInt(f[3] ?? '0', 16) & 0x100) !== 0;
    });
  } catch {
    return false;
  }
}

async function startMonitor(harness: TraceHarness, maxMs: number): Promise<LabProcess> {
  const { lab, ns, tool } = harness;
  let proc: LabProcess;
  let ready: boolean;
  if (tool === 'nflog') {
    const py = pythonPath();
    if (py === null) throw new Error('python3 is needed to read NFLOG');
    proc = lab.spawn(ns, [py, scriptPath('nflog-trace.py'), String(Math.ceil(maxMs / 1000)), '0'], { maxMs: maxMs + 2000 });
    ready = await proc.waitFor((o) => o.includes('# ready'), 5000);
  } else {
    const argv = tool === 'xtables-monitor' ? ['xtables-monitor', '--trace'] : ['nft', '-a', 'monitor', 'trace'];
    proc = lab.spawn(ns, argv, { maxMs });
    const pid = proc.pid;
    ready = false;
    for (let waited = 0; pid !== undefined && waited < 5000; waited += 20) {
      if (await traceSubscriberPresent(pid)) {
        ready = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  if (!ready) {
    await proc.stop();
    throw new Error(`${tool} did not start in ${ns}: ${proc.stderr().trim()}`);
  }
  return proc;
}

export interface Capture<T> {
  tool: CaptureTool;
  /** Raw monitor output. */
  text: string;
  events: TraceEvent[];
  sent: T;
}

export function parseCapture(tool: CaptureTool, text: string): TraceEvent[] {
  switch (tool) {
    case 'xtables-monitor':
      return parseXtablesMonitorTrace(text);
    case 'nft-monitor':
      return parseNftMonitorTrace(text);
    case 'nflog': {
      // nflog-trace.py prints in arrival order; NFSEQ (global sequence) is the kernel's order.
      const events = parseLegacyTrace(text);
      return events
        .map((e, i) => ({ e, i, seq: Number(e.fields.NFSEQ ?? NaN) }))
        .sort((a, b) => (Number.isNaN(a.seq) || Number.isNaN(b.seq) ? a.i - b.i : a.seq - b.seq))
        .map((x) => x.e);
    }
  }
}

/**
 * Start the monitor, wait until it listens, run `send`, wait until the output has been quiet for `quietMs`
 * (events of the replies arrive after the sender returns), stop the monitor and parse what it printed.
 */
export async function captureTrace<T>(
  harness: TraceHarness,
  send: () => Promise<T>,
  options: { quietMs?: number; maxMs?: number } = {},
): Promise<Capture<T>> {
  const maxMs = options.maxMs ?? 20_000;
  const quietMs = options.quietMs ?? 250;
  const proc = await startMonitor(harness, maxMs);
  let sent: T;
  try {
    sent = await send();
    let last = proc.stdout().length;
    let quietSince = Date.now();
    const end = Date.now() + 3000;
    while (Date.now() < end && Date.now() - quietSince < quietMs) {
      await new Promise((r) => setTimeout(r, 25));
      const now = proc.stdout().length;
      if (now !== last) {
        last = now;
        quietSince = Date.now();
      }
    }
  } finally {
    await proc.stop();
  }
  const text = proc.stdout();
  return { tool: harness.tool, text, events: parseCapture(harness.tool, text), sent };
}
