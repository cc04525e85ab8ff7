#!/bin/bash
# Records which rules of fixtures/trace/nd-router/ip6tables-save the kernel's neighbour discovery, router discovery
# and MLD messages match (ICMPv6 133-137, 143; UNTRACKED, not INVALID: nf_conntrack_icmpv6_error), on both
# backends (ip6tables-nft and ip6tables-legacy, each in namespaces of its own: never mixed), into
# fixtures/trace/recorded-raw/nd-router.json. The kernel lab's harness is IPv4 only; rule counters
# (`ip6tables-save -c`, zeroed before each packet) say which rules and policies each packet hit.
# Root, Linux, python3-scapy. Namespaces cs-<random>-{h,a}<backend>, linked only to each other, deleted on exit
# (the rules of packages/kernel-lab/README.md).
#   bash packages/trace/scripts/record-nd.sh
set -u
cd "$(dirname "$0")/../../.."
PY=${CHAINSIGHT_PYTHON:-/usr/bin/python3}
ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
TMP=$(mktemp -d)
NSS=()
cleanup() {
  for n in "${NSS[@]}"; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
    ip netns del "$n" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

# name | the simulator's packet (a PacketSpec) | the frame neighbour a sends (scapy, on its eth0)
PROBES=$(cat <<'EOF'
ns-multicast|{"from":"a","dst":"ff02::1:ff00:1","proto":"icmpv6","icmpType":"neighbour-solicitation"}|Ether(dst='33:33:ff:00:00:01')/IPv6(src='2001:db8:d::2',dst='ff02::1:ff00:1',hlim=255)/ICMPv6ND_NS(tgt='2001:db8:d::1')/ICMPv6NDOptSrcLLAddr(lladdr=A_MAC)
ns-unicast|{"from":"a","dst":"2001:db8:d::1","proto":"icmpv6","icmpType":"neighbour-solicitation"}|Ether(dst=H_MAC)/IPv6(src='2001:db8:d::2',dst='2001:db8:d::1',hlim=255)/ICMPv6ND_NS(tgt='2001:db8:d::1')
ns-hop-limit-64|{"from":"a","dst":"2001:db8:d::1","proto":"icmpv6","icmpType":"neighbour-solicitation","ttl":64}|Ether(dst=H_MAC)/IPv6(src='2001:db8:d::2',dst='2001:db8:d::1',hlim=64)/ICMPv6ND_NS(tgt='2001:db8:d::1')
na-unsolicited|{"from":"a","dst":"ff02::1","proto":"icmpv6","icmpType":"neighbour-advertisement"}|Ether(dst='33:33:00:00:00:01')/IPv6(src='2001:db8:d::2',dst='ff02::1',hlim=255)/ICMPv6ND_NA(tgt='2001:db8:d::2',R=0,S=0,O=1)/ICMPv6NDOptDstLLAddr(lladdr=A_MAC)
rs|{"from":"a","dst":"ff02::2","proto":"icmpv6","icmpType":"router-solicitation"}|Ether(dst='33:33:00:00:00:02')/IPv6(src='2001:db8:d::2',dst='ff02::2',hlim=255)/ICMPv6ND_RS()
mldv2-report|{"from":"a","dst":"ff02::16","proto":"icmpv6","icmpType":143}|Ether(dst='33:33:00:00:00:16')/IPv6(src='2001:db8:d::2',dst='ff02::16',hlim=1)/ICMPv6MLReport2()
redirect|{"from":"a","dst":"2001:db8:d::1","proto":"icmpv6","icmpType":137}|Ether(dst=H_MAC)/IPv6(src='2001:db8:d::2',dst='2001:db8:d::1',hlim=255)/ICMPv6ND_Redirect(tgt='2001:db8:d::5',dst='2001:db8:9::9')
echo-request|{"from":"a","dst":"2001:db8:d::1","proto":"icmpv6","icmpType":"echo-request","ttl":64}|Ether(dst=H_MAC)/IPv6(src='2001:db8:d::2',dst='2001:db8:d::1',hlim=64)/ICMPv6EchoRequest(id=0x1234,seq=1)
EOF
)

record() { # backend
  local b=$1 H=cs-$ID-h$1 A=cs-$ID-a$1
  NSS+=("$H" "$A")
  ip netns add "$H" && ip netns add "$A" || return 1
  for n in $H $A; do
    ip -n "$n" link set lo up
    # No router advertisements, no DAD, no stable-privacy address: only the probes reach the host's INPUT.
    ip netns exec "$n" sysctl -qw net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.dad_transmits=0
  done
  ip -n $H link add eth0 type veth peer name eth0 netns $A
  ip -n $H link set eth0 address 02:00:00:0d:00:01; ip -n $A link set eth0 address 02:00:00:0d:00:02
  ip netns exec $H sysctl -qw net.ipv6.conf.all.forwarding=1
  ip -n $H addr add 10.13.0.1/24 dev eth0
  ip -n $H addr add 2001:db8:d::1/64 dev eth0 nodad; ip -n $H addr add fe80::1/64 dev eth0 nodad
  ip -n $A link set eth0 addrgenmode none
  ip -n $A addr add 2001:db8:d::2/64 dev eth0 nodad
  ip -n $H link set eth0 up; ip -n $A link set eth0 up
  # Permanent neighbours: no neighbour probe of either end falls between the probes.
  ip -n $H neigh replace 2001:db8:d::2 lladdr 02:00:00:0d:00:02 dev eth0 nud permanent
  ip -n $A neigh replace 2001:db8:d::1 lladdr 02:00:00:0d:00:01 dev eth0 nud permanent
  # The unsolicited MLD reports of both ends are over after about two seconds (robustness 2, 1 s interval).
  sleep 4
  ip -n $H -j maddr show dev eth0 > "$TMP/$b.maddr"
  ip netns exec $H "ip6tables-$b-restore" < fixtures/trace/nd-router/ip6tables-save || return 1
  local i=0
  while IFS='|' read -r name spec frame; do
    i=$((i + 1))
    for t in raw mangle filter; do ip netns exec $H "ip6tables-$b" -t $t -Z; done
    ip netns exec $A timeout 10 "$PY" -c "
from scapy.all import *
conf.verb = 0
A_MAC, H_MAC = '02:00:00:0d:00:02', '02:00:00:0d:00:01'
sendp($frame, iface='eth0')
" || return 1
    sleep 0.3
    ip netns exec $H "ip6tables-$b-save" -c > "$TMP/$b.$i.save"
    printf '%s\t%s\t%s\n' "$name" "$spec" "$TMP/$b.$i.save" >> "$TMP/$b.tsv"
  done <<< "$PROBES"
}

record nft || exit 1
record legacy || exit 1

mkdir -p fixtures/trace/recorded-raw
"$PY" - "$TMP" "$(uname -r)" > "$TMP/out.json" <<'PYEOF' || exit 1
import json, re, sys
tmp, kernel = sys.argv[1], sys.argv[2]
def hits(path):
    """table:chain:rule:N and table:chain:policy keys whose packet counter moved, in save order."""
    out, table, nums = [], None, {}
    for line in open(path):
        line = line.rstrip('\n')
        if line.startswith('*'):
            table, nums = line[1:], {}
        m = re.match(r'^:(\S+) (\S+) \[(\d+):\d+\]', line)
        if m and m.group(2) != '-' and int(m.group(3)) > 0:
            out.append(f'{table}:{m.group(1)}:policy:{int(m.group(3))}')
        m = re.match(r'^\[(\d+):\d+\] -A (\S+)', line)
        if m:
            nums[m.group(2)] = nums.get(m.group(2), 0) + 1
            if int(m.group(1)) > 0:
                out.append(f'{table}:{m.group(2)}:rule:{nums[m.group(2)]}' + ('' if int(m.group(1)) == 1 else f' x{m.group(1)}'))
    return out
backends = {}
for b in ('nft', 'legacy'):
    probes = []
    for line in open(f'{tmp}/{b}.tsv'):
        name, spec, path = line.rstrip('\n').split('\t')
        probes.append({'name': name, 'packet': json.loads(spec), 'hits': hits(path)})
    backends[b] = probes
json.dump({'scenario': 'nd-router', 'kernel': kernel, 'rules': 'fixtures/trace/nd-router/ip6tables-save',
           'hostContext': 'fixtures/trace/nd-router/host.json',
           'capture': 'ip6tables-save -c after each packet, counters zeroed before it (packages/trace/scripts/record-nd.sh)',
           'maddr': json.load(open(f'{tmp}/nft.maddr')), 'backends': backends}, sys.stdout, indent=1)
print()
PYEOF
cp "$TMP/out.json" fixtures/trace/recorded-raw/nd-router.json
echo "recorded fixtures/trace/recorded-raw/nd-router.json" >&2
