#!/usr/bin/env node
// Checks that generated snapshots are valid iptables-restore input, inside a throwaway network
// namespace (never the initial namespace's firewall). Needs root and the Debian package
// `iptables` (iptables-nft-restore). Not part of `pnpm bench`.
//
//   sudo node bench/verify-restore.mjs [--services 200] [--seed 1] [--churn 0.01] [--roundtrip]
//
// 1. ip netns add cs-bench-<random>
// 2. ip netns exec NS iptables-nft-restore --test < snapshot
// 3. with --roundtrip: ip netns exec NS iptables-nft-restore < snapshot, then iptables-nft-save
//    in the namespace and compare with the snapshot (ignoring "#" comment lines)
// 4. ip netns del NS -- always, also on errors and SIGINT/SIGTERM.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { generateKubeProxySnapshot } from './gen-kube-proxy.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const services = Number(opt('--services', 200));
const seed = Number(opt('--seed', 1));
const churn = Number(opt('--churn', 0));
const roundtrip = args.includes('--roundtrip');

const ns = `cs-bench-${randomBytes(4).toString('hex')}`;
let created = false;
const run = (cmd, argv, input) => spawnSync(cmd, argv, { input, encoding: 'utf8', maxBuffer: 1 << 30 });
const cleanup = () => {
  if (!created) return;
  const r = run('ip', ['netns', 'del', ns]);
  if (r.status !== 0) process.stderr.write(`verify-restore: could not delete namespace ${ns}: ${r.stderr}\n`);
  created = false;
};
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    cleanup();
    process.exit(130);
  });
}

let failed = false;
try {
  const text = generateKubeProxySnapshot({ services, seed, churn, churnSeed: 2 });
  const rules = text.split('\n').filter((l) => l.startsWith('-A ')).length;
  const label = `${services} services (seed ${seed}${churn ? `, churn ${churn}` : ''}, ${rules} rules)`;

  // `iptables-nft-restore --test` only parses: it does not notice a jump to an undeclared
  // chain, so check the references here (the --roundtrip restore checks them for real).
  const problems = checkReferences(text);
  if (problems.length) {
    failed = true;
    process.stdout.write(`FAIL  ${problems.length} reference problems, e.g.\n  ${problems.slice(0, 5).join('\n  ')}\n`);
  } else process.stdout.write(`OK    every chain that is jumped to or appended to is declared in its table\n`);

  const add = run('ip', ['netns', 'add', ns]);
  if (add.status !== 0) throw new Error(`ip netns add ${ns} failed: ${add.stderr || add.error}`);
  created = true;

  const test = run('ip', ['netns', 'exec', ns, 'iptables-nft-restore', '--test'], text);
  if (test.status === 0) process.stdout.write(`OK    iptables-nft-restore --test accepted ${label} in namespace ${ns}\n`);
  else {
    failed = true;
    process.stdout.write(`FAIL  iptables-nft-restore --test rejected ${label} (exit ${test.status}):\n${test.stderr}\n`);
  }

  if (roundtrip && !failed) {
    const restore = run('ip', ['netns', 'exec', ns, 'iptables-nft-restore'], text);
    if (restore.status !== 0) {
      failed = true;
      process.stdout.write(`FAIL  iptables-nft-restore (real, in ${ns}) exit ${restore.status}:\n${restore.stderr}\n`);
    } else {
      const save = run('ip', ['netns', 'exec', ns, 'iptables-nft-save']);
      const strip = (t) => t.split('\n').filter((l) => l && !l.startsWith('#'));
      const a = strip(text);
      const b = strip(save.stdout);
      const firstDiff = a.findIndex((l, i) => l !== b[i]);
      if (save.status === 0 && a.length === b.length && firstDiff === -1) {
        process.stdout.write(`OK    restored into ${ns}; iptables-nft-save prints the same ${a.length} lines back\n`);
      } else {
        failed = true;
        const i = firstDiff === -1 ? Math.min(a.length, b.length) : firstDiff;
        process.stdout.write(`FAIL  round trip differs (${a.length} vs ${b.length} lines) at line ${i + 1}:\n  generated: ${a[i]}\n  saved:     ${b[i]}\n`);
      }
    }
  }
} catch (err) {
  failed = true;
  process.stdout.write(`FAIL  ${err.message}\n`);
} finally {
  cleanup();
}
process.exitCode = failed ? 1 : 0;

function checkReferences(text) {
  const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'MARK', 'DNAT', 'SNAT', 'MASQUERADE', 'LOG', 'CONNMARK']);
  const problems = [];
  let declared = null;
  let table = null;
  const pending = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.startsWith('*')) {
      table = line.slice(1);
      declared = new Set();
      pending.length = 0;
    } else if (line.startsWith(':')) declared.add(line.slice(1, line.indexOf(' ')));
    else if (line.startsWith('-A ')) {
      const chain = line.slice(3, line.indexOf(' ', 3));
      if (!declared.has(chain)) problems.push(`line ${i + 1}: -A ${chain} in *${table}, chain not declared`);
      const m = / -[jg] (\S+)/.exec(line);
      if (m && !TARGETS.has(m[1])) pending.push([i + 1, m[1]]);
    } else if (line === 'COMMIT') {
      for (const [n, target] of pending) if (!declared.has(target)) problems.push(`line ${n}: jump to ${target}, not declared in *${table}`);
    }
  }
  return problems;
}
