// A kube-proxy ruleset in its nftables mode (GA since Kubernetes 1.33), as `nft list ruleset` prints it, for N
// services: modelled on the expectations of kube-proxy's nftables proxier tests (pkg/proxy/nftables/proxier_test.go,
// TestOverallNFTablesRules: the base chains and maps, then per service a `service-…` chain that marks for
// masquerade and picks an endpoint with `numgen random mod K vmap { … }`, and an `endpoint-…` chain per endpoint
// that DNATs; the `service-ips` verdict map sends each ClusterIP . proto . port there, every 10th service also
// has a NodePort through `service-nodeports` and an `external-…` chain). Deterministic for a given N.
//
//   node bench/gen-kube-proxy-nft.mjs 10000 > out/kube-proxy-nft-10k.nft
//   import { renderNftRuleset } from './gen-kube-proxy-nft.mjs'
//
// The listing loads with `nft -f` as written (nft adds a table block's chains before the elements that name them).

const ENDPOINTS = 2;

/** kube-proxy's chain-name hash (servicePortChainNameBase: base32 of a sha256, 8 characters); here a stable stand-in. */
function hash8(s) {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let out = '';
  for (let i = 0; i < 8; i++) { out += alphabet[h & 31]; h = (Math.imul(h, 2654435761) >>> 0) ^ (h >>> 5); }
  return out;
}

const ip = (a, i) => `${a}.${(i >> 8) & 255}.${i & 255}`;

/** One service: its names and addresses. */
function service(i) {
  const name = `ns${i % 50}/svc${i}/tcp/p80`;
  const h = hash8(name);
  const eps = Array.from({ length: ENDPOINTS }, (_, k) => {
    const addr = ip('10.180', i * ENDPOINTS + k + 1);
    return { addr, chain: `endpoint-${hash8(`${name}${addr}`)}-${name}__${addr}/80` };
  });
  return { name, clusterIP: ip('172.30', i + 1), svcChain: `service-${h}-${name}`, extChain: `external-${h}-${name}`, nodePort: i % 10 === 0 ? 30000 + (i / 10) : null, eps };
}

/** nft's element lists: a named set's elements wrapped as nft prints them (`,` then a newline and the indent). */
function elements(items) {
  return items.length ? `\t\telements = { ${items.join(',\n\t\t\t     ')} }\n` : '';
}

export function renderNftRuleset(n) {
  const svcs = Array.from({ length: n }, (_, i) => service(i));
  const out = [];
  out.push('table ip kube-proxy {', '\tcomment "rules for kube-proxy"');
  // ipv4_addr sets: nft prints two elements per line.
  const clusterIps = [];
  for (let i = 0; i < svcs.length; i += 2) clusterIps.push(svcs.slice(i, i + 2).map((s) => s.clusterIP).join(', '));
  out.push('\tset cluster-ips {\n\t\ttype ipv4_addr\n\t\tcomment "Active ClusterIPs"\n' + elements(clusterIps) + '\t}\n');
  out.push('\tset nodeport-ips {\n\t\ttype ipv4_addr\n\t\tcomment "IPs that accept NodePort traffic"\n\t\telements = { 192.168.0.2 }\n\t}\n');
  out.push('\tmap no-endpoint-nodeports {\n\t\ttype inet_proto . inet_service : verdict\n\t\tcomment "vmap to drop or reject packets to service nodeports with no endpoints"\n\t}\n');
  out.push('\tmap no-endpoint-services {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\tcomment "vmap to drop or reject packets to services with no endpoints"\n\t}\n');
  out.push('\tmap service-ips {\n\t\ttype ipv4_addr . inet_proto . inet_service : verdict\n\t\tcomment "ClusterIP, ExternalIP and LoadBalancer IP traffic"\n'
    + elements(svcs.map((s) => `${s.clusterIP} . tcp . 80 : goto ${s.svcChain}`)) + '\t}\n');
  out.push('\tmap service-nodeports {\n\t\ttype inet_proto . inet_service : verdict\n\t\tcomment "NodePort traffic"\n'
    + elements(svcs.filter((s) => s.nodePort !== null).map((s) => `tcp . ${s.nodePort} : goto ${s.extChain}`)) + '\t}\n');
  const chain = (name, lines) => out.push(`\tchain ${name} {\n${lines.map((l) => `\t\t${l}\n`).join('')}\t}\n`);
  chain('cluster-ips-check', ['ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"', 'ip daddr 172.30.0.0/16 drop comment "Drop traffic to unallocated ClusterIPs"']);
  chain('filter-prerouting-pre-dnat', ['type filter hook prerouting priority dstnat - 10; policy accept;']);
  chain('filter-output-pre-dnat', ['type filter hook output priority -110; policy accept;']);
  chain('filter-forward', ['type filter hook forward priority filter; policy accept;', 'ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check']);
  chain('filter-input', ['type filter hook input priority filter; policy accept;', 'ct state new jump nodeport-endpoints-check', 'ct state new jump service-endpoints-check']);
  chain('filter-output', ['type filter hook output priority filter; policy accept;', 'ct state new jump service-endpoints-check', 'ct state new jump cluster-ips-check']);
  chain('mark-for-masquerade', ['meta mark set meta mark | 0x00004000']);
  chain('masquerading', ['meta mark & 0x00004000 == 0x00000000 return', 'meta mark set meta mark ^ 0x00004000', 'masquerade fully-random']);
  chain('nat-output', ['type nat hook output priority -100; policy accept;', 'jump services']);
  chain('nat-postrouting', ['type nat hook postrouting priority srcnat; policy accept;', 'jump masquerading']);
  chain('nat-prerouting', ['type nat hook prerouting priority dstnat; policy accept;', 'jump services']);
  chain('nodeport-endpoints-check', ['ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports']);
  chain('reject-chain', ['comment "helper for @no-endpoint-services / @no-endpoint-nodeports"', 'reject']);
  chain('services', ['ip daddr . meta l4proto . th dport vmap @service-ips', 'ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports']);
  chain('service-endpoints-check', ['ip daddr . meta l4proto . th dport vmap @no-endpoint-services']);
  for (const s of svcs) {
    const pick = s.eps.map((e, k) => `${k} : goto ${e.chain}`).join(', ');
    chain(s.svcChain, [`ip daddr ${s.clusterIP} ip saddr != 10.0.0.0/8 jump mark-for-masquerade`, `numgen random mod ${s.eps.length} vmap { ${pick} }`]);
    if (s.nodePort !== null) chain(s.extChain, ['jump mark-for-masquerade', `goto ${s.svcChain}`]);
    for (const e of s.eps) chain(e.chain, [`ip saddr ${e.addr} jump mark-for-masquerade`, `meta l4proto tcp dnat to ${e.addr}:80`]);
  }
  // nft separates a table's items by one blank line.
  return `${out.join('\n').replace(/\n\n+$/, '\n')}}\n`;
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(renderNftRuleset(Number(process.argv[2] ?? 10000)));
