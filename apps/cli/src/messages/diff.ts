// Help text of `chainsight diff`.
import { COMMON_INPUT_OPTIONS } from './index';

export const DIFF_HELP = `Usage: chainsight diff [options] OLD NEW

What changed between two snapshots of a host (before/after a deploy, two nodes that should match, a
Docker host and a kube-proxy node), rule by rule: counters are ignored, spellings normalised
(-m tcp --dport 80 = --dport 80, 1.2.3.4 = 1.2.3.4/32, option order the kernel ignores), rules aligned
in order within each chain. Reports tables/chains added or removed, policy changes, rules added,
removed, modified (which options) and moved (and whether the move can change behaviour), with file:line
on both sides and the built-in chains that reach each change. kube-proxy's hash-named chains are paired
by service and endpoint, and endpoint changes read as "service ns/svc:port: endpoints A → B".
Two nftables rulesets (nft list ruleset, nft -j, nft -f scripts) are compared by table, chain,
handle-free rule text and set elements, kube-proxy's nftables chains by service (docs/diff-nft.md;
JSON schema chainsight.diff-nft/1); an nftables ruleset and an iptables-save are not compared.

Options:
${COMMON_INPUT_OPTIONS.replace(/  --table T .*/, '  --table T          compare only table T (repeatable); also names the table of -S / -L input')}
  --chain PATTERN    compare only chains matching PATTERN (glob: * and ?; repeatable)
  --ignore-chains P  leave chains matching P out (repeatable, or comma-separated); jumps into them
                     compare by the pattern, e.g. --ignore-chains 'KUBE-SEP-*'
  --ignore-comments  rules that differ only in -m comment are equal
  --ignore-counters  ignore packet/byte counters (the default)
  --counters         report counter changes of rules and built-in chain policies
  --stat             a per-table summary instead of the rule listing
  --format F         text (default) | json (the change model, schema chainsight.diff/1; see docs/diff-json.md)
                     | html (one self-contained page of the changes)
  -v, --verbose      also list changes folded into service lines, every move, the rules of added or
                     removed chains, and parse warnings
  --semantic         which packets change fate instead of which rules changed: per table and built-in
                     chain, the packets whose outcome (verdict, REJECT answer, NAT target) differs, as
                     regions with the deciding rule on each side and a witness; exit 0 when none does
                     (docs/semantic-diff.md; JSON schema chainsight.diff-semantic/1; --format html
                     shows each region's witness traced through OLD and NEW side by side)
  --explain N        with --semantic: trace region N's witness through OLD, then NEW
  -h, --help

Exit codes (like diff(1)): 0 no difference, 1 differences, 2 errors (bad usage, unreadable or invalid input).`;
