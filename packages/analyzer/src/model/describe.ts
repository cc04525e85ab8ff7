// Short human descriptions of IR pieces for messages.
import { PROTOCOLS, type Rule } from '@chainsight/grammar';

/** `-j DROP`, `-g KUBE-SVC-X`, `no target`. */
export function describeTarget(rule: Rule): string {
  const t = rule.target;
  if (!t) return rule.family === 'bridge' ? '-j CONTINUE' : 'no target';
  return `${t.goto ? '-g' : '-j'} ${t.name}`;
}

/** The first name /etc/protocols gives a protocol number (`tcp` for 6), or the number. */
export function protocolName(n: number): string {
  for (const [name, number] of PROTOCOLS) if (number === n) return name;
  return String(n);
}
