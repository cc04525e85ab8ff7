// The scenarios whose kernel traces are recorded into fixtures/trace/recorded/ by record-kernel-traces.mjs and
// replayed against the simulator by packages/trace/test/kernel-recorded.test.ts. Paths are relative to the
// repository root; `shared:` paths are under the shared data folder next to the repository (the seed).
//
// A flow is what the kernel lab sends (kernel-lab FlowSpec: from/to a neighbour, 'host' or an address; icmp, tcp,
// udp); `repeat` sends it again as separate flows (random endpoint choices). The test derives the simulator's
// packet from the flow (packages/trace/test/kernel-recorded.test.ts).

const tcp = (name, from, to, dport, extra = {}) => ({ name, from, to, proto: 'tcp', dport, ...extra });
const icmp = (name, from, to, extra = {}) => ({ name, from, to, proto: 'icmp', expectReply: true, ...extra });

export const SCENARIOS = [
  {
    name: 'docker-2017',
    hostContext: 'shared:seed/docker-2017.host.json',
    iptables: 'shared:seed/docker-2017.iptables-save',
    // ebtables-nft has no broute table (docs/netfilter.md §lab-limits): the broute table is left out of the nft recording.
    ebtables: 'shared:seed/docker-2017.ebtables-save',
    backends: ['legacy', 'nft'],
    flows: [
      icmp('c1-c2', 'c1', 'c2', { count: 2 }),
      icmp('host-c1', 'host', 'c1'),
      icmp('host-external', 'host', '10.28.61.30'),
      icmp('c1-external', 'c1', '10.28.61.30', { count: 2 }),
    ],
  },
  {
    name: 'docker-host',
    hostContext: 'fixtures/trace/docker-host/host.json',
    iptables: 'fixtures/docker-host/iptables-save',
    backends: ['legacy', 'nft'],
    flows: [
      tcp('published-port', '203.0.113.7', '198.51.100.10', 8080),
      tcp('worker-web', 'worker', 'web', 80, { expectReply: true }),
      tcp('hairpin-published', 'worker', '198.51.100.10', 8080),
      icmp('web-external', 'web', '203.0.113.7'),
      icmp('host-web', 'host', 'web'),
      tcp('host-published', 'host', '198.51.100.10', 8080),
    ],
  },
  {
    name: 'docker-28',
    hostContext: 'fixtures/trace/docker-28/host.json',
    iptables: 'fixtures/trace/docker-28/iptables-save',
    backends: ['legacy', 'nft'],
    flows: [
      tcp('published-port', '203.0.113.9', '198.51.100.20', 8080),
      icmp('app1-app2', 'app1', 'app2'),
      icmp('app1-web-isolated', 'app1', 'web', { expectReply: false }),
      icmp('web-app1-isolated', 'web', 'app1', { expectReply: false }),
      icmp('app1-external', 'app1', '203.0.113.9'),
      tcp('app1-published', 'app1', '198.51.100.20', 8080),
    ],
  },
  {
    name: 'firewall',
    hostContext: 'fixtures/trace/firewall/host.json',
    iptables: 'fixtures/trace/firewall/iptables-save',
    backends: ['legacy', 'nft'],
    flows: [
      tcp('ssh-from-outside', 'outside', '192.0.2.10', 22),
      tcp('https-from-outside', 'outside', '192.0.2.10', 443),
      tcp('https-from-lan', 'lan', '10.1.0.1', 443),
      tcp('smtp-reject', 'outside', '192.0.2.10', 25),
      tcp('goto-logdrop', 'outside', '192.0.2.10', 8080),
      { name: 'dns', from: 'lan', to: '10.1.0.1', proto: 'udp', dport: 53 },
      icmp('ping-host', 'outside', '192.0.2.10'),
      icmp('lan-to-internet', 'lan', '198.51.100.99'),
      { name: 'local-udp-drop', from: 'host', to: '192.0.2.77', proto: 'udp', dport: 9999 },
    ],
  },
  {
    name: 'kube-loadbalancer',
    hostContext: 'fixtures/trace/kube-node/host.json',
    iptables: 'fixtures/trace/corpus/TestLoadBalancer.iptables-save',
    backends: ['legacy', 'nft'],
    flows: [
      tcp('pod-clusterip', 'client', '172.30.0.41', 80),
      tcp('node-clusterip', 'host', '172.30.0.41', 80),
      tcp('lb-allowed-source', 'allowed', '1.2.3.4', 80),
      tcp('lb-blocked-source', 'blocked', '1.2.3.4', 80),
      tcp('nodeport-from-outside', '198.51.100.50', '192.168.0.2', 3001),
      tcp('hairpin', 'ep1', '172.30.0.41', 80),
    ],
  },
  {
    name: 'kube-cluster-3-endpoints',
    hostContext: 'fixtures/trace/kube-node/host.json',
    iptables: 'fixtures/trace/corpus/TestInternalTrafficPolicyE2E--cluster.iptables-save',
    backends: ['legacy'],
    flows: [tcp('pod-clusterip', 'c2', '172.30.1.1', 80, { repeat: 12 })],
  },
  {
    name: 'kube-no-endpoints',
    hostContext: 'fixtures/trace/kube-node/host.json',
    iptables: 'fixtures/trace/corpus/TestClusterIPReject.iptables-save',
    backends: ['legacy', 'nft'],
    flows: [tcp('pod-clusterip', 'client', '172.30.0.41', 80), tcp('node-clusterip', 'host', '172.30.0.41', 80)],
  },
  {
    name: 'kube-local-policy',
    hostContext: 'fixtures/trace/kube-node/host.json',
    iptables: 'fixtures/trace/corpus/TestOnlyLocalLoadBalancing.iptables-save',
    backends: ['legacy'],
    flows: [
      tcp('lb-from-outside', 'allowed', '1.2.3.4', 80),
      tcp('nodeport-from-outside', '198.51.100.50', '192.168.0.2', 3001),
      tcp('pod-to-lb', 'client', '1.2.3.4', 80, { repeat: 6 }),
    ],
  },
];
