// The host facts chainsight reads from iproute2's JSON, against the kernel: every scenario's host context is
// built in namespaces, captured there with the one command the trace help gives, read back with
// hostContextFromIproute, and the result must hold the same interfaces, addresses, bridge ports, routes, policy
// rules and neighbours as the context the namespaces were built from.
//
// CONFORMANCE_RECORD=1 also writes the capture of fixtures/docker-host to fixtures/docker-host/host.iproute.json
// (the offline tests read it).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildTopology, labAvailability, withLab, type HostContext as LabHostContext } from '@chainsight/kernel-lab';
import { hostContextFromIproute, parseCidr, type HostContext, type HostRule } from '@chainsight/trace';
import { sharedMissing } from '../../../test-support/shared';
import { fixturesDir, isCI, repoRoot, sharedDir } from './paths';

/** The capture command of `chainsight trace --help`, one command at a time. */
const CAPTURE = [
  ['ip', '-j', '-d', 'addr'],
  ['ip', '-j', 'route', 'show', 'table', 'all'],
  ['ip', '-j', 'rule'],
  ['ip', '-j', 'neigh'],
  ['bridge', '-j', 'fdb'],
];

const contexts: [string, string][] = [
  ['docker-host', path.join(repoRoot, 'fixtures', 'docker-host', 'host.json')],
  ...['bridge-ebtables', 'docker-modern', 'firewall', 'kube-proxy', 'policy-routing', 'policy-selectors'].map((n): [string, string] => [n, path.join(fixturesDir, n, 'host.json')]),
];
// The seed's context lives in the shared folder: without it, a notice (a failure under CI=true) instead of a row.
const seedContext = path.join(sharedDir, 'seed', 'docker-2017.host.json');
if (existsSync(seedContext)) contexts.push(['docker-2017 (seed)', seedContext]);
else sharedMissing('the seed host context (docker-2017.host.json)');

const lab = labAvailability();
if (!lab.ok) {
  const line = '!'.repeat(78);
  console.warn(`\n${line}\n!! SKIPPED the iproute2 capture suite: ${lab.reason}\n!! (needs Linux, root and the kernel lab's tools; under CI=true this is a failure)\n${line}\n`);
}

/** Addresses the kernel gives an interface by itself: IPv6 link-local ones, and ::1 on lo. */
const kernelOwn = (cidr: string) => /^fe80:/i.test(cidr) || cidr === '::1/128';
const onLink = (ctx: HostContext, dev: string | undefined, ip: string): boolean => {
  const a = parseCidr(ip);
  const iface = ctx.interfaces.find((i) => i.name === dev);
  return !!a && !!iface && (iface.addresses ?? []).some((x) => {
    const c = parseCidr(x)!;
    const bits = BigInt(c.version === 4 ? 32 : 128);
    const shift = bits - BigInt(c.prefix);
    return c.version === a.version && a.address >> shift === c.address >> shift;
  });
};

describe.skipIf(!lab.ok && !isCI)('host facts read from iproute2 captures agree with the namespaces they were captured in', () => {
  it('has the kernel lab', () => expect(lab.ok ? null : lab.reason).toBeNull());

  it.each(contexts)('%s', { timeout: 60_000 }, async (name, file) => {
    if (!existsSync(file)) {
      expect(isCI ? `${file} is missing` : null).toBeNull();
      return;
    }
    const original = JSON.parse(readFileSync(file, 'utf8')) as HostContext;
    await withLab(async (l) => {
      const topo = await buildTopology(l, original as unknown as LabHostContext);
      const outputs: string[] = [];
      for (const argv of CAPTURE) outputs.push((await l.execOk(topo.hostNs, argv)).stdout.trim());
      const capture = outputs.join('\n') + '\n';
      if (process.env.CONFORMANCE_RECORD === '1' && name === 'docker-host') {
        writeFileSync(path.join(repoRoot, 'fixtures', 'docker-host', 'host.iproute.json'), capture);
      }
      const r = hostContextFromIproute([{ text: capture, fileName: `${name}.iproute.json` }]);
      expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      const got = r.context!;
      const nameOf = (n: string) => topo.interfaceNames.get(n) ?? n;

      for (const i of original.interfaces) {
        const g = got.interfaces.find((x) => x.name === nameOf(i.name));
        expect(g, `interface ${i.name}`).toBeDefined();
        expect((g!.addresses ?? []).filter((a) => !kernelOwn(a) || (i.addresses ?? []).includes(a)).sort(), `${i.name} addresses`).toEqual([...(i.addresses ?? [])].sort());
        expect(g!.master, `${i.name} master`).toBe(i.master === undefined ? undefined : nameOf(i.master));
        if (i.mac) expect(g!.mac, `${i.name} MAC`).toBe(i.mac);
        if (i.type === 'bridge' || i.type === 'loopback') expect(g!.type, `${i.name} type`).toBe(i.type);
        expect(!!g!.hairpin, `${i.name} hairpin`).toBe(!!i.hairpin);
      }
      for (const route of original.routes.filter((x) => (x.table ?? 'main') === 'main')) {
        const want = { dst: route.dst, via: route.via, dev: route.dev === undefined ? undefined : nameOf(route.dev) };
        const same = got.routes.some((x) => (x.dst === want.dst || (want.dst === 'default' && x.dst === '::/0'))
          && x.via === want.via && (want.dev === undefined || x.dev === want.dev));
        expect(same, `route ${JSON.stringify(route)} in ${JSON.stringify(got.routes)}`).toBe(true);
      }
      // Policy rules: the kernel lists its own three (local, main, default) beside those the context adds.
      const ruleKey = (x: HostRule) => [
        x.priority, x.not ? 'not' : '', x.from ?? 'all', x.to ?? 'all', x.fwmark ?? '-', x.ipproto ?? '-', x.sport ?? '-', x.dport ?? '-',
        x.suppress_prefixlength ?? '-', x.action ?? (x.goto !== undefined ? 'goto' : 'lookup'), x.goto ?? x.table,
      ].join(' ');
      expect(got.rules?.map(ruleKey), 'rules').toEqual(
        (original.rules ?? [{ priority: 0, table: 'local' }, { priority: 32766, table: 'main' }, { priority: 32767, table: 'default' }]).map(ruleKey),
      );
      // Neighbours the host reaches on a link are in its neighbour table once the lab's warm-up pinged them;
      // hosts behind a gateway are not (they have no neighbour entry, in the kernel or in the capture).
      for (const n of original.neighbors.filter((x) => x.mac && onLink(original, x.dev, x.ip))) {
        const g = got.neighbors.find((x) => x.ip === n.ip);
        expect(g, `neighbour ${n.ip}`).toBeDefined();
        expect(g!.mac, `neighbour ${n.ip} MAC`).toBe(n.mac);
        expect(g!.dev, `neighbour ${n.ip} dev`).toBe(n.dev === undefined ? undefined : nameOf(n.dev));
        expect(g!.port, `neighbour ${n.ip} port`).toBe(n.port === undefined ? undefined : nameOf(n.port));
      }
    });
  });
});
