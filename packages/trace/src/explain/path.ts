// One packet's lines → its path: the steps with their hooks, verdicts and rules. The jump stack of each table's
// traversal is replayed (ip_tables.c ipt_do_table(): a jump pushes a return address, a goto does not, RETURN or
// the end of a user chain pops, the policy ends the traversal), which
//   * gives lines in user chains their hook (only base chains are named after hooks),
//   * inserts the implicit end of a user chain that nf_tables does not print (kernel 6.18, docs/netfilter.md
//     §nft-trace, the table row "implicit end of a user chain"), marked `inferred`,
//   * tells identical rules apart by order: within one call of a chain, rules are tried top to bottom, so the
//     second line for two identical rules is the later one.
import type { Chain, Rule } from '@chainsight/grammar';
import { isBaseChain, isHookName } from './hooks';
import { natTo, NAT_TARGETS, ruleVerdict, type SnapshotIndex } from './snapshot-index';
import type { FinalVerdict, Mapping, NatSeen, PacketFields, PathStep, RuleRef, StepLine, TraceLine } from './types';

/** A located line plus the IR objects behind its mapping. */
export interface LocatedStep {
  mapping: Mapping;
  rule: Rule | null;
  chain: Chain | null;
  /** The snapshot file of the chain (for inferred steps). */
  file: string | null;
}

export const TERMINAL = new Set(['ACCEPT', 'DROP', 'REJECT', 'QUEUE', 'STOLEN']);

/** The verdict a step stands for: what the kernel printed, refined (or, for legacy lines, supplied) by the rule. */
export function stepVerdict(line: StepLine, located: LocatedStep): string | null {
  const m = located.mapping;
  const printed = line.kind === 'legacy' ? null : line.verdict;
  switch (m.kind) {
    case 'rule': {
      const own = located.rule ? ruleVerdict(located.rule) : null;
      // nf_tables reports REJECT as the DROP it is (the reset/ICMP error is sent by the target).
      if (own === 'REJECT' && (printed === 'DROP' || printed === null)) return 'REJECT';
      return printed ?? own;
    }
    case 'policy':
      return printed ?? m.chain.policy;
    case 'return':
      return 'RETURN';
    case 'unmapped':
      return printed;
  }
}

interface Traversal {
  base: string;
  stack: string[];
  ended: boolean;
  /** Last rule index taken in each chain on the stack (for identical rules). */
  last: Map<string, number>;
}

export interface PathResult {
  steps: PathStep[];
  /** Hook of every step line. */
  hooks: Map<TraceLine, string | null>;
  /** Mappings after identical rules were told apart by order. */
  mappings: Map<StepLine, Mapping>;
  /** Rule behind each step line, after that choice. */
  rules: Map<StepLine, Rule | null>;
}

function resolveByOrder(m: Extract<Mapping, { kind: 'rule' }>, located: LocatedStep, last: number): { mapping: Mapping; rule: Rule | null } {
  // The handle already named one of the identical rules.
  if (m.method === 'handle') return { mapping: m, rule: located.rule };
  const all = [m.rule, ...m.alternatives].sort((a, b) => a.index - b.index);
  const chosen = all.find((r) => r.index > last) ?? all[0]!;
  const rule = located.chain?.rules[chosen.index - 1] ?? null;
  const others: RuleRef[] = all.filter((r) => r !== chosen);
  const why = `; rule ${chosen.index} by order (a chain's rules are tried top to bottom${last > 0 ? `, and rule ${last} matched just before` : ''})`;
  return { mapping: { ...m, rule: chosen, alternatives: others, reason: m.reason + why }, rule };
}

export function buildPath(lines: readonly TraceLine[], located: Map<StepLine, LocatedStep>, index: SnapshotIndex): PathResult {
  const steps: PathStep[] = [];
  const hooks = new Map<TraceLine, string | null>();
  const mappings = new Map<StepLine, Mapping>();
  const rules = new Map<StepLine, Rule | null>();
  const traversals = new Map<string, Traversal>();
  // Lines of a chain whose base chain was not traced (a log cut before it): order still holds within the packet.
  const loose = new Map<string, number>();
  for (const line of lines) {
    if (line.kind !== 'legacy' && line.kind !== 'xtables' && line.kind !== 'nft') continue;
    const loc = located.get(line)!;
    const key = `${line.family}:${line.table}`;
    const base = isBaseChain(index, line.family, line.table, line.chain);
    let tr = traversals.get(key);
    if (base && (!tr || tr.ended || tr.base !== line.chain)) {
      tr = { base: line.chain, stack: [line.chain], ended: false, last: new Map() };
      traversals.set(key, tr);
    }
    const hook = tr ? (isHookName(tr.base) ? tr.base : null) : base && isHookName(line.chain) ? line.chain : null;
    if (tr) {
      const at = tr.stack.lastIndexOf(line.chain);
      if (at >= 0) {
        // Control is back in a chain lower on the stack: the chains above it ended without a printed line.
        while (tr.stack.length - 1 > at) {
          const left = tr.stack.pop()!;
          tr.last.delete(left);
          if (line.kind !== 'legacy') {
            steps.push({
              family: line.family, hook, table: line.table, chain: left, type: 'return', rule: null, verdict: 'RETURN',
              target: null, file: loc.file, line: null, logLine: null, inferred: true,
            });
          }
        }
      } else {
        tr.stack.push(line.chain);
      }
    }
    hooks.set(line, hook);
    let mapping = loc.mapping;
    let rule = loc.rule;
    const looseKey = `${key}:${line.chain}`;
    if (mapping.kind === 'rule' && mapping.alternatives.length > 0) {
      const r = resolveByOrder(mapping, loc, (tr ? tr.last.get(line.chain) : loose.get(looseKey)) ?? 0);
      mapping = r.mapping;
      rule = r.rule;
    }
    if (mapping.kind === 'rule') {
      if (tr) tr.last.set(line.chain, mapping.rule.index);
      else loose.set(looseKey, mapping.rule.index);
    }
    mappings.set(line, mapping);
    rules.set(line, rule);
    const verdict = stepVerdict(line, { ...loc, mapping, rule });
    const type = mapping.kind === 'policy' || mapping.kind === 'return' ? mapping.kind : mapping.kind === 'rule' ? 'rule' : line.label;
    steps.push({
      family: line.family, hook, table: line.table, chain: line.chain, type,
      rule: mapping.kind === 'rule' ? mapping.rule.index : null,
      verdict,
      target: mapping.kind === 'rule' ? mapping.rule.target : mapping.kind === 'policy' ? mapping.chain.policy : null,
      file: mapping.kind === 'rule' ? mapping.rule.file : mapping.kind === 'unmapped' ? null : mapping.chain.file,
      line: mapping.kind === 'rule' ? mapping.rule.line : mapping.kind === 'unmapped' ? null : mapping.chain.line,
      logLine: line.line, inferred: false,
    });
    if (!tr) continue;
    const v = verdict ?? '';
    if (type === 'policy' || TERMINAL.has(v)) {
      tr.ended = true;
      tr.stack = [tr.base];
    } else if (v.startsWith('JUMP:')) {
      tr.stack.push(v.slice(5));
      tr.last.delete(v.slice(5));
    } else if (v.startsWith('GOTO:')) {
      // A goto does not push a return address: the target returns to whoever called the current chain.
      if (tr.stack.length > 1) tr.stack[tr.stack.length - 1] = v.slice(5);
      else tr.stack.push(v.slice(5));
      tr.last.delete(v.slice(5));
    } else if (v === 'RETURN' && tr.stack.length > 1 && tr.stack[tr.stack.length - 1] === line.chain) {
      tr.stack.pop();
      tr.last.delete(line.chain);
    }
  }
  return { steps, hooks, mappings, rules };
}

const describeStep = (s: PathStep): string =>
  `${s.table} ${s.chain} ${s.type === 'rule' ? (s.rule !== null ? `rule ${s.rule}` : 'an unmapped rule') : s.type}`;

/** The packet's fate: the last step's verdict when it is terminal, else "left the traced chains". */
export function finalVerdict(steps: readonly PathStep[], packet: PacketFields): { verdict: FinalVerdict; step: PathStep | null; text: string } {
  const last = [...steps].reverse().find((s) => !s.inferred) ?? null;
  if (!last) return { verdict: 'left', step: null, text: 'no step was traced' };
  const v = last.verdict ?? '';
  if (TERMINAL.has(v)) {
    const where = last.hook ? ` at ${last.hook}` : '';
    let then = '';
    if (v === 'ACCEPT') {
      if (last.hook === 'INPUT') then = ': delivered to the host';
      else if (last.hook === 'POSTROUTING') then = packet.out ? `: sent out ${packet.out}` : ': sent out';
      else if (last.hook === 'FORWARD' || last.hook === 'OUTPUT' || last.hook === 'PREROUTING') then = ' (no later hook was traced)';
    }
    return { verdict: v as FinalVerdict, step: last, text: `${v} by ${describeStep(last)}${where}${then}` };
  }
  return {
    verdict: 'left',
    step: last,
    text: `the trace ends after ${describeStep(last)}${last.verdict ? ` (${last.verdict})` : ''} without a verdict: the packet left the traced chains`,
  };
}

/** NAT rules the packet matched. */
export function natSeen(lines: readonly TraceLine[], result: PathResult): NatSeen[] {
  const out: NatSeen[] = [];
  for (const line of lines) {
    if (line.kind !== 'legacy' && line.kind !== 'xtables' && line.kind !== 'nft') continue;
    const m = result.mappings.get(line);
    const hook = result.hooks.get(line) ?? null;
    const rule = result.rules.get(line) ?? null;
    if (m?.kind === 'rule' && rule?.target && NAT_TARGETS.has(rule.target.name)) {
      out.push({ type: rule.target.name, hook, table: line.table, chain: line.chain, rule: m.rule, to: natTo(rule), logLine: line.line });
    } else if (m?.kind === 'unmapped' && line.kind === 'nft' && line.ruleText) {
      const t = /\b(masquerade|dnat|snat|redirect)\b(?: to (\S+))?/.exec(line.ruleText);
      if (t) out.push({ type: t[1]!.toUpperCase(), hook, table: line.table, chain: line.chain, rule: null, to: t[2] ?? null, logLine: line.line });
    }
  }
  return out;
}

