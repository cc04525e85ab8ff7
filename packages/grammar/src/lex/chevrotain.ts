// chevrotain, loaded on first need. Importing it costs about a third of a second of start-up (it is some two
// hundred modules), and it reads only the lines the hand scanner (scan.ts) declines: a well-formed save file
// never needs it, and neither do `--version` or `--help`. The parse API is synchronous, so the fallback loads
// it synchronously, through require: Node ≥ 20.19 requires ES modules such as chevrotain without a flag.
import { createRequire } from 'node:module';

type Chevrotain = typeof import('chevrotain');

let loaded: Chevrotain | null = null;

export function chevrotain(): Chevrotain {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('chevrotain') as Chevrotain;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ERR_REQUIRE_ESM') throw e;
    throw new Error(`this line needs the chevrotain lexer, which Node ${process.version} cannot load synchronously: Node ≥ 20.19 is required`);
  }
  return loaded;
}
