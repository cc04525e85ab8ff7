// The text a diff compares: rules and set elements as nft lists them, without what changes while nothing changed
// (`# handle N`, counters' packets/bytes, elements' `expires`), and base chains and sets as property lists.
import type { SetElement } from '../model/expr';
import type { Chain, NamedSet, Rule } from '../model/ruleset';
import type { LocatedStmt } from '../model/stmt';
import { printElement, printExpr, printRule } from '../print/expr';
import { printPriority } from '../print/ruleset';

function stripStmt(s: LocatedStmt): LocatedStmt {
  if (s.kind === 'counter' && !s.name) return { kind: 'counter' };
  if (s.kind === 'verdict' && s.rules) return { ...s, rules: s.rules.map(stripRule) };
  return s;
}

function stripRule(r: Rule): Rule {
  const { handle: _h, span: _s, ...rest } = r;
  return { ...rest, stmts: r.stmts.map(stripStmt) };
}

/** A rule's handle-free text, counters without their values; one line (anonymous chains joined by `; `). */
export function ruleText(r: Rule): string {
  return printRule(stripRule(r), '').replace(/\n\t*/g, ' ').replace(/\s+/g, ' ').trim();
}

/** An element as listed, without `expires` (time left) and counters' values. */
export function elementText(el: SetElement): string {
  return printElement({
    ...el,
    options: el.options.filter((o) => o.kind !== 'expires').map((o) => (o.kind === 'counter' ? { kind: 'counter' as const } : o)),
  });
}

/** A base chain's properties (nft's chain line), null for a regular chain. */
export function chainProps(c: Chain, family: string): Map<string, string> | null {
  if (!c.base) return null;
  const b = c.base;
  const out = new Map<string, string>([['type', b.type], ['hook', b.hook], ['priority', printPriority(b.priority, family, b.hook)]]);
  if (b.devices?.length) out.set('device', b.devices.join(', '));
  // nft(8) CHAINS: a base chain without `policy` accepts (the kernel's default NF_ACCEPT), so none = accept.
  out.set('policy', b.policy ?? 'accept');
  return out;
}

/** A set's declaration, property by property (elements are compared one by one, not here). */
export function setProps(s: NamedSet): Map<string, string> {
  const out = new Map<string, string>();
  out.set('kind', s.isMap ? 'map' : 'set');
  out.set('type', s.keyTypeof ? `typeof ${printExpr(s.keyTypeof)}` : (s.keyType ?? []).join(' . '));
  if (s.dataType || s.dataTypeof) out.set('data', `${s.dataInterval ? 'interval ' : ''}${s.dataTypeof ? printExpr(s.dataTypeof) : (s.dataType ?? []).join(' . ')}`);
  if (s.flags.length) out.set('flags', [...s.flags].sort().join(','));
  for (const [k, v] of [['timeout', s.timeout], ['gc-interval', s.gcInterval], ['size', s.size], ['policy', s.policy], ['comment', s.comment]] as const) {
    if (v !== undefined) out.set(k, v);
  }
  if (s.autoMerge) out.set('auto-merge', 'yes');
  if (s.stmts.length) out.set('stateful', s.stmts.join(' ').replace(/packets \d+ bytes \d+/g, '').trim());
  return out;
}
