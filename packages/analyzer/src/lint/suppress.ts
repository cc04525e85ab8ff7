// Inline suppression from the firewall itself: a rule whose comment says
// `chainsight-disable` (every lint rule) or `chainsight-disable no-duplicate-rule, no-unreachable-rule`
// is not reported by those rules. A comment is the one thing that travels with a rule through
// iptables-save/restore, Ansible templates and Terraform alike.
import type { Rule } from '@chainsight/grammar';

const DIRECTIVE = /chainsight-disable(?![\w-])((?:[\s,]+(?:lint\/)?[a-z][a-z0-9-]*)*)/g;

/** The rule ids a comment disables: null when it has no directive, 'all' for a bare `chainsight-disable`. */
export function disabledBy(comment: string | null): Set<string> | 'all' | null {
  if (!comment || !comment.includes('chainsight-disable')) return null;
  const ids = new Set<string>();
  for (const m of comment.matchAll(DIRECTIVE)) {
    const list = m[1]!.split(/[\s,]+/).filter(Boolean).map((id) => id.replace(/^lint\//, ''));
    if (!list.length) return 'all';
    for (const id of list) ids.add(id);
  }
  return ids.size ? ids : null;
}

export function isSuppressed(rule: Rule, ruleId: string): boolean {
  const d = disabledBy(rule.comment);
  return d === 'all' || (d !== null && d.has(ruleId));
}
