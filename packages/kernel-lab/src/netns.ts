// Network namespaces owned by one lab run. The rules of this package's README.md enforced here:
// * only namespaces named `cs-<run id>-<role>` (unique per run, so parallel runs never collide);
// * commands run inside them with `ip netns exec` / `ip -n`, never in the initial namespace;
// * every namespace is deleted one by one by name in cleanup(), which withLab() calls in `finally`, and which
//   SIGINT/SIGTERM/exit handlers call (synchronously) while any lab is alive;
// * long-running monitors are bounded by `timeout` and killed by their pid in cleanup().
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { requireTool } from './env.js';
import { assertOk, runCommand, type ExecOptions, type ExecResult } from './exec.js';

export const NAMESPACE_PREFIX = 'cs-';
const ROLE_RE = /^[a-z0-9]{1,12}$/;

export interface LabExecOptions extends Partial<ExecOptions> {}

export interface LabProcess {
  readonly ns: string;
  readonly argv: readonly string[];
  readonly pid: number | undefined;
  /** Everything the process printed on stdout so far. */
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<ExecResult>;
  /** Resolves true as soon as `test(stdout)` holds, false after timeoutMs or when the process exits first. */
  waitFor(test: (stdout: string) => boolean, timeoutMs: number): Promise<boolean>;
  /** SIGTERM (then SIGKILL after 1 s) and wait for the exit; safe to call twice. */
  stop(): Promise<ExecResult>;
}

export class Lab {
  readonly runId: string;
  private readonly namespaces = new Map<string, string>();
  private readonly processes = new Set<ChildProcess>();
  private cleaned = false;

  constructor(runId = randomBytes(3).toString('hex')) {
    if (!/^[0-9a-f]{6}$/.test(runId)) throw new Error(`lab run id must be 6 hex digits: ${runId}`);
    this.runId = runId;
    registerLab(this);
  }

  /** Namespace name for a role (whether or not it was created yet). */
  nameFor(role: string): string {
    if (!ROLE_RE.test(role)) throw new Error(`namespace role must match ${ROLE_RE}: '${role}'`);
    return `${NAMESPACE_PREFIX}${this.runId}-${role}`;
  }

  /** Every namespace this lab created, in creation order. */
  get namespaceNames(): string[] {
    return [...this.namespaces.values()];
  }

  ns(role: string): string {
    const n = this.namespaces.get(role);
    if (n === undefined) throw new Error(`lab ${this.runId} has no namespace for role '${role}'`);
    return n;
  }

  async addNamespace(role: string): Promise<string> {
    if (this.cleaned) throw new Error('lab already cleaned up');
    const name = this.nameFor(role);
    if (this.namespaces.has(role)) throw new Error(`namespace role '${role}' already exists`);
    const ip = requireTool('ip');
    assertOk(await runCommand([ip, 'netns', 'add', name], { timeoutMs: 10_000 }), `create namespace ${name}`);
    this.namespaces.set(role, name);
    assertOk(await runCommand([ip, '-n', name, 'link', 'set', 'lo', 'up'], { timeoutMs: 10_000 }), `lo up in ${name}`);
    return name;
  }

  private roleCounter = 0;

  /** A role not used before in this lab: `<prefix><n>`. */
  uniqueRole(prefix: string): string {
    let role: string;
    do role = `${prefix}${this.roleCounter++}`;
    while (this.namespaces.has(role));
    this.nameFor(role); // validates
    return role;
  }

  /** Delete one namespace of this lab now (processes inside it are killed first). */
  async removeNamespace(role: string): Promise<void> {
    const name = this.namespaces.get(role);
    if (name === undefined) return;
    await deleteNamespace(name);
    this.namespaces.delete(role);
  }

  private assertOwned(ns: string): void {
    if (!ns.startsWith(NAMESPACE_PREFIX) || ![...this.namespaces.values()].includes(ns)) {
      throw new Error(`namespace '${ns}' does not belong to lab ${this.runId}`);
    }
  }

  /** `ip -n <ns> <args>`: configure links, addresses and routes of one of this lab's namespaces. */
  async ip(ns: string, args: readonly string[], timeoutMs = 10_000): Promise<ExecResult> {
    this.assertOwned(ns);
    return runCommand([requireTool('ip'), '-n', ns, ...args], { timeoutMs });
  }

  /** Same as ip(), throwing when the command fails. */
  async ipOk(ns: string, args: readonly string[]): Promise<ExecResult> {
    return assertOk(await this.ip(ns, args), `ip -n ${ns} ${args.join(' ')}`);
  }

  /** Run argv inside the namespace (`ip netns exec`); bare program names are resolved to absolute paths. */
  async exec(ns: string, argv: readonly string[], options: LabExecOptions = {}): Promise<ExecResult> {
    this.assertOwned(ns);
    const [prog, ...rest] = argv;
    if (prog === undefined) throw new Error('exec: empty argv');
    const full = [requireTool('ip'), 'netns', 'exec', ns, resolveProgram(prog), ...rest];
    return runCommand(full, { timeoutMs: options.timeoutMs ?? 10_000, ...(options.input !== undefined ? { input: options.input } : {}) });
  }

  async execOk(ns: string, argv: readonly string[], options: LabExecOptions = {}): Promise<ExecResult> {
    return assertOk(await this.exec(ns, argv, options), `in ${ns}: ${argv.join(' ')}`);
  }

  /**
   * Start a long-running program (a trace monitor, a listener) inside the namespace. It is wrapped in
   * `timeout` (maxMs) so that it ends even if this process dies without cleanup, and cleanup() stops it.
   */
  spawn(ns: string, argv: readonly string[], options: { maxMs?: number } = {}): LabProcess {
    this.assertOwned(ns);
    const [prog, ...rest] = argv;
    if (prog === undefined) throw new Error('spawn: empty argv');
    const seconds = Math.max(1, Math.ceil((options.maxMs ?? 30_000) / 1000));
    const full = [
      requireTool('ip'), 'netns', 'exec', ns,
      requireTool('timeout'), '--kill-after=2', String(seconds), resolveProgram(prog), ...rest,
    ];
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    this.processes.add(child);
    let out = '';
    let err = '';
    const waiters = new Set<() => void>();
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      for (const w of waiters) w();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const exited = new Promise<ExecResult>((resolve) => {
      let spawnError = false;
      child.on('error', (e) => {
        spawnError = true;
        err += `${e.message}\n`;
        resolve({ argv: full, code: null, signal: null, stdout: out, stderr: err, timedOut: false, spawnError });
      });
      child.on('close', (code, signal) => {
        this.processes.delete(child);
        for (const w of waiters) w();
        resolve({ argv: full, code, signal, stdout: out, stderr: err, timedOut: false, spawnError });
      });
    });
    let done = false;
    void exited.then(() => (done = true));
    return {
      ns,
      argv: full,
      pid: child.pid,
      stdout: () => out,
      stderr: () => err,
      exited,
      waitFor: (test, timeoutMs) =>
        new Promise<boolean>((resolve) => {
          const check = (): void => {
            if (test(out)) finish(true);
            else if (done) finish(false);
          };
          const timer = setTimeout(() => finish(false), timeoutMs);
          const finish = (v: boolean): void => {
            clearTimeout(timer);
            waiters.delete(check);
            resolve(v);
          };
          waiters.add(check);
          void exited.then(check);
          check();
        }),
      stop: async () => {
        if (!done && child.pid !== undefined) {
          child.kill('SIGTERM');
          const t = setTimeout(() => child.kill('SIGKILL'), 1000);
          const r = await exited;
          clearTimeout(t);
          return r;
        }
        return exited;
      },
    };
  }

  /**
   * Stop spawned processes, kill whatever still runs inside this lab's namespaces (only our namespaces, each
   * process by its pid), then delete each namespace by name. Idempotent; errors are collected, not thrown.
   */
  async cleanup(): Promise<string[]> {
    if (this.cleaned) return [];
    this.cleaned = true;
    const problems: string[] = [];
    for (const child of [...this.processes]) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise<void>((resolve) => {
          const t = setTimeout(() => {
            child.kill('SIGKILL');
            resolve();
          }, 1000);
          child.once('close', () => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    }
    for (const name of [...this.namespaces.values()].reverse()) {
      const problem = await deleteNamespace(name);
      if (problem) problems.push(problem);
    }
    this.namespaces.clear();
    unregisterLab(this);
    return problems;
  }

  /** Synchronous variant for signal/exit handlers, where no promise will ever resolve. */
  cleanupSync(): void {
    if (this.cleaned) return;
    this.cleaned = true;
    for (const child of this.processes) child.kill('SIGKILL');
    const ip = requireTool('ip');
    for (const name of [...this.namespaces.values()].reverse()) {
      const pids = spawnSync(ip, ['netns', 'pids', name], { encoding: 'utf8', timeout: 5000 });
      for (const pid of (pids.stdout ?? '').split(/\s+/).filter((p) => /^\d+$/.test(p))) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      spawnSync(ip, ['netns', 'del', name], { timeout: 10_000 });
    }
    this.namespaces.clear();
    unregisterLab(this);
  }
}

/** Kill what still runs inside the namespace (each process by pid), then delete it by name. */
async function deleteNamespace(name: string): Promise<string | null> {
  if (!name.startsWith(NAMESPACE_PREFIX)) throw new Error(`refusing to delete namespace '${name}'`);
  const ip = requireTool('ip');
  const pids = await runCommand([ip, 'netns', 'pids', name], { timeoutMs: 5000 });
  for (const pid of pids.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const del = await runCommand([ip, 'netns', 'del', name], { timeoutMs: 10_000 });
  if (del.code !== 0 && !/No such file/.test(del.stderr)) return `delete ${name}: ${del.stderr.trim()}`;
  return null;
}

function resolveProgram(prog: string): string {
  return prog.includes('/') ? prog : requireTool(prog);
}

export function createLab(): Lab {
  return new Lab();
}

/** Run fn with a fresh lab and always clean it up, whether fn resolves or throws. */
export async function withLab<T>(fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = createLab();
  try {
    return await fn(lab);
  } finally {
    await lab.cleanup();
  }
}

// ---- signal and exit handling: installed while at least one lab is alive --------------------------------------

const liveLabs = new Set<Lab>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function onSignal(signal: NodeJS.Signals): void {
  for (const lab of [...liveLabs]) lab.cleanupSync();
  removeHandlers();
  // Re-raise: other listeners (a test runner) see it, or the default action ends the process as it would have.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  for (const lab of [...liveLabs]) lab.cleanupSync();
}

function installHandlers(): void {
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function removeHandlers(): void {
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

function registerLab(lab: Lab): void {
  if (liveLabs.size === 0) installHandlers();
  liveLabs.add(lab);
}

function unregisterLab(lab: Lab): void {
  liveLabs.delete(lab);
  if (liveLabs.size === 0) removeHandlers();
}

/** Number of labs not yet cleaned up in this process (tests use it to prove cleanup). */
export function liveLabCount(): number {
  return liveLabs.size;
}

/** Every `cs-<runId>-*` namespace that currently exists (from `ip netns list`). */
export async function listLabNamespaces(runId: string): Promise<string[]> {
  const r = await runCommand([requireTool('ip'), 'netns', 'list'], { timeoutMs: 5000 });
  return r.stdout
    .split('\n')
    .map((l) => l.split(/\s+/)[0] ?? '')
    .filter((n) => n.startsWith(`${NAMESPACE_PREFIX}${runId}-`));
}
