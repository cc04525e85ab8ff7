// `chainsight parse FILE...`: what each file is and what it holds.
import { looksLikeCapture, looksLikeIpsetSave, parseIpsetSave, ruleCount, type IpsetParseResult, type Snapshot } from '@chainsight/grammar';
import { parseArgs, choice } from '../args';
import { EXIT, type Command } from '../command';
import { toJson } from '../json';
import { counts, displayName, formatDiagnostic, parseLoaded, readInput, renderDiagnostics, type LoadedFile } from '../load';
import { PARSE_HELP } from '../messages/index';
import type { Colors } from '../color';
import { captureJson, captureRulesets, captureSummary } from '../capture-input';
import { INPUT_OPTION_DEFS, loadOptions } from './input-options';
import { isNftText, parseNftFile, renderNftDiagnostics, type NftFile } from '../nft-input';
import { mixedHostNotes, nativeTablesNote } from '../mixed-host';
import { nftParseJson, nftSummary } from './nft-parse';

const FAMILY_NAME = { ipv4: 'IPv4', ipv6: 'IPv6', bridge: 'bridge (ebtables)' } as const;

/** Modules and targets the registry does not know, with how many rules use each. */
export function unknownExtensions(s: Snapshot): { matches: Map<string, number>; targets: Map<string, number>; options: Map<string, number> } {
  const matches = new Map<string, number>();
  const targets = new Map<string, number>();
  const options = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const t of s.tables) for (const c of t.chains) for (const r of c.rules) {
    for (const m of r.matches) {
      if (!m.known && m.module) bump(matches, m.spelling);
      for (const o of m.options) if (!o.known) bump(options, `${o.spelling}${m.module ? ` (-m ${m.module})` : ''}`);
    }
    if (r.target?.type === 'unknown') bump(targets, r.target.name);
    for (const o of r.target?.options ?? []) if (!o.known && r.target?.type !== 'unknown') bump(options, `${o.spelling} (-j ${r.target!.name})`);
  }
  return { matches, targets, options };
}

interface IpsetFile {
  kind: 'ipset';
  path: string;
  text: string;
  ipset: IpsetParseResult;
}

function ipsetSummary(f: IpsetFile, c: Colors): string {
  const { sets, diagnostics } = f.ipset;
  const out = [`${c.bold(f.path)}: ipset save, ${sets.length} set${sets.length === 1 ? '' : 's'}`];
  const width = Math.min(40, Math.max(5, ...sets.map((s) => s.name.length)));
  for (const s of sets) {
    const fam = s.family === null ? '' : ` (IPv${s.family})`;
    out.push(`    ${s.name.padEnd(width)} ${s.type}${fam}, ${s.members.length} member${s.members.length === 1 ? '' : 's'}`);
  }
  const n = counts(diagnostics);
  out.push(`  ${n.errors} errors, ${n.warnings} warnings, ${n.infos} notes`);
  return out.join('\n');
}

function summary(f: LoadedFile, c: Colors): string {
  const { snapshot: s, detected } = f.result;
  const gen = s.generator ? ` (${s.generator.tool}${s.generator.version ? ' v' + s.generator.version : ''})` : '';
  const out = [
    `${c.bold(f.path)}${f.section ? ` [${f.section}]` : ''}: ${s.format}, ${FAMILY_NAME[s.family]}, backend ${s.backend}${gen}`,
    c.dim(`  detected from: ${detected.reason}`),
  ];
  for (const t of s.tables) {
    const user = t.chains.filter((ch) => !ch.builtin).length;
    const rules = t.chains.reduce((n, ch) => n + ch.rules.length, 0);
    out.push(`  table ${c.bold(t.name)}: ${t.chains.length} chains (${user} user), ${rules} rules`);
    const shown = t.chains.length <= 25 ? t.chains : [...t.chains].sort((a, b) => b.rules.length - a.rules.length).slice(0, 15);
    const width = Math.min(40, Math.max(...shown.map((ch) => ch.name.length), 5));
    for (const ch of shown) {
      out.push(`    ${ch.name.padEnd(width)} ${(ch.builtin || s.family === 'bridge' ? ch.policy ?? '-' : '-').padEnd(8)} ${ch.rules.length} rule${ch.rules.length === 1 ? '' : 's'}`);
    }
    if (shown.length < t.chains.length) out.push(c.dim(`    … ${t.chains.length - shown.length} more chains (the ${shown.length} largest shown)`));
  }
  const unk = unknownExtensions(s);
  const list = (m: Map<string, number>) => [...m].map(([k, n]) => `${k} (${n} rule${n === 1 ? '' : 's'})`).join(', ');
  if (unk.matches.size) out.push(`  unknown match modules kept verbatim: ${list(unk.matches)}`);
  if (unk.targets.size) out.push(`  unknown targets kept verbatim: ${list(unk.targets)}`);
  if (unk.options.size) out.push(`  unknown options kept verbatim: ${list(unk.options)}`);
  if (!unk.matches.size && !unk.targets.size && !unk.options.size) out.push(c.dim('  every match, target and option is known'));
  if (s.lossy) out.push(c.yellow(`  lossy input: a ${s.format} listing does not carry every option; see the warnings`));
  const n = counts(f.result.diagnostics);
  out.push(`  ${ruleCount(s)} rules; ${n.errors} errors, ${n.warnings} warnings, ${n.infos} notes`);
  return out.join('\n');
}

export const command: Command = {
  name: 'parse',
  async run(argv, { io, colors: c }) {
    const args = parseArgs(argv, { ...INPUT_OPTION_DEFS, format: { value: true }, strict: {}, quiet: {} });
    if (args.flags.has('help')) { io.stdout(PARSE_HELP + '\n'); return EXIT.ok; }
    if (!args.positionals.length) { io.stderr(PARSE_HELP + '\n'); return EXIT.error; }
    const format = choice(args, 'format', ['text', 'json'] as const, 'text');
    const files: (LoadedFile | IpsetFile | NftFile)[] = [];
    for (const p of args.positionals) {
      // `ipset save` output is read as sets (the contents `chainsight trace` decides -m set with).
      const text = await readInput(io, p);
      const file = displayName(p);
      // A host capture: one ruleset per rules section, the capture summarised with the first.
      if (looksLikeCapture(text)) { files.push(...(await captureRulesets(p, text, loadOptions(args)))); continue; }
      // An nftables ruleset (listing, JSON or nft -f script) is read as one (nft-input.ts).
      if (isNftText(text)) { files.push(parseNftFile(p, text)); continue; }
      files.push(looksLikeIpsetSave(text) ? { kind: 'ipset', path: file, text, ipset: parseIpsetSave(text, file) } : parseLoaded(p, text, loadOptions(args)));
    }
    // iptables-nft saves: what native nftables tables they cannot show (mixed-host.ts), said once.
    const saves = files.flatMap((f) => ('kind' in f ? [] : [f]));
    const nftFiles = files.filter((f): f is NftFile => 'kind' in f && f.kind === 'nft');
    const unseen = nativeTablesNote(saves.map((f) => ({ snapshot: f.result.snapshot, text: f.text })), nftFiles.length > 0);
    const notes = [...(unseen ? [unseen] : []), ...mixedHostNotes(saves.map((f) => f.result.snapshot).filter((s) => s.tables.length), nftFiles)];
    if (format === 'json') {
      io.stdout(toJson({
        schema: 'chainsight.parse/1',
        ...(notes.length ? { notes } : {}),
        files: files.map((f) => ('kind' in f && f.kind === 'nft' ? nftParseJson(f) : 'ipset' in f
          ? { file: f.path, detected: { format: 'ipset-save', reason: "'create NAME TYPE' lines (ipset save)" }, ipsets: f.ipset.sets, diagnostics: f.ipset.diagnostics }
          : {
            file: f.path,
            ...(f.section ? { section: f.section } : {}),
            ...(f.capture ? { capture: captureJson(f.capture) } : {}),
            detected: f.result.detected, snapshot: f.result.snapshot, diagnostics: f.result.diagnostics,
          })),
      }) + '\n');
    } else {
      for (const f of files) {
        if ('kind' in f && f.kind === 'nft') {
          renderNftDiagnostics(io, f, c);
          if (!args.flags.has('quiet')) io.stdout(nftSummary(f, c) + '\n');
          continue;
        }
        if ('ipset' in f) {
          for (const d of f.ipset.diagnostics) io.stderr(formatDiagnostic(d, f.text, c) + '\n');
          if (!args.flags.has('quiet')) io.stdout(ipsetSummary(f, c) + '\n');
          continue;
        }
        renderDiagnostics(io, f, c, 'warning');
        if (!args.flags.has('quiet')) io.stdout((f.capture ? captureSummary(f.path, f.capture).join('\n') + '\n' : '') + summary(f, c) + '\n');
      }
    }
    for (const n of notes) io.stderr(`${c.yellow('note')}: ${n.message} ${c.dim(`[${n.code}]`)}\n`);
    const all = files.flatMap((f) => ('ipset' in f ? f.ipset.diagnostics : f.result.diagnostics));
    const n = counts(all);
    if (n.errors) return EXIT.error;
    if (n.warnings && args.flags.has('strict')) return EXIT.findings;
    return EXIT.ok;
  },
};
