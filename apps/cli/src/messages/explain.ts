// User-facing text of `chainsight explain`.
import { COMMON_INPUT_OPTIONS } from './index';

export const EXPLAIN_HELP = `Usage: chainsight explain [options] LOG --rules FILE [--rules FILE ...]

Reads a real kernel trace and ties every line to the rule it refers to in the snapshots of the traced host,
then summarises each packet: the path (hook, table, chain, rule), the verdict and the NAT it met. LOG ('-'
reads stdin) may hold any of:
  legacy TRACE lines   from dmesg, syslog or journalctl (prefixes such as 'Nov 24 10:00:01 host kernel:
                       [123.456] ' are recognised; other log lines are skipped; wrapped lines are joined).
                       'table:chain:rule:N' is rule N; 'policy:N' / 'return:N' is the chain's end when N is
                       the number of rules + 1, else rule N, an unconditional ACCEPT/DROP/RETURN that the
                       kernel labels like a chain end.
  xtables-monitor --trace output: the printed rule text is matched against the snapshot; the handle
                       (valid for a table loaded by one iptables-restore) tells identical rules apart.
  nft monitor trace output: the nft rule is compared field by field with the iptables rules; handles from
                       'nft -a monitor trace' are used when they fit.
Lines of one packet are grouped by trace id (xtables/nft; joined again when a bridge hands a frame to IP
under a new id) or, for legacy lines, by addresses, IPv4 ID, ports and hook order.

Options:
  --rules FILE       a snapshot of the traced host: iptables-save, ip6tables-save, ebtables-save or a
                     listing (repeatable; files after LOG are read as rules too)
  --format F         text (default) | json (schema chainsight.explain/1, docs/explain.md)
  --compare          also simulate each packet (chainsight trace) and show where the kernel's path and the
                     simulated one part
  --host FILE        host facts for --compare: a host context JSON, or iproute2 JSON captures (see trace --help)
  -v, --verbose      print every trace line in full, PACKET lines included
${COMMON_INPUT_OPTIONS}
  -h, --help

Exit codes: 0 every line tied to a rule or chain end, 1 some lines could not be tied (or do not fit the
snapshot, or --compare found a difference), 2 bad usage, unreadable input or no trace line in LOG.`;

export const EXPLAIN_NO_RULES = 'explain needs the snapshot of the traced host: --rules FILE';
