// The shape of the option registry: module → option → arity → value parser (architecture doc, practice 3).
// Adding an extension is one entry here plus its semantics in `trace`.
import type { Family } from '../ir/nodes';
import type { ValueType } from './value-types';

export interface OptionSpec {
  /** Canonical key in the IR. Several spellings (and even several options, like `--syn`) may share a key. */
  key: string;
  /** Accepted spellings; the first one of the first spec with this key is what the printer writes. */
  names: readonly string[];
  value: ValueType;
  /** `!` allowed before the option. */
  negatable: boolean;
  /** Spellings older iptables versions printed themselves; the printer keeps them as written. */
  savedSpellings?: readonly string[];
}

export interface ModuleSpec {
  name: string;
  /** Other names accepted after `-m` for the same module (`icmpv6` for `icmp6`). */
  aliases: readonly string[];
  families: readonly Family[];
  options: readonly OptionSpec[];
  /** `-p` protocol numbers whose match module is loaded implicitly by its options (`-p tcp --dport 22`). */
  implicitForProtocols: readonly number[];
}

export interface TargetSpec {
  name: string;
  families: readonly Family[];
  options: readonly OptionSpec[];
  /** The tables the kernel accepts this target in (checkentry), or null for any. */
  tables: readonly string[] | null;
  /** Ends the traversal of the table (DROP-like or ACCEPT-like), as opposed to continuing with the next rule. */
  terminating: boolean;
}

export function opt(key: string, names: string | readonly string[], value: ValueType, negatable = true): OptionSpec {
  return { key, names: typeof names === 'string' ? [names] : names, value, negatable };
}

const IP: readonly Family[] = ['ipv4', 'ipv6'];

export function match(
  name: string,
  options: OptionSpec[],
  extra: { aliases?: string[]; families?: Family[]; implicitFor?: number[] } = {},
): ModuleSpec {
  return {
    name,
    aliases: extra.aliases ?? [],
    families: extra.families ?? IP,
    options,
    implicitForProtocols: extra.implicitFor ?? [],
  };
}

export function target(
  name: string,
  options: OptionSpec[],
  extra: { families?: Family[]; tables?: string[]; terminating?: boolean } = {},
): TargetSpec {
  return {
    name,
    families: extra.families ?? IP,
    options,
    tables: extra.tables ?? null,
    terminating: extra.terminating ?? false,
  };
}
