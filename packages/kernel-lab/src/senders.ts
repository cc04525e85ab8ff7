// Traffic generators, every one bounded (README.md rules): ping -c N -W 1, nc under a time limit, one crafted
// packet with scapy. Listeners run in the destination namespace only for the duration of one send.
import { readFile } from 'node:fs/promises';
import { pythonPath, scriptPath } from './env.js';
import type { ExecResult } from './exec.js';
import type { Lab, LabProcess } from './netns.js';

export interface SendOutcome {
  /** The client command (ping, nc, craft-packet.py). */
  exec: ExecResult;
  /** The application saw an answer: echo reply, TCP connection established, UDP datagram echoed. */
  replied: boolean;
  /** Output of the listener, when one was started. */
  listener?: ExecResult;
}

export async function sendPing(lab: Lab, ns: string, dst: string, options: { count?: number } = {}): Promise<SendOutcome> {
  const count = Math.max(1, Math.min(options.count ?? 1, 10));
  // -W 1: wait at most a second per reply; -i 0.2 (root may go below 1 s) keeps multi-packet flows short.
  const argv = ['ping', '-n', '-c', String(count), '-W', '1', ...(count > 1 ? ['-i', '0.2'] : []), dst];
  const exec = await lab.exec(ns, argv, { timeoutMs: 2000 + count * 1200 });
  return { exec, replied: exec.code === 0 };
}

/** Is a TCP socket listening on `port` in the namespace of process `pid`? (/proc/<pid>/net/tcp, state 0A). */
async function tcpListening(pid: number, port: number): Promise<boolean> {
  try {
    const text = await readFile(`/proc/${pid}/net/tcp`, 'utf8');
    const hex = port.toString(16).toUpperCase().padStart(4, '0');
    return text.split('\n').some((l) => {
      const f = l.trim().split(/\s+/);
      return f[1]?.endsWith(`:${hex}`) && f[3] === '0A';
    });
  } catch {
    return false;
  }
}

async function waitUntil(test: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await test()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return test();
}

/**
 * TCP connect (`nc -z`: handshake, then close) from `ns` to dst:dport. With `listenNs`, `nc -l` listens there
 * first (bounded by timeout); without it the destination answers with RST (or nothing).
 */
export async function sendTcp(
  lab: Lab,
  ns: string,
  dst: string,
  dport: number,
  options: { listenNs?: string } = {},
): Promise<SendOutcome> {
  let listener: LabProcess | undefined;
  if (options.listenNs !== undefined) {
    listener = lab.spawn(options.listenNs, ['nc', '-l', '-p', String(dport)], { maxMs: 6000 });
    const pid = listener.pid;
    if (pid === undefined || !(await waitUntil(() => tcpListening(pid, dport), 3000))) {
      await listener.stop();
      throw new Error(`TCP listener on port ${dport} in ${options.listenNs} did not start: ${listener.stderr()}`);
    }
  }
  const exec = await lab.exec(ns, ['nc', '-z', '-n', '-w', '1', dst, String(dport)], { timeoutMs: 4000 });
  const outcome: SendOutcome = { exec, replied: exec.code === 0 };
  if (listener) outcome.listener = await listener.stop();
  return outcome;
}

/**
 * One UDP datagram from `ns` to dst:dport. With `listenNs`, a one-shot echo server (scripts/udp-echo.py) answers;
 * without it a closed port answers with ICMP port-unreachable (a RELATED packet, docs/netfilter.md §nat-first-packet (d)).
 */
export async function sendUdp(
  lab: Lab,
  ns: string,
  dst: string,
  dport: number,
  options: { listenNs?: string } = {},
): Promise<SendOutcome> {
  let listener: LabProcess | undefined;
  if (options.listenNs !== undefined) {
    const py = pythonPath();
    if (py === null) throw new Error('python3 is needed for the UDP echo listener');
    listener = lab.spawn(options.listenNs, [py, scriptPath('udp-echo.py'), String(dport), '3'], { maxMs: 6000 });
    if (!(await listener.waitFor((o) => o.includes('# ready'), 3000))) {
      await listener.stop();
      throw new Error(`UDP listener on port ${dport} did not start: ${listener.stderr()}`);
    }
  }
  const exec = await lab.exec(ns, ['nc', '-u', '-n', '-w', '1', dst, String(dport)], { input: 'chainsight\n', timeoutMs: 4000 });
  const outcome: SendOutcome = { exec, replied: exec.stdout.includes('chainsight') };
  if (listener) outcome.listener = await listener.stop();
  return outcome;
}

export type CraftedPacket =
  | { proto: 'tcp'; dst: string; sport: number; dport: number; flags: string }
  | { proto: 'udp'; dst: string; sport: number; dport: number }
  | { proto: 'icmp'; dst: string; type: number; code?: number };

/** One packet with arbitrary TCP flags / ICMP type, built with scapy (scripts/craft-packet.py). */
export async function sendCrafted(lab: Lab, ns: string, pkt: CraftedPacket): Promise<SendOutcome> {
  const py = pythonPath();
  if (py === null) throw new Error('python3 with python3-scapy is needed for crafted packets');
  const args =
    pkt.proto === 'tcp'
      ? ['tcp', pkt.dst, String(pkt.sport), String(pkt.dport), pkt.flags]
      : pkt.proto === 'udp'
        ? ['udp', pkt.dst, String(pkt.sport), String(pkt.dport)]
        : ['icmp', pkt.dst, String(pkt.type), String(pkt.code ?? 0)];
  if (pkt.proto === 'tcp' && !/^[SAFRPUEC]+$/.test(pkt.flags)) throw new Error(`bad TCP flags '${pkt.flags}'`);
  const exec = await lab.exec(ns, [py, scriptPath('craft-packet.py'), ...args], { timeoutMs: 15_000 });
  if (exec.code !== 0) throw new Error(`craft-packet.py failed: ${exec.stderr.trim()}`);
  // A crafted packet has no application waiting for an answer.
  return { exec, replied: false };
}
