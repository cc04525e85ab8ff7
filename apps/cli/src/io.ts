// Everything the CLI needs from the outside world, passed in so tests can drive `run()` without a process.
import { constants as bufferConstants } from 'node:buffer';
import { open } from 'node:fs/promises';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): Promise<string>;
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
  /** Whether stdout is a terminal (colour default). */
  isTTY: boolean;
}

/**
 * Standard input read once and kept: a command may look at `-` twice (what kind of file is it? then parse it),
 * and a stream gives its text only the first time.
 */
export function stdinOnce(read: () => Promise<string>): () => Promise<string> {
  let text: Promise<string> | null = null;
  return () => (text ??= read());
}

/** The input size limit without CHAINSIGHT_MAX_INPUT: far beyond the largest real rulesets (kube-proxy with
 *  100,000 services saves ~100 MB), and half of what one JavaScript string can hold. */
export const DEFAULT_INPUT_LIMIT = 256 * 1024 * 1024;

/** An input that cannot be read as text; load.ts names the file. */
export function inputTooLarge(limit: number): NodeJS.ErrnoException {
  return Object.assign(new Error(`larger than the input limit of ${formatSize(limit)} (CHAINSIGHT_MAX_INPUT=SIZE raises it, e.g. 1G)`), { code: 'EFBIG' });
}

const UNITS = new Map([['', 1], ['K', 1024], ['M', 1024 ** 2], ['G', 1024 ** 3]]);

/**
 * The most bytes one input may have: CHAINSIGHT_MAX_INPUT (`65536`, `64K`, `512M`, `1G`) or 256 MiB. Inputs are
 * read up to the limit and no further, so `/dev/zero` or an endless pipe ends in an error, not in memory
 * exhaustion; the ceiling is the longest string the JavaScript engine can make (about 512 MiB).
 */
export function inputLimit(env: Record<string, string | undefined>): number {
  const v = env.CHAINSIGHT_MAX_INPUT;
  if (v === undefined || v === '') return DEFAULT_INPUT_LIMIT;
  const m = /^(\d+)([KMG]?)i?B?$/i.exec(v.trim());
  const bytes = m ? Number(m[1]) * UNITS.get(m[2]!.toUpperCase())! : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1 || bytes > bufferConstants.MAX_STRING_LENGTH) {
    throw Object.assign(new Error(`CHAINSIGHT_MAX_INPUT must be a size from 1 to ${formatSize(bufferConstants.MAX_STRING_LENGTH)} like 64K, 512M or 1G (got '${v}')`), { code: 'EINVAL' });
  }
  return bytes;
}

function formatSize(n: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) if (n >= size && n % size === 0) return `${n / size} ${unit}`;
  return `${n} bytes`;
}

/**
 * A file read as UTF-8 text, at most `limit` bytes: a regular file larger than the limit is refused before
 * reading, anything else (a pipe such as `<(iptables-save)`, a character device) is read in chunks until the
 * limit is passed. A directory is EISDIR.
 */
export async function readTextFile(path: string, limit: number): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' });
    if (st.isFile() && st.size > limit) throw inputTooLarge(limit);
    const chunks: Buffer[] = [];
    let total = 0;
    // A regular file in one read of its size (and one more byte, should it grow meanwhile); a pipe or device in
    // 64 KiB reads, which measured faster than larger ones on an endless /dev/zero.
    let size = st.isFile() ? Math.min(st.size + 1, limit + 1) : 1 << 16;
    for (;;) {
      const buf = Buffer.allocUnsafe(Math.min(size, limit - total + 1));
      size = 1 << 16;
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > limit) throw inputTooLarge(limit);
      chunks.push(buf.subarray(0, bytesRead));
    }
    return Buffer.concat(chunks, total).toString('utf8');
  } finally {
    await fh.close();
  }
}

/** Standard input as text, at most `limit` bytes (then the rest is not read). */
async function readStdinText(limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const c of process.stdin) {
    total += (c as Buffer).length;
    if (total > limit) {
      process.stdin.destroy();
      throw inputTooLarge(limit);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The exit status when the reader of stdout (or stderr) went away, as in `chainsight fmt big.save | head -1`:
 * 141, what a shell reports for cat(1) killed by SIGPIPE (128 + 13). Node ignores SIGPIPE, so the write fails
 * with EPIPE instead; the process then stops at once, quietly, and the status is neither 0 ("clean") nor 1
 * ("findings"), which the output that was never read could not back.
 */
export const EXIT_CLOSED_PIPE = 141;

/**
 * Makes a closed stdout or stderr end the process quietly with EXIT_CLOSED_PIPE, and any other write error
 * (`> /dev/full`: ENOSPC) end it with one line and exit 2, never a stack trace (the bin's entry installs it).
 */
export function handleOutputErrors(): void {
  for (const [name, stream] of [['stdout', process.stdout], ['stderr', process.stderr]] as const) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(EXIT_CLOSED_PIPE);
      if (name === 'stdout') process.stderr.write(`chainsight: cannot write to ${name}: ${e.code ?? e.message}\n`);
      process.exit(2);
    });
  }
}

export function processIo(env: Record<string, string | undefined> = process.env): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readFile: async (p) => readTextFile(p, inputLimit(env)),
    readStdin: stdinOnce(async () => readStdinText(inputLimit(env))),
    env,
    isTTY: !!process.stdout.isTTY,
  };
}

/**
 * An in-memory io for tests: files from a map, output collected. Standard input behaves like a stream (its text
 * once, then nothing), kept by stdinOnce as processIo keeps it.
 */
export function memoryIo(files: Record<string, string> = {}, stdin = '', env: Record<string, string> = {}): CliIo & { out: string; err: string } {
  let unread = stdin;
  const io = {
    out: '',
    err: '',
    stdout(t: string) { io.out += t; },
    stderr(t: string) { io.err += t; },
    readFile: async (p: string) => {
      if (!Object.hasOwn(files, p)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      return withinLimit(files[p]!, env);
    },
    readStdin: stdinOnce(async () => {
      const t = unread;
      unread = '';
      return withinLimit(t, env);
    }),
    env,
    isTTY: false,
  };
  return io;
}

/** The limit processIo applies while reading, applied to an in-memory text (its UTF-8 size). */
function withinLimit(text: string, env: Record<string, string | undefined>): string {
  const limit = inputLimit(env);
  if (Buffer.byteLength(text, 'utf8') > limit) throw inputTooLarge(limit);
  return text;
}
