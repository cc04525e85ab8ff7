// Which rule (or chain end) of the snapshots a trace line refers to. Per format:
//   legacy  `table:chain:type:N` (ip_tables.c get_chainname_rulenum(), docs/netfilter.md §legacy-trace): `rule:N` is rule
//           N; `policy:N` / `return:N` with N = rules + 1 is the built-in policy / the implicit RETURN of a user
//           chain; with N ≤ rules it is rule N, an unconditional rule with a standard verdict that the kernel labels
//           like a chain end (the quirk).
//   xtables-monitor  the printed rule text, compared with the snapshot's rules in canonical form; the handle
//           arithmetic of a freshly restored table (docs/netfilter.md §nft-handles) as a fallback and to tell identical rules apart.
//   nft monitor trace  the nft rule text compared fact by fact (nft-facts.ts), and the handle when `nft -a`
//           printed one.
// Lines that cannot be tied to the snapshots say why (a table the snapshots do not have, a rule text no rule has).
import type { Chain, Rule } from '@chainsight/grammar';
import { compareFacts, nftFacts, ruleFacts } from './nft-facts';
import { canonicalArgs, parsePrintedRule } from './printed-rule';
import {
  chainRef, findChainIn, kernelUnconditional, ruleRef, standardVerdict, type SnapshotIndex, type TableHit,
} from './snapshot-index';
import type { ExplainNote, LegacyTraceLine, Mapping, NftTraceLine, StepLine, XtablesTraceLine } from './types';

export interface Located {
  mapping: Mapping;
  notes: ExplainNote[];
}

const note = (line: StepLine, code: string, message: string, severity: 'warning' | 'info' = 'warning'): ExplainNote => ({
  code, severity, message, line: line.line,
});

function unmapped(code: string, reason: string): Located {
  return { mapping: { kind: 'unmapped', code, reason }, notes: [] };
}

const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;

/** The table and chain of a line, or why they cannot be found. */
function findPlace(line: StepLine, index: SnapshotIndex): { hit: TableHit; chain: Chain } | Located {
  const fam = line.family;
  if (!index.hasFamily(fam)) {
    const what = fam === 'ip' ? 'IPv4 (iptables-save)' : fam === 'ip6' ? 'IPv6 (ip6tables-save)' : fam === 'bridge' ? 'bridge (ebtables-save)' : `'${fam}'`;
    return unmapped('explain/no-snapshot-for-family', `no ${what} snapshot was given for this ${fam} line`);
  }
  const hit = index.table(fam, line.table);
  if (!hit) {
    const nft = line.kind === 'legacy' ? '' : ' (a native nftables table, or a table the snapshot was taken without)';
    return unmapped('explain/table-not-in-snapshot', `table ${fam} ${line.table} is not in the snapshots${nft}`);
  }
  const chain = findChainIn(hit, line.chain);
  if (!chain) return unmapped('explain/chain-not-in-snapshot', `chain ${line.chain} is not in table ${line.table} of ${hit.snapshot.fileName}`);
  return { hit, chain };
}

function chainEnd(kind: 'policy' | 'return', hit: TableHit, chain: Chain, method: 'rulenum' | 'label', legacy: 'policy' | 'return' | null, reason: string): Mapping {
  return { kind, chain: chainRef(chain, hit.table, hit.snapshot), method, legacyCase: legacy, reason };
}

function locateLegacy(line: LegacyTraceLine, index: SnapshotIndex): Located {
  const place = findPlace(line, index);
  if ('mapping' in place) return place;
  const { hit, chain } = place;
  const n = chain.rules.length;
  const notes: ExplainNote[] = [];
  const outOfRange = () =>
    unmapped(
      'explain/rule-number-out-of-range',
      `${line.label}:${line.num} but ${line.table} ${line.chain} has ${plural(n, 'rule')} in ${hit.snapshot.fileName}: the snapshot is not the ruleset that printed this line`,
    );
  if (line.num < 1) return outOfRange();
  if (line.label === 'rule') {
    const rule = chain.rules[line.num - 1];
    if (!rule) return outOfRange();
    if (kernelUnconditional(rule) && standardVerdict(rule)) {
      notes.push(note(line, 'explain/label-mismatch',
        `rule ${line.num} of ${line.table} ${line.chain} is an unconditional -j ${standardVerdict(rule)}: the kernel would print it as ${chain.builtin ? 'policy' : 'return'}:${line.num}, not rule:${line.num}; the snapshot may differ from the traced ruleset`));
    }
    return {
      mapping: { kind: 'rule', rule: ruleRef(rule, hit.snapshot), method: 'rulenum', legacyCase: 'rule', alternatives: [], reason: `rule:${line.num} is rule ${line.num} of ${line.table} ${line.chain}` },
      notes,
    };
  }
  const expected = chain.builtin ? 'policy' : 'return';
  if (line.label !== expected) {
    notes.push(note(line, 'explain/label-mismatch',
      `${line.label}:${line.num} in ${chain.builtin ? 'built-in' : 'user'} chain ${line.chain}: the kernel labels chain ends there "${expected}"; the snapshot may differ from the traced ruleset`));
  }
  if (line.num === n + 1) {
    const reason = chain.builtin
      ? `${line.label}:${line.num} is the policy of ${line.chain} (${plural(n, 'rule')} + 1)`
      : `${line.label}:${line.num} is the implicit RETURN at the end of ${line.chain} (${plural(n, 'rule')} + 1)`;
    return { mapping: chainEnd(chain.builtin ? 'policy' : 'return', hit, chain, 'rulenum', chain.builtin ? 'policy' : 'return', reason), notes };
  }
  const rule = chain.rules[line.num - 1];
  if (!rule) return outOfRange();
  const verdict = standardVerdict(rule);
  if (!kernelUnconditional(rule) || !verdict) {
    notes.push(note(line, 'explain/label-mismatch',
      `${line.label}:${line.num} names rule ${line.num} of ${line.table} ${line.chain}, but that rule is not an unconditional standard verdict (the only rules the kernel labels "${line.label}"); the snapshot may differ from the traced ruleset`));
  }
  const reason = `${line.label}:${line.num} is rule ${line.num}, an unconditional -j ${verdict ?? rule.target?.name ?? '?'}: ip_tables.c labels such a rule "${line.label}" like a chain end (${line.chain} has ${plural(n, 'rule')}; its real ${chain.builtin ? 'policy' : 'end'} would be ${line.label}:${n + 1})`;
  return {
    mapping: { kind: 'rule', rule: ruleRef(rule, hit.snapshot), method: 'rulenum', legacyCase: 'unconditional-verdict', alternatives: [], reason },
    notes,
  };
}

/** Policy/return lines of xtables-monitor and nft: the printed verdict against the snapshot's policy. */
function locateChainEnd(line: XtablesTraceLine | NftTraceLine, hit: TableHit, chain: Chain): Located {
  const notes: ExplainNote[] = [];
  if (line.label === 'policy') {
    if (chain.policy && line.verdict && chain.policy !== line.verdict) {
      notes.push(note(line, 'explain/policy-mismatch', `the kernel applied policy ${line.verdict} in ${line.table} ${line.chain}, the snapshot says ${chain.policy}`));
    }
    return { mapping: chainEnd('policy', hit, chain, 'label', null, `the policy of ${line.table} ${line.chain}`), notes };
  }
  return { mapping: chainEnd('return', hit, chain, 'label', null, `the end of ${line.table} ${line.chain}`), notes };
}

function handleRule(index: SnapshotIndex, hit: TableHit, chain: Chain, handle: number | null): Rule | undefined {
  if (handle === null) return undefined;
  const r = index.handleMap(hit.table).get(handle);
  return r && r.chain === chain.name ? r : undefined;
}

function handleReason(hit: TableHit, handle: number): string {
  const chains = hit.table.chains.length;
  return `handle ${handle} − ${chains} chains = the ${ordinal(handle - chains)} -A line of table ${hit.table.name} (true for a table loaded by one iptables-restore and not changed since)`;
}

function ordinal(n: number): string {
  const s = n % 100 >= 11 && n % 100 <= 13 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${s}`;
}

function pick(
  candidates: Rule[], byHandle: Rule | undefined, hit: TableHit, line: XtablesTraceLine | NftTraceLine,
  method: 'rule-text' | 'nft-text', what: string,
): Located {
  const refs = (rs: Rule[]) => rs.map((r) => ruleRef(r, hit.snapshot));
  const place = `${line.table} ${line.chain}`;
  if (candidates.length === 1) {
    const rule = candidates[0]!;
    const agree = byHandle === rule && line.handle !== null ? `; handle ${line.handle} agrees` : '';
    return { mapping: { kind: 'rule', rule: ruleRef(rule, hit.snapshot), method, legacyCase: null, alternatives: [], reason: `${what} is rule ${rule.index} of ${place}${agree}` }, notes: [] };
  }
  const list = candidates.map((r) => r.index).join(', ');
  if (byHandle && candidates.includes(byHandle)) {
    return {
      mapping: {
        kind: 'rule', rule: ruleRef(byHandle, hit.snapshot), method: 'handle', legacyCase: null,
        alternatives: refs(candidates.filter((r) => r !== byHandle)),
        reason: `${what} fits rules ${list} of ${place}; ${handleReason(hit, line.handle!)} picks rule ${byHandle.index}`,
      },
      notes: [],
    };
  }
  // Told apart later by order: a chain's rules are evaluated top to bottom (see path.ts).
  return {
    mapping: {
      kind: 'rule', rule: ruleRef(candidates[0]!, hit.snapshot), method, legacyCase: null, alternatives: refs(candidates.slice(1)),
      reason: `${what} fits rules ${list} of ${place} (identical)`,
    },
    notes: [],
  };
}

function locateXtables(line: XtablesTraceLine, index: SnapshotIndex): Located {
  const place = findPlace(line, index);
  if ('mapping' in place) return place;
  const { hit, chain } = place;
  if (line.label !== 'rule') return locateChainEnd(line, hit, chain);
  const printed = line.ruleText !== null ? parsePrintedRule(line.ruleText) : null;
  const byHandle = handleRule(index, hit, chain, line.handle);
  if (printed) {
    const candidates = printed.chain === chain.name ? chain.rules.filter((r) => canonicalArgs(r) === printed.args) : [];
    const handleFits = byHandle && canonicalArgs(byHandle) === printed.args ? byHandle : undefined;
    if (candidates.length === 0) {
      return unmapped('explain/rule-not-in-snapshot', `${line.table} ${line.chain} in ${hit.snapshot.fileName} has no rule "-A ${printed.chain} ${printed.args}"`);
    }
    return pick(candidates, handleFits, hit, line, 'rule-text', 'the printed rule');
  }
  if (byHandle) {
    return {
      mapping: { kind: 'rule', rule: ruleRef(byHandle, hit.snapshot), method: 'handle', legacyCase: null, alternatives: [], reason: handleReason(hit, line.handle!) },
      notes: [note(line, 'explain/mapped-by-handle', `no rule text printed: mapped by handle arithmetic, which assumes ${line.table} was loaded by one iptables-restore`, 'info')],
    };
  }
  return unmapped('explain/unmappable', `no rule text and handle ${line.handle ?? '?'} does not fit ${line.table} ${line.chain} of ${hit.snapshot.fileName}`);
}

function locateNft(line: NftTraceLine, index: SnapshotIndex): Located {
  const place = findPlace(line, index);
  if ('mapping' in place) return place;
  const { hit, chain } = place;
  if (line.label !== 'rule') return locateChainEnd(line, hit, chain);
  const byHandle = handleRule(index, hit, chain, line.handle);
  if (line.ruleText !== null) {
    const facts = nftFacts(line.ruleText);
    const scored = chain.rules
      .map((r) => ({ r, score: compareFacts(facts, ruleFacts(r)) }))
      .filter((x): x is { r: Rule; score: number } => x.score !== null);
    const best = scored.length ? Math.max(...scored.map((x) => x.score)) : 0;
    const candidates = scored.filter((x) => x.score === best).map((x) => x.r);
    const handleFits = byHandle && compareFacts(facts, ruleFacts(byHandle)) !== null ? byHandle : undefined;
    if (candidates.length === 0) {
      // ebtables-nft implements a user chain's ACCEPT/DROP policy as a last rule of the chain (docs/netfilter.md
      // §ebtables-targets, E6): a bare verdict equal to that policy, past the chain's own rules.
      if (line.family === 'bridge' && !chain.builtin && chain.policy && facts.size === 1 && facts.get('verdict') === chain.policy.toLowerCase()) {
        return {
          mapping: chainEnd('policy', hit, chain, 'label', null, `ebtables-nft applies the ${chain.policy} policy of user chain ${line.chain} as a last rule (docs/netfilter.md §ebtables-targets)`),
          notes: [],
        };
      }
      return unmapped('explain/rule-not-in-snapshot', `no rule of ${line.table} ${line.chain} in ${hit.snapshot.fileName} fits the nft rule "${line.ruleText}"`);
    }
    // A handle whose rule fits the text wins even over closer fits: the text only narrows down, the handle names
    // one rule (when the arithmetic holds, which the fit makes likely).
    if (handleFits && !candidates.includes(handleFits)) {
      return { mapping: { kind: 'rule', rule: ruleRef(handleFits, hit.snapshot), method: 'handle', legacyCase: null, alternatives: [], reason: handleReason(hit, line.handle!) }, notes: [] };
    }
    return pick(candidates, handleFits, hit, line, 'nft-text', 'the nft rule');
  }
  if (byHandle) {
    return { mapping: { kind: 'rule', rule: ruleRef(byHandle, hit.snapshot), method: 'handle', legacyCase: null, alternatives: [], reason: handleReason(hit, line.handle!) }, notes: [] };
  }
  return unmapped('explain/unmappable', `nft printed no rule text, and handle ${line.handle ?? '(none)'} does not fit ${line.table} ${line.chain} of ${hit.snapshot.fileName}`);
}

export function locate(line: StepLine, index: SnapshotIndex): Located {
  switch (line.kind) {
    case 'legacy':
      return locateLegacy(line, index);
    case 'xtables':
      return locateXtables(line, index);
    case 'nft':
      return locateNft(line, index);
  }
}
