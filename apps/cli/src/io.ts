// Everything the CLI needs from the outside world, passed in so tests can drive `run()` without a process.
import { readFile } from 'node:fs/promises';

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

export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    readFile: (p) => readFile(p, 'utf8'),
    readStdin: stdinOnce(async () => {
      const chunks: Buffer[] = [];
      for await (const c of process.stdin) chunks.push(c as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }),
    env: process.env,
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
      if (!(p in files)) throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      return files[p]!;
    },
    readStdin: stdinOnce(async () => {
      const t = unread;
      unread = '';
      return t;
    }),
    env,
    isTTY: false,
  };
  return io;
}
