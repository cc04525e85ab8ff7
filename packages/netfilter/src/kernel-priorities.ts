// The kernel's priority numbers: a hook runs its functions from the lowest number to the highest (order.ts).

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;

/**
 * `enum nf_ip_hook_priorities` (include/uapi/linux/netfilter_ipv4.h). IPv6 has the same numbers
 * (`enum nf_ip6_hook_priorities`, netfilter_ipv6.h) and adds RAW_BEFORE_DEFRAG −450, used only when
 * ip6table_raw is loaded with raw_before_defrag=1.
 */
export const NF_IP_PRI = {
  FIRST: INT_MIN,
  CONNTRACK_DEFRAG: -400,
  RAW: -300,
  SELINUX_FIRST: -225,
  CONNTRACK: -200,
  MANGLE: -150,
  NAT_DST: -100,
  FILTER: 0,
  SECURITY: 50,
  NAT_SRC: 100,
  SELINUX_LAST: 225,
  CONNTRACK_HELPER: 300,
  CONNTRACK_CONFIRM: INT_MAX,
  LAST: INT_MAX,
} as const;

/** `enum nf_br_hook_priorities` (include/uapi/linux/netfilter_bridge.h). */
export const NF_BR_PRI = {
  FIRST: INT_MIN,
  NAT_DST_BRIDGED: -300,
  FILTER_BRIDGED: -200,
  BRNF: 0,
  NAT_DST_OTHER: 100,
  FILTER_OTHER: 200,
  NAT_SRC: 300,
  LAST: INT_MAX,
} as const;
