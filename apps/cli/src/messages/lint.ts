// Help text of `chainsight lint`.
import { COMMON_INPUT_OPTIONS } from './index';

export const LINT_HELP = `Usage: chainsight lint [options] FILE...

Checks snapshots for rules that break the restore or never do what they say: jumps to undefined chains,
jump loops, misplaced targets, unreachable, duplicate and self-contradicting rules, Docker pitfalls.
Each finding has a code lint/<rule>; 'chainsight lint --list-rules' lists them (docs/rules/<rule>.md).

Options:
${COMMON_INPUT_OPTIONS}
  --format F         text (default: findings with code frames) | json | sarif (SARIF 2.1.0)
  --config FILE      configuration (default: ./chainsight.config.json when present):
                       { "rules": { "no-duplicate-rule": "off", "no-unreferenced-chain": ["warning", { "allow": ["X"] }] },
                         "allowChains": ["f2b-*"] }
  --rule ID=LEVEL    set a rule's level (error, warning, info, off); repeatable
  --max-warnings N   exit 1 when there are more than N warnings
  --quiet            report errors only
  --list-rules       list the rules with their default level and exit
  -h, --help

Suppress a finding on one rule from the firewall itself, with a comment on that rule:
  -A INPUT ... -m comment --comment "chainsight-disable no-duplicate-rule" ...

Exit codes: 0 no error findings, 1 error findings (or more warnings than --max-warnings),
2 input that does not parse, bad configuration or bad usage.`;
