// What each target extension's print function writes at the end of an `iptables -L` row
// (iptables/extensions/libxt_*.c, libipt_*.c, libip6t_*.c), read back into the words its save function
// writes after `-j NAME`. Keyed by the name in the target column.
import { form, targetForm, type PrintForm, type Say } from './form';
import { tosByName } from '../../registry/tos';
import { needsQuotes } from './values';

const HEX = String.raw`0x[0-9a-fA-F]+`;
const hex = (n: number) => '0x' + (n >>> 0).toString(16);

/** libxt_LOG.c LOG_print: the level names it prints without -n (syslog levels, plus the aliases it accepts). */
const LOG_LEVELS: Record<string, number> = {
  emerg: 0, panic: 0, alert: 1, crit: 2, err: 3, error: 3, warn: 4, warning: 4, notice: 5, info: 6, debug: 7,
};

/** xt_LOG flags, in the order LOG_save writes them. */
const LOG_FLAGS: [number, string, string][] = [
  [0x01, 'tcp-sequence', '--log-tcp-sequence'], [0x02, 'tcp-options', '--log-tcp-options'],
  [0x04, 'ip-options', '--log-ip-options'], [0x08, 'uid', '--log-uid'], [0x20, 'macdecode', '--log-macdecode'],
];

/** `prefix "x"` (iptables ≥ 1.4.11) or prefix `x' (older); LOG prints last, so the prefix runs to the line end. */
const PREFIX = String.raw`(?: prefix (?:"(?<p>.*)"|\`(?<p2>.*)'))?`;

function logPrefix(say: Say): void {
  const group = say.has('p') ? 'p' : say.has('p2') ? 'p2' : null;
  if (group) say.opt('--log-prefix', group, undefined, needsQuotes(say.text(group)));
}

/**
 * MARK and CONNMARK: every form is the kernel's (value, mask) of `mark = (mark & ~mask) ^ value`
 * (libxt_MARK.c mark_tg_print_v2, libxt_CONNMARK.c connmark_tg_print); save writes `--set-xmark value/mask`.
 */
function xmark(say: Say): void {
  const v = parseInt(say.text('v'), 16) >>> 0;
  const op = say.text('op');
  const [value, mask] = op === 'xset' || (op === 'set' && say.has('m'))
    ? [v, parseInt(say.text('m'), 16) >>> 0]
    : op === 'set' ? [v, 0xffffffff] : op === 'or' ? [v, v] : op === 'and' ? [0, ~v >>> 0] : [v, 0];
  say.opt('--set-xmark', 'v', `${hex(value)}/${hex(mask)}`);
}

const MARK_OPS = String.raw`(?<op>set|xset|or|and|xor) (?<v>${HEX})(?:\/(?<m>${HEX}))?`;

/** Options printed as bare words that save writes with `--` (`random`, `persistent`, …). */
function bareFlags(say: Say, group: string): void {
  for (const item of say.items(group, /(?<w>[\w-]+)/)) item.flag(`--${item.text('w')}`, 'w');
}

const tosPair = (v: number, m: number) => `0x${v.toString(16).padStart(2, '0')}/0x${m.toString(16).padStart(2, '0')}`;

const nat = (option: string): PrintForm =>
  targetForm('NAT', String.raw`to:(?<r>\S+)(?<f>(?: random| random-fully| persistent)*)`, (say) => {
    say.opt(option, 'r');
    bareFlags(say, 'f');
  });

const ttl = (name: 'TTL' | 'HL'): PrintForm =>
  targetForm(name, String.raw`${name} (?<op>set to|decrement by|increment by) (?<v>\d+)`, (say) => {
    const op = say.text('op');
    say.opt(`--${name.toLowerCase()}-${op === 'set to' ? 'set' : op === 'decrement by' ? 'dec' : 'inc'}`, 'v');
  });

export const TARGET_FORMS: Readonly<Record<string, readonly PrintForm[]>> = {
  REJECT: [targetForm('REJECT', String.raw`reject-with (?<t>[\w-]+)`, (say) => say.opt('--reject-with', 't'))],
  LOG: [
    targetForm('LOG', String.raw`LOG flags (?<f>\d+) level (?<l>\d+)${PREFIX}`, (say) => {
      const flags = Number(say.text('f'));
      if (flags & ~0x3f) return 'unknown LOG flags';
      logPrefix(say);
      // LOG_save: the level only when it is not the default 4 (LOG_WARNING).
      if (say.text('l') !== '4') say.opt('--log-level', 'l');
      for (const [bit, , option] of LOG_FLAGS) if (flags & bit) say.flag(option, 'f');
    }),
    targetForm('LOG', String.raw`LOG level (?<ln>\w+)(?<fl>(?: (?:tcp-sequence|tcp-options|ip-options|uid|macdecode))*)${PREFIX}`, (say) => {
      // The name comes from the input: own keys only (`constructor` is no level).
      const level = Object.hasOwn(LOG_LEVELS, say.text('ln')) ? LOG_LEVELS[say.text('ln')] : undefined;
      if (level === undefined) return `LOG level '${say.text('ln')}'`;
      logPrefix(say);
      if (level !== 4) say.opt('--log-level', 'ln', String(level));
      const names = say.text('fl').trim().split(/\s+/);
      for (const [, name, option] of LOG_FLAGS) if (names.includes(name)) say.flag(option, 'fl');
    }),
  ],
  NFLOG: [targetForm('NFLOG', String.raw`(?<o>(?:\s*nflog-(?:prefix|group|range|size|threshold) (?:"(?:[^"\\]|\\.)*"|\S+))+)`, (say) => {
    for (const item of say.items('o', /nflog-(?<k>prefix|group|range|size|threshold) (?:"(?<q>(?:[^"\\]|\\.)*)"|(?<v>\S+))/)) {
      const g = item.has('q') ? 'q' : 'v';
      const text = item.text(g).replace(/\\(.)/g, '$1');
      item.opt(`--nflog-${item.text('k')}`, g, text, item.text('k') === 'prefix' && needsQuotes(text));
    }
  })],
  NFQUEUE: [targetForm('NFQUEUE', String.raw`NFQUEUE (?:num (?<num>\d+)|balance (?<bal>\d+:\d+))(?<by> bypass)?(?<fo> cpu-fanout)?`, (say) => {
    if (say.has('num')) say.opt('--queue-num', 'num');
    else say.opt('--queue-balance', 'bal');
    if (say.has('by')) say.flag('--queue-bypass', 'by');
    if (say.has('fo')) say.flag('--queue-cpu-fanout', 'fo');
  })],
  AUDIT: [targetForm('AUDIT', String.raw`AUDIT (?<t>accept|drop|reject)`, (say) => say.opt('--type', 't'))],
  MARK: [targetForm('MARK', `MARK ${MARK_OPS}`, xmark)],
  CONNMARK: [
    targetForm('CONNMARK', `CONNMARK ${MARK_OPS}`, xmark),
    targetForm('CONNMARK', String.raw`CONNMARK (?<sr>save|restore)(?: mask (?<mask>${HEX})| nfmask (?<nf>${HEX}) ctmask ~(?<ct>${HEX})| ctmask (?<ct2>${HEX}) nfmask ~(?<nf2>${HEX}))?`, (say) => {
      // connmark_tg_print: no mask printed means both are 0xffffffff; `mask m` means both are m.
      say.flag(say.text('sr') === 'save' ? '--save-mark' : '--restore-mark', 'sr');
      const nf = say.has('mask') ? 'mask' : say.has('nf') ? 'nf' : say.has('nf2') ? 'nf2' : null;
      const ct = say.has('mask') ? 'mask' : say.has('ct') ? 'ct' : say.has('ct2') ? 'ct2' : null;
      say.opt('--nfmask', nf ?? 'sr', nf ? undefined : '0xffffffff');
      say.opt('--ctmask', ct ?? 'sr', ct ? undefined : '0xffffffff');
    }),
  ],
  TCPMSS: [targetForm('TCPMSS', String.raw`TCPMSS (?:(?<c>clamp to PMTU)|set (?<m>\d+))`, (say) => {
    if (say.has('c')) say.flag('--clamp-mss-to-pmtu', 'c');
    else say.opt('--set-mss', 'm');
  })],
  CLASSIFY: [targetForm('CLASSIFY', String.raw`CLASSIFY set (?<a>[0-9a-fA-F]+):(?<b>[0-9a-fA-F]+)`, (say) => {
    // CLASSIFY_save writes `%04x:%04x`.
    const pad = (g: string) => parseInt(say.text(g), 16).toString(16).padStart(4, '0');
    say.opt('--set-class', 'a', `${pad('a')}:${pad('b')}`);
  })],
  TEE: [targetForm('TEE', String.raw`TEE gw:(?<g>\S+?)(?: oif=(?<o>\S+))?`, (say) => {
    say.opt('--gateway', 'g');
    if (say.has('o')) say.opt('--oif', 'o');
  })],
  IDLETIMER: [targetForm('IDLETIMER', String.raw`timeout:(?<t>\d+) label:(?<l>\S+)(?<a> alarm)?`, (say) => {
    say.opt('--timeout', 't');
    say.opt('--label', 'l');
    if (say.has('a')) say.flag('--alarm', 'a');
  })],
  DNAT: [nat('--to-destination')],
  SNAT: [nat('--to-source')],
  NETMAP: [targetForm('NETMAP', String.raw`to:(?<r>\S+)`, (say) => say.opt('--to', 'r'))],
  MASQUERADE: [targetForm('MASQUERADE', String.raw`(?:masq ports: (?<p>\d+(?:-\d+)?))?(?<f>(?:\s*(?:random|random-fully))*)`, (say) => {
    if (say.has('p')) say.opt('--to-ports', 'p');
    bareFlags(say, 'f');
  })],
  REDIRECT: [targetForm('REDIRECT', String.raw`(?:redir ports (?<p>\d+(?:-\d+)?))?(?<f>(?:\s*random)*)`, (say) => {
    if (say.has('p')) say.opt('--to-ports', 'p');
    bareFlags(say, 'f');
  })],
  TOS: [targetForm('TOS', String.raw`TOS (?:set (?<v>${HEX})\/(?<m>${HEX})|(?<op>and|or|xor) (?<x>${HEX})|set\s?(?<name>[A-Za-z-]+))`, (say) => {
    // tos_tg_save writes `--set-tos value/mask`; tos_tg_print without -n names and/or/xor and known values.
    if (say.has('v')) return void say.opt('--set-tos', 'v', tosPair(parseInt(say.text('v'), 16), parseInt(say.text('m'), 16)));
    if (say.has('name')) {
      const v = tosByName(say.text('name'));
      if (v === undefined) return `TOS name '${say.text('name')}'`;
      return void say.opt('--set-tos', 'name', tosPair(v, 0x3f));
    }
    const x = parseInt(say.text('x'), 16) & 0xff;
    const op = say.text('op');
    say.opt('--set-tos', 'x', op === 'and' ? tosPair(0, ~x & 0xff) : op === 'or' ? tosPair(x, x) : tosPair(x, 0));
  })],
  DSCP: [targetForm('DSCP', String.raw`DSCP set (?<v>${HEX})`, (say) => say.opt('--set-dscp', 'v'))],
  TTL: [ttl('TTL')],
  HL: [ttl('HL')],
  TPROXY: [targetForm('TPROXY', String.raw`TPROXY redirect \[?(?<ip>[^\s\]]+?)\]?:(?<port>\d+) mark (?<m>${HEX}\/${HEX})`, (say) => {
    say.opt('--on-port', 'port');
    say.opt('--on-ip', 'ip');
    say.opt('--tproxy-mark', 'm');
  })],
  CONNSECMARK: [targetForm('CONNSECMARK', String.raw`CONNSECMARK (?<m>save|restore)`, (say) => say.flag(`--${say.text('m')}`, 'm'))],
  SECMARK: [targetForm('SECMARK', String.raw`SECMARK selctx (?<c>\S+)`, (say) => say.opt('--selctx', 'c'))],
  CT: [
    // iptables ≥ 1.8 implements -j NOTRACK as CT --notrack and lists it in the target column as CT.
    targetForm('NOTRACK', 'NOTRACK', (_say, ctx) => void (ctx.targetName = 'NOTRACK')),
    targetForm('CT', String.raw`CT(?<o>(?: notrack| (?:helper|timeout|ctevents|expevents|zone|zone-orig|zone-reply) \S+)*)`, (say) => {
      say.dashedItems('o', /(?<k>notrack|helper|timeout|ctevents|expevents|zone-orig|zone-reply|zone)(?: (?<v>\S+))?/);
    }),
  ],
  SYNPROXY: [targetForm('SYNPROXY', String.raw`SYNPROXY(?<o>(?: sack-perm| timestamp| ecn| wscale \d+| mss \d+)*)`, (say) => {
    say.dashedItems('o', /(?<k>sack-perm|timestamp|ecn|wscale|mss)(?: (?<v>\d+))?/);
  })],
  CHECKSUM: [targetForm('CHECKSUM', 'CHECKSUM fill', (say) => say.flag('--checksum-fill'))],
  ECN: [targetForm('ECN', 'ECN TCP remove', (say) => say.flag('--ecn-tcp-remove'))],
  SET: [targetForm('SET', String.raw`(?<op>add-set|del-set|map-set) (?<name>\S+) (?<dir>\S+)(?<o>(?: exist| timeout \d+| map-mark| map-prio| map-queue)*)`, (say) => {
    say.opt(`--${say.text('op')}`, 'name');
    say.out.word(say.text('dir'), say.hit.at('dir'));
    say.dashedItems('o', /(?<k>exist|timeout|map-mark|map-prio|map-queue)(?: (?<v>\d+))?/);
  })],
};

/** `[goto] ` before the matches: the rule uses -g (iptables.c print_firewall, IPT_F_GOTO). */
export const GOTO_FORM = form('goto', String.raw`\[goto\]`, () => undefined);
