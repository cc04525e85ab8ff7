// From parsed trace events to what the simulator is compared with: per packet, the sequence of
// { family, hook, table, chain, type, rule, verdict } steps, in one vocabulary for both backends.
//
// The normalised vocabulary (each conversion cites docs/netfilter.md):
//   type 'rule'   — rule number `rule` (1-based in its chain, counted as in the user's iptables-save) matched and
//                   its target ran; verdict = ACCEPT, DROP, CONTINUE, RETURN, JUMP:<c>, GOTO:<c>, QUEUE, or
//                   undefined when unknown.
//   type 'return' — the implicit end of a user chain was reached (rule null, verdict RETURN).
//   type 'policy' — a built-in chain's policy was applied (rule null, verdict ACCEPT/DROP).
// Conversions:
//   * legacy TRACE (docs/netfilter.md §legacy-trace): `rule:N` → rule N. `policy:N` / `return:N` with N ≤ the chain's rule count is the
//     kernel's label for an *unconditional* rule with a standard verdict (get_chainname_rulenum()), so it becomes
//     rule N; with N = count + 1 it is the real policy / implicit return. Verdicts are not printed by the kernel:
//     they are taken from the rule's target in the loaded ruleset (save-model.ts ruleVerdict) and from the chain
//     policy. Rule numbers are shifted down by the harness TRACE rules inserted at the top of raw PREROUTING /
//     OUTPUT; the harness rule itself is never printed (it sets nf_trace only after it matched, §legacy-trace).
//   * xtables-monitor / nft monitor (docs/netfilter.md §nft-trace, §nft-handles): `rule:0x<handle>` → (chain, index) through the namespace's
//     `nft -a list table` listing (rule-locator.ts), minus the harness rules above it; the harness rules
//     themselves (printed as CONTINUE) are dropped. `policy:X` → policy. NFT_RETURN printed as 0xfffffffb →
//     RETURN. Kernel 6.18 prints nothing for the implicit end of a user chain (docs/netfilter.md §lab-limits), so a
//     'return' step marked `inferred: true` is inserted when the next event shows that control left the chain
//     without a RETURN/ACCEPT/DROP (a jump stack is replayed: JUMP pushes, GOTO replaces, RETURN pops).
//   * ebtables-nft implements a user chain's policy as a final rule (docs/netfilter.md §ebtables-targets): a bridge rule event past the chain's
//     `-A` lines becomes type 'policy'.
//   * Tables not present in the user's snapshot (e.g. raw, when only the harness created it) and the harness's
//     own nft table are dropped.
// Packets: events are split into packets before anything is dropped (the harness rule is often a packet's first
// event): a new packet starts when the direction changes (source address = the flow's client → request, else
// reply), when an nft trace id changes at an entry hook (ip PREROUTING/OUTPUT, bridge PREROUTING — the id also
// changes when a bridge hands a frame up to IP, docs/netfilter.md §nft-trace, which must not split the packet), or, for legacy traces
// (no ids), when the (hook, table priority) position goes backwards or restarts after a terminal verdict.
// Interleaved packets are kept apart by trace id (nft) or by the packet's unchanging fields (legacy).
import { familyOfNfproto, hookOfHookChain, hookStage, xtablesPriority } from '@chainsight/netfilter';
import { HOOK_CHAINS, ruleVerdict, type SaveModel } from './save-model.js';
import { locateByRuleText, type RulePosition } from './rule-locator.js';
import { packetInfoFromFields, type PacketInfo, type TraceEvent } from './trace-parse.js';

export type StepFamily = 'ip' | 'ip6' | 'bridge';

export interface TraceStep {
  family: StepFamily;
  /** The netfilter hook (= the base chain the traversal started in); absent if it could not be known. */
  hook?: string;
  table: string;
  chain: string;
  type: 'rule' | 'return' | 'policy';
  rule: number | null;
  verdict?: string;
  /** Not printed by the kernel; inferred by the harness (see header). */
  inferred?: true;
}

export interface PacketTrace {
  direction: 'request' | 'reply';
  /** The packet as the first hook that traced it saw it. */
  packet: PacketInfo;
  /** nft trace ids seen for this packet (one per hook invocation chain; empty for legacy). */
  traceIds: string[];
  steps: TraceStep[];
  events: TraceEvent[];
}

export interface RuleResolver {
  /** The user's rules as loaded (before harness rules), per family; undefined when none were loaded. */
  model(family: StepFamily): SaveModel | undefined;
  /** Number of harness rules inserted at the top of this chain (legacy numbering shift). */
  harnessOffset(family: StepFamily, table: string, chain: string): number;
  /** nft handle → position in user numbering, 'harness' for a harness rule, undefined if unknown. */
  nftHandle(family: StepFamily, table: string, handle: number): RulePosition | 'harness' | undefined;
  /** A table created only by the harness (e.g. the bridge table setting nftrace). */
  isHarnessTable(family: StepFamily, table: string): boolean;
}

export interface NormaliseOptions {
  resolver: RuleResolver;
  /** Addresses of the flow's client (the sender): packets from them are requests. */
  clientAddresses: string[];
}

interface Item {
  family: StepFamily;
  table: string;
  chain: string;
  hook?: string;
  id?: string;
  packet: PacketInfo;
  /** null: harness or dropped table — kept only for packet splitting. */
  step: TraceStep | null;
  event: TraceEvent;
  legacy: boolean;
}

const ENTRY = new Set(['ip:PREROUTING', 'ip:OUTPUT', 'ip6:PREROUTING', 'ip6:OUTPUT', 'bridge:PREROUTING']);
const TERMINAL = new Set(['ACCEPT', 'DROP', 'QUEUE', 'STOLEN']);

/** The family of an nft trace's NFPROTO number, for the families the harness traces. */
function familyOfNumber(n: number): StepFamily | null {
  const f = familyOfNfproto(n);
  return f === 'ip' || f === 'ip6' || f === 'bridge' ? f : null;
}

function familyOfName(n: string): StepFamily | null {
  return n === 'ip' || n === 'ip6' || n === 'bridge' ? n : null;
}

function isBaseChain(resolver: RuleResolver, family: StepFamily, table: string, chain: string): boolean {
  const c = resolver.model(family)?.tables.get(table)?.chains.get(chain);
  if (c) return c.builtin;
  return HOOK_CHAINS.has(chain);
}

/** A rule event at `position` (user numbering) as a step, with the verdict from the kernel or the ruleset. */
function ruleStep(
  resolver: RuleResolver,
  family: StepFamily,
  table: string,
  chain: string,
  index: number,
  kernelVerdict: string | undefined,
): TraceStep {
  const t = resolver.model(family)?.tables.get(table);
  const c = t?.chains.get(chain);
  const rule = c?.rules[index - 1];
  if (c && family === 'bridge' && index > c.rules.length) {
    // ebtables-nft: the user chain's policy is a trailing rule (docs/netfilter.md §ebtables-targets).
    return { family, table, chain, type: 'policy', rule: null, verdict: kernelVerdict ?? c.policy ?? undefined };
  }
  const verdict = kernelVerdict ?? (rule && t ? ruleVerdict(rule, t) : undefined);
  const step: TraceStep = { family, table, chain, type: 'rule', rule: index };
  if (verdict !== undefined) step.verdict = verdict;
  return step;
}

/**
 * An nft rule event as a step: position from the handle (method 1 of rule-locator.ts), else from the rule text
 * xtables-monitor printed (method 3), else rule null. null for the harness's own rules.
 */
function nftRuleStep(
  resolver: RuleResolver,
  family: StepFamily,
  table: string,
  chain: string,
  handle: number | undefined,
  verdict: string | undefined,
  ruleText: string | undefined,
): TraceStep | null {
  let pos = handle !== undefined ? resolver.nftHandle(family, table, handle) : undefined;
  if (pos === 'harness') return null;
  const model = resolver.model(family);
  if (pos === undefined && ruleText !== undefined && model) pos = locateByRuleText(model, table, ruleText);
  if (pos === undefined) {
    const step: TraceStep = { family, table, chain, type: 'rule', rule: null };
    if (verdict !== undefined) step.verdict = verdict;
    return step;
  }
  return ruleStep(resolver, family, table, pos.chain, pos.index, verdict);
}

function toItems(events: TraceEvent[], resolver: RuleResolver): Item[] {
  const items: Item[] = [];
  const packetById = new Map<string, PacketInfo>();
  let lastPacket: PacketInfo = {};
  for (const ev of events) {
    switch (ev.format) {
      case 'xtables-monitor-packet': {
        lastPacket = packetInfoFromFields(ev.fields, ev.flags);
        packetById.set(ev.id, lastPacket);
        break;
      }
      case 'xtables-monitor': {
        const family = familyOfNumber(ev.family);
        if (!family) break;
        const packet = packetById.get(ev.id) ?? lastPacket;
        let step: TraceStep | null = null;
        if (!resolver.isHarnessTable(family, ev.table) && resolver.model(family)?.tables.has(ev.table)) {
          if (ev.type === 'policy') {
            step = { family, table: ev.table, chain: ev.chain, type: 'policy', rule: null, verdict: ev.verdict };
          } else if (ev.type === 'return') {
            step = { family, table: ev.table, chain: ev.chain, type: 'return', rule: null, verdict: 'RETURN' };
          } else {
            step = nftRuleStep(resolver, family, ev.table, ev.chain, ev.handle, ev.verdict, ev.ruleText);
          }
        }
        items.push({ family, table: ev.table, chain: ev.chain, id: ev.id, packet, step, event: ev, legacy: false });
        break;
      }
      case 'nft-monitor': {
        const family = familyOfName(ev.family);
        if (!family) break;
        if (ev.kind === 'packet') {
          lastPacket = ev.packet ?? {};
          packetById.set(`${ev.id}`, lastPacket);
          break;
        }
        if (ev.kind !== 'rule' && ev.kind !== 'policy') break;
        const packet = packetById.get(ev.id) ?? lastPacket;
        let step: TraceStep | null = null;
        if (!resolver.isHarnessTable(family, ev.table) && resolver.model(family)?.tables.has(ev.table)) {
          if (ev.kind === 'policy') {
            step = { family, table: ev.table, chain: ev.chain, type: 'policy', rule: null };
            if (ev.verdict !== undefined) step.verdict = ev.verdict;
          } else {
            step = nftRuleStep(resolver, family, ev.table, ev.chain, ev.handle, ev.verdict, undefined);
          }
        }
        items.push({ family, table: ev.table, chain: ev.chain, id: ev.id, packet, step, event: ev, legacy: false });
        break;
      }
      case 'legacy': {
        const family: StepFamily = 'ip';
        const packet = packetInfoFromFields(ev.fields, ev.flags);
        let step: TraceStep | null = null;
        const t = resolver.model(family)?.tables.get(ev.table);
        if (t && !resolver.isHarnessTable(family, ev.table)) {
          const n = ev.rulenum - resolver.harnessOffset(family, ev.table, ev.chain);
          const c = t.chains.get(ev.chain);
          const count = c?.rules.length ?? 0;
          if (n >= 1) {
            if (ev.type === 'rule' || n <= count) {
              // `policy:N`/`return:N` with N ≤ count: an unconditional standard-verdict rule (docs/netfilter.md §legacy-trace, the quirk).
              step = ruleStep(resolver, family, ev.table, ev.chain, n, undefined);
            } else if (ev.type === 'policy') {
              step = { family, table: ev.table, chain: ev.chain, type: 'policy', rule: null };
              if (c?.policy) step.verdict = c.policy;
            } else {
              step = { family, table: ev.table, chain: ev.chain, type: 'return', rule: null, verdict: 'RETURN' };
            }
          }
        }
        const item: Item = { family, table: ev.table, chain: ev.chain, packet, step, event: ev, legacy: true };
        if (ev.hook) item.hook = ev.hook;
        items.push(item);
        break;
      }
    }
  }
  return items;
}

// Position of a (hook, table) visit in the IPv4 path, for splitting legacy traces (docs/netfilter.md §hook-priorities, §traversal-order):
// the hook's stage on the path (0 = PREROUTING/OUTPUT, 1 = INPUT/FORWARD, 2 = POSTROUTING), then the table's
// priority at that hook; both from @chainsight/netfilter, legacy priorities (0 for a table without a chain there).
function hookRank(table: string, hookChain: string): number | undefined {
  const hook = hookOfHookChain(hookChain);
  const stage = hook === undefined ? undefined : hookStage(hook);
  if (hook === undefined || stage === undefined) return undefined;
  return stage * 10_000 + (xtablesPriority('legacy', 'ip', table, hook) ?? 0);
}

function directionOf(packet: PacketInfo, clients: string[]): 'request' | 'reply' | undefined {
  if (packet.saddr === undefined) return undefined;
  return clients.includes(packet.saddr) ? 'request' : 'reply';
}

/**
 * What identifies one packet along its whole path in a legacy trace line: fields neither NAT nor forwarding
 * change (IP ID and length, protocol, TCP sequence/ack numbers and flags, ICMP type/code/id/sequence; not
 * addresses, ports, TTL or mark). undefined when the line has no IP ID.
 */
function legacyIdentity(item: Item): string | undefined {
  if (item.event.format !== 'legacy') return undefined;
  const { fields, flags } = item.event;
  if (fields.ID === undefined) return undefined;
  const keys = ['ID', 'LEN', 'PROTO', 'SEQ', 'ACK', 'TYPE', 'CODE', 'ID_2', 'SEQ_2'];
  return `${keys.map((k) => fields[k] ?? '').join('|')}|${flags.filter((f) => f !== 'DF').join(',')}`;
}

interface Split {
  direction: 'request' | 'reply';
  items: Item[];
}

/** Position of an event in the IPv4/IPv6 path, when known: the hook from the legacy line or the base chain. */
function position(item: Item, resolver: RuleResolver): number | undefined {
  if (item.family === 'bridge') return undefined;
  const hook = item.hook ?? (isBaseChain(resolver, item.family, item.table, item.chain) ? item.chain : undefined);
  return hook === undefined ? undefined : hookRank(item.table, hook);
}

/** Whether `item` can follow `last` within one packet: its (hook, table) position does not go back, and a base
 *  chain does not restart after its terminal verdict. */
function continues(item: Item, last: Item, resolver: RuleResolver): boolean {
  const r = position(item, resolver);
  const pr = position(last, resolver);
  if (r === undefined || pr === undefined) return true;
  if (r < pr) return false;
  const base = isBaseChain(resolver, item.family, item.table, item.chain) || resolver.isHarnessTable(item.family, item.table);
  return !(r === pr && base && item.chain === last.chain && last.step !== null && isTerminal(last.step));
}

// Two packets can be in flight at once (e.g. a server's ACK and FIN on two CPUs), so their events interleave in
// the stream. An event therefore goes to the packet it identifies, if there is one: for nft, the same trace id
// and IPv4 ID (the trace id alone is reused: it hashes the skb's address, which the next packet of a flow often
// gets again); for legacy lines (no trace id), the same unchanging fields (legacyIdentity), as long as the
// (hook, table) position does not go back. A new nft key starts a packet at an entry hook; elsewhere the trace id
// changed within the packet (after routing, and when a bridge hands a frame up to IP, docs/netfilter.md §nft-trace), so the event
// continues the packet with its IPv4 ID, else the latest packet.
function splitPackets(items: Item[], resolver: RuleResolver, clients: string[]): Split[] {
  const packets: Split[] = [];
  const byKey = new Map<string, Split>();
  const byIpId = new Map<number, Split>();
  let prev: Item | null = null;
  for (const item of items) {
    const key = item.legacy ? legacyIdentity(item) : item.id !== undefined ? `${item.id}/${item.packet.ipId ?? ''}` : undefined;
    const owner = key !== undefined ? byKey.get(key) : undefined;
    // IPv4 ID 0 (DF packets of some senders, the kernel's RSTs) identifies nothing.
    const ipId = item.legacy || !item.packet.ipId ? undefined : item.packet.ipId;
    const sameIpId = ipId !== undefined ? byIpId.get(ipId) : undefined;
    const latest = packets[packets.length - 1];
    const cur = owner ?? sameIpId ?? latest;
    const dir: 'request' | 'reply' = directionOf(item.packet, clients) ?? cur?.direction ?? 'request';
    let start: boolean;
    if (cur === undefined || dir !== cur.direction) start = true;
    else if (item.legacy) {
      if (owner) start = !continues(item, owner.items[owner.items.length - 1]!, resolver);
      else start = key !== undefined || (prev !== null && !continues(item, prev, resolver));
    } else if (owner) start = false;
    else {
      const base = isBaseChain(resolver, item.family, item.table, item.chain) || resolver.isHarnessTable(item.family, item.table);
      // A new trace id, or the same trace id with another IPv4 ID (the next packet got the freed skb's address,
      // so its id repeats), at an entry hook's base chain: a new packet.
      const otherPacket = item.id !== undefined && prev !== null && (item.id !== prev.id || (ipId !== undefined && prev.packet.ipId !== undefined && prev.packet.ipId !== ipId));
      // An IPv4 ID no packet had yet whose (hook, table) position goes back: another packet, even when its first
      // event is not at an entry hook (a connection's second packet skips the nat chains, and its first traced
      // rule may be in FORWARD).
      const unseenGoesBack = ipId !== undefined && sameIpId === undefined && cur.items.length > 0 && !continues(item, cur.items[cur.items.length - 1]!, resolver);
      start = (otherPacket && base && ENTRY.has(`${item.family}:${item.chain}`)) || unseenGoesBack;
    }
    let target = cur;
    if (start || target === undefined) {
      target = { direction: dir, items: [] };
      packets.push(target);
    }
    target.items.push(item);
    if (key !== undefined) byKey.set(key, target);
    if (ipId !== undefined) byIpId.set(ipId, target);
    prev = item;
  }
  return packets;
}

function isTerminal(step: TraceStep): boolean {
  return step.type === 'policy' || (step.verdict !== undefined && TERMINAL.has(step.verdict));
}

interface Traversal {
  base: string;
  stack: string[];
  ended: boolean;
}

/**
 * Replay the jump stack of each (family, table) traversal: assigns the hook to steps in user chains and, for nft
 * traces, inserts the implicit returns the kernel does not print.
 */
function replay(items: Item[], resolver: RuleResolver): TraceStep[] {
  const out: TraceStep[] = [];
  const traversals = new Map<string, Traversal>();
  for (const item of items) {
    const step = item.step;
    if (!step) continue;
    const key = `${step.family}:${step.table}`;
    const base = isBaseChain(resolver, step.family, step.table, step.chain);
    let tr = traversals.get(key);
    if (base && (!tr || tr.ended || tr.base !== step.chain)) {
      tr = { base: step.chain, stack: [step.chain], ended: false };
      traversals.set(key, tr);
    }
    if (tr) {
      const at = tr.stack.lastIndexOf(step.chain);
      if (at >= 0) {
        // Control is back in a chain lower on the stack: every chain above it ended without a printed event.
        while (tr.stack.length - 1 > at) {
          const left = tr.stack.pop()!;
          if (!item.legacy) {
            out.push({ family: step.family, hook: tr.base, table: step.table, chain: left, type: 'return', rule: null, verdict: 'RETURN', inferred: true });
          }
        }
      } else {
        tr.stack.push(step.chain);
      }
      step.hook = item.hook ?? (HOOK_CHAINS.has(tr.base) ? tr.base : undefined);
      if (step.hook === undefined) delete step.hook;
    } else if (item.hook) {
      step.hook = item.hook;
    }
    out.push(step);
    if (!tr) continue;
    const v = step.verdict ?? '';
    if (step.type === 'policy' || TERMINAL.has(v)) {
      tr.ended = true;
      tr.stack = [tr.base];
    } else if (v.startsWith('JUMP:')) {
      tr.stack.push(v.slice(5));
    } else if (v.startsWith('GOTO:')) {
      // A goto does not push a return address: the target returns to whoever called the current chain.
      if (tr.stack.length > 1) tr.stack[tr.stack.length - 1] = v.slice(5);
      else tr.stack.push(v.slice(5));
    } else if (v === 'RETURN' && tr.stack.length > 1 && tr.stack[tr.stack.length - 1] === step.chain) {
      tr.stack.pop();
    }
  }
  return out;
}

/** Events of one capture → packets with normalised steps. */
export function normaliseTrace(events: TraceEvent[], options: NormaliseOptions): PacketTrace[] {
  const items = toItems(events, options.resolver);
  return splitPackets(items, options.resolver, options.clientAddresses).map((p) => {
    const ids: string[] = [];
    for (const i of p.items) if (i.id !== undefined && !ids.includes(i.id)) ids.push(i.id);
    return {
      direction: p.direction,
      packet: p.items[0]?.packet ?? {},
      traceIds: ids,
      steps: replay(p.items, options.resolver),
      events: p.items.map((i) => i.event),
    };
  });
}

/** One line per step, e.g. `FORWARD filter/DOCKER-USER rule 1 RETURN` — handy in test failure messages. */
export function formatSteps(steps: TraceStep[]): string[] {
  return steps.map((s) => {
    const fam = s.family === 'ip' ? '' : `${s.family} `;
    const what = s.type === 'rule' ? `rule ${s.rule}` : s.type;
    return `${fam}${s.hook ?? '?'} ${s.table}/${s.chain} ${what}${s.verdict ? ` ${s.verdict}` : ''}${s.inferred ? ' (inferred)' : ''}`;
  });
}
