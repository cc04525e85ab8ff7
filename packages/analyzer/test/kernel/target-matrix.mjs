#!/usr/bin/env node
// Records where the kernel accepts each target: one rule per (family, target, table, built-in chain), restored
// into a throwaway network namespace (`unshare -n`, gone when the restore exits) with the legacy and the nft
// backend; ebtables with ebtables-nft only (this kernel has no legacy ebtables tables). Linux, root.
//   node packages/analyzer/test/kernel/target-matrix.mjs > packages/analyzer/test/kernel/target-places.json
// Imported by the test for the rule texts. The output lists, per backend, family and target, the `table/CHAIN` places where the restore succeeded.
// test/places.test.ts compares it with src/model/places.ts.
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export const IP_TABLES = {
  raw: ['PREROUTING', 'OUTPUT'],
  mangle: ['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING'],
  nat: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'],
  filter: ['INPUT', 'FORWARD', 'OUTPUT'],
  security: ['INPUT', 'FORWARD', 'OUTPUT'],
};
export const EB_TABLES = { filter: ['INPUT', 'FORWARD', 'OUTPUT'], nat: ['PREROUTING', 'OUTPUT', 'POSTROUTING'] };

export const V4 = {
  REJECT: '-j REJECT', DNAT: '-j DNAT --to-destination 192.0.2.1', SNAT: '-j SNAT --to-source 192.0.2.1',
  MASQUERADE: '-j MASQUERADE', REDIRECT: '-j REDIRECT', NETMAP: '-j NETMAP --to 192.0.2.0/24',
  TPROXY: '-p tcp -j TPROXY --on-port 1 --tproxy-mark 0x1/0x1', TRACE: '-j TRACE', CT: '-j CT --notrack', NOTRACK: '-j NOTRACK',
  DSCP: '-j DSCP --set-dscp 1', TOS: '-j TOS --set-tos 0x10', TTL: '-j TTL --ttl-set 64', ECN: '-p tcp -j ECN --ecn-tcp-remove',
  CLASSIFY: '-j CLASSIFY --set-class 1:1', CHECKSUM: '-j CHECKSUM --checksum-fill',
  'TCPMSS --clamp-mss-to-pmtu': '-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu',
  'TCPMSS --set-mss': '-p tcp -m tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss 1400',
  MARK: '-j MARK --set-xmark 0x1/0xffffffff', CONNMARK: '-j CONNMARK --set-xmark 0x1/0xffffffff', LOG: '-j LOG', NFLOG: '-j NFLOG',
  TEE: '-j TEE --gateway 192.0.2.1', NFQUEUE: '-j NFQUEUE --queue-num 1',
  SYNPROXY: '-p tcp -m conntrack --ctstate INVALID,UNTRACKED -j SYNPROXY --mss 1460', AUDIT: '-j AUDIT --type accept',
};
export const V6 = {
  ...V4, DNAT: '-j DNAT --to-destination 2001:db8::1', SNAT: '-j SNAT --to-source 2001:db8::1', NETMAP: '-j NETMAP --to 2001:db8::/64',
  TEE: '-j TEE --gateway 2001:db8::1', HL: '-j HL --hl-set 64',
};
delete V6.TTL; delete V6.TOS; delete V6.ECN;
export const EB = {
  snat: '-j snat --to-source 02:00:00:00:00:01', dnat: '-j dnat --to-destination 02:00:00:00:00:01', redirect: '-j redirect',
  arpreply: '-p ARP -j arpreply --arpreply-mac 02:00:00:00:00:01', mark: '-j mark --mark-set 0x1',
};

function accepted(tool, text) {
  return spawnSync('unshare', ['-n', tool], { input: text, encoding: 'utf8' }).status === 0;
}

function record() {
  const out = { kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(), places: {} };
  for (const backend of ['legacy', 'nft']) {
    for (const [family, targets, tool] of [['ipv4', V4, 'iptables'], ['ipv6', V6, 'ip6tables']]) {
      for (const [name, args] of Object.entries(targets)) {
        const ok = [];
        for (const [table, chains] of Object.entries(IP_TABLES)) {
          for (const chain of chains) if (accepted(`${tool}-${backend}-restore`, `*${table}\n-A ${chain} ${args}\nCOMMIT\n`)) ok.push(`${table}/${chain}`);
        }
        ((out.places[backend] ??= {})[family] ??= {})[name] = ok;
      }
    }
  }
  for (const [name, args] of Object.entries(EB)) {
    const ok = [];
    for (const [table, chains] of Object.entries(EB_TABLES)) {
      for (const chain of chains) if (accepted('ebtables-nft-restore', `*${table}\n:${chain} ACCEPT\n-A ${chain} ${args}\n`)) ok.push(`${table}/${chain}`);
    }
    ((out.places.nft ??= {}).bridge ??= {})[name] = ok;
  }
  out.tables = { ip: IP_TABLES, bridge: EB_TABLES };
  process.stdout.write(JSON.stringify(out, null, 1) + '\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) record();
