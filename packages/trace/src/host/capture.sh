#!/bin/sh
# chainsight host capture: everything `chainsight` reads about a host, in one file.
#
#   sudo sh capture.sh > host.capture
#   chainsight trace host.capture --src 172.17.0.2 --dst 10.0.0.1
#
# It only reads: every command below prints state (iptables-save, ip -j ..., files under /proc/sys) and
# changes nothing on the host. A tool that is not installed is noted in the capture; the capture goes on.
#
# Format 1 (docs/host-facts.md, "The capture file"): a header line, then one section per command:
#   ### chainsight-capture begin NAME COMMAND...
#   the command's standard output, unchanged
#   (an empty line: the separator, not part of the output)
#   ### chainsight-capture stderr LINE        one per line the command printed on standard error
#   ### chainsight-capture end NAME exit=N    or `end NAME missing` when the tool is not installed

LC_ALL=C
export LC_ALL
# `sudo sh` keeps the caller's PATH on some systems: the tools live in the sbin directories.
PATH=/usr/local/sbin:/usr/sbin:/sbin:$PATH
export PATH
# File descriptor 3 is this script's standard output: a command's output goes there directly (no copy in
# memory, however large the ruleset), while its standard error is collected to be labelled.
exec 3>&1

printf '# chainsight-capture format=1\n'

# run NAME COMMAND [ARGUMENT...]: one section.
run() {
  name=$1
  shift
  printf '### chainsight-capture begin %s %s\n' "$name" "$*"
  if ! command -v "$1" >/dev/null 2>&1; then
    printf '### chainsight-capture end %s missing\n' "$name"
    return 0
  fi
  err=$("$@" 2>&1 1>&3 3>&-; printf 'exit=%s' "$?")
  rc=${err##*exit=}
  err=${err%exit=*}
  printf '\n'
  if [ -n "$err" ]; then
    printf '%s\n' "$err" | while IFS= read -r line; do
      [ -z "$line" ] || printf '### chainsight-capture stderr %s\n' "$line"
    done
  fi
  printf '### chainsight-capture end %s exit=%s\n' "$name" "$rc"
}

# readsys KEY: one value under /proc/sys (KEY as a path below it), or `KEY absent`. The files show the network
# namespace of this process, as `ip netns exec` and containers expect.
readsys() {
  if [ -r "/proc/sys/$1" ]; then
    printf '%s = %s\n' "$1" "$(cat "/proc/sys/$1")"
  else
    printf '%s absent\n' "$1"
  fi
}

# The sysctls chainsight's model reads (net/bridge/* is absent when br_netfilter is not loaded, and then
# bridged packets do not pass iptables at all), and the per-interface route_localnet, accept_local and
# rp_filter of every interface.
sysctls() {
  for key in net/ipv4/ip_forward net/ipv6/conf/all/forwarding \
    net/bridge/bridge-nf-call-iptables net/bridge/bridge-nf-call-ip6tables \
    net/netfilter/nf_conntrack_tcp_loose; do
    readsys "$key"
  done
  for dir in /proc/sys/net/ipv4/conf/*; do
    [ -d "$dir" ] || continue
    dev=${dir##*/}
    for key in rp_filter route_localnet accept_local; do
      readsys "net/ipv4/conf/$dev/$key"
    done
  done
}

run hostname uname -n
run kernel uname -r
run iptables-version iptables -V
run iptables-save iptables-save
run ip6tables-save ip6tables-save
run ebtables-save ebtables-save
run ipset-save ipset save
run nft-ruleset nft -j list ruleset
run ip-addr ip -j -d addr show
run ip-route ip -j -4 route show table all
run ip6-route ip -j -6 route show table all
run ip-rule ip -j -4 rule show
run ip6-rule ip -j -6 rule show
run ip-neigh ip -j neigh show
run ip-maddr ip -j maddr show
run bridge-fdb bridge -j fdb show
run sysctl sysctls
