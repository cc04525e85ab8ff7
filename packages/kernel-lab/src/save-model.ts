// A deliberately small reader of iptables-save / ebtables-save text: tables, chains (policy, built-in or not) and
// each chain's `-A` lines in order, with the jump/goto/target word. The harness needs only this (rule counts for
// legacy TRACE numbering, targets for verdicts, handle arithmetic); the full grammar and IR live in
// @chainsight/grammar, which the lab must not depend on to stay usable as that package's referee.

import { XT_HOOK_CHAINS } from '@chainsight/netfilter';

/** The names of built-in chains: the five hook chains and ebtables' BROUTING (@chainsight/netfilter). */
export const HOOK_CHAINS = new Set<string>([...XT_HOOK_CHAINS, 'BROUTING']);

export interface SaveRule {
  /** The whole line as saved, e.g. `-A FORWARD -o docker0 -j DOCKER`. */
  text: string;
  /** Words of the line (quotes removed). */
  words: string[];
  /** `-j X` or `-g X` (last one on the line), or null when the rule has no target. */
  target: { kind: 'jump' | 'goto'; name: string } | null;
}

export interface SaveChain {
  name: string;
  /** ACCEPT/DROP/RETURN..., or null for an iptables user chain (`:NAME - [0:0]`). */
  policy: string | null;
  builtin: boolean;
  rules: SaveRule[];
}

export interface SaveTable {
  name: string;
  /** In declaration order (`:` lines first, then chains only referenced by -A lines). */
  chains: Map<string, SaveChain>;
}

export interface SaveModel {
  tables: Map<string, SaveTable>;
}

/** Split a save line into words: whitespace separated, double quotes group (backslash escapes inside quotes). */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let cur = '';
  let inWord = false;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < line.length) cur += line[++i];
      else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') {
      quoted = true;
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

export function parseSave(text: string): SaveModel {
  const tables = new Map<string, SaveTable>();
  let table: SaveTable | null = null;
  const chainOf = (t: SaveTable, name: string): SaveChain => {
    let c = t.chains.get(name);
    if (!c) {
      c = { name, policy: null, builtin: HOOK_CHAINS.has(name), rules: [] };
      t.chains.set(name, c);
    }
    return c;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      const name = line.slice(1).trim();
      table = tables.get(name) ?? { name, chains: new Map() };
      tables.set(name, table);
      continue;
    }
    if (table === null || line === 'COMMIT') continue;
    if (line.startsWith(':')) {
      const [name = '', policy = '-'] = line.slice(1).trim().split(/\s+/);
      const c = chainOf(table, name);
      c.policy = policy === '-' ? null : policy;
      // iptables marks user chains with '-'; ebtables gives every chain a policy, so fall back to the name.
      c.builtin = policy !== '-' && HOOK_CHAINS.has(name);
      continue;
    }
    const words = splitWords(line);
    if (words[0] === '-A' && words[1] !== undefined) {
      let target: SaveRule['target'] = null;
      for (let i = 2; i < words.length - 1; i++) {
        if (words[i] === '-j' || words[i] === '--jump') target = { kind: 'jump', name: words[i + 1]! };
        if (words[i] === '-g' || words[i] === '--goto') target = { kind: 'goto', name: words[i + 1]! };
      }
      chainOf(table, words[1]).rules.push({ text: line, words, target });
    }
  }
  return { tables };
}

/**
 * Save text with what differs between two restores of the same rules removed: `#` comment lines (generator
 * and date), counters (`[p:b]` → `[0:0]`) and trailing blanks; empty lines dropped.
 */
export function normaliseSave(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''))
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, '[0:0]'))
    .join('\n')
    .concat('\n');
}

// Verdicts of standard targets and of the extension targets whose effect on the traversal is fixed
// (docs/netfilter.md §verdicts, §nat-targets, §reject): NAT targets end the nat chain with ACCEPT, REJECT is DROP plus a generated
// packet, the rest are non-terminating (XT_CONTINUE). Anything else: unknown (undefined).
const CONTINUE_TARGETS = new Set([
  'LOG', 'NFLOG', 'ULOG', 'MARK', 'CONNMARK', 'TRACE', 'CT', 'NOTRACK', 'TOS', 'TTL', 'HL', 'DSCP', 'ECN',
  'CLASSIFY', 'TCPMSS', 'CHECKSUM', 'SET', 'AUDIT', 'CONNSECMARK', 'SECMARK', 'IDLETIMER', 'LED', 'TEE',
  'RATEEST', 'TCPOPTSTRIP', 'HMARK', 'CONTINUE',
]);
const ACCEPT_TARGETS = new Set(['ACCEPT', 'MASQUERADE', 'SNAT', 'DNAT', 'REDIRECT', 'NETMAP']);
const DROP_TARGETS = new Set(['DROP', 'REJECT']);

/**
 * The verdict a matching rule gives, in the vocabulary of the normalised trace: ACCEPT, DROP, RETURN, CONTINUE,
 * QUEUE, JUMP:<chain>, GOTO:<chain>; undefined when it cannot be known from the text.
 */
export function ruleVerdict(rule: SaveRule, table: SaveTable): string | undefined {
  const t = rule.target;
  if (t === null) return 'CONTINUE';
  if (t.kind === 'goto') return `GOTO:${t.name}`;
  if (t.name === 'RETURN') return 'RETURN';
  if (t.name === 'QUEUE' || t.name === 'NFQUEUE') return 'QUEUE';
  if (ACCEPT_TARGETS.has(t.name)) return 'ACCEPT';
  if (DROP_TARGETS.has(t.name)) return 'DROP';
  if (table.chains.has(t.name) && !HOOK_CHAINS.has(t.name)) return `JUMP:${t.name}`;
  if (CONTINUE_TARGETS.has(t.name)) return 'CONTINUE';
  return undefined;
}

/** Table names in file order, e.g. ['raw', 'filter', 'nat'] for the seed. */
export function tableNames(text: string): string[] {
  return [...parseSave(text).tables.keys()];
}
