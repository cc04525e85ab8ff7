// What a terminating target does to a packet, as a verdict key that tells different answers apart: the target's
// name with its options as iptables-save prints them (`REJECT --reject-with tcp-reset`,
// `DNAT --to-destination 10.244.1.5:8080`). Two rulesets whose packets end in different answers or translations
// then have different verdict sets (the semantic diff compares them key by key).
import { findOption, printTarget, type Family, type Target } from '@chainsight/grammar';

/**
 * REJECT without --reject-with answers with a port unreachable (libxt_REJECT.c REJECT_init sets
 * IPT_ICMP_PORT_UNREACHABLE; libip6t_REJECT.c IP6T_ICMP6_PORT_UNREACH); iptables-save prints it either way, so a
 * rule written with and without the default keeps one key.
 */
const REJECT_DEFAULT: Record<'ipv4' | 'ipv6', string> = { ipv4: 'icmp-port-unreachable', ipv6: 'icmp6-port-unreachable' };

/** The verdict key of a rule's terminating target, with its options. */
export function detailedVerdict(family: Family, t: Target): string {
  const text = printTarget(t, family).replace(/^-[jg] /, '');
  if (t.name === 'REJECT' && family !== 'bridge' && !findOption(t.options, 'reject-with')) return `${text} --reject-with ${REJECT_DEFAULT[family]}`;
  return text;
}
