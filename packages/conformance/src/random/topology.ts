// The fixed host the random cases run on: a host with two uplinks and a bridge with two neighbours, plus an
// external host behind the default gateway. One topology for every case keeps a case cheap (only the rules are
// reloaded); its addresses are what the generator draws from.
export const RANDOM_HOST_CONTEXT = {
  hostname: 'random',
  interfaces: [
    { name: 'lo', type: 'loopback', addresses: ['127.0.0.1/8'] },
    { name: 'eth0', mac: '52:54:00:00:00:01', addresses: ['198.51.100.1/24'] },
    { name: 'eth1', mac: '52:54:00:00:01:01', addresses: ['203.0.113.1/24'] },
    { name: 'br0', type: 'bridge', mac: '02:00:0a:00:00:01', addresses: ['10.0.0.1/24'] },
    { name: 'vb1', type: 'veth', master: 'br0', mac: '9a:00:00:00:00:02' },
    { name: 'vb2', type: 'veth', master: 'br0', mac: '9a:00:00:00:00:03' },
  ],
  routes: [{ dst: 'default', via: '198.51.100.254', dev: 'eth0' }],
  neighbors: [
    { name: 'gw', ip: '198.51.100.254', mac: '52:54:00:00:00:fe', dev: 'eth0' },
    { name: 'wan', ip: '198.51.100.7', mac: '52:54:00:00:00:07', dev: 'eth0' },
    { name: 'lan', ip: '203.0.113.5', mac: '52:54:00:00:01:05', dev: 'eth1' },
    { name: 'b1', ip: '10.0.0.2', mac: '02:00:0a:00:00:02', dev: 'br0', port: 'vb1' },
    { name: 'b2', ip: '10.0.0.3', mac: '02:00:0a:00:00:03', dev: 'br0', port: 'vb2' },
  ],
  sysctl: { 'net.ipv4.ip_forward': 1, 'net.bridge.bridge-nf-call-iptables': 1 },
};

export const RANDOM_HOST_JSON = JSON.stringify(RANDOM_HOST_CONTEXT, null, 2);

/** The host beyond the gateway (the gateway routes everything else back to the host, see random-lab.ts). */
export const EXTERNAL = '192.0.2.50';

/** The host's own addresses, by interface. */
export const HOST_ADDRESSES = { eth0: '198.51.100.1', eth1: '203.0.113.1', br0: '10.0.0.1' } as const;

/** Where a packet can come from: a neighbour by name, the external host by address, or the host itself. */
export const SOURCES = ['wan', 'lan', 'b1', 'b2', 'gw', EXTERNAL, 'host'] as const;
export type Source = (typeof SOURCES)[number];

export const NEIGHBOUR_ADDRESS: Record<string, string> = { gw: '198.51.100.254', wan: '198.51.100.7', lan: '203.0.113.5', b1: '10.0.0.2', b2: '10.0.0.3' };

export const DESTINATIONS: readonly string[] = [
  ...Object.values(HOST_ADDRESSES),
  ...Object.values(NEIGHBOUR_ADDRESS),
  EXTERNAL,
];

/** Which side of the host an endpoint is on: packets between two endpoints on the same side of eth0 never cross
 *  the host (the gateway, `wan` and the external host talk to each other directly), so they are not drawn. */
export function segmentOf(endpoint: string): string {
  if (endpoint === 'host' || Object.values(HOST_ADDRESSES).includes(endpoint as never)) return 'host';
  if (endpoint === 'gw' || endpoint === 'wan' || endpoint === EXTERNAL || endpoint === NEIGHBOUR_ADDRESS.gw || endpoint === NEIGHBOUR_ADDRESS.wan) return 'eth0';
  return endpoint;
}

/** Address a packet from `source` carries: the neighbour's, the external host's, or (host) the address the
 *  host selects for the route to `dst` (RFC 1122 source selection as `ip route get` does: the egress device's). */
export function sourceAddress(source: Source, dst: string): string {
  if (source === 'host') {
    if (dst.startsWith('10.0.0.')) return HOST_ADDRESSES.br0;
    if (dst.startsWith('203.0.113.')) return HOST_ADDRESSES.eth1;
    return HOST_ADDRESSES.eth0;
  }
  return NEIGHBOUR_ADDRESS[source] ?? source;
}

/** Addresses and prefixes rules test: the host's, the neighbours', their subnets and wider ones. */
export const ADDRESS_POOL: readonly string[] = [
  ...DESTINATIONS,
  '10.0.0.0/24', '198.51.100.0/24', '203.0.113.0/24', '192.0.2.0/24', '10.0.0.0/8', '192.0.0.0/3', '0.0.0.0/1', '198.51.100.0/25',
];

export const INTERFACES: readonly string[] = ['eth0', 'eth1', 'br0', 'eth+', 'lo'];

/**
 * The ipsets every random case may test or change (`ipset save` text, restored in the lab's host namespace before
 * each packet, since SET targets change them), over the topology's addresses, the generator's ports and the bridge
 * ports, with each set type's dimensions. The flags a rule may give, by set.
 */
export const RANDOM_IPSETS = `create r-nets hash:net family inet hashsize 1024 maxelem 65536
add r-nets 10.0.0.0/24
add r-nets 10.0.0.3 nomatch
add r-nets 198.51.100.0/25
create r-hosts hash:ip family inet hashsize 1024 maxelem 65536
add r-hosts 203.0.113.5
add r-hosts 192.0.2.50
add r-hosts 198.51.100.1
create r-svc hash:ip,port family inet hashsize 1024 maxelem 65536
add r-svc 10.0.0.2,tcp:80
add r-svc 203.0.113.5,udp:53
add r-svc 198.51.100.1,tcp:22
add r-svc 10.0.0.3,icmp:8/0
create r-ports bitmap:port range 0-65535
add r-ports 22
add r-ports 80
add r-ports 8080
create r-ifnets hash:net,iface family inet hashsize 1024 maxelem 65536
add r-ifnets 10.0.0.0/24,br0
add r-ifnets 203.0.113.0/24,eth1
add r-ifnets 192.0.0.0/3,physdev:vb1
create r-phys hash:net,iface family inet hashsize 1024 maxelem 65536
add r-phys 10.0.0.0/24,physdev:vb1
add r-phys 10.0.0.0/24,physdev:vb2
create r-list list:set size 8
add r-list r-hosts
add r-list r-nets
`;

export const IPSET_FLAGS: Record<string, readonly string[]> = {
  'r-nets': ['src', 'dst'],
  'r-hosts': ['src', 'dst'],
  'r-svc': ['src,src', 'src,dst', 'dst,dst', 'dst,src'],
  'r-ports': ['src', 'dst'],
  'r-ifnets': ['src,src', 'dst,dst', 'src,dst', 'dst,src'],
  // Bridge-port entries: bridged packets between b1 and b2 have these addresses and ports.
  'r-phys': ['src,src', 'dst,dst'],
  'r-list': ['src', 'dst'],
};
export const PORTS: readonly string[] = ['vb1', 'vb2'];
