// Restore a ruleset into a fresh namespace with the nft-backed tools and read it back. Used to prove the grammar
// printer: restoring an original file and restoring the printed text must give identical (normalised) saves.
// Only iptables-nft / ebtables-nft here (README.md rules: never the legacy tools outside a dedicated namespace).
import { requireTool } from './env.js';
import { withLab, type Lab } from './netns.js';
import { normaliseSave } from './save-model.js';

export type RulesetFamily = 'ipv4' | 'ipv6' | 'bridge';

export interface RestoreResult {
  ok: boolean;
  /** stderr of the restore (and of the save, if that failed). */
  stderr: string;
  /** The save output after the restore, normalised (normaliseSave); '' when the restore failed. */
  save: string;
  /** The save output exactly as printed. */
  rawSave: string;
}

const TOOLS: Record<RulesetFamily, { restore: string; save: string }> = {
  ipv4: { restore: 'iptables-nft-restore', save: 'iptables-nft-save' },
  ipv6: { restore: 'ip6tables-nft-restore', save: 'ip6tables-nft-save' },
  bridge: { restore: 'ebtables-nft-restore', save: 'ebtables-nft-save' },
};

export function restoreTools(family: RulesetFamily): { restore: string; save: string } {
  return TOOLS[family];
}

/** Restore `text` into namespace `ns` (stdin), then save. Does not create or delete anything. */
export async function restoreAndSaveIn(lab: Lab, ns: string, text: string, family: RulesetFamily): Promise<RestoreResult> {
  const tools = TOOLS[family];
  const restore = await lab.exec(ns, [requireTool(tools.restore)], { input: text, timeoutMs: 20_000 });
  if (restore.code !== 0) return { ok: false, stderr: restore.stderr, save: '', rawSave: '' };
  const save = await lab.exec(ns, [requireTool(tools.save)], { timeoutMs: 20_000 });
  if (save.code !== 0) return { ok: false, stderr: restore.stderr + save.stderr, save: '', rawSave: save.stdout };
  return { ok: true, stderr: restore.stderr, save: normaliseSave(save.stdout), rawSave: save.stdout };
}

/**
 * In a fresh namespace: restore, then save. The namespace is deleted right after; with `options.lab` it is made
 * in that lab (cheaper for many calls, and cleaned up with the lab even if this process is interrupted).
 */
export async function restoreAndSave(
  text: string,
  options: { family: RulesetFamily; lab?: Lab },
): Promise<RestoreResult> {
  const run = async (lab: Lab): Promise<RestoreResult> => {
    const role = lab.uniqueRole('rs');
    const ns = await lab.addNamespace(role);
    try {
      return await restoreAndSaveIn(lab, ns, text, options.family);
    } finally {
      await lab.removeNamespace(role);
    }
  };
  return options.lab ? run(options.lab) : withLab(run);
}

/**
 * Does the kernel accept this ruleset? mode 'commit' (default) restores for real into a throwaway namespace —
 * the strict check. mode 'test' runs `*-nft-restore --test`, which only parses and checks in userspace: observed
 * here (iptables 1.8.9) to accept `-A FORWARD -j NOPE` although the commit then fails with "Chain 'NOPE' does
 * not exist". ebtables-nft-restore has no --test, so bridge rulesets are always committed.
 */
export async function restoreTest(
  text: string,
  family: RulesetFamily,
  options: { mode?: 'commit' | 'test' } = {},
): Promise<{ ok: boolean; stderr: string }> {
  return withLab(async (lab) => {
    const ns = await lab.addNamespace('rt');
    const tool = requireTool(TOOLS[family].restore);
    const argv = family === 'bridge' || options.mode !== 'test' ? [tool] : [tool, '--test'];
    const r = await lab.exec(ns, argv, { input: text, timeoutMs: 20_000 });
    return { ok: r.code === 0, stderr: r.stderr };
  });
}
