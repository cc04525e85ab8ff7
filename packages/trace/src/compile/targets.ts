// Targets as actions. Standard verdicts and jumps are data; extension targets run against the packet and
// return CONTINUE (LOG, MARK, CONNMARK, CT, TRACE, … are non-terminating, iptables-extensions(8)) or a verdict
// that ends the table (REJECT = DROP plus an answer; NAT targets end the nat chain with ACCEPT, man DNAT/SNAT).
import type { Family, IpSet, OptionEntry, Rule, Target } from '@chainsight/grammar';
import { DSCP_CLASSES, findOption, optionNumber, parseTos } from '@chainsight/grammar';
import { setAction } from './target-set';
import type { Action, EvalCtx, ExtVerdict, NatRequest } from './types';
import type { SimPacket } from '../sim/state';

const opt = (t: Target, key: string): OptionEntry | undefined => findOption(t.options, key);
const word = (t: Target, key: string): string | undefined => opt(t, key)?.words[0];
const num = (t: Target, key: string, fallback: number): number => optionNumber(t.options, key, fallback);

const ext = (name: string, run: (p: SimPacket, c: EvalCtx) => ExtVerdict): Action => ({ kind: 'ext', name, run });

/** CT --notrack / NOTRACK: untracked at once (IP_CT_UNTRACKED), which later raw rules see. */
function untrack(p: SimPacket): void {
  p.notrack = true;
  p.ctState = 'UNTRACKED';
}

function natRequest(type: NatRequest['type'], o: OptionEntry | undefined): NatRequest {
  const v = o?.value;
  if (v && v.type === 'nat-range') {
    return { type, addrFrom: v.addressFrom, addrTo: v.addressTo, prefix: v.prefix, portFrom: v.portFrom, portTo: v.portTo };
  }
  return { type, addrFrom: null, addrTo: null, prefix: null, portFrom: null, portTo: null };
}

/** `mark = (mark & ~mask) ^ value` (xt_MARK / xt_CONNMARK --set-xmark; every form is stored that way). */
function xmark(o: OptionEntry | undefined): ((m: number) => number) | null {
  if (!o || o.value.type !== 'mark') return null;
  const { value, mask } = o.value;
  return (m) => ((m & ~mask) ^ value) >>> 0;
}

function unknownTarget(name: string): Action {
  return ext(name, (_p, c) => (c.chooser.assume([`target:${name}`], `target ${name} (not a chain of this table nor a known extension) lets the packet continue`) ? 'CONTINUE' : 'DROP'));
}

/** iptables/ip6tables target → action. `chains` tells a user-chain jump from an extension of the same name. */
export function ipAction(rule: Rule, family: Family, chains: ReadonlySet<string>, ipsets: ReadonlyMap<string, IpSet> | null = null): Action {
  const t = rule.target;
  if (t === null) return { kind: 'verdict', verdict: 'CONTINUE' };
  if (chains.has(t.name) && t.type !== 'verdict') return { kind: 'jump', chain: t.name, goto: t.goto };
  // Neither a chain of this table nor a known extension (a chain other software creates, or a typo): its effect
  // is unknown, so it is an assumption.
  if (t.type === 'chain' || t.type === 'unknown') return unknownTarget(t.name);
  switch (t.name) {
    case 'ACCEPT': case 'DROP': case 'RETURN': case 'QUEUE':
      return { kind: 'verdict', verdict: t.name };
    case 'REJECT':
      return ext('REJECT', () => 'REJECT');
    case 'LOG':
      return ext('LOG', (_p, c) => {
        c.effects.log('LOG', word(t, 'log-prefix') ?? '', {
          level: word(t, 'log-level') ?? '4',
          flags: { seq: !!opt(t, 'log-tcp-sequence'), opts: !!opt(t, 'log-tcp-options'), uid: !!opt(t, 'log-uid') },
        });
        return 'CONTINUE';
      });
    case 'NFLOG':
      return ext('NFLOG', (_p, c) => { c.effects.log('NFLOG', word(t, 'nflog-prefix') ?? ''); return 'CONTINUE'; });
    case 'ULOG':
      return ext('ULOG', (_p, c) => { c.effects.log('ULOG', word(t, 'ulog-prefix') ?? ''); return 'CONTINUE'; });
    case 'TRACE':
      // xt_TRACE.c: skb->nf_trace = 1; the rule itself was already evaluated untraced (docs/netfilter.md §legacy-trace).
      return ext('TRACE', (p) => { p.trace = true; return 'CONTINUE'; });
    case 'MARK': {
      const f = xmark(opt(t, 'set-xmark'));
      return ext('MARK', (p) => { if (f) p.mark = f(p.mark); return 'CONTINUE'; });
    }
    case 'CONNMARK': {
      const f = xmark(opt(t, 'set-xmark'));
      const both = num(t, 'mask', 0xffffffff);
      const nfmask = num(t, 'nfmask', both) >>> 0;
      const ctmask = num(t, 'ctmask', both) >>> 0;
      const save = !!opt(t, 'save-mark');
      const restore = !!opt(t, 'restore-mark');
      return ext('CONNMARK', (p) => {
        const ct = p.ct;
        if (ct === null) return 'CONTINUE';
        if (f) ct.mark = f(ct.mark);
        // xt_connmark.c connmark_tg_shift(): save: ctmark = (ctmark & ~ctmask) ^ (nfmark & nfmask);
        // restore: nfmark = (nfmark & ~nfmask) ^ (ctmark & ctmask).
        if (save) ct.mark = ((ct.mark & ~ctmask) ^ (p.mark & nfmask)) >>> 0;
        if (restore) p.mark = ((p.mark & ~nfmask) ^ (ct.mark & ctmask)) >>> 0;
        return 'CONTINUE';
      });
    }
    case 'CT': {
      const notrack = !!opt(t, 'notrack');
      const helper = word(t, 'helper');
      // xt_CT.c: a packet that already has a conntrack (a REJECT's answer) is left alone (`if (skb->_nfct != 0)`).
      return ext('CT', (p, c) => {
        if (p.ct !== null) return 'CONTINUE';
        if (notrack) untrack(p);
        if (helper) c.effects.note(`CT: connection helper '${helper}' attached (helpers are not simulated)`);
        return 'CONTINUE';
      });
    }
    case 'NOTRACK':
      return ext('NOTRACK', (p) => {
        if (p.ct === null) untrack(p);
        return 'CONTINUE';
      });
    case 'DNAT': case 'SNAT': case 'NETMAP': case 'SAME': {
      const req = natRequest(t.name, opt(t, t.name === 'DNAT' ? 'to-destination' : t.name === 'SNAT' ? 'to-source' : 'to'));
      if (t.name === 'SAME') return ext('SAME', (_p, c) => (c.effects.nat({ ...req, type: 'SNAT' }) ? 'ACCEPT' : 'DROP'));
      return ext(t.name, (_p, c) => (c.effects.nat(req) ? 'ACCEPT' : 'DROP'));
    }
    case 'MASQUERADE': case 'REDIRECT': {
      const req = natRequest(t.name, opt(t, 'to-ports'));
      return ext(t.name, (_p, c) => (c.effects.nat(req) ? 'ACCEPT' : 'DROP'));
    }
    case 'TPROXY': {
      const markOpt = xmark(opt(t, 'tproxy-mark'));
      return ext('TPROXY', (p, c) => {
        // xt_TPROXY.c tproxy_tg4(): ACCEPT (and mark) when a transparent socket is found, else DROP.
        if (!c.chooser.assume(['TPROXY', `target:TPROXY`], 'TPROXY finds a transparent listening socket')) return 'DROP';
        if (markOpt) p.mark = markOpt(p.mark);
        return 'ACCEPT';
      });
    }
    case 'TCPMSS': {
      const set = opt(t, 'set-mss');
      return ext('TCPMSS', (p) => {
        if (set && p.mss !== null && (p.tcpFlags & 0x02)) p.mss = num(t, 'set-mss', p.mss);
        return 'CONTINUE';
      });
    }
    case 'DSCP': {
      const cls = word(t, 'set-dscp-class');
      const d = cls !== undefined ? DSCP_CLASSES.get(cls.toUpperCase()) ?? 0 : num(t, 'set-dscp', 0);
      return ext('DSCP', (p) => { p.tos = (p.tos & 0x03) | (d << 2); return 'CONTINUE'; });
    }
    case 'TOS': {
      // xt_DSCP.c tos_tg(): tos = (tos & ~mask) ^ value; --and/--or/--xor-tos are forms of it (libxt_TOS).
      const set = word(t, 'set-tos');
      const and = word(t, 'and-tos');
      const or = word(t, 'or-tos');
      const xor = word(t, 'xor-tos');
      let value = 0;
      let mask = 0;
      if (set !== undefined) { const v = parseTos(set); if (v) { value = v.value; mask = v.mask; } }
      else if (and !== undefined) { value = 0; mask = ~Number(and) & 0xff; }
      else if (or !== undefined) { value = Number(or); mask = Number(or); }
      else if (xor !== undefined) { value = Number(xor); mask = 0; }
      return ext('TOS', (p) => { p.tos = ((p.tos & ~mask) ^ value) & 0xff; return 'CONTINUE'; });
    }
    case 'TTL': case 'HL': {
      const k = t.name.toLowerCase();
      return ext(t.name, (p) => {
        if (opt(t, `${k}-set`)) p.ttl = num(t, `${k}-set`, p.ttl);
        else if (opt(t, `${k}-dec`)) p.ttl = Math.max(0, p.ttl - num(t, `${k}-dec`, 0));
        else if (opt(t, `${k}-inc`)) p.ttl = Math.min(255, p.ttl + num(t, `${k}-inc`, 0));
        return 'CONTINUE';
      });
    }
    case 'ECN':
      return ext('ECN', (p) => { if (opt(t, 'ecn-tcp-remove')) p.tcpFlags &= ~0xc0; return 'CONTINUE'; });
    case 'SECMARK':
      return ext('SECMARK', () => 'CONTINUE');
    case 'NFQUEUE':
      return ext('NFQUEUE', (_p, c) => {
        c.effects.note(`NFQUEUE: the packet is handed to the userspace program on queue ${word(t, 'queue-num') ?? '0'}; its verdict is not known`);
        return 'QUEUE';
      });
    case 'SYNPROXY':
      return ext('SYNPROXY', (p, c) => {
        c.effects.note('SYNPROXY answers the SYN itself (SYN cookie) and drops it');
        return p.tcpFlags & 0x02 ? 'DROP' : 'CONTINUE';
      });
    case 'MIRROR':
      return ext('MIRROR', () => 'STOLEN');
    case 'TARPIT':
      return ext('TARPIT', () => 'DROP');
    case 'ROUTE':
      return ext('ROUTE', (_p, c) => {
        c.effects.note('ROUTE target: the packet is sent directly (not simulated further)');
        return opt(t, 'continue') ? 'CONTINUE' : 'STOLEN';
      });
    case 'TEE':
      return ext('TEE', (_p, c) => { c.effects.note(`TEE: a copy is sent to ${word(t, 'gateway') ?? '?'}`); return 'CONTINUE'; });
    case 'HMARK':
      return ext('HMARK', (_p, c) => { c.effects.note('HMARK sets the mark from a hash of the packet: later mark tests are not exact'); return 'CONTINUE'; });
    case 'SET':
      return setAction(t, ipsets);
    case 'CLASSIFY': case 'CHECKSUM': case 'CONNSECMARK': case 'IDLETIMER': case 'LED': case 'RATEEST': case 'AUDIT':
    case 'CLUSTERIP': case 'IPV4OPTSSTRIP':
      return ext(t.name, () => 'CONTINUE');
    default:
      return unknownTarget(t.name);
  }
}

/**
 * ebtables target → action. Extension targets end with their `--<name>-target` standard verdict (default
 * ACCEPT, ebtables(8)); `-j CONTINUE` and a missing target go on with the next rule.
 */
export function ebAction(rule: Rule, chains: ReadonlySet<string>): Action {
  const t = rule.target;
  if (t === null) return { kind: 'verdict', verdict: 'CONTINUE' };
  if (chains.has(t.name) && t.type !== 'verdict') return { kind: 'jump', chain: t.name, goto: false };
  if (t.type === 'chain' || t.type === 'unknown') return unknownTarget(t.name);
  switch (t.name) {
    case 'ACCEPT': case 'DROP': case 'RETURN': case 'CONTINUE':
      return { kind: 'verdict', verdict: t.name };
  }
  const then = (key: string): ExtVerdict => {
    const v = word(t, key) ?? 'ACCEPT';
    return v === 'DROP' || v === 'RETURN' || v === 'CONTINUE' ? v : 'ACCEPT';
  };
  switch (t.name) {
    case 'mark': {
      // ebt_mark.c: set / or / and / xor on skb->mark.
      const set = opt(t, 'mark-set'), or = opt(t, 'mark-or'), and = opt(t, 'mark-and'), xor = opt(t, 'mark-xor');
      const v = (o: OptionEntry | undefined) => (o?.value.type === 'number' ? o.value.value : Number(o?.words[0] ?? 0));
      const after = then('mark-target');
      return ext('mark', (p) => {
        if (set) p.mark = v(set) >>> 0;
        else if (or) p.mark = (p.mark | v(or)) >>> 0;
        else if (and) p.mark = (p.mark & v(and)) >>> 0;
        else if (xor) p.mark = (p.mark ^ v(xor)) >>> 0;
        return after;
      });
    }
    case 'snat': case 'dnat': {
      const o = opt(t, t.name === 'snat' ? 'to-source' : 'to-destination');
      const mac = o?.value.type === 'mac' ? o.value.address : null;
      const after = then(`${t.name}-target`);
      return ext(t.name, (p) => {
        if (mac !== null) { if (t.name === 'snat') p.srcMac = mac; else p.dstMac = mac; }
        return after;
      });
    }
    case 'redirect': {
      const after = then('redirect-target');
      // ebt_redirect.c: the destination MAC becomes the bridge's (the input device's in the broute table).
      return ext('redirect', (p, c) => {
        const br = c.table === 'broute' ? p.in : c.host.masterOf(p.in) ?? p.in;
        const m = c.host.interfaces.get(br)?.mac ?? null;
        if (m !== null) p.dstMac = m;
        return after;
      });
    }
    case 'arpreply':
      return ext('arpreply', () => 'CONTINUE');
    default:
      return unknownTarget(t.name);
  }
}
