// Matches whose result the snapshot cannot decide. `-m statistic` (and the pre-2.6 `nth`/`random`) are random
// draws with a known probability; the others depend on state outside the snapshot (rate-limit buckets, recent
// lists, ipset contents, payload, clock, sockets, counters) and fork into "matches" / "does not match", each
// outcome labelled with its assumption, unless `--assume` pins them. Never a silent guess.
import type { Match } from '@chainsight/grammar';
import { drawOf } from '../sim/choices';
import { compileKnownSet } from './matches-ipset';
import type { MatchCompiler } from './matches-packet';
import type { MatchEnv, Pred } from './types';

/** Assumption fork for the whole match (keys from the most specific: `module:name`, `module@line`, `module`). */
export function assumeMatch(env: MatchEnv, name?: string, why?: string): Pred {
  const keys = name ? [`${env.match.module}:${name}`, ...env.assumeKeys] : env.assumeKeys;
  const what = why ? `${env.text} (${why})` : env.text;
  return (_p, c) => c.chooser.assume(keys, what);
}

function optWord(m: Match, key: string): string | undefined {
  return m.options.find((o) => o.key === key)?.words[0];
}

/**
 * xt_statistic.c statistic_mt(): random: `(prandom_u32() & 0x7FFFFFFF) < probability` flips `ret = invert`;
 * nth: a per-rule counter (state outside the snapshot) matches one packet in `every`, treated as a draw with
 * probability 1/every.
 */
const statistic: MatchCompiler = (m, env) => {
  const mode = optWord(m, 'mode');
  if (mode === 'random') {
    const o = m.options.find((x) => x.key === 'probability');
    if (!o || o.value.type !== 'number') return assumeMatch(env);
    const draw = drawOf(o.negated ? 1 - o.value.value : o.value.value, env.text);
    return (_pk, c) => c.chooser.draw(draw);
  }
  const every = m.options.find((x) => x.key === 'every');
  if (!every || every.value.type !== 'number' || every.value.value < 1) return assumeMatch(env);
  const p = 1 / every.value.value;
  const inv = every.negated;
  return (_pk, c) => c.chooser.random(inv ? 1 - p : p, `${env.text} (nth counter position unknown)`);
};

/** Patch-o-matic `-m nth --every N` and `-m random --average PERCENT`. */
const nth: MatchCompiler = (m, env) => {
  const every = Number(optWord(m, 'every') ?? '0');
  if (!(every >= 1)) return assumeMatch(env);
  return (_p, c) => c.chooser.random(1 / every, `${env.text} (nth counter position unknown)`);
};
const random: MatchCompiler = (m, env) => {
  const avg = Number(optWord(m, 'average') ?? '50');
  return (_p, c) => c.chooser.random(avg / 100, env.text);
};

/** xt_recent.c recent_mt(): `--set` always matches (it adds the address); the checks depend on the list. */
const recent: MatchCompiler = (m, env) => {
  const set = m.options.find((o) => o.key === 'set');
  if (set) return () => !set.negated;
  const neg = m.options.some((o) => (o.key === 'rcheck' || o.key === 'update' || o.key === 'remove') && o.negated);
  const name = optWord(m, 'name') ?? 'DEFAULT';
  const fork = assumeMatch(env, name, `recent list '${name}' state`);
  return neg ? (p, c) => !fork(p, c) : fork;
};

/** xt_set.c: ipset contents are not in an iptables-save snapshot; given with `ipset save`, they decide. */
const set: MatchCompiler = (m, env) => {
  const o = m.options.find((x) => x.key === 'match-set');
  const name = o?.words[0] ?? '?';
  const known = env.ipsets?.get(name);
  if (o && known) return compileKnownSet(m, env, known);
  const fork = assumeMatch(env, name, `contents of ipset '${name}'`);
  return o?.negated ? (p, c) => !fork(p, c) : fork;
};

/**
 * xt_connbytes.c: for the connection's first packet the counters are known (1 packet / its length, original
 * direction; accounting is forced on by the match); later packets depend on the connection's history.
 */
const connbytes: MatchCompiler = (m, env) => {
  const range = m.options.find((o) => o.key === 'connbytes');
  if (!range || range.value.type !== 'number-range') return assumeMatch(env);
  const { from, to } = range.value;
  const dir = optWord(m, 'connbytes-dir') ?? 'original';
  const mode = optWord(m, 'connbytes-mode') ?? 'packets';
  const later = assumeMatch(env, undefined, 'connection counters');
  return (p, c) => {
    if (p.ct === null) return false;
    if (p.ctState !== 'NEW' || p.ctDir !== 'ORIGINAL') return later(p, c);
    const orig = mode === 'packets' ? 1 : p.length;
    const what = dir === 'reply' ? 0 : dir === 'both' && mode === 'avgpkt' ? p.length : orig;
    const inRange = what >= from && what <= to;
    return inRange !== range.negated;
  };
};

const named = (key: string, why: string): MatchCompiler => (m, env) => {
  const n = optWord(m, key);
  return assumeMatch(env, n, why);
};

const generic = (why: string): MatchCompiler => (_m, env) => assumeMatch(env, undefined, why);

export const FORK_MATCHES: Record<string, MatchCompiler> = {
  statistic,
  nth,
  random,
  recent,
  set,
  connbytes,
  limit: generic('rate-limit bucket state'),
  hashlimit: named('hashlimit-name', 'rate-limit bucket state'),
  dstlimit: named('dstlimit-name', 'rate-limit bucket state'),
  connlimit: generic('number of connections'),
  quota: generic('remaining quota'),
  nfacct: named('nfacct-name', 'nfacct quota state'),
  string: generic('packet payload'),
  u32: generic('packet bytes'),
  bpf: generic('BPF program result'),
  time: generic('time of day'),
  cpu: generic('receiving CPU'),
  cluster: generic('cluster hash'),
  osf: generic('sender OS fingerprint'),
  socket: generic('local socket lookup'),
  condition: named('condition', 'condition file value'),
  account: generic('accounting state'),
  fuzzy: generic('rate state'),
  psd: generic('port-scan detector state'),
  ip_nat_talk: generic('helper state'),
  ip_conntrack_talk: generic('helper state'),
};
