// kube-proxy's nftables mode names its per-service chains `<kind>-<hash>-<ns>/<name>/<proto>/<port>` and its
// endpoint chains `endpoint-<hash>-<ns>/<name>/<proto>/<port>__<ip>/<port>` (pkg/proxy/nftables/proxier.go
// servicePortChainNameBase, servicePortEndpointChainNameBase; `affinity-` names sets: the hash is the first 8 characters of base32(sha256)
// of the readable part). The readable suffix pairs them with their service, so a diff reads by service.
import type { KubeRef } from './types';

const KUBE_CHAIN = /^(service|local|external|endpoint|firewall|affinity)-[A-Z2-7]{8}-([^/\s]+\/[^/\s]+\/[a-z]+\/[^/\s_]+)(?:__(.+))?$/;

/** The service (and endpoint) a kube-proxy chain name belongs to; undefined for other names. */
export function kubeRef(chain: string): KubeRef | undefined {
  const m = KUBE_CHAIN.exec(chain);
  if (!m) return undefined;
  return m[3] !== undefined ? { service: m[2]!, endpoint: m[3] } : { service: m[2]! };
}
