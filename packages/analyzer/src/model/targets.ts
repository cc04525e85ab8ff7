// What a rule's target does to the traversal of its chain: ends it (terminal), observes only, or may change the
// packet/state later rules look at. Sources: ip_tables.c ipt_do_table (verdicts, jump, goto), iptables-extensions(8)
// ("non-terminating target"), ebtables(8) (`--*-target` of the extension targets, default ACCEPT), and
// docs/netfilter.md §targets.
import { findOption, type Rule } from '@chainsight/grammar';

/** Extension targets that end the chain traversal whatever the packet (they return a verdict, never XT_CONTINUE). */
const TERMINAL_EXTENSIONS = new Set([
  'REJECT', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'TPROXY', 'NFQUEUE', 'QUEUE', 'MIRROR', 'SAME', 'TARPIT',
  // SYNPROXY is left out: synproxy_tg4 returns XT_CONTINUE for an ACK whose cookie checks out.
]);

/** Targets that only observe: later rules see the same packet and state. */
const OBSERVERS = new Set(['LOG', 'NFLOG', 'ULOG', 'TRACE', 'AUDIT', 'NFACCT', 'IDLETIMER', 'LED', 'RATEEST']);

/** ebtables extension targets and the option holding their standard verdict, with its default. */
const EB_VERDICT_OPTION: Record<string, { key: string; fallback: string }> = {
  mark: { key: 'mark-target', fallback: 'ACCEPT' },
  snat: { key: 'snat-target', fallback: 'ACCEPT' },
  dnat: { key: 'dnat-target', fallback: 'ACCEPT' },
  redirect: { key: 'redirect-target', fallback: 'ACCEPT' },
  arpreply: { key: 'arpreply-target', fallback: 'DROP' },
};

/** The standard verdict an ebtables extension target ends with (`--mark-target` etc.), or null for iptables. */
export function ebtablesExtensionVerdict(rule: Rule): string | null {
  const t = rule.target;
  if (rule.family !== 'bridge' || !t || t.type !== 'extension') return null;
  const spec = EB_VERDICT_OPTION[t.name];
  if (!spec) return null;
  const o = findOption(t.options, spec.key);
  return o && o.value.type === 'string' ? o.value.value : o ? o.words[0] ?? spec.fallback : spec.fallback;
}

/** True when a packet that matches this rule never reaches the next rule of the same chain. */
export function isTerminal(rule: Rule): boolean {
  const t = rule.target;
  if (!t) return false;
  switch (t.type) {
    case 'verdict':
      return t.name !== 'CONTINUE';
    case 'chain':
      // A jump comes back (unless the called chain ends the traversal: a semantic question); a goto does not.
      return t.goto;
    case 'extension': {
      if (rule.family === 'bridge') {
        const v = ebtablesExtensionVerdict(rule);
        return v !== null && v !== 'CONTINUE';
      }
      return TERMINAL_EXTENSIONS.has(t.name);
    }
    case 'unknown':
      return false;
  }
}

/**
 * True when the rule may change what later rules match on (marks, headers, conntrack, ipset contents, or
 * anything a called chain does). Observers and counting rules (no target) change nothing.
 */
export function mayChangePacket(rule: Rule): boolean {
  const t = rule.target;
  if (!t) return false;
  if (t.type === 'verdict') return false;
  if (t.type === 'extension' && OBSERVERS.has(t.name)) return false;
  return true;
}
