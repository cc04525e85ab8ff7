#!/bin/bash
# Records the kernel's legacy TRACE for the IPv6 router of fixtures/trace/ipv6-router (ip6tables-legacy; the kernel
# lab's harness loads IPv4 rules only) into fixtures/trace/recorded-raw/ipv6-router.legacy.json.
# Root, Linux. Namespaces cs-<random>-{h6,a6,b6}, linked only to each other, deleted on exit (the rules of packages/kernel-lab/README.md).
#   bash packages/trace/scripts/record-ipv6.sh
set -u
cd "$(dirname "$0")/../../.."
ROOT=$(pwd)
ID=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
H=cs-$ID-h6; A=cs-$ID-a6; B=cs-$ID-b6
PY=${CHAINSIGHT_PYTHON:-/usr/bin/python3}
TMP=$(mktemp -d)
cleanup() {
  for n in $H $A $B; do
    for p in $(ip netns pids "$n" 2>/dev/null); do kill "$p" 2>/dev/null; done
    ip netns del "$n" 2>/dev/null
  done
  rm -rf "$TMP"
}
trap cleanup EXIT INT TERM
for n in $H $A $B; do ip netns add "$n"; ip -n "$n" link set lo up; done
ip -n $H link add eth0 type veth peer name eth0 netns $A
ip -n $H link add eth1 type veth peer name eth0 netns $B
ip -n $H link set eth0 address 02:00:00:06:00:01; ip -n $H link set eth1 address 02:00:00:06:01:01
ip -n $A link set eth0 address 02:00:00:06:00:02; ip -n $B link set eth0 address 02:00:00:06:01:02
ip netns exec $H sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n $H addr add 2001:db8:1::1/64 dev eth0 nodad; ip -n $H addr add 2001:db8:2::1/64 dev eth1 nodad
ip -n $A addr add 2001:db8:1::2/64 dev eth0 nodad; ip -n $B addr add 2001:db8:2::2/64 dev eth0 nodad
for n in $H $A $B; do for i in eth0 eth1; do ip -n "$n" link set "$i" up 2>/dev/null; done; done
ip -n $A -6 route add default via 2001:db8:1::1; ip -n $B -6 route add default via 2001:db8:2::1
sleep 1
# Warm the neighbour caches before any rule is loaded (nothing traced yet).
ip netns exec $A ping -6 -c1 -W1 2001:db8:1::1 >/dev/null; ip netns exec $B ping -6 -c1 -W1 2001:db8:2::1 >/dev/null
ip netns exec $H ip6tables-legacy-restore < fixtures/trace/ipv6-router/ip6tables-save
ip netns exec $H sh -c 'echo nfnetlink_log > /proc/sys/net/netfilter/nf_log/10'

flow() { # name from to proto dport command...
  local name=$1 from=$2 to=$3 proto=$4 dport=$5; shift 5
  ip netns exec $H "$PY" packages/trace/scripts/nflog6-listen.py 3 > "$TMP/$name.out" &
  local lp=$!
  for _ in $(seq 50); do grep -q '# ready' "$TMP/$name.out" 2>/dev/null && break; sleep 0.05; done
  "$@" >/dev/null 2>&1
  wait $lp
  printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$from" "$to" "$proto" "$dport" >> "$TMP/flows.tsv"
}
flow a-b a b icmpv6 0 ip netns exec $A ping -6 -c1 -W1 2001:db8:2::2
flow a-host a host icmpv6 0 ip netns exec $A ping -6 -c1 -W1 2001:db8:1::1
flow host-b host b icmpv6 0 ip netns exec $H ping -6 -c1 -W1 2001:db8:2::2
flow b-a b a icmpv6 0 ip netns exec $B ping -6 -c1 -W1 2001:db8:1::2
ip netns exec $B timeout 4 nc -6 -l 80 >/dev/null 2>&1 &
sleep 0.3
flow a-dnat a 2001:db8:1::1 tcp 8080 ip netns exec $A timeout 2 nc -6 -z -w1 2001:db8:1::1 8080
wait

mkdir -p fixtures/trace/recorded-raw
"$PY" - "$TMP" "$(uname -r)" > fixtures/trace/recorded-raw/ipv6-router.legacy.json <<'PYEOF'
import json, sys
tmp, kernel = sys.argv[1], sys.argv[2]
flows = []
for line in open(f'{tmp}/flows.tsv'):
    name, frm, to, proto, dport = line.rstrip('\n').split('\t')
    rows = [json.loads(l) for l in open(f'{tmp}/{name}.out') if l.startswith('{')]
    flows.append({'name': name, 'from': frm, 'to': to, 'proto': proto, 'dport': int(dport), 'lines': rows})
json.dump({'scenario': 'ipv6-router', 'backend': 'legacy', 'kernel': kernel,
           'rules': 'fixtures/trace/ipv6-router/ip6tables-save', 'hostContext': 'fixtures/trace/ipv6-router/host.json',
           'capture': 'ip6tables-legacy TRACE via nfnetlink_log (packages/trace/scripts/nflog6-listen.py)', 'flows': flows}, sys.stdout, indent=1)
print()
PYEOF
echo "recorded fixtures/trace/recorded-raw/ipv6-router.legacy.json" >&2
