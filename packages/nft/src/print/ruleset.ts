// Ruleset → `nft list ruleset` text in nft's layout (rule.c table_print, chain_print, set_print, obj_print,
// flowtable_print in nftables 1.0.x): tabs, one blank line between a table's items, none between tables.
import { isFamily, isHook, printPriority as printNamedPriority } from '@chainsight/netfilter';
import type { SetElement } from '../model/expr';
import type { Chain, Flowtable, NamedSet, NftObject, Priority, Rule, Ruleset, Table } from '../model/ruleset';
import { quote } from '../text/lexer';
import { printElements, printExpr, printRule } from './expr';

export interface PrintOptions {
  /** Print `# handle N` where the model has handles (as `nft -a list ruleset` does). Default true. */
  handles?: boolean;
}

export function printRuleset(rs: Ruleset, opts: PrintOptions = {}): string {
  const model = opts.handles === false ? withoutHandles(rs) : rs;
  let out = '';
  for (const t of model.tables.values()) out += printTable(t);
  return out;
}

/** A copy of the ruleset without handles (JSON always carries them; `nft list ruleset` prints none). */
function withoutHandles(rs: Ruleset): Ruleset {
  const strip = <T extends { handle?: number }>(x: T): T => {
    const { handle: _h, ...rest } = x;
    return rest as T;
  };
  const stripRules = (rules: Rule[]): Rule[] =>
    rules.map((r) => ({ ...strip(r), stmts: r.stmts.map((st) => (st.kind === 'verdict' && st.rules ? { ...st, rules: stripRules(st.rules) } : st)) }));
  const tables = new Map<string, Table>();
  for (const [k, t] of rs.tables) {
    tables.set(k, {
      ...strip(t),
      chains: new Map([...t.chains].map(([n, c]) => [n, { ...strip(c), rules: stripRules(c.rules) }])),
      sets: new Map([...t.sets].map(([n, x]) => [n, strip(x)])),
      flowtables: new Map([...t.flowtables].map(([n, x]) => [n, strip(x)])),
      objects: new Map([...t.objects].map(([n, x]) => [n, strip(x)])),
    });
  }
  return { ...rs, tables };
}

export function printTable(t: Table): string {
  let out = `table ${t.family} ${t.name} {${t.handle !== undefined ? ` # handle ${t.handle}` : ''}\n`;
  if (t.flags.length) out += `\tflags ${t.flags.join(',')}\n`;
  if (t.comment !== undefined) out += `\tcomment ${quote(t.comment)}\n`;
  let delim = '';
  for (const item of t.order) {
    let block: string | undefined;
    if (item.what === 'chain') block = mapGet(t.chains, item.key, (c) => printChain(c, t.family));
    else if (item.what === 'set') block = mapGet(t.sets, item.key, printSet);
    else if (item.what === 'flowtable') block = mapGet(t.flowtables, item.key, printFlowtable);
    else block = mapGet(t.objects, item.key, printObject);
    if (block === undefined) continue;
    out += delim + block;
    delim = '\n';
  }
  return `${out}}\n`;
}

function mapGet<T>(m: Map<string, T>, key: string, f: (v: T) => string): string | undefined {
  const v = m.get(key);
  return v === undefined ? undefined : f(v);
}

const handleSuffix = (h: number | undefined) => (h !== undefined ? ` # handle ${h}` : '');

/**
 * A priority as nft lists it. A number (JSON's `prio`, or a script's `priority -150`) prints as the named priority
 * nft would show (rule.c prio2str, @chainsight/netfilter printPriority) when the family and hook are known;
 * a name prints as written.
 */
export function printPriority(p: Priority, family?: string, hook?: string): string {
  if (p.name === undefined) {
    if (family === undefined || hook === undefined || !isFamily(family) || !isHook(hook)) return String(p.offset);
    const named = printNamedPriority(p.offset, family, hook);
    // nft 1.0.6 (the version the corpus and the kernel lab use) allows and prints dstnat only at prerouting and
    // srcnat only at postrouting (observed: `type nat hook output priority dstnat` is "invalid priority expression
    // value in this context", and -100 at output lists as `-100`); later releases also name them at output and
    // input, as @chainsight/netfilter does. Print what 1.0.6 lists.
    const name = /^[a-z]+/.exec(named)?.[0];
    if (family !== 'bridge' && ((name === 'dstnat' && hook !== 'prerouting') || (name === 'srcnat' && hook !== 'postrouting'))) return String(p.offset);
    return named;
  }
  if (p.offset === 0) return p.name;
  return `${p.name} ${p.offset < 0 ? '-' : '+'} ${Math.abs(p.offset)}`;
}

/** A chain; `family` (its table's) lets a numeric priority print as nft names it. */
export function printChain(c: Chain, family?: string): string {
  let out = `\tchain ${c.name} {${handleSuffix(c.handle)}\n`;
  if (c.comment !== undefined) out += `\t\tcomment ${quote(c.comment)}\n`;
  const b = c.base;
  if (b) {
    out += `\t\ttype ${b.type} hook ${b.hook}`;
    if (b.devices && (b.devicesList || b.devices.length !== 1)) out += ` devices = { ${b.devices.join(', ')} }`;
    else if (b.devices && b.devices.length === 1) out += ` device ${b.devices[0]}`;
    out += ` priority ${printPriority(b.priority, family, b.hook)};`;
    if (b.policy) out += ` policy ${b.policy};`;
    out += '\n';
  }
  for (const r of c.rules) out += `\t\t${printRule(r)}\n`;
  return `${out}\t}\n`;
}

export function printSet(s: NamedSet): string {
  let out = `\t${s.isMap ? 'map' : 'set'} ${s.name} {${handleSuffix(s.handle)}\n`;
  let typeLine = s.keyTypeof ? `typeof ${printExpr(s.keyTypeof)}` : `type ${(s.keyType ?? []).join(' . ')}`;
  if (s.dataTypeof || s.dataType) {
    typeLine += ` : ${s.dataInterval ? 'interval ' : ''}${s.dataTypeof ? printExpr(s.dataTypeof) : (s.dataType ?? []).join(' . ')}`;
  }
  out += `\t\t${typeLine}\n`;
  if (s.policy !== undefined) out += `\t\tpolicy ${s.policy}\n`;
  if (s.size !== undefined) out += `\t\tsize ${s.size}${s.count !== undefined ? `\t# count ${s.count}` : ''}\n`;
  if (s.flags.length) out += `\t\tflags ${s.flags.join(',')}\n`;
  for (const st of s.stmts) out += `\t\t${st}\n`;
  if (s.timeout !== undefined) out += `\t\ttimeout ${s.timeout}\n`;
  if (s.gcInterval !== undefined) out += `\t\tgc-interval ${s.gcInterval}\n`;
  if (s.autoMerge) out += '\t\tauto-merge\n';
  if (s.comment !== undefined) out += `\t\tcomment ${quote(s.comment)}\n`;
  if (s.elements && s.elements.length) out += `\t\telements = ${printElements(s.elements, elementLayout(s))}\n`;
  return `${out}\t}\n`;
}

/**
 * Where a named set's element starts a new line. Elements read from nft's text keep their layout; others
 * follow nft's rule (expression.c calculate_delim): integer-like keys 5 per line, IPv4 addresses and ct
 * state/status and pkttype 2 per line, everything else one per line. The key type decides; a `typeof` key
 * is one per line (an approximation: nft derives its type from the expression).
 */
function elementLayout(s: NamedSet): (el: SetElement, i: number) => boolean {
  const els = s.elements ?? [];
  if (els.some((e) => e.newline !== undefined)) return (el) => el.newline === true;
  const t = s.keyType && s.keyType.length === 1 ? s.keyType[0] : undefined;
  const per = t && FIVE_PER_LINE.has(t) ? 5 : t && TWO_PER_LINE.has(t) ? 2 : 1;
  return (_el, i) => i % per === 0;
}

const FIVE_PER_LINE = new Set(['nf_proto', 'integer', 'arp_op', 'inet_proto', 'inet_service', 'tcp_flag', 'dccp_pkttype', 'mark', 'iface_index', 'classid', 'uid', 'gid', 'ct_dir']);
const TWO_PER_LINE = new Set(['ipv4_addr', 'ct_state', 'ct_status', 'pkt_type']);

export function printFlowtable(f: Flowtable): string {
  let out = `\tflowtable ${f.name} {${handleSuffix(f.handle)}\n`;
  // flowtable_print (rule.c) names the priority as for the netdev family.
  out += `\t\thook ${f.hook} priority ${printPriority(f.priority, 'netdev', f.hook)}\n`;
  if (f.devices.length) out += `\t\tdevices = { ${f.devices.join(', ')} }\n`;
  for (const x of f.extra) out += `\t\t${x}\n`;
  return `${out}\t}\n`;
}

export function printObject(o: NftObject): string {
  let out = `\t${o.type} ${o.name} {${handleSuffix(o.handle)}\n`;
  if (o.comment !== undefined) out += `\t\tcomment ${quote(o.comment)}\n`;
  for (const l of o.lines) out += `\t\t${l.join(' ')}\n`;
  return `${out}\t}\n`;
}
