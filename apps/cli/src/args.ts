// A small argv parser: `--flag`, `--opt value`, `--opt=value`, repeatable options, positionals, `-` for stdin
// and `--` to end options. Unknown options are usage errors (exit 2), never ignored.

export interface OptionDef {
  /** Takes a value. */
  value?: boolean;
  repeat?: boolean;
  short?: string;
}

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string[]>;
  flags: Set<string>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], defs: Record<string, OptionDef>): ParsedArgs {
  const out: ParsedArgs = { positionals: [], options: new Map(), flags: new Set() };
  const shorts = new Map(Object.entries(defs).filter(([, d]) => d.short).map(([k, d]) => [d.short!, k]));
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { out.positionals.push(...argv.slice(i + 1)); break; }
    if (a === '-' || !a.startsWith('-')) { out.positionals.push(a); continue; }
    let name: string;
    let inline: string | undefined;
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      inline = eq < 0 ? undefined : a.slice(eq + 1);
    } else {
      const long = shorts.get(a.slice(1));
      if (!long) throw new UsageError(`unknown option '${a}'`);
      name = long;
    }
    // Own properties only: `--constructor` or `--__proto__` is an unknown option, not Object.prototype's member.
    const def = Object.hasOwn(defs, name) ? defs[name] : undefined;
    if (!def) throw new UsageError(`unknown option '--${name}'`);
    if (def.value) {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError(`--${name} needs a value`);
      const list = out.options.get(name) ?? [];
      if (list.length && !def.repeat) throw new UsageError(`--${name} given twice`);
      list.push(v);
      out.options.set(name, list);
    } else {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      out.flags.add(name);
    }
  }
  return out;
}

export function optionValue(args: ParsedArgs, name: string): string | undefined {
  return args.options.get(name)?.[0];
}

export function choice<T extends string>(args: ParsedArgs, name: string, allowed: readonly T[], fallback: T): T {
  const v = optionValue(args, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')} (got '${v}')`);
  return v as T;
}
