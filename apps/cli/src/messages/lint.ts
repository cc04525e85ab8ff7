// Help text of `chainsight lint`.
import { COMMON_INPUT_OPTIONS } from './index';

export const LINT_HELP = `Usage: chainsight lint [options] FILE...

Checks snapshots for rules that break the restore or never do what they say: jumps to undefined chains,
jump loops, misplaced targets, unreachable, duplicate and self-contradicting rules, Docker pitfalls.
Each finding has a code lint/<rule>; 'chainsight lint --list-rules' lists them (docs/rules/<rule>.md).

Options:
${COMMON_INPUT_OPTIONS}
  --format F         text (default: findings with code frames) | json (schema chainsight.lint/1; docs/lint-json.md) | sarif (SARIF 2.1.0)
                     | html (one self-contained page: findings by rule and by chain, filterable by severity)
  --config FILE      configuration (default: ./chainsight.config.json when present):
                       { "rules": { "no-duplicate-rule": "off", "no-unreferenced-chain": ["warning", { "allow": ["X"] }] },
                         "allowChains": ["f2b-*"] }
  --rule ID=LEVEL    set a rule's level (error, warning, info, off); repeatable
  --merge            lint the files of one family as one ruleset, in the order given (as iptables-restore
                     --noflush loads them: ufw's before.rules and after.rules); each finding keeps its file:line.
                     Default: files are combined when no chain is in two of them, and the output says so
  --no-merge         lint each file alone
  --max-warnings N   exit 1 when there are more than N warnings
  --quiet            report errors only
  --list-rules       list the rules with their default level and exit
  -h, --help

Suppress a finding on one rule from the firewall itself, with a comment on that rule:
  -A INPUT ... -m comment --comment "chainsight-disable no-duplicate-rule -- reason" ...
A word of the list that names no rule is a warning (suppress/unknown-rule).

Text output shows 20 diagnostics of one code per file, then their count; --format json and sarif list all.

Exit codes: 0 no error findings, 1 error findings (or more warnings than --max-warnings),
2 input that does not parse, bad configuration or bad usage.`;
