// buildTopology: the seed host context rebuilt in namespaces, linked only to each other.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { buildTopology, getSysctl, runCommand, requireTool, withLab, type HostContext } from '../src/index.js';
import { describeLab, sharedDir } from './lab-gate.js';

interface IpAddr {
  ifname: string;
  address?: string;
  master?: string;
  addr_info: { local: string; prefixlen: number }[];
  // (ip -j link: address = MAC; ip -4 -j addr: addr_info)
}

async function initialNamespaceState(): Promise<string> {
  // Read-only look at the initial namespace: its links and routes must not change.
  const links = await runCommand([requireTool('ip'), '-o', 'link', 'show'], { timeoutMs: 5000 });
  const routes = await runCommand([requireTool('ip'), 'route', 'show', 'table', 'all'], { timeoutMs: 5000 });
  return links.stdout.replace(/link-netns[^\n]*|state \S+|qlen \d+/g, '') + routes.stdout;
}

describeLab(
  'buildTopology',
  () => {
    it('rebuilds the seed Docker host: bridge, ports, uplink, neighbours, gateway and an external host', { timeout: 20_000 }, async () => {
      const ctx = JSON.parse(readFileSync(path.join(sharedDir, 'seed', 'docker-2017.host.json'), 'utf8')) as HostContext;
      const before = await initialNamespaceState();
      await withLab(async (lab) => {
        const topo = await buildTopology(lab, ctx, { externalHosts: ['10.28.61.30'] });
        expect(topo.warnings).toEqual([]);
        const links = JSON.parse((await lab.execOk(topo.hostNs, ['ip', '-j', 'link', 'show'])).stdout) as IpAddr[];
        const addrs = JSON.parse((await lab.execOk(topo.hostNs, ['ip', '-4', '-j', 'addr', 'show'])).stdout) as IpAddr[];
        const link = (n: string) => links.find((a) => a.ifname === n)!;
        const addr = (n: string) => addrs.find((a) => a.ifname === n)!.addr_info.map((i) => `${i.local}/${i.prefixlen}`);
        expect(link('docker0').address).toBe('02:42:ff:27:17:4d');
        expect(addr('docker0')).toEqual(['192.168.0.1/20']);
        expect(link('veth0594f4b')).toMatchObject({ master: 'docker0', address: '96:5b:d4:80:73:5f' });
        expect(link('veth57a3dec')).toMatchObject({ master: 'docker0', address: '02:52:e9:60:ea:b1' });
        expect(link('eth0').address).toBe('00:16:3e:06:3a:3a');
        expect(addr('eth0')).toEqual(['10.171.77.0/21']);
        const routes = (await lab.execOk(topo.hostNs, ['ip', 'route', 'show'])).stdout;
        expect(routes).toMatch(/^default via 10\.171\.79\.247 dev eth0/m);
        expect(await getSysctl(lab, topo.hostNs, 'net.ipv4.ip_forward')).toBe('1');
        expect(await getSysctl(lab, topo.hostNs, 'net.bridge.bridge-nf-call-iptables')).toBe('1');

        const c1 = topo.neighbours.get('c1')!;
        expect(c1).toMatchObject({ ip: '192.168.0.2', dev: 'docker0', port: 'veth0594f4b', gateway: '192.168.0.1' });
        const c1link = JSON.parse((await lab.execOk(c1.ns, ['ip', '-j', 'link', 'show', 'eth0'])).stdout) as IpAddr[];
        const c1addr = JSON.parse((await lab.execOk(c1.ns, ['ip', '-4', '-j', 'addr', 'show', 'eth0'])).stdout) as IpAddr[];
        expect(c1link[0]!.address).toBe('02:42:c0:a8:00:02');
        expect(c1addr[0]!.addr_info.map((i) => `${i.local}/${i.prefixlen}`)).toEqual(['192.168.0.2/20']);
        const gw = topo.neighbours.get('gateway')!;
        expect(gw.gateway).toBeUndefined(); // the default gateway has no default route back into the host
        expect(topo.externals).toEqual([{ ip: '10.28.61.30', ns: expect.stringMatching(/^cs-[0-9a-f]{6}-x0$/), via: 'gateway' }]);
        // Without rules nothing masquerades: c1 reaches c2 and the host; the external host reaches the gateway.
        expect((await lab.exec(c1.ns, ['ping', '-c', '1', '-W', '1', '192.168.0.3'])).code).toBe(0);
        expect((await lab.exec(topo.externals[0]!.ns, ['ping', '-c', '1', '-W', '1', '10.171.77.0'])).code).toBe(0);
        for (const ns of lab.namespaceNames) expect(ns.startsWith(`cs-${lab.runId}-`)).toBe(true);
      });
      expect(await initialNamespaceState()).toBe(before);
    });

    it('shortens interface names the kernel would refuse and creates ports for neighbours without one', { timeout: 20_000 }, async () => {
      const ctx: HostContext = {
        interfaces: [
          { name: 'br-0123456789abcdef', type: 'bridge', addresses: ['172.18.0.1/16'] },
          { name: 'veth-with-a-long-name', type: 'veth', master: 'br-0123456789abcdef' },
        ],
        neighbors: [
          { name: 'web', ip: '172.18.0.2', dev: 'br-0123456789abcdef', port: 'veth-with-a-long-name' },
          { name: 'db', ip: '172.18.0.3', dev: 'br-0123456789abcdef' },
        ],
        sysctl: { 'net.bridge.bridge-nf-call-iptables': 0 },
      };
      await withLab(async (lab) => {
        const topo = await buildTopology(lab, ctx);
        expect(topo.interfaceNames.get('br-0123456789abcdef')).toBe('csif0');
        expect(topo.interfaceNames.get('veth-with-a-long-name')).toBe('csif1');
        expect(topo.neighbours.get('db')!.port).toBe('csp0');
        expect(topo.warnings.join('\n')).toMatch(/renamed 'csif0'[\s\S]*generated port 'csp0'/);
        expect(await getSysctl(lab, topo.hostNs, 'net.bridge.bridge-nf-call-iptables')).toBe('0');
        expect((await lab.exec(topo.neighbours.get('web')!.ns, ['ping', '-c', '1', '-W', '1', '172.18.0.3'])).code).toBe(0);
      });
    });
  },
  { shared: true },
);
