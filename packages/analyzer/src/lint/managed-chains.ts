// Chains that firewall managers create as hooks for later rules or reference by name from outside the ruleset:
// empty and unreferenced by design (the owner fills them or jumps to them when a container, service, zone or
// user rule appears). no-unreferenced-chain and no-empty-chain-jump leave them alone unless the rule's
// `ignoreManagedChains` option is false. Names as the owners create them:
// Docker (docs.docker.com "Packet filtering and firewalls": DOCKER-USER, DOCKER, DOCKER-ISOLATION-STAGE-*),
// kube-proxy/kubelet (pkg/proxy/iptables: KUBE-SERVICES, KUBE-NODEPORTS, KUBE-KUBELET-CANARY…), Calico (cali-*),
// Cilium (CILIUM_*), flannel (FLANNEL-*), firewalld (*_direct, *_ZONES, *_ZONES_SOURCE, zone chains IN_<zone>_allow…),
// ufw (ufw-*, ufw6-*), libvirt (LIBVIRT_*, libvirt-*), fail2ban (f2b-*), OpenWrt fw3 (input_rule, zone_<name>…).
import { chainMatcher } from './names';

export const MANAGED_CHAINS: readonly { owner: string; patterns: readonly string[] }[] = [
  { owner: 'Docker', patterns: ['DOCKER', 'DOCKER-*'] },
  { owner: 'Kubernetes', patterns: ['KUBE-*'] },
  { owner: 'Calico', patterns: ['cali-*'] },
  { owner: 'Cilium', patterns: ['CILIUM_*', 'OLD_CILIUM_*'] },
  { owner: 'flannel', patterns: ['FLANNEL-*'] },
  {
    owner: 'firewalld',
    patterns: ['*_direct', '*_ZONES', '*_ZONES_SOURCE', 'IN_*', 'FWDI_*', 'FWDO_*', 'FWD_*', 'PRE_*', 'POST_*'],
  },
  { owner: 'ufw', patterns: ['ufw-*', 'ufw6-*'] },
  { owner: 'libvirt', patterns: ['LIBVIRT_*', 'libvirt-*'] },
  { owner: 'fail2ban', patterns: ['f2b-*', 'fail2ban-*'] },
  {
    owner: 'OpenWrt fw3',
    patterns: ['input_rule', 'output_rule', 'forwarding_rule', 'prerouting_rule', 'postrouting_rule', 'input_*', 'output_*', 'forwarding_*', 'zone_*', 'delegate_*'],
  },
];

const owners = MANAGED_CHAINS.map((m) => ({ owner: m.owner, test: chainMatcher(m.patterns) }));

/** The software that manages a chain of this name, or null. */
export function chainOwner(name: string): string | null {
  for (const o of owners) if (o.test(name)) return o.owner;
  return null;
}
