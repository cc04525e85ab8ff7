// The text form of an nft diff: per table, per chain or set, one line per change, each with its file:line on the
// side(s) it comes from; kube-proxy services (nftables mode) summarised last.
import type { NftAt, NftChange, NftDiffResult } from './types';

export interface NftDiffStyle {
  red(s: string): string;
  green(s: string): string;
  yellow(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

const plain: NftDiffStyle = { red: (s) => s, green: (s) => s, yellow: (s) => s, dim: (s) => s, bold: (s) => s };

const where = (file: string, at: NftAt) => (at.line !== undefined ? `${file}:${at.line}` : file);
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
const val = (v: string | null) => (v === null ? '(none)' : v);

function group(c: NftChange): string {
  if ('chain' in c) return `chain ${c.chain}`;
  if ('set' in c) return `${c.kind.startsWith('element') ? 'elements of' : 'set'} ${c.set}`;
  return '';
}

function line(c: NftChange, files: { before: string; after: string }, st: NftDiffStyle): string {
  const b = (at: NftAt) => st.dim(`(${where(files.before, at)})`);
  const a = (at: NftAt) => st.dim(`(${where(files.after, at)})`);
  const svc = c.kube ? st.dim(` [service ${c.kube.service}${c.kube.endpoint ? `, endpoint ${c.kube.endpoint}` : ''}]`) : '';
  switch (c.kind) {
    case 'table-added': return st.green(`+ table ${c.table} (${plural(c.chains, 'chain')}, ${plural(c.rules, 'rule')}) `) + a(c.at);
    case 'table-removed': return st.red(`- table ${c.table} (${plural(c.chains, 'chain')}, ${plural(c.rules, 'rule')}) `) + b(c.at);
    case 'chain-added': return st.green(`+ ${c.base ? 'base ' : ''}chain ${c.chain} (${plural(c.rules, 'rule')}) `) + a(c.at) + svc;
    case 'chain-removed': return st.red(`- ${c.base ? 'base ' : ''}chain ${c.chain} (${plural(c.rules, 'rule')}) `) + b(c.at) + svc;
    case 'chain-changed': return st.yellow(`~ ${c.property}: ${val(c.from)} → ${val(c.to)} `) + b(c.before) + ' ' + a(c.after) + svc;
    case 'rule-added': return st.green(`+ rule ${c.after.position}: ${c.rule} `) + a(c.after) + svc;
    case 'rule-removed': return st.red(`- rule ${c.before.position}: ${c.rule} `) + b(c.before) + svc;
    case 'rule-moved': return st.yellow(`~ rule moved ${c.before.position} → ${c.after.position}: ${c.rule} `) + b(c.before) + ' ' + a(c.after) + svc;
    case 'set-added': return st.green(`+ ${c.map ? 'map' : 'set'} ${c.set} (${plural(c.elements, 'element')}) `) + a(c.at) + svc;
    case 'set-removed': return st.red(`- ${c.map ? 'map' : 'set'} ${c.set} (${plural(c.elements, 'element')}) `) + b(c.at) + svc;
    case 'set-changed': return st.yellow(`~ ${c.property}: ${val(c.from)} → ${val(c.to)} `) + b(c.before) + ' ' + a(c.after) + svc;
    case 'element-added': return st.green(`+ ${c.element} `) + a(c.after) + svc;
    case 'element-removed': return st.red(`- ${c.element} `) + b(c.before) + svc;
  }
}

/** The diff as text; empty when the rulesets are the same. */
export function renderNftDiff(r: NftDiffResult, files: { before: string; after: string }, style: NftDiffStyle = plain): string {
  if (r.identical) return '';
  let out = '';
  const tables = new Map<string, NftChange[]>();
  for (const c of r.changes) (tables.get(c.table) ?? tables.set(c.table, []).get(c.table)!).push(c);
  for (const [table, changes] of tables) {
    const whole = changes.filter((c) => c.kind === 'table-added' || c.kind === 'table-removed');
    for (const c of whole) out += `${line(c, files, style)}\n`;
    if (whole.length === changes.length) continue;
    out += `${style.bold(`table ${table}`)}\n`;
    const groups = new Map<string, NftChange[]>();
    for (const c of changes) if (!whole.includes(c)) (groups.get(group(c)) ?? groups.set(group(c), []).get(group(c))!).push(c);
    for (const [g, list] of groups) {
      // Chains and sets added or removed whole are one line; changes inside one are listed under its name.
      const inside = list.filter((c) => !/-(added|removed)$/.test(c.kind) || c.kind.startsWith('rule') || c.kind.startsWith('element'));
      for (const c of list.filter((x) => !inside.includes(x))) out += `  ${line(c, files, style)}\n`;
      if (inside.length) out += `  ${g}:\n${inside.map((c) => `    ${line(c, files, style)}\n`).join('')}`;
    }
  }
  if (r.services.length) {
    out += `${style.bold('kube-proxy services')}\n`;
    for (const s of r.services) {
      const eps = [...s.endpointsAdded.map((e) => `+${e}`), ...s.endpointsRemoved.map((e) => `-${e}`)];
      out += `  ${s.service}: ${plural(s.changes, 'change')}${eps.length ? `; endpoints ${eps.join(' ')}` : ''}\n`;
    }
  }
  return out;
}
