// Help text of `chainsight graph`.
import { COMMON_INPUT_OPTIONS } from './index';

export const GRAPH_HELP = `Usage: chainsight graph [options] FILE

Prints the chain graph of each table: built-in chains with their policy, user chains with their rule counts,
an edge for every jump (-j, solid) and goto (-g, dashed) labelled with the jumping rule; loops and undefined
targets in red. Large tables are drawn with chains that share a name prefix collapsed into one node
(10000 KUBE-SEP-* chains become "KUBE-SEP-* · 10000 chains") unless --expand.

Options:
${COMMON_INPUT_OPTIONS.split('\n').filter((l) => !l.trimStart().startsWith('--table')).join('\n')}
  --table T          draw only table T (also names the table of an -S / -L listing)
  --format F         dot (default; render with: chainsight graph FILE | dot -Tsvg > chains.svg)
                     | mermaid | json (schema chainsight.graph/1; docs/graph-json.md)
  --expand           draw every chain, no collapsing
  -h, --help

Exit codes: 0 drawn, 2 errors (the input does not parse, bad usage).`;
