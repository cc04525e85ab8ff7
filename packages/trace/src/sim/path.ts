// The packet's path through the host: IP receive (PREROUTING → routing → INPUT or FORWARD → POSTROUTING), local
// output (OUTPUT → POSTROUTING, loopback back through PREROUTING/INPUT), and the bridge path with br_netfilter,
// where ebtables chains interleave with the iptables chains exactly as docs/netfilter.md §bridge describes.
import type { CFamily } from '../compile/types';
import type { CompiledRuleset } from '../compile/ruleset';
import type { SetChanges } from './set-changes';
import type { FactsSeed } from './host-facts';
import { fmtMac, type Entry } from '../packet';
import type { Hook, StepFamily, Verdict } from '../types';
import { applyManip, canCreate, manipOf, newConn } from './conntrack';
import { ebOutputOrder, ipHookOrder } from './hooks';
import type { Run } from './run';
import type { Conn, CtState } from './state';
import { runEbTable, runIpTable, type TableResult } from './table';
import { routeKey } from './route-key';
import { formatIp } from '../addr';
import { castMac, castRoute, isLoopbackDev, type CastRoute } from './cast-route';
import { clonePacket } from './state';

export interface PathInput {
  entry: Entry;
  /** The connection state asked for. */
  state: CtState;
  /** Direction of the traced packet within its connection. */
  dir: 'ORIGINAL' | 'REPLY';
  /** The connection a later packet / reply belongs to (from a first-packet run), or null. */
  conn: Conn | null;
  pinnedOut: string | null;
  pinnedPhysOut: string | null;
  /** false for ICMP errors related to a connection: nf_nat_icmp_reply_translation, no nat chain (default true). */
  natChains?: boolean;
  /** The packet carries `conn` from the start, before raw (a REJECT's answer: nf_ct_attach() in nf_reject). */
  attached?: boolean;
  /** ipset changes earlier packets' SET targets made (a conversation); none when absent. */
  sets?: SetChanges;
  /** Host facts an earlier packet of the connection answered (without a host context). */
  facts?: FactsSeed;
  /** A local packet's socket is bound to its source (`--bound-src`): decides a broadcast's device (cast-route.ts). */
  boundSrc?: boolean;
}

export interface PathEnd {
  verdict: Verdict;
  summary: string;
  /** Step that decided a DROP/REJECT/QUEUE, or -1. */
  step: number;
  egress: { dev: string; port: string | null; local: boolean } | null;
}

type Stop = { stop: true; end: PathEnd };
type Go = { stop: false };
const GO: Go = { stop: false };

const BROADCAST_MAC = 0xffffffffffffn;

export class PathRunner {
  private readonly compiled: CompiledRuleset;
  private readonly fam: CFamily | null;
  private readonly famLabel: StepFamily;
  private ctDone = false;

  constructor(private readonly run: Run, private readonly input: PathInput) {
    this.compiled = run.compiled;
    this.fam = run.p.v === 4 ? this.compiled.ip4 : this.compiled.ip6;
    this.famLabel = run.p.v === 4 ? 'ip' : 'ip6';
  }

  private get p() { return this.run.p; }
  private get host() { return this.compiled.host; }

  start(): PathEnd {
    const e = this.input.entry;
    if (e.kind === 'local') return this.localOut();
    if (e.kind === 'iface') return this.ipReceive(e.dev);
    return this.bridgeReceive(e.bridge, e.port);
  }

  // ---- endings -------------------------------------------------------------------------------------------

  private dropped(res: TableResult, where: string): Stop {
    const st = this.run.steps[res.step];
    const what = st ? `${st.family === 'bridge' ? 'ebtables ' : ''}${st.table} ${st.chain} ${st.type === 'rule' ? `rule ${st.rule}` : 'policy'}` : where;
    const verdict = res.verdict === 'ACCEPT' ? 'DROP' : res.verdict;
    const summary = verdict === 'REJECT' ? `REJECT in ${what} (the kernel answers the sender)`
      : verdict === 'QUEUE' ? `QUEUE in ${what} (handed to userspace)`
      : verdict === 'STOLEN' ? `STOLEN in ${what}` : `DROP in ${what}`;
    return { stop: true, end: { verdict, summary, step: res.step, egress: null } };
  }

  private end(verdict: Verdict, summary: string): Stop {
    return { stop: true, end: { verdict, summary, step: -1, egress: null } };
  }

  // ---- hooks -------------------------------------------------------------------------------------------

  /** Runs the iptables tables of a hook in priority order. */
  private ipHook(hook: Hook, onReroute?: (table: string) => void): Stop | Go {
    const fam = this.fam;
    const backend = this.compiled.backend.ip;
    if ((hook === 'PREROUTING' || hook === 'OUTPUT') && !this.ctDone) this.beforeConntrack();
    for (const t of ipHookOrder(hook, backend)) {
      if (t === 'ct') { this.conntrackIn(); continue; }
      if (t === 'confirm') { if (this.p.ct && !this.p.ct.confirmed) this.p.ct.confirmed = true; continue; }
      if (!fam) continue;
      if (t === 'nat') {
        const r = this.natHook(hook);
        if (r.stop) return r;
        onReroute?.('nat');
        continue;
      }
      const table = fam.tables.get(t);
      if (!table) continue;
      const before = onReroute ? { mark: this.p.mark, src: this.p.src, dst: this.p.dst, tos: this.p.tos } : null;
      const res = runIpTable(this.run, this.famLabel, table.file, table, hook);
      if (res.verdict !== 'ACCEPT') return this.dropped(res, `${t} ${hook}`);
      if (before && (before.mark !== this.p.mark || before.src !== this.p.src || before.dst !== this.p.dst || before.tos !== this.p.tos)) {
        onReroute?.(t);
      }
    }
    return GO;
  }

  /** nf_nat_inet_fn(): the nat chain only while the binding of this manip type is not set up, then the rewrite. */
  private natHook(hook: Hook): Stop | Go {
    const fam = this.fam;
    const p = this.p;
    if (!fam || !fam.conntrackActive || p.ct === null) return GO;
    const manip = manipOf(hook);
    const ct = p.ct;
    const init = manip === 'DST' ? ct.dstInit : ct.srcInit;
    if (!init && this.input.natChains !== false) {
      if (manip === 'DST') ct.dstInit = true;
      else ct.srcInit = true;
      const table = fam.tables.get('nat');
      if (table) {
        const res = runIpTable(this.run, this.famLabel, table.file, table, hook);
        if (res.verdict !== 'ACCEPT') return this.dropped(res, `nat ${hook}`);
      }
      const b = manip === 'DST' ? ct.dnat : ct.snat;
      if (b && b.unknownAddr === undefined) this.run.event('nat', `${b.type} to ${formatIp(p.v, b.addr)}${b.port !== null && p.proto !== 1 && p.proto !== 58 ? `:${b.port}` : ''} (${b.table} ${b.chain} rule ${b.rule})`);
    }
    const before = manip === 'DST' ? p.dst : p.src;
    const msg = applyManip(p, manip);
    if (msg) this.run.event('nat', msg);
    else if (init && (manip === 'DST' ? p.dst : p.src) !== before) {
      const b = (manip === 'DST' ? ct.dnat : ct.snat)!;
      this.run.event('nat', `${b.type} applied from the connection (nat chains are not traversed for this packet): ${manip === 'DST' ? 'destination' : 'source'} ${formatIp(p.v, manip === 'DST' ? p.dst : p.src)}`);
    }
    return GO;
  }

  /**
   * What the tables before the conntrack hook (raw, at -300 against conntrack's -200, docs/netfilter.md §hook-priorities) see:
   * no connection yet, so `--ctstate` is INVALID (UNTRACKED once a CT --notrack ran) and connmark never matches
   * (xt_conntrack.c conntrack_mt(), xt_connmark.c connmark_mt()) — unless the packet already carries one (a
   * REJECT's answer), which it keeps.
   */
  private beforeConntrack(): void {
    const p = this.p;
    if (this.input.attached && this.input.conn) {
      this.attachGiven(this.input.conn);
      return;
    }
    p.ct = null; p.ctDir = null;
    p.ctState = p.notrack ? 'UNTRACKED' : 'INVALID';
  }

  /** The packet belongs to the connection the question gave (a later packet, a reply, a REJECT's answer). */
  private attachGiven(conn: Conn): void {
    const p = this.p;
    p.ct = conn; p.ctState = this.input.state; p.ctDir = this.input.dir;
  }

  /** The conntrack hook (after raw): attach or create the connection, or leave the packet INVALID/UNTRACKED. */
  private conntrackIn(): void {
    if (this.ctDone) return;
    this.ctDone = true;
    const p = this.p;
    const fam = this.fam;
    if (!fam || !fam.conntrackActive) {
      p.ct = null;
      p.ctDir = null;
      this.run.event('conntrack', 'conntrack is not active (no rule needs it): no connection state, nat chains are not consulted');
      return;
    }
    if (p.notrack) {
      p.ct = null; p.ctState = 'UNTRACKED'; p.ctDir = null;
      this.run.event('conntrack', 'untracked (raw NOTRACK / CT --notrack): no conntrack, no NAT');
      return;
    }
    const { state, conn, dir } = this.input;
    if (state === 'INVALID' || state === 'UNTRACKED') {
      p.ct = null; p.ctState = state; p.ctDir = null;
      this.run.event('conntrack', `ctstate ${state} (as given): no conntrack entry, nat chains skipped`);
      return;
    }
    if (conn) {
      this.attachGiven(conn);
      this.run.event('conntrack', this.input.attached
        ? `ctstate ${state}: the connection of the packet it answers was attached when it was made (nf_ct_attach), nat chains are not traversed`
        : `ctstate ${state}, ${dir === 'REPLY' ? 'reply' : 'original'} direction: nat chains are not traversed, the connection's translation is applied`);
      return;
    }
    const c = canCreate(p, this.host.sysctl('net.netfilter.nf_conntrack_tcp_loose') !== 0);
    if (!c.ok) {
      p.ct = null; p.ctState = c.state; p.ctDir = null;
      this.run.event('conntrack', `ctstate ${c.state}: ${c.why}`);
      return;
    }
    p.ct = newConn(p); p.ctState = 'NEW'; p.ctDir = 'ORIGINAL';
    this.run.event('conntrack', 'ctstate NEW: first packet of a new connection');
  }

  /** Runs one ebtables table chain with the bridge hook's devices; restores the IP-level devices after. */
  private ebTable(table: string, chain: string, hook: Hook, inDev: string, outDev: string, brMac: bigint | null): Stop | Go {
    const fam = this.compiled.bridge;
    const t = fam?.tables.get(table);
    if (!fam || !t || !t.chains.has(chain)) return GO;
    const p = this.p;
    const saved = { in: p.in, out: p.out, pktType: p.pktType };
    p.in = inDev;
    p.out = outDev;
    p.pktType = p.dstMac === null ? 'otherhost' : p.dstMac === BROADCAST_MAC ? 'broadcast' : (p.dstMac >> 40n) & 1n ? 'multicast' : p.dstMac === brMac ? 'host' : 'otherhost';
    if (inDev === '' && p.local) p.pktType = 'host';
    const res = runEbTable(this.run, t.file, t, chain, hook);
    p.in = saved.in;
    p.out = saved.out;
    p.pktType = saved.pktType;
    if (res.verdict !== 'ACCEPT') return this.dropped(res, `ebtables ${table} ${chain}`);
    return GO;
  }

  // ---- IP receive ---------------------------------------------------------------------------------------

  private ipReceive(dev: string): PathEnd {
    const p = this.p;
    p.in = dev;
    p.out = '';
    const pre = this.ipHook('PREROUTING');
    if (pre.stop) return pre.end;
    return this.routeInput();
  }

  /** ip_route_input(): local delivery, forwarding, or no route — with the (possibly DNATed) destination. */
  private routeInput(): PathEnd {
    const p = this.p;
    const host = this.host;
    const v = p.v;
    const fromLo = p.in === 'lo';
    if (v === 4 && !fromLo) {
      const loop = (a: bigint) => a >> 24n === 127n;
      if ((loop(p.dst) || loop(p.src)) && !host.confFlag(p.in, 'route_localnet')) {
        return this.end('DROP', `dropped by routing: martian packet (127.0.0.0/8 ${loop(p.dst) ? 'destination' : 'source'} arriving on ${p.in}; route_localnet is off)`).end;
      }
    }
    if (!fromLo && host.isLocal(v, p.src) && !host.confFlag(p.in, 'accept_local')) {
      return this.end('DROP', `dropped by routing: source ${formatIp(v, p.src)} is an address of this host (martian source)`).end;
    }
    if (v === 4 && host.sysctl('net.ipv4.conf.all.rp_filter') === 1 && !fromLo) {
      const back = host.route(4, p.src);
      if (back.kind !== 'unicast' || back.dev !== p.in) return this.end('DROP', `dropped by rp_filter: the route back to ${formatIp(4, p.src)} does not leave through ${p.in}`).end;
    }
    const pinned = this.input.pinnedOut;
    if (!host.given) return this.routeInputRulesOnly(pinned);
    // The input route (ip_route_input): policy rules see the source, the mark set in PREROUTING and the device.
    const r = pinned ? null : host.route(v, p.dst, routeKey(p, p.in));
    if (r && r.kind === 'local') {
      this.run.event('route', `routing: ${formatIp(v, p.dst)} is ${r.broadcast ? 'a broadcast address' : r.multicast ? 'multicast' : 'local'} → INPUT`);
      return this.localIn();
    }
    let dev: string;
    let via: bigint | null = null;
    if (pinned) { dev = pinned; this.run.event('route', `routing: egress pinned to ${pinned} (--out)`); }
    else if (r && r.kind === 'unicast') {
      dev = r.dev; via = r.via;
      this.run.event('route', `routing: ${formatIp(v, p.dst)} via ${r.via !== null ? `${formatIp(v, r.via)} ` : ''}dev ${r.dev}${r.route.prefix === 0 ? ' (default route)' : ''} → FORWARD`);
    } else {
      return this.end('no-route', `no route to ${formatIp(v, p.dst)} (${r?.kind ?? 'unreachable'}): dropped by routing`).end;
    }
    const fwdOn = v === 4 ? host.sysctl('net.ipv4.ip_forward') : host.sysctl('net.ipv6.conf.all.forwarding');
    if (!fwdOn) return this.end('DROP', `not forwarded: ${v === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'} is 0`).end;
    return this.forward(dev, via);
  }

  /**
   * Routing without a host context (sim/host-facts.ts): local delivery when the destination is the host's (known,
   * implied by the rules, or one answer of a fork), else forwarding out `--out`, the interface the rules put the
   * destination behind, or an interface the `-o` tests ask about. Forwarding is assumed on.
   */
  private routeInputRulesOnly(pinned: string | null): PathEnd {
    const p = this.p;
    const v = p.v;
    const facts = this.run.facts;
    const fixed = this.host.route(v, p.dst);
    if (!pinned && (fixed.kind === 'local' || facts.isLocal(v, p.dst))) {
      const what = fixed.kind === 'local' && fixed.multicast ? 'multicast' : fixed.kind === 'local' && fixed.broadcast ? 'a broadcast address' : 'an address of this host';
      this.run.event('route', `routing: ${formatIp(v, p.dst)} is ${what} → INPUT`);
      return this.localIn();
    }
    const dev = pinned ?? facts.outFor(v, p.dst);
    this.run.event('route', `routing: ${formatIp(v, p.dst)} is not an address of this host → FORWARD; ${pinned ? `egress pinned to ${pinned} (--out)` : dev ? `out ${dev}` : 'egress unknown without host facts (--out IFACE pins it; the -o tests ask)'}`);
    facts.note(`${v === 4 ? 'net.ipv4.ip_forward' : 'net.ipv6.conf.all.forwarding'} = 1 assumed (no host facts): the host forwards`);
    return this.forward(dev, null);
  }

  private localIn(): PathEnd {
    const p = this.p;
    p.out = '';
    const r = this.ipHook('INPUT');
    if (r.stop) return r.end;
    return { verdict: 'delivered', summary: `delivered to a local process on this host (${formatIp(p.v, p.dst)})`, step: -1, egress: { dev: p.in, port: null, local: true } };
  }

  private forward(dev: string, via: bigint | null): PathEnd {
    const p = this.p;
    // ip_forward(): the TTL check and decrement happen before the FORWARD hook.
    if (p.ttl <= 1) return this.end('DROP', 'TTL expired in transit (ip_forward): dropped before FORWARD').end;
    p.ttl -= 1;
    p.out = dev;
    const f = this.ipHook('FORWARD');
    if (f.stop) return f.end;
    const post = this.ipHook('POSTROUTING');
    if (post.stop) return post.end;
    return this.egress(dev, via);
  }

  /** After POSTROUTING: out of a plain interface, or into a bridge (bridge LOCAL_OUT and POST_ROUTING hooks). */
  private egress(dev: string, via: bigint | null, cast?: CastRoute): PathEnd {
    const p = this.p;
    // A packet of this host's own leaves ("sent out"); a received one is forwarded.
    const how = this.input.entry.kind === 'local' ? 'sent by this host out' : 'forwarded out';
    if (dev === '') dev = this.run.facts.out?.name ?? '';
    if (dev === '') {
      return { verdict: 'forwarded', summary: `${how} ${this.run.facts.describeOut() || 'an unknown interface'} (no host facts; --out IFACE pins it)`, step: -1, egress: { dev: '', port: null, local: false } };
    }
    if (!this.host.isBridge(dev)) {
      return { verdict: 'forwarded', summary: `${how} ${dev}`, step: -1, egress: { dev, port: null, local: false } };
    }
    const nh = via ?? p.dst;
    const n = cast ? undefined : this.host.neighbourByIp(p.v, nh);
    p.srcMac = this.host.interfaces.get(dev)?.mac ?? null;
    p.dstMac = cast ? castMac(p.v, p.dst, cast.kind) : n?.mac ?? null;
    let port = this.input.pinnedPhysOut ?? (p.dstMac !== null ? this.host.fdbPort(dev, p.dstMac) : null);
    if (port === null) {
      const ports = this.host.interfaces.get(dev)?.ports ?? [];
      if (!ports.length) return { verdict: 'forwarded', summary: `${how} ${dev} (the bridge has no ports in the host context)`, step: -1, egress: { dev, port: null, local: false } };
      const i = this.run.chooser.choose(ports.map((x) => ({ label: `flooded copy out ${x}`, probability: 1, assumption: null })));
      port = ports[i]!;
      this.run.event('bridge', `bridge ${dev}: ${cast ? `${cast.kind} destination MAC ${fmtMac(p.dstMac!)}` : n ? `MAC of ${formatIp(p.v, nh)} unknown` : `${formatIp(p.v, nh)} is not a known neighbour`}; the frame is flooded (this outcome: the copy out ${port})`);
    } else this.run.event('bridge', `bridge ${dev}: ${fmtMac(p.dstMac!)} is behind port ${port}`);
    const brMac = this.host.interfaces.get(dev)?.mac ?? null;
    p.in = '';
    for (const t of ebOutputOrder(this.compiled.backend.bridge)) {
      const r = this.ebTable(t, 'OUTPUT', 'OUTPUT', '', port, brMac);
      if (r.stop) return r.end;
    }
    const r = this.ebTable('nat', 'POSTROUTING', 'POSTROUTING', '', port, brMac);
    if (r.stop) return r.end;
    return { verdict: 'forwarded', summary: `${how} ${dev} (bridge port ${port})`, step: -1, egress: { dev, port, local: false } };
  }

  // ---- local output ------------------------------------------------------------------------------------

  private localOut(): PathEnd {
    const p = this.p;
    const host = this.host;
    const v = p.v;
    const pinned = this.input.pinnedOut;
    const routeOut = (): { dev: string; via: bigint | null; local: boolean; cast?: CastRoute } | null => {
      if (host.given) {
        const c = castRoute(host, v, p.dst, this.input.boundSrc ? p.src : null, pinned, routeKey(p, 'lo'));
        if (c?.kind === 'none') return null;
        if (c) return isLoopbackDev(host, c.dev) ? { dev: 'lo', via: null, local: true } : { dev: c.dev, via: null, local: false, cast: c };
      }
      if (pinned) return { dev: pinned, via: null, local: false };
      // The output route (ip_route_output_key): iif is lo for local traffic; the mark is the packet's, so a mark
      // set in mangle OUTPUT selects another policy rule when the route is looked up again (ip_route_me_harder).
      const r = host.route(v, p.dst, routeKey(p, 'lo'));
      if (r.kind === 'local') return { dev: 'lo', via: null, local: true };
      if (!host.given) {
        // Without a host context (sim/host-facts.ts): the host's own address loops back; else the interface the
        // rules imply, or unknown (the -o tests ask). Answers are kept, so a reroute asks nothing twice.
        if (this.run.facts.isLocal(v, p.dst)) return { dev: 'lo', via: null, local: true };
        return { dev: this.run.facts.out ? this.run.facts.out.name ?? '' : this.run.facts.outFor(v, p.dst), via: null, local: false };
      }
      if (r.kind === 'unicast') return { dev: r.dev, via: r.via, local: false };
      return null;
    };
    let route = routeOut();
    if (!route) return this.end('no-route', `no route to ${formatIp(v, p.dst)}: the local sender gets an error`).end;
    this.run.event('route', `routing (before OUTPUT): ${route.local ? `${formatIp(v, p.dst)} is local → loopback` : route.cast ? `${route.cast.kind} ${formatIp(v, p.dst)} out ${route.dev}: ${route.cast.why}` : route.dev ? `out ${route.dev}${route.via !== null ? ` via ${formatIp(v, route.via)}` : ''}` : 'egress unknown without host facts (--out IFACE pins it; the -o tests ask)'}`);
    p.in = '';
    p.out = route.dev;
    p.srcMac = null;
    p.dstMac = null;
    // mangle OUTPUT reroutes on any change of mark/addresses/TOS (ipt_mangle_out), nat OUTPUT when DNAT changed
    // the destination (nf_nat_ipv4_local_fn); the rest of OUTPUT keeps the old OUT device (docs/netfilter.md §output-reroute).
    let newRoute = route;
    // Without a host context a reroute may pick another unknown interface: POSTROUTING asks about it afresh,
    // while the rest of OUTPUT keeps the old OUT.
    let reroutedOut: typeof this.run.facts.out = null;
    const dstBefore = p.dst;
    const out = this.ipHook('OUTPUT', (table) => {
      if (!host.given && !pinned && this.run.facts.out !== null) {
        // nf_nat_ipv4_local_fn() reroutes only when DNAT changed the destination; mangle on any change.
        if (table === 'nat' && p.dst === dstBefore) return;
        const old = this.run.facts.out;
        if (this.run.facts.isLocal(v, p.dst)) { newRoute = { dev: 'lo', via: null, local: true }; return; }
        newRoute = { dev: this.run.facts.outFor(v, p.dst, 'OUT after the reroute'), via: null, local: false };
        reroutedOut = this.run.facts.out;
        this.run.facts.out = old;
        return;
      }
      const r = routeOut();
      if (r) newRoute = r;
    });
    if (out.stop) return out.end;
    if (reroutedOut !== null) this.run.facts.out = reroutedOut;
    if (newRoute.dev !== route.dev || newRoute.local !== route.local) {
      this.run.event('route', `rerouted after OUTPUT: ${newRoute.local ? 'loopback' : `out ${newRoute.dev}`}`);
    }
    route = newRoute;
    p.out = route.dev || (this.run.facts.out?.name ?? '');
    if (route.cast) return this.castOut(route.cast);
    const post = this.ipHook('POSTROUTING');
    if (post.stop) return post.end;
    if (!route.local) return this.egress(route.dev, route.via);
    // Looped back: received on lo, PREROUTING and INPUT with the same conntrack entry.
    p.in = 'lo';
    p.out = '';
    const pre = this.ipHook('PREROUTING');
    if (pre.stop) return pre.end;
    return this.routeInput();
  }

  /**
   * A local broadcast or multicast packet leaving `cast.dev`, and the copy the kernel loops back in on that device,
   * as two branches. IPv4 ip_mc_output() (net/ipv4/ip_output.c): a broadcast always loops a copy back; a multicast
   * only with IP_MULTICAST_LOOP (on by default: inet_create() sets mc_loop) and RTCF_LOCAL, which __mkroute_output()
   * keeps only when the host joined the group on the device (ip_check_mc_rcu()). The copy crosses POSTROUTING
   * first (NF_HOOK to ip_mc_finish_output() → dev_loopback_xmit()), so it settles the connection's NAT; the packet
   * sent out follows with the nat chains skipped (nf_nat_inet_fn(): the binding is set up). IPv6
   * ip6_finish_output2() clones after the packet's own POSTROUTING instead, when ipv6_chk_mcast_addr() says the
   * group is joined. The copy is received again on the device (netif_rx(): PREROUTING with IN=<dev>), keeps its
   * output route (ip_rcv_finish(): skb_valid_dst()), and goes to INPUT; pkttype calls it broadcast or multicast
   * (xt_pkttype.c, PACKET_LOOPBACK).
   */
  private castOut(cast: CastRoute): PathEnd {
    const p = this.p;
    const dev = cast.dev;
    const d = formatIp(p.v, p.dst);
    const joined = cast.kind === 'multicast' ? this.host.multicastJoined(p.v, dev, p.dst) : true;
    if (joined === false) {
      this.run.event('route', `no copy looped back: the host has not joined ${d} on ${dev}`);
      const post = this.ipHook('POSTROUTING');
      if (post.stop) return post.end;
      return this.egress(dev, null, cast);
    }
    const loopWhy = cast.kind === 'broadcast' ? 'a broadcast is always looped back' : `the host has joined ${d} on ${dev}${joined === null ? ' (assumed: the host context does not list its groups)' : ''}, IP_MULTICAST_LOOP on (the socket default)`;
    const i = this.run.chooser.choose([
      { label: `copy looped back in on ${dev}`, probability: 1, assumption: joined === null ? `the host has joined ${d} on ${dev}` : null },
      { label: `copy sent out ${dev}`, probability: 1, assumption: null },
    ]);
    const loopFirst = p.v === 4;
    this.run.event('route', `${cast.kind} out ${dev}: a copy is looped back in on ${dev} (${loopWhy}); ${loopFirst ? 'the copy crosses POSTROUTING first' : 'the packet crosses POSTROUTING first'} (this branch: ${i === 0 ? 'the copy looped back' : 'the packet sent out'})`);
    const header = clonePacket(p);
    const other = (what: string) => {
      const r = this.ipHook('POSTROUTING');
      if (r.stop) this.run.event('route', `${what} ended in POSTROUTING (${r.end.summary}); this branch goes on`);
      Object.assign(p, header, { ct: p.ct });
    };
    if (i === 0) {
      if (!loopFirst) other('the packet sent out');
      const post = this.ipHook('POSTROUTING');
      if (post.stop) return post.end;
      p.in = dev;
      p.out = '';
      p.pktType = cast.kind;
      const pre = this.ipHook('PREROUTING');
      if (pre.stop) return pre.end;
      this.run.event('route', `the copy keeps its output route (ip_rcv_finish(): no input lookup) → INPUT`);
      return this.localIn();
    }
    if (loopFirst) other('the copy looped back');
    const post = this.ipHook('POSTROUTING');
    if (post.stop) return post.end;
    return this.egress(dev, null, cast);
  }

  // ---- bridge ------------------------------------------------------------------------------------------

  private bridgeReceive(br: string, port: string): PathEnd {
    const p = this.p;
    const host = this.host;
    const brMac = host.interfaces.get(br)?.mac ?? null;
    p.in = port;
    p.out = '';
    // broute (legacy ebtables only): DROP means "route it": the frame goes up as received on the port
    // (ebtable_broute.c ebt_broute(), br_input.c nf_hook_bridge_pre()), skipping the other bridge PREROUTING hooks.
    const broute = this.compiled.bridge?.tables.get('broute');
    if (broute?.chains.has('BROUTING')) {
      const res = runEbTable(this.run, broute.file, broute, 'BROUTING', 'BROUTING');
      if (res.verdict === 'DROP') {
        this.run.event('bridge', `broute BROUTING said DROP: the frame is routed, not bridged (it enters the IP stack on ${port})`);
        return this.ipReceive(port);
      }
    }
    const natPre = this.ebTable('nat', 'PREROUTING', 'PREROUTING', port, '', brMac);
    if (natPre.stop) return natPre.end;

    const brnf = host.sysctl(p.v === 4 ? 'net.bridge.bridge-nf-call-iptables' : 'net.bridge.bridge-nf-call-ip6tables') !== 0;
    if (brnf) {
      // br_nf_pre_routing(): iptables PREROUTING with IN=<bridge>, PHYSIN=<port>.
      p.bridged = true;
      p.physIn = port;
      p.in = br;
      p.out = '';
      const dstBefore = p.dst;
      const pre = this.ipHook('PREROUTING');
      if (pre.stop) return pre.end;
      if (p.dst !== dstBefore) {
        // br_nf_pre_routing_finish(): DNAT happened — route the new destination; out of the same bridge it is
        // re-bridged ("bridged DNAT"), otherwise the frame is handed to the bridge itself and routed.
        const r = host.route(p.v, p.dst, routeKey(p, br));
        if (r.kind === 'unicast' && r.dev === br) {
          const n = host.neighbourByIp(p.v, r.via ?? p.dst);
          p.dstMac = n?.mac ?? null;
          this.run.event('bridge', `DNAT to ${formatIp(p.v, p.dst)}, reachable through ${br} itself: the frame is bridged to it (bridged DNAT)`);
        } else {
          p.dstMac = brMac;
          this.run.event('bridge', `DNAT to ${formatIp(p.v, p.dst)}: the frame is handed to ${br} and routed`);
        }
      }
    }
    p.in = port;
    // br_handle_frame_finish(): local, known port, or flood.
    if (p.dstMac !== null && p.dstMac === brMac) return this.bridgeLocal(br, port);
    let to: string | null = this.input.pinnedPhysOut ?? (p.dstMac !== null ? host.fdbPort(br, p.dstMac) : null);
    const ports = (host.interfaces.get(br)?.ports ?? []).filter((x) => x !== port || host.interfaces.get(x)?.hairpin);
    if (to === null) {
      const broadcast = p.dstMac === BROADCAST_MAC || (p.dstMac !== null && ((p.dstMac >> 40n) & 1n) === 1n);
      const targets = broadcast ? ['(local)', ...ports] : ports;
      if (!targets.length) return this.end('DROP', `bridge ${br}: destination MAC unknown and no other port to flood to`).end;
      const i = this.run.chooser.choose(targets.map((x) => ({ label: x === '(local)' ? 'copy delivered to the bridge itself' : `flooded copy out ${x}`, probability: 1, assumption: null })));
      this.run.event('bridge', `bridge ${br}: destination MAC ${p.dstMac === null ? 'unknown' : fmtMac(p.dstMac)} — flooded (this outcome: ${targets[i] === '(local)' ? 'the copy for the bridge itself' : `the copy out ${targets[i]}`})`);
      if (targets[i] === '(local)') return this.bridgeLocal(br, port);
      to = targets[i]!;
    } else {
      this.run.event('bridge', `bridge ${br}: ${fmtMac(p.dstMac!)} is behind port ${to}`);
      if (to === port && !host.interfaces.get(to)?.hairpin) {
        return this.end('DROP', `dropped by bridge ${br}: the destination is behind the ingress port ${port} and hairpin mode is off`).end;
      }
    }
    return this.bridgeForward(br, port, to, brnf);
  }

  /** Frame for the bridge device: ebtables filter INPUT, then the IP stack on the bridge (PREROUTING sabotaged). */
  private bridgeLocal(br: string, port: string): PathEnd {
    const p = this.p;
    const brMac = this.host.interfaces.get(br)?.mac ?? null;
    const inp = this.ebTable('filter', 'INPUT', 'INPUT', port, '', brMac);
    if (inp.stop) return inp.end;
    if (!p.bridged) {
      // bridge-nf-call-iptables off: the IP stack sees the packet on the bridge like any received packet (docs/netfilter.md §brnf-off).
      return this.ipReceive(br);
    }
    // ip_sabotage_in(): IPv4 PREROUTING already ran from the bridge hook.
    p.in = br;
    p.out = '';
    return this.routeInput();
  }

  /** Bridged frame: ebtables filter FORWARD, iptables FORWARD, ebtables nat POSTROUTING, iptables POSTROUTING. */
  private bridgeForward(br: string, port: string, to: string, brnf: boolean): PathEnd {
    const p = this.p;
    const brMac = this.host.interfaces.get(br)?.mac ?? null;
    const fwd = this.ebTable('filter', 'FORWARD', 'FORWARD', port, to, brMac);
    if (fwd.stop) return fwd.end;
    if (brnf) {
      // br_nf_forward_ip(): physoutdev = egress port; iptables FORWARD with IN=OUT=<bridge>.
      p.physOut = to;
      p.in = br;
      p.out = br;
      const f = this.ipHook('FORWARD');
      if (f.stop) return f.end;
    }
    const post = this.ebTable('nat', 'POSTROUTING', 'POSTROUTING', '', to, brMac);
    if (post.stop) return post.end;
    if (brnf) {
      // br_nf_post_routing() (NF_BR_PRI_LAST): iptables POSTROUTING with in=NULL, out=<bridge>.
      p.in = '';
      p.out = br;
      const ip = this.ipHook('POSTROUTING');
      if (ip.stop) return ip.end;
    }
    return { verdict: 'forwarded', summary: `bridged out ${to} (bridge ${br})`, step: -1, egress: { dev: br, port: to, local: false } };
  }
}
