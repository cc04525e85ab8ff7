// Every real snapshot in the shared corpus and seed parses with zero errors, and the model holds exactly as many
// rules as the file has. The few files that contain lines the real tools reject are listed with the reason and
// the exact diagnostics they must produce.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSnapshot, ruleCount, type Diagnostic } from '@chainsight/grammar';
import { sharedAvailable, sharedRelative, snapshotFiles } from '../../../test-support/shared';

/** Files with lines iptables-restore itself refuses: which errors, and why the file is like that. */
const KNOWN_INVALID: Record<string, { codes: Record<string, number>; why: string }> = {
  'corpus/kube-proxy/test-literal/TestTracePacket.txt': {
    codes: { 'parse/unexpected-argument': 22 },
    why: "kube-proxy's test text has unquoted multi-word comments, which iptables-restore rejects (README there)",
  },
  'corpus/kube-proxy/test-literal/TestTracePackets.txt': {
    codes: { 'parse/unexpected-argument': 22 },
    why: 'same as TestTracePacket.txt',
  },
  'corpus/ferm/ferm-test-modules.v4.save': {
    codes: { 'parse/bad-value': 2 },
    why: "ferm's test writes `--ctproto ftp`; ftp is not a protocol (iptables: unknown protocol); and `--ctorigdst 127.0.0.01`, whose leading zero iptables reads as octal",
  },
  'corpus/ferm/ferm-test-targets.v4.save': {
    codes: { 'parse/bad-value': 1 },
    why: "ferm's test writes `TCPMSS --set-mss FOO`, not a number",
  },
};

/** The rules a file holds, counted independently of the parser. Null when the count needs a replay (-D, -F). */
export function countRulesInText(text: string, format: string, family: string): number | null {
  const lines = text.split(/\r?\n/);
  if (format === 'iptables-L') {
    return lines.filter((l) => l.trim() && !l.startsWith('#') && !/^Chain \S+ \(/.test(l) && !/^\s*(num\s+)?(pkts\s+bytes\s+)?target\s+prot/.test(l)).length;
  }
  if (format === 'ebtables-L') {
    return lines.filter((l) => l.trim() && !/^Bridge (table|chain): /.test(l)).length;
  }
  let logical = lines;
  if (format === 'commands') {
    // Join backslash continuations; keep only the commands of the tool that matches the family.
    logical = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/);
    const tool = family === 'bridge' ? 'ebtables' : family === 'ipv6' ? 'ip6tables' : 'iptables';
    logical = logical.filter((l) => new RegExp(`^\\s*(sudo\\s+)?${tool}(-nft|-legacy)?\\s`).test(l))
      .map((l) => l.replace(/^\s*(sudo\s+)?\S+\s+/, '').replace(/^(-w\s+|--concurrent\s+|-t\s+\S+\s+)+/, ''));
  }
  const cmd = (l: string) => /^\s*(?:\[\d+:\d+\]\s+)?(-[AIDFX]|--(?:append|insert|delete|flush|delete-chain))(?:\s|$)/.exec(l)?.[1];
  const cmds = logical.map(cmd).filter(Boolean);
  if (cmds.some((c) => c !== '-A' && c !== '-I' && c !== '--append' && c !== '--insert')) return null;
  return cmds.length;
}

const byCode = (ds: Diagnostic[]) => {
  const out: Record<string, number> = {};
  for (const d of ds) if (d.severity === 'error') out[d.code] = (out[d.code] ?? 0) + 1;
  return out;
};

describe.runIf(sharedAvailable())('the shared corpus', () => {
  const files = snapshotFiles();

  it('has the ~300 snapshots the brief promises', () => {
    expect(files.length).toBeGreaterThan(250);
  });

  it.each(files.map((f) => [sharedRelative(f), f]))('%s parses with zero errors and every rule', (rel, file) => {
    const text = readFileSync(file, 'utf8');
    const { snapshot, diagnostics, detected } = parseSnapshot(text, { fileName: rel });
    const known = KNOWN_INVALID[rel];
    expect(byCode(diagnostics)).toEqual(known?.codes ?? {});
    for (const d of diagnostics) {
      expect(d.span.start.line).toBeGreaterThanOrEqual(1);
      expect(d.span.start.column).toBeGreaterThanOrEqual(1);
      expect(d.file).toBe(rel);
    }
    const expected = countRulesInText(text, detected.format, detected.family);
    // A rejected line is not a rule: the invalid files are checked by their diagnostics only.
    if (expected !== null && !known) expect(ruleCount(snapshot)).toBe(expected);
  });
});
