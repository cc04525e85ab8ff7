// Name tables iptables/ebtables resolve through libc and their own tables. Copied from Debian's
// /etc/protocols (netbase), /etc/services and /etc/ethertypes (ebtables), and the icmp/icmpv6 type lists
// printed by `iptables -p icmp -h` / `ip6tables -p icmpv6 -h`.

/** Protocol names iptables-save prints (`getprotobynumber`) and accepts. */
export const PROTOCOLS: ReadonlyMap<string, number> = new Map([
  ['all', 0], ['ip', 0], ['icmp', 1], ['igmp', 2], ['ipencap', 4], ['ipv4', 4], ['tcp', 6], ['egp', 8], ['igp', 9], ['udp', 17],
  ['idp', 22], ['xns-idp', 22], ['rdp', 27], ['dccp', 33], ['ipv6', 41], ['ipv6-route', 43],
  ['ipv6-frag', 44], ['idrp', 45], ['rsvp', 46], ['gre', 47], ['esp', 50], ['ah', 51], ['skip', 57],
  ['ipv6-icmp', 58], ['icmpv6', 58], ['icmp6', 58], ['ipv6-nonxt', 59], ['ipv6-opts', 60], ['vmtp', 81],
  ['eigrp', 88], ['ospf', 89], ['ax.25', 93], ['ipip', 94], ['etherip', 97], ['encap', 98], ['pim', 103],
  ['ipcomp', 108], ['vrrp', 112], ['l2tp', 115], ['isis', 124], ['sctp', 132], ['fc', 133],
  ['mobility-header', 135], ['mh', 135], ['ipv6-mh', 135], ['udplite', 136], ['mpls-in-ip', 137], ['manet', 138], ['hip', 139],
  ['shim6', 140], ['wesp', 141], ['rohc', 142], ['ethernet', 143], ['mptcp', 262],
]);

/**
 * The name iptables-save prints for a protocol number. iptables 1.8 prints names only for the few it keeps
 * in its own table (`xtables_chain_protos`) and numbers otherwise; older versions used getprotobynumber.
 */
export const PROTOCOL_PRINT_NAMES: ReadonlyMap<number, string> = new Map([
  [1, 'icmp'], [2, 'igmp'], [6, 'tcp'], [17, 'udp'], [33, 'dccp'], [47, 'gre'], [50, 'esp'], [51, 'ah'],
  [58, 'ipv6-icmp'], [132, 'sctp'], [136, 'udplite'], [135, 'mobility-header'], [41, 'ipv6'], [4, 'ipencap'],
]);

export const SERVICES: ReadonlyMap<string, number> = new Map([
  ['tcpmux', 1], ['echo', 7], ['discard', 9], ['daytime', 13], ['ftp-data', 20], ['ftp', 21], ['ssh', 22],
  ['telnet', 23], ['smtp', 25], ['time', 37], ['whois', 43], ['tacacs', 49], ['domain', 53], ['bootps', 67],
  ['bootpc', 68], ['tftp', 69], ['gopher', 70], ['finger', 79], ['http', 80], ['www', 80], ['kerberos', 88],
  ['pop3', 110], ['sunrpc', 111], ['auth', 113], ['ident', 113], ['nntp', 119], ['ntp', 123],
  ['epmap', 135], ['netbios-ns', 137], ['netbios-dgm', 138], ['netbios-ssn', 139], ['imap2', 143],
  ['imap', 143], ['snmp', 161], ['snmp-trap', 162], ['bgp', 179], ['irc', 194], ['ldap', 389],
  ['https', 443], ['microsoft-ds', 445], ['isakmp', 500], ['syslog', 514], ['printer', 515], ['talk', 517],
  ['ntalk', 518], ['route', 520], ['submission', 587], ['ldaps', 636], ['rsync', 873], ['ftps-data', 989],
  ['ftps', 990], ['telnets', 992], ['imaps', 993], ['pop3s', 995], ['socks', 1080], ['openvpn', 1194],
  ['ms-sql-s', 1433], ['l2tp', 1701], ['pptp', 1723], ['radius', 1812], ['radius-acct', 1813],
  ['nfs', 2049], ['mysql', 3306], ['ms-wbt-server', 3389], ['svn', 3690], ['sip', 5060], ['sip-tls', 5061],
  ['xmpp-client', 5222], ['postgresql', 5432], ['x11', 6000], ['ircd', 6667], ['webcache', 8080],
  ['http-alt', 8080], ['ipp', 631], ['kerberos-adm', 749], ['ssmtp', 465], ['smtps', 465],
  ['nameserver', 42], ['tftps', 3713], ['mdns', 5353], ['git', 9418], ['zabbix-agent', 10050],
  ['zabbix-trapper', 10051], ['netbios', 139], ['ms-sql-m', 1434], ['wins', 1512], ['rtsp', 554],
  ['afs3-fileserver', 7000], ['amanda', 10080], ['hkp', 11371], ['bacula-dir', 9101], ['bacula-fd', 9102],
  ['bacula-sd', 9103], ['nut', 3493], ['munin', 4949], ['cfengine', 5308], ['nrpe', 5666], ['svrloc', 427],
]);

/** /etc/ethertypes, as ebtables reads and prints them. */
export const ETHERTYPES: ReadonlyMap<string, number> = new Map([
  ['IPv4', 0x0800], ['X25', 0x0805], ['ARP', 0x0806], ['FR_ARP', 0x0808], ['BPQ', 0x08ff],
  ['DEC', 0x6000], ['DNA_DL', 0x6001], ['DNA_RC', 0x6002], ['DNA_RT', 0x6003], ['LAT', 0x6004],
  ['DIAG', 0x6005], ['CUST', 0x6006], ['SCA', 0x6007], ['TEB', 0x6558], ['RAW_FR', 0x6559],
  ['RARP', 0x8035], ['AARP', 0x80f3], ['ATALK', 0x809b], ['802_1Q', 0x8100], ['IPX', 0x8137],
  ['NetBEUI', 0x8191], ['IPv6', 0x86dd], ['PPP', 0x880b], ['ATMMPOA', 0x884c], ['PPP_DISC', 0x8863],
  ['PPP_SES', 0x8864], ['ATMFATE', 0x8884], ['LOOP', 0x9000], ['802_1AD', 0x88a8], ['MPLS_UC', 0x8847],
  ['MPLS_MC', 0x8848], ['LLDP', 0x88cc], ['802_1X', 0x888e],
]);

/** ICMP type names (`iptables -p icmp -h`): name → [type, code or null for every code]. */
export const ICMP_TYPES: ReadonlyMap<string, readonly [number, number | null]> = new Map([
  ['any', [-1, null]],
  ['echo-reply', [0, null]], ['pong', [0, null]],
  ['destination-unreachable', [3, null]], ['network-unreachable', [3, 0]], ['host-unreachable', [3, 1]],
  ['protocol-unreachable', [3, 2]], ['port-unreachable', [3, 3]], ['fragmentation-needed', [3, 4]],
  ['source-route-failed', [3, 5]], ['network-unknown', [3, 6]], ['host-unknown', [3, 7]],
  ['network-prohibited', [3, 9]], ['host-prohibited', [3, 10]], ['TOS-network-unreachable', [3, 11]],
  ['TOS-host-unreachable', [3, 12]], ['communication-prohibited', [3, 13]], ['host-precedence-violation', [3, 14]],
  ['precedence-cutoff', [3, 15]], ['source-quench', [4, null]], ['redirect', [5, null]],
  ['network-redirect', [5, 0]], ['host-redirect', [5, 1]], ['TOS-network-redirect', [5, 2]],
  ['TOS-host-redirect', [5, 3]], ['echo-request', [8, null]], ['ping', [8, null]],
  ['router-advertisement', [9, null]], ['router-solicitation', [10, null]], ['time-exceeded', [11, null]],
  ['ttl-exceeded', [11, null]], ['ttl-zero-during-transit', [11, 0]], ['ttl-zero-during-reassembly', [11, 1]],
  ['parameter-problem', [12, null]], ['ip-header-bad', [12, 0]], ['required-option-missing', [12, 1]],
  ['timestamp-request', [13, null]], ['timestamp-reply', [14, null]], ['address-mask-request', [17, null]],
  ['address-mask-reply', [18, null]],
]);

export const ICMPV6_TYPES: ReadonlyMap<string, readonly [number, number | null]> = new Map([
  ['destination-unreachable', [1, null]], ['no-route', [1, 0]], ['communication-prohibited', [1, 1]],
  ['beyond-scope', [1, 2]], ['address-unreachable', [1, 3]], ['port-unreachable', [1, 4]],
  ['failed-policy', [1, 5]], ['reject-route', [1, 6]], ['packet-too-big', [2, null]],
  ['time-exceeded', [3, null]], ['ttl-exceeded', [3, null]], ['ttl-zero-during-transit', [3, 0]],
  ['ttl-zero-during-reassembly', [3, 1]], ['parameter-problem', [4, null]], ['bad-header', [4, 0]],
  ['unknown-header-type', [4, 1]], ['unknown-option', [4, 2]], ['echo-request', [128, null]],
  ['ping', [128, null]], ['echo-reply', [129, null]], ['pong', [129, null]],
  ['mld-listener-query', [130, null]], ['mld-listener-report', [131, null]], ['mld-listener-done', [132, null]],
  ['mld-listener-reduction', [132, null]], ['router-solicitation', [133, null]],
  ['router-advertisement', [134, null]], ['neighbour-solicitation', [135, null]],
  ['neighbor-solicitation', [135, null]], ['neighbour-advertisement', [136, null]],
  ['neighbor-advertisement', [136, null]], ['redirect', [137, null]],
]);

/** libxt_tcp's flag names: no ECE/CWR, and ALL is the six classic flags (0x3f). */
export const TCP_FLAGS: ReadonlyMap<string, number> = new Map([
  ['FIN', 0x01], ['SYN', 0x02], ['RST', 0x04], ['PSH', 0x08], ['ACK', 0x10], ['URG', 0x20],
  ['ALL', 0x3f], ['NONE', 0],
]);

export const CT_STATES = ['INVALID', 'NEW', 'ESTABLISHED', 'RELATED', 'UNTRACKED', 'SNAT', 'DNAT'] as const;
