// `chainsight parse` of an nftables ruleset: what the file is (listing, JSON, script) and what each table holds.
import { countRules, printPriority, type Ruleset } from '@chainsight/nft';
import type { Colors } from '../color';
import { counts } from '../load';
import type { NftFile } from '../nft-input';

const FORM = { 'nft-text': 'nft list ruleset (text)', 'nft-json': 'nft -j list ruleset (JSON)' } as const;

export function nftSummary(f: NftFile, c: Colors): string {
  const rs = f.result.ruleset;
  const out = [`${c.bold(f.path)}: ${FORM[f.result.format]}, ${rs.tables.size} table${rs.tables.size === 1 ? '' : 's'}`];
  for (const t of rs.tables.values()) {
    const base = [...t.chains.values()].filter((ch) => ch.base).length;
    const rules = [...t.chains.values()].reduce((n, ch) => n + ch.rules.length, 0);
    const maps = [...t.sets.values()].filter((s) => s.isMap).length;
    const extra = [t.sets.size - maps ? `${t.sets.size - maps} sets` : '', maps ? `${maps} maps` : '', t.flowtables.size ? `${t.flowtables.size} flowtables` : '', t.objects.size ? `${t.objects.size} objects` : ''].filter(Boolean);
    out.push(`  table ${c.bold(`${t.family} ${t.name}`)}: ${t.chains.size} chains (${base} base), ${rules} rules${extra.length ? `, ${extra.join(', ')}` : ''}`);
    const chains = [...t.chains.values()];
    const shown = chains.length <= 25 ? chains : [...chains].sort((a, b) => b.rules.length - a.rules.length).slice(0, 15);
    const width = Math.min(40, Math.max(5, ...shown.map((ch) => ch.name.length)));
    for (const ch of shown) {
      const hook = ch.base ? `${ch.base.type} hook ${ch.base.hook} priority ${printPriority(ch.base.priority, t.family, ch.base.hook)}${ch.base.policy ? ` policy ${ch.base.policy}` : ''}` : '-';
      out.push(`    ${ch.name.padEnd(width)} ${hook}, ${ch.rules.length} rule${ch.rules.length === 1 ? '' : 's'}`);
    }
    if (shown.length < chains.length) out.push(c.dim(`    … ${chains.length - shown.length} more chains (the ${shown.length} largest shown)`));
  }
  const verbatim = f.result.diagnostics.filter((d) => d.code === 'nft/verbatim-statement' || d.code === 'nft/json-verbatim').length;
  if (verbatim) out.push(`  ${verbatim} statement${verbatim === 1 ? '' : 's'} kept verbatim (see the warnings)`);
  const n = counts(f.result.diagnostics);
  out.push(`  ${countRules(rs)} rules; ${n.errors} errors, ${n.warnings} warnings, ${n.infos} notes`);
  return out.join('\n');
}

/** The file's entry in `parse --format json`: the model with Maps as lists (names from input are never keys). */
export function nftParseJson(f: NftFile): Record<string, unknown> {
  return {
    file: f.path,
    detected: { format: f.result.format, reason: f.result.format === 'nft-json' ? "an object with an 'nftables' array (nft -j)" : 'nftables syntax (table/chain blocks or nft -f commands)' },
    nft: rulesetJson(f.result.ruleset),
    diagnostics: f.result.diagnostics,
  };
}

function rulesetJson(rs: Ruleset): unknown {
  return {
    tables: [...rs.tables.values()].map((t) => ({
      family: t.family, name: t.name, flags: t.flags, ...(t.comment !== undefined ? { comment: t.comment } : {}),
      chains: [...t.chains.values()], sets: [...t.sets.values()], flowtables: [...t.flowtables.values()], objects: [...t.objects.values()],
    })),
    ...(rs.defines.size ? { defines: [...rs.defines].map(([name, value]) => ({ name, value })) } : {}),
    ...(rs.includes.length ? { includes: rs.includes } : {}),
  };
}
