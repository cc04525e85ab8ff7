// Running one external program: argv arrays only (never a shell string), optional stdin, a hard time limit.
// Every kernel-lab command goes through here so that no call can hang a test run (README.md rules: every send
// bounded).
import { spawn } from 'node:child_process';

export interface ExecOptions {
  /** Text written to the program's stdin (then stdin is closed). Without it stdin is /dev/null-like (closed). */
  input?: string;
  /** Hard limit; the program gets SIGTERM, then SIGKILL 500 ms later. */
  timeoutMs: number;
}

export interface ExecResult {
  argv: string[];
  /** Exit code, or null when the program was ended by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The program could not be started at all (ENOENT, EACCES); the message is in stderr. */
  spawnError: boolean;
}

export function runCommand(argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runCommand: empty argv');
  return new Promise((resolve) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let spawnError = false;
    let settled = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 500).unref();
    }, options.timeoutMs);
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ argv: [...argv], code, signal, stdout, stderr, timedOut, spawnError });
    };
    child.on('error', (err) => {
      spawnError = true;
      stderr += `${err.message}\n`;
      finish(null, null);
    });
    child.on('close', (code, signal) => finish(code, signal));
    // A program that exits before reading its stdin makes the write fail with EPIPE; that is its business.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}

/** Throws with the command line and stderr when the program failed: for setup steps that must work. */
export function assertOk(result: ExecResult, what: string): ExecResult {
  if (result.code !== 0) {
    const why = result.timedOut ? 'timed out' : result.code === null ? `signal ${result.signal}` : `exit ${result.code}`;
    throw new Error(`${what} failed (${why}): ${result.argv.join(' ')}\n${result.stderr.trim()}`);
  }
  return result;
}
