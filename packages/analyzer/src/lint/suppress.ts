// Inline suppression from the firewall itself: a rule whose comment says
// `chainsight-disable` (every lint rule) or `chainsight-disable no-duplicate-rule, no-unreachable-rule`
// is not reported by those rules. A comment is the one thing that travels with a rule through
// iptables-save/restore, Ansible templates and Terraform alike. After the ids, ` -- ` starts a reason that is
// not read as ids (`chainsight-disable no-duplicate-rule -- kept for the old VPN`), as in ESLint's directives.
// Every word of the list is an id: one that names no rule is reported (unknownSuppressions), never ignored.
import type { Rule } from '@chainsight/grammar';

/** One `chainsight-disable` directive: the ids it lists, each with its offset in the comment text. */
export interface SuppressionDirective {
  /** Offset of `chainsight-disable` in the comment. */
  offset: number;
  /** Empty: every rule. Ids as written, with `lint/` removed (`offset` is where the word starts). */
  ids: { id: string; written: string; offset: number }[];
}

const KEYWORD = 'chainsight-disable';

/** The directives of a comment, in order. A word glued to the keyword (`chainsight-disable-ish`) is not one. */
export function suppressionDirectives(comment: string | null): SuppressionDirective[] {
  if (!comment || !comment.includes(KEYWORD)) return [];
  const out: SuppressionDirective[] = [];
  for (let at = comment.indexOf(KEYWORD); at >= 0; at = comment.indexOf(KEYWORD, at + KEYWORD.length)) {
    let i = at + KEYWORD.length;
    if (/[\w-]/.test(comment[i] ?? '')) continue;
    const ids: SuppressionDirective['ids'] = [];
    // A list of words separated by spaces and commas, up to ` -- `, a `;` or the next directive.
    const list = /[\s,]*([^\s,;]+)/y;
    for (;;) {
      list.lastIndex = i;
      const m = list.exec(comment);
      if (!m) break;
      const word = m[1]!;
      if (word === '--' || word === KEYWORD) break;
      const start = m.index + m[0].length - word.length;
      ids.push({ id: word.replace(/^lint\//, ''), written: word, offset: start });
      i = list.lastIndex;
    }
    out.push({ offset: at, ids });
  }
  return out;
}

/** The rule ids a comment disables: null when it has no directive, 'all' for a bare `chainsight-disable`. */
export function disabledBy(comment: string | null): Set<string> | 'all' | null {
  const directives = suppressionDirectives(comment);
  if (!directives.length) return null;
  const ids = new Set<string>();
  for (const d of directives) {
    if (!d.ids.length) return 'all';
    for (const x of d.ids) ids.add(x.id);
  }
  return ids;
}

export function isSuppressed(rule: Rule, ruleId: string): boolean {
  const d = disabledBy(rule.comment);
  return d === 'all' || (d !== null && d.has(ruleId));
}
