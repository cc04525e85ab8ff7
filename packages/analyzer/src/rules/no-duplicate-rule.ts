// no-duplicate-rule: the same rule twice in one chain, compared by canonicalRuleKey (spelling, implicit
// modules, `/32`, and option and match order where the kernel does not care, normalised). Usually a script that
// appends (`-A`) on every run instead of checking (`-C`) first. Lossy listings are skipped: `iptables -L`
// without -v hides interfaces, so rules that differ only there would look identical.
import type { Rule } from '@chainsight/grammar';
import { defineRule } from '../lint/define';
import { canonicalRuleKey } from '../model/canonical';

export default defineRule({
  id: 'no-duplicate-rule',
  description: 'The same rule appears twice in a chain.',
  help: 'A second copy of a rule never changes the outcome of a terminal rule and repeats the effect of others (a second LOG line, '
    + 'a second jump through the same chain). It usually comes from a script that appends with -A on every run instead of checking '
    + 'with -C first. Delete the copy and make the script idempotent.',
  defaultSeverity: 'warning',
  messages: {
    duplicate: 'rule {{index}} of {{chain}} duplicates rule {{first}}',
    firstHere: 'first written here',
  },
  hints: { duplicate: 'delete one copy; scripts should test with iptables -C before appending with -A' },
  defaultOptions: {},
  create(context) {
    if (context.snapshot.lossy) return {};
    return {
      chain(chain) {
        if (chain.rules.length < 2) return;
        // Bucket by a cheap key first; canonical keys only for rules that share a bucket.
        const buckets = new Map<string, Rule[]>();
        for (const r of chain.rules) {
          const t = r.target;
          const pre = `${t ? `${t.goto ? 'g' : 'j'}${t.name}` : ''}|${r.base.length}|${r.matches.length}|${r.comment ?? ''}`;
          const b = buckets.get(pre);
          if (b) b.push(r);
          else buckets.set(pre, [r]);
        }
        for (const bucket of buckets.values()) {
          if (bucket.length < 2) continue;
          const firstByKey = new Map<string, Rule>();
          for (const r of bucket) {
            const key = canonicalRuleKey(r);
            const first = firstByKey.get(key);
            if (!first) { firstByKey.set(key, r); continue; }
            context.report({
              node: r, messageId: 'duplicate', data: { index: r.index, chain: chain.name, first: first.index },
              related: [{ node: first, messageId: 'firstHere' }],
            });
          }
        }
      },
    };
  },
});
