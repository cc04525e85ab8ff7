// xtables-monitor re-prints the traced rule in iptables syntax (`-4 -t filter -A FORWARD -j DOCKER-USER`,
// xtables-monitor.c rule_cb() → nft_rule_print_save()), normalised the way iptables-save prints it
// (docs/netfilter.md §nft-handles). Both that text and the snapshot's rules are brought to the grammar's canonical
// printing (printRuleArgs), so `--dport 80` in the snapshot still equals `-m tcp --dport 80` in the trace.
import { builtinChains, parseSnapshot, printRuleArgs, type Family, type Rule } from '@chainsight/grammar';

export interface PrintedRule {
  family: Family;
  table: string;
  chain: string;
  /** Canonical arguments after `-A <chain>`. */
  args: string;
}

const printed = new Map<string, PrintedRule | null>();
const canonical = new WeakMap<Rule, string>();

export function canonicalArgs(rule: Rule): string {
  let c = canonical.get(rule);
  if (c === undefined) {
    c = printRuleArgs(rule);
    canonical.set(rule, c);
  }
  return c;
}

const HEAD = /^-([46])\s+-t\s+(\S+)\s+-A\s+(\S+)(?:\s+(.*))?$/;

/** Parse xtables-monitor's rule text; null when it is not `-4|-6 -t <table> -A <chain> …`. */
export function parsePrintedRule(text: string): PrintedRule | null {
  if (printed.has(text)) return printed.get(text)!;
  let result: PrintedRule | null = null;
  const m = HEAD.exec(text.trim());
  if (m) {
    const family: Family = m[1] === '6' ? 'ipv6' : 'ipv4';
    const table = m[2]!;
    const chain = m[3]!;
    const builtin = (builtinChains(family, table) ?? []).includes(chain);
    const doc = `*${table}\n:${chain} ${builtin ? 'ACCEPT' : '-'} [0:0]\n-A ${chain}${m[4] ? ` ${m[4]}` : ''}\nCOMMIT\n`;
    const parsed = parseSnapshot(doc, { fileName: '<trace>', format: 'iptables-save', family });
    const rule = parsed.snapshot.tables[0]?.chains.find((c) => c.name === chain)?.rules[0];
    if (rule) result = { family, table, chain, args: printRuleArgs(rule) };
  }
  // A log holds a few distinct rules; the bound only keeps a long-running caller from growing the cache forever.
  if (printed.size > 5000) printed.clear();
  printed.set(text, result);
  return result;
}
