// User-facing text of `chainsight capture`.
export const CAPTURE_HELP = `Usage: chainsight capture --script

Prints the capture script: a POSIX sh script that reads everything chainsight uses about a host into one
file — iptables-save, ip6tables-save, ebtables-save, ipset save, nft -j list ruleset, ip -j addr / route /
rule / neigh, bridge -j fdb, the sysctls the model reads, the hostname and the iptables backend. It only
reads; a tool that is not installed is noted in the capture. On the host:

  chainsight capture --script > capture.sh      (or copy the script there)
  sudo sh capture.sh > host.capture

Every command then takes host.capture as one input, e.g.
  chainsight trace host.capture --src 172.17.0.2 --dst 10.0.0.1
  chainsight lint host.capture

Options:
  --script           print the script
  -h, --help`;
